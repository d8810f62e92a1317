import { generateKeyPairSync } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { createAppAuth } from "@octokit/auth-app";
import { RequestError } from "@octokit/request-error";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadSpec, startFakeGitHub, specLoadTimeMs, type FakeGitHub } from "./support/fake-github/index.js";
import { matchOperation, validateResponse } from "./support/fake-github/openapi-validator.js";
import { spawnFakeGitHub } from "./support/fake-github/remote.js";

const REPO = { owner: "acme", repo: "widgets" };
const TOKEN = "tok1";

let fake: FakeGitHub;
let octokit: Octokit;

// Octokit logs every 4xx/5xx; these tests provoke hundreds on purpose.
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function client(auth: string | null = TOKEN, f: FakeGitHub = fake): Octokit {
  // No retries/throttling plugins here: every status must reach the test as is.
  return new Octokit({ baseUrl: f.url, log: quiet, ...(auth === null ? {} : { auth }) });
}

/** The rejection of `p`, asserting it rejected. */
async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

async function requestErrorOf(p: Promise<unknown>): Promise<RequestError> {
  const error = await rejectionOf(p);
  expect(error).toBeInstanceOf(RequestError);
  return error as RequestError;
}

beforeAll(async () => {
  fake = await startFakeGitHub({ repos: ["acme/widgets", "acme/other"], tokens: [TOKEN, { token: "tok2", login: "alice" }] });
  octokit = client();
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  fake.reset();
});

describe("contract checking", () => {
  it("loads the spec once per process (how long it takes is the benchmarks' business)", async () => {
    await octokit.rest.repos.get(REPO);
    expect(specLoadTimeMs()).toBeGreaterThan(0);
    expect(loadSpec()).toBe(loadSpec());
  });

  it("records nothing for valid requests and GitHub-shaped responses", async () => {
    const repo = await octokit.rest.repos.get(REPO);
    expect(repo.data.full_name).toBe("acme/widgets");
    expect(repo.headers["x-github-request-id"]).toMatch(/^[0-9A-F:]+$/);
    expect(repo.headers["x-ratelimit-limit"]).toBe("5000");
    expect(repo.headers["x-ratelimit-remaining"]).toBe("4999");
    expect(repo.headers["x-ratelimit-resource"]).toBe("core");
    expect(repo.headers["content-type"]).toBe("application/json; charset=utf-8");
    await octokit.rest.issues.create({ ...REPO, title: "t", body: "b", labels: ["bug"] });
    await octokit.rest.issues.get({ ...REPO, issue_number: 1 });
    await octokit.rest.rateLimit.get();
    expect(fake.contractViolations).toEqual([]);
  });

  it("answers 422 and records a violation for a missing title", async () => {
    const error = await requestErrorOf(
      octokit.request("POST /repos/{owner}/{repo}/issues", { ...REPO, body: "no title" } as never),
    );
    expect(error.status).toBe(422);
    const data = error.response?.data as { message: string; errors: Array<{ field: string; code: string }> };
    expect(data.message).toBe("Validation Failed");
    expect(data.errors).toContainEqual(expect.objectContaining({ field: "title", code: "missing_field" }));
    expect(fake.contractViolations).toHaveLength(1);
    expect(fake.contractViolations[0]).toMatchObject({ method: "POST", path: "/repos/acme/widgets/issues" });
    expect(fake.contractViolations[0]?.problem).toContain("body/title");
    expect(fake.issues("acme/widgets")).toHaveLength(0);
  });

  it("rejects labels given as a string", async () => {
    const error = await requestErrorOf(
      octokit.request("POST /repos/{owner}/{repo}/issues", { ...REPO, title: "x", labels: "bug" } as never),
    );
    expect(error.status).toBe(422);
    expect(fake.contractViolations[0]?.problem).toMatch(/body\/labels must be array/);
  });

  it("rejects a non-integer path param and a bad enum query param", async () => {
    const e1 = await requestErrorOf(octokit.request("GET /repos/acme/widgets/issues/abc"));
    expect(e1.status).toBe(422);
    const e2 = await requestErrorOf(octokit.request("GET /repos/acme/widgets/issues?state=bogus"));
    expect(e2.status).toBe(422);
    expect(fake.contractViolations.map((v) => v.problem)).toEqual([
      expect.stringContaining("path/issue_number must be integer"),
      expect.stringContaining("query/state"),
    ]);
  });

  it("records unknown paths (404) and unimplemented spec endpoints (501)", async () => {
    const e1 = await requestErrorOf(octokit.request("GET /repos/acme/widgets/no-such-thing"));
    expect(e1.status).toBe(404);
    const e2 = await requestErrorOf(octokit.rest.pulls.list(REPO));
    expect(e2.status).toBe(501);
    expect(fake.contractViolations).toEqual([
      { method: "GET", path: "/repos/acme/widgets/no-such-thing", problem: "path is not in the OpenAPI description" },
      expect.objectContaining({ method: "GET", path: "/repos/acme/widgets/pulls", problem: expect.stringContaining("does not implement") }),
    ]);
  });

  it("the response validator catches a malformed issue", () => {
    const found = matchOperation("GET", "/repos/o/r/issues/1");
    if (found.kind !== "found") throw new Error("no match");
    const problems = validateResponse(found.match, 200, { id: "1", number: 1, title: "t" });
    expect(problems.length).toBeGreaterThan(5);
    expect(problems.map((p) => p.where)).toContain("response/id");
    expect(problems.map((p) => p.where)).toContain("response/user");
  });
});

describe("issues", () => {
  it("creates issues with incrementing numbers, labels created on the fly, assignees", async () => {
    const a = await octokit.rest.issues.create({ ...REPO, title: "First", labels: ["bug", "crash"], assignees: ["bob"] });
    const b = await octokit.rest.issues.create({ ...REPO, title: "Second" });
    const other = await octokit.rest.issues.create({ owner: "acme", repo: "other", title: "Elsewhere" });
    expect(a.status).toBe(201);
    expect([a.data.number, b.data.number, other.data.number]).toEqual([1, 2, 1]);
    expect(a.headers.location).toBe(`${fake.url}/repos/acme/widgets/issues/1`);
    expect(a.data.html_url).toBe("https://github.com/acme/widgets/issues/1");
    expect(a.data.labels.map((l) => (typeof l === "string" ? l : l.name))).toEqual(["bug", "crash"]);
    expect(a.data.assignee?.login).toBe("bob");
    expect(a.data.user?.login).toBe("fake-user");
    expect(a.data.state).toBe("open");
    const labels = await octokit.rest.issues.listLabelsForRepo(REPO);
    expect(labels.data.map((l) => l.name).sort()).toEqual(["bug", "crash"]);
    expect(fake.issues("acme/widgets").map((i) => i.title)).toEqual(["First", "Second"]);
    expect(fake.requests.map((r) => r.token)).toEqual([TOKEN, TOKEN, TOKEN, TOKEN]);
    expect(fake.contractViolations).toEqual([]);
  });

  it("lists with state and AND-ed label filters", async () => {
    fake.seedIssue("acme/widgets", { title: "a", labels: ["bug", "crash"] });
    fake.seedIssue("acme/widgets", { title: "b", labels: ["bug"] });
    fake.seedIssue("acme/widgets", { title: "c", labels: ["bug", "crash"], state: "closed" });
    const open = await octokit.rest.issues.listForRepo({ ...REPO, labels: "bug,crash" });
    expect(open.data.map((i) => i.title)).toEqual(["a"]);
    const all = await octokit.rest.issues.listForRepo({ ...REPO, labels: "BUG", state: "all", direction: "asc" });
    expect(all.data.map((i) => i.title)).toEqual(["a", "b", "c"]);
    const closed = await octokit.rest.issues.listForRepo({ ...REPO, state: "closed" });
    expect(closed.data.map((i) => i.title)).toEqual(["c"]);
    const byCreator = await octokit.rest.issues.listForRepo({ ...REPO, creator: "nobody" });
    expect(byCreator.data).toEqual([]);
    expect(fake.contractViolations).toEqual([]);
  });

  it("paginates 250 issues with a Link header that octokit.paginate follows", async () => {
    for (let i = 0; i < 250; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, (_, j) => octokit.rest.issues.create({ ...REPO, title: `issue ${i + j}` })),
      );
    }
    const first = await octokit.rest.issues.listForRepo({ ...REPO, per_page: 100 });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain('page=3>; rel="last"');
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, { ...REPO, per_page: 100 });
    expect(all).toHaveLength(250);
    expect(new Set(all.map((i) => i.number)).size).toBe(250);
    const pagesFetched = fake.requests.filter((r) => r.method === "GET" && r.path.endsWith("/issues")).length;
    expect(pagesFetched).toBe(1 + 3);
    expect(fake.contractViolations).toEqual([]);
  });

  it("updates, closes with state_reason, reopens", async () => {
    await octokit.rest.issues.create({ ...REPO, title: "old", labels: ["a"] });
    const upd = await octokit.rest.issues.update({ ...REPO, issue_number: 1, title: "new", labels: ["b"], assignees: ["carol"] });
    expect(upd.data.title).toBe("new");
    expect(upd.data.labels.map((l) => (typeof l === "string" ? l : l.name))).toEqual(["b"]);
    expect(upd.data.assignees?.map((u) => u.login)).toEqual(["carol"]);
    const closed = await octokit.rest.issues.update({ ...REPO, issue_number: 1, state: "closed", state_reason: "not_planned" });
    expect(closed.data.state).toBe("closed");
    expect(closed.data.state_reason).toBe("not_planned");
    expect(closed.data.closed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(closed.data.closed_by?.login).toBe("fake-user");
    const cleared = await octokit.rest.issues.update({ ...REPO, issue_number: 1, labels: [] });
    expect(cleared.data.labels).toEqual([]);
    expect(cleared.data.state_reason).toBe("not_planned");
    const reopened = await octokit.rest.issues.update({ ...REPO, issue_number: 1, state: "open" });
    expect(reopened.data.state_reason).toBe("reopened");
    expect(reopened.data.closed_at).toBeNull();
    const missing = await requestErrorOf(octokit.rest.issues.update({ ...REPO, issue_number: 99, title: "x" }));
    expect(missing.status).toBe(404);
    expect(fake.contractViolations).toEqual([]);
  });

  it("adds comments and counts them on the issue", async () => {
    await octokit.rest.issues.create({ ...REPO, title: "t" });
    const c = await octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body: "me too" });
    expect(c.status).toBe(201);
    expect(c.data.body).toBe("me too");
    expect(c.data.html_url).toBe(`https://github.com/acme/widgets/issues/1#issuecomment-${c.data.id}`);
    await octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body: "again" });
    const issue = await octokit.rest.issues.get({ ...REPO, issue_number: 1 });
    expect(issue.data.comments).toBe(2);
    const list = await octokit.rest.issues.listComments({ ...REPO, issue_number: 1 });
    expect(list.data.map((x) => x.body)).toEqual(["me too", "again"]);
    expect(fake.issues("acme/widgets")[0]?.comments.map((x) => x.body)).toEqual(["me too", "again"]);
    expect(fake.contractViolations).toEqual([]);
  });

  it("adds and removes issue labels, adds assignees, manages repo labels", async () => {
    await octokit.rest.issues.create({ ...REPO, title: "t", labels: ["a"] });
    const added = await octokit.rest.issues.addLabels({ ...REPO, issue_number: 1, labels: ["b", "A"] });
    expect(added.data.map((l) => l.name)).toEqual(["a", "b"]);
    const removed = await octokit.rest.issues.removeLabel({ ...REPO, issue_number: 1, name: "a" });
    expect(removed.data.map((l) => l.name)).toEqual(["b"]);
    const gone = await requestErrorOf(octokit.rest.issues.removeLabel({ ...REPO, issue_number: 1, name: "zzz" }));
    expect(gone.status).toBe(404);
    const assigned = await octokit.rest.issues.addAssignees({ ...REPO, issue_number: 1, assignees: ["dave"] });
    expect(assigned.data.assignees?.map((u) => u.login)).toEqual(["dave"]);
    const label = await octokit.rest.issues.createLabel({ ...REPO, name: "crash report", color: "ff0000", description: "d" });
    expect(label.status).toBe(201);
    const got = await octokit.rest.issues.getLabel({ ...REPO, name: "crash report" });
    expect(got.data).toMatchObject({ name: "crash report", color: "ff0000", description: "d" });
    const dup = await requestErrorOf(octokit.rest.issues.createLabel({ ...REPO, name: "Crash Report" }));
    expect(dup.status).toBe(422);
    expect(fake.contractViolations).toEqual([]);
  });
});

describe("search", () => {
  it("supports repo:, is:, in:, label: and quoted or bare terms", async () => {
    fake.seedIssue("acme/widgets", { title: "TypeError: x is undefined", body: "fingerprint abc123", labels: ["crash"] });
    fake.seedIssue("acme/widgets", { title: "Another TypeError", body: "nothing", state: "closed" });
    fake.seedIssue("acme/other", { title: "TypeError: x is undefined", body: "fingerprint abc123", labels: ["crash"] });
    const q = async (query: string): Promise<string[]> => {
      const r = await octokit.rest.search.issuesAndPullRequests({ q: query });
      expect(r.data.total_count).toBe(r.data.items.length);
      return r.data.items.map((i) => `${i.repository_url.split("/").slice(-1)[0]}#${i.number}`);
    };
    expect(await q('repo:acme/widgets is:issue "x is undefined"')).toEqual(["widgets#1"]);
    expect(await q("repo:acme/widgets typeerror")).toEqual(["widgets#2", "widgets#1"]);
    expect(await q("repo:acme/widgets typeerror is:open")).toEqual(["widgets#1"]);
    expect(await q("repo:acme/widgets is:closed")).toEqual(["widgets#2"]);
    expect(await q("abc123 in:body label:crash")).toEqual(["other#1", "widgets#1"]);
    expect(await q("abc123 in:title")).toEqual([]);
    expect(await q('repo:acme/widgets "abc123" label:nope')).toEqual([]);
    expect(await q("repo:acme/widgets is:pr")).toEqual([]);
    expect(fake.contractViolations).toEqual([]);
  });

  it("enforces 30 searches per minute with GitHub's rate-limit answer", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 31 }, () => octokit.rest.search.issuesAndPullRequests({ q: "repo:acme/widgets x" })),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(30);
    expect(failed).toHaveLength(1);
    const error = failed[0]?.reason as RequestError;
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/API rate limit exceeded/);
    expect(error.response?.headers["x-ratelimit-remaining"]).toBe("0");
    expect(error.response?.headers["x-ratelimit-resource"]).toBe("search");
    expect(Number(error.response?.headers["x-ratelimit-reset"])).toBeGreaterThan(Date.now() / 1000);
    // The core resource is separate.
    expect((await octokit.rest.repos.get(REPO)).status).toBe(200);
  });
});

describe("primary rate limit", () => {
  it("counts core requests per token and answers 403 with remaining 0 when spent", async () => {
    const f = await startFakeGitHub({ repos: ["acme/widgets"], coreRateLimit: 2 });
    try {
      const o = client("a", f);
      const r1 = await o.rest.repos.get(REPO);
      expect(r1.headers["x-ratelimit-remaining"]).toBe("1");
      expect(r1.headers["x-ratelimit-used"]).toBe("1");
      await o.rest.repos.get(REPO);
      const e = await requestErrorOf(o.rest.repos.get(REPO));
      expect(e.status).toBe(403);
      expect(e.message).toMatch(/^API rate limit exceeded/);
      expect(e.response?.headers["x-ratelimit-remaining"]).toBe("0");
      // Another token has its own budget; /rate_limit itself does not count.
      expect((await client("b", f).rest.repos.get(REPO)).status).toBe(200);
      const limits = await o.rest.rateLimit.get();
      expect(limits.data.resources.core).toMatchObject({ limit: 2, remaining: 0, used: 2 });
      expect(f.contractViolations).toEqual([]);
    } finally {
      await f.close();
    }
  });
});

describe("auth and not-found", () => {
  it("answers 401 Bad credentials for a missing or wrong token, and records the token used", async () => {
    const e1 = await requestErrorOf(client("wrong").rest.repos.get(REPO));
    expect(e1.status).toBe(401);
    expect(e1.response?.data).toMatchObject({ message: "Bad credentials" });
    const e2 = await requestErrorOf(client(null).rest.repos.get(REPO));
    expect(e2.status).toBe(401);
    const ok = await client("tok2").rest.issues.create({ ...REPO, title: "by alice" });
    expect(ok.data.user?.login).toBe("alice");
    expect(fake.requests.map((r) => [r.token, r.status])).toEqual([
      ["wrong", 401],
      [null, 401],
      ["tok2", 201],
    ]);
  });

  it("answers 404 for an unknown repo with GitHub's body", async () => {
    const e = await requestErrorOf(octokit.rest.issues.create({ owner: "acme", repo: "nope", title: "t" }));
    expect(e.status).toBe(404);
    expect(e.response?.data).toEqual({
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest",
      status: "404",
    });
    expect(fake.contractViolations).toEqual([]);
  });

  it("mints installation tokens for a GitHub App via @octokit/auth-app", async () => {
    const appFake = await startFakeGitHub({ repos: ["acme/widgets"], tokens: ["unused"], appInstallations: [{ id: 42 }], appId: 7 });
    try {
      const { privateKey } = generateKeyPairSync("rsa", {
        modulusLength: 2048,
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
        publicKeyEncoding: { type: "spki", format: "pem" },
      });
      const app = new Octokit({
        baseUrl: appFake.url,
        log: quiet,
        authStrategy: createAppAuth,
        auth: { appId: 7, privateKey, installationId: 42 },
      });
      const created = await app.rest.issues.create({ ...REPO, title: "from the app" });
      expect(created.data.user?.login).toBe("bugbeacon[bot]");
      const [mint, create] = appFake.requests;
      expect(mint?.path).toBe("/app/installations/42/access_tokens");
      expect(mint?.status).toBe(201);
      expect(create?.token).toMatch(/^ghs_/);
      expect(appFake.contractViolations).toEqual([]);
      const wrongInstallation = new Octokit({
        baseUrl: appFake.url,
        log: quiet,
        authStrategy: createAppAuth,
        auth: { appId: 7, privateKey, installationId: 43 },
      });
      const e = await requestErrorOf(wrongInstallation.rest.issues.create({ ...REPO, title: "x" }));
      expect(e.status).toBe(404);
    } finally {
      await appFake.close();
    }
  });
});

describe("faults", () => {
  it("answers a configured 5xx for the next n matching requests only", async () => {
    fake.faults.add({ status: 502, method: "POST", route: "/repos/{owner}/{repo}/issues", times: 2 });
    expect((await requestErrorOf(octokit.rest.issues.create({ ...REPO, title: "a" }))).status).toBe(502);
    expect((await octokit.rest.repos.get(REPO)).status).toBe(200); // other route unaffected
    expect((await requestErrorOf(octokit.rest.issues.create({ ...REPO, title: "b" }))).status).toBe(502);
    expect((await octokit.rest.issues.create({ ...REPO, title: "c" })).data.number).toBe(1);
    expect(fake.issues("acme/widgets").map((i) => i.title)).toEqual(["c"]);
    expect(fake.stats.faultsInjected).toBe(2);
  });

  it("secondary rate limit: 403 with GitHub's message and retry-after", async () => {
    fake.faults.add({ kind: "rate-limit", status: 403, retryAfterSeconds: 7, times: 1 });
    const e = await requestErrorOf(octokit.rest.issues.create({ ...REPO, title: "a" }));
    expect(e.status).toBe(403);
    expect(e.message).toMatch(/^You have exceeded a secondary rate limit/);
    expect(e.response?.headers["retry-after"]).toBe("7");
    expect(fake.issues("acme/widgets")).toHaveLength(0);
  });

  it("429 and primary rate limit (x-ratelimit-remaining: 0 + reset)", async () => {
    fake.faults.add({ kind: "rate-limit", status: 429, retryAfterSeconds: 3, times: 1 });
    const e1 = await requestErrorOf(octokit.rest.repos.get(REPO));
    expect(e1.status).toBe(429);
    expect(e1.response?.headers["retry-after"]).toBe("3");
    fake.faults.add({ kind: "rate-limit", primary: true, retryAfterSeconds: 120, times: 1 });
    const e2 = await requestErrorOf(octokit.rest.repos.get(REPO));
    expect(e2.status).toBe(403);
    expect(e2.message).toMatch(/^API rate limit exceeded/);
    expect(e2.response?.headers["x-ratelimit-remaining"]).toBe("0");
    const reset = Number(e2.response?.headers["x-ratelimit-reset"]);
    expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 118);
  });

  it("reset destroys the connection without an answer", async () => {
    fake.faults.add({ kind: "reset", times: 1 });
    const error = (await rejectionOf(octokit.rest.repos.get(REPO))) as Error & { status?: number; cause?: unknown };
    expect(error).toBeInstanceOf(RequestError);
    expect(error.status).toBe(500); // Octokit's status for network failures
    const cause = error.cause as { cause?: { code?: string } } | undefined;
    expect(cause?.cause?.code).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    expect(fake.requests[0]?.status).toBe(0);
    expect(fake.requests[0]?.fault).toBe("reset");
    expect((await octokit.rest.repos.get(REPO)).status).toBe(200);
  });

  it("slow answers late enough to trip a client timeout", async () => {
    fake.faults.add({ kind: "slow", delayMs: 400, times: 1 });
    const e = await rejectionOf(octokit.rest.repos.get({ ...REPO, request: { signal: AbortSignal.timeout(100) } }));
    // Octokit wraps the abort in a RequestError with status 500.
    expect(e).toBeInstanceOf(RequestError);
    expect((e as RequestError).status).toBe(500);
    expect(String((e as Error).message)).toMatch(/abort|timeout/i);
    const t2 = Date.now();
    fake.faults.add({ kind: "slow", delayMs: 150, times: 1 });
    expect((await octokit.rest.repos.get(REPO)).status).toBe(200);
    expect(Date.now() - t2).toBeGreaterThanOrEqual(140);
  });

  it("lost-response performs the write, then answers 502 (or resets)", async () => {
    fake.faults.add({ kind: "lost-response", route: "/repos/{owner}/{repo}/issues", method: "POST", times: 1 });
    const e = await requestErrorOf(octokit.rest.issues.create({ ...REPO, title: "ghost" }));
    expect(e.status).toBe(502);
    expect(fake.issues("acme/widgets").map((i) => i.title)).toEqual(["ghost"]);
    fake.faults.add({ kind: "lost-response", respond: "reset", times: 1 });
    const e2 = (await rejectionOf(octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body: "c" }))) as RequestError;
    expect(e2.status).toBe(500);
    expect(fake.issues("acme/widgets")[0]?.comments.map((c) => c.body)).toEqual(["c"]);
    expect(fake.stats.creationsAccepted).toBe(2);
  });

  it("rate applies to a deterministic fraction, reproducible from the seed", async () => {
    const pattern = async (f: FakeGitHub): Promise<number[]> => {
      f.faults.add({ status: 503, rate: 0.3 });
      const o = client(TOKEN, f);
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) {
        statuses.push(await o.rest.repos.get(REPO).then((r) => r.status, (e: RequestError) => e.status));
      }
      return statuses;
    };
    const a = await pattern(fake);
    const other = await startFakeGitHub({ repos: ["acme/widgets"], tokens: [TOKEN] });
    try {
      const b = await pattern(other);
      expect(b).toEqual(a);
    } finally {
      await other.close();
    }
    const failures = a.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(4);
    expect(failures).toBeLessThan(20);
    expect(a.filter((s) => s === 200).length).toBe(40 - failures);
  });

  it("handle.remove() and faults.clear() disarm faults", async () => {
    const h = fake.faults.add({ status: 500 });
    expect((await requestErrorOf(octokit.rest.repos.get(REPO))).status).toBe(500);
    expect(h.hits).toBe(1);
    h.remove();
    expect((await octokit.rest.repos.get(REPO)).status).toBe(200);
    fake.faults.add({ status: 500 });
    fake.faults.clear();
    expect((await octokit.rest.repos.get(REPO)).status).toBe(200);
  });
});

describe("with the retry and throttling plugins the library ships with", () => {
  const Plugged = Octokit.plugin(retry, throttling);

  it("throttling recognises the secondary limit and retries after retry-after", async () => {
    const seen: number[] = [];
    const o = new Plugged({
      baseUrl: fake.url,
      auth: TOKEN,
      log: quiet,
      retry: { retryAfterBaseValue: 10 },
      throttle: {
        // Retry-After: 1 at 100 ms a second: the wait is real, only shorter.
        retryAfterBaseValue: 100,
        onRateLimit: () => false,
        onSecondaryRateLimit: (retryAfter: number) => {
          seen.push(retryAfter);
          return true;
        },
      },
    });
    // A GET: the plugin spaces writes 1 s apart, which would only slow the test down.
    fake.faults.add({ kind: "rate-limit", status: 403, retryAfterSeconds: 1, times: 1 });
    const started = Date.now();
    const repo = await o.rest.repos.get(REPO);
    expect(repo.status).toBe(200);
    expect(seen).toEqual([1]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(fake.requests.map((r) => r.status)).toEqual([403, 200]);
  });

  it("a blind retry after lost-response duplicates the issue (what delivery must avoid)", async () => {
    const o = new (Octokit.plugin(retry))({ baseUrl: fake.url, auth: TOKEN, log: quiet, retry: { retryAfterBaseValue: 10 } });
    fake.faults.add({ kind: "lost-response", method: "POST", times: 1 });
    const created = await o.rest.issues.create({ ...REPO, title: "crash" });
    expect(created.data.number).toBe(2);
    expect(fake.issues("acme/widgets").map((i) => i.title)).toEqual(["crash", "crash"]);
    expect(fake.requests.map((r) => r.status)).toEqual([502, 201]);
  });
});

describe("creation limiter", () => {
  it("answers 403 secondary rate limit with an integer retry-after beyond perSecond", async () => {
    const limited = await startFakeGitHub({ repos: ["acme/widgets"], creationLimit: { perSecond: 5 } });
    try {
      const o = client(null, limited);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => o.rest.issues.create({ ...REPO, title: `t${i}` })),
      );
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
      expect(rejected).toHaveLength(3);
      for (const r of rejected) {
        const e = r.reason as RequestError;
        expect(e.status).toBe(403);
        expect(e.message).toMatch(/secondary rate limit/);
        expect(e.response?.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
      }
      expect(limited.stats).toMatchObject({ creationsAccepted: 5, creationsRejected: 3 });
      expect(limited.issues("acme/widgets")).toHaveLength(5);
      // Reads are not limited.
      expect((await o.rest.issues.listForRepo(REPO)).data).toHaveLength(5);
      // The window slides: after a second, creation works again.
      await new Promise((r) => setTimeout(r, 1050));
      expect((await o.rest.issues.create({ ...REPO, title: "later" })).status).toBe(201);
      expect(limited.contractViolations).toEqual([]);
    } finally {
      await limited.close();
    }
  });
});

describe("lifecycle", () => {
  it("close() does not hang with a slow request in flight", async () => {
    const f = await startFakeGitHub({ repos: ["acme/widgets"] });
    f.faults.add({ kind: "slow", delayMs: 60_000 });
    const pending = client(null, f).rest.repos.get(REPO).then(
      () => "answered",
      () => "failed",
    );
    while (f.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    // Without the fix close() would wait the full minute; the test's own timeout (10 s) catches that.
    await f.close();
    expect(await pending).toBe("failed");
  }, 10_000);

  it("reset() clears issues, logs, violations, faults and stats", async () => {
    await octokit.rest.issues.create({ ...REPO, title: "t" });
    await requestErrorOf(octokit.request("GET /nope"));
    fake.faults.add({ status: 500, method: "DELETE" });
    fake.reset();
    expect(fake.issues("acme/widgets")).toEqual([]);
    expect(fake.requests).toEqual([]);
    expect(fake.contractViolations).toEqual([]);
    expect(fake.faults.list()).toEqual([]);
    expect(fake.stats.requests).toBe(0);
    expect((await octokit.rest.issues.create({ ...REPO, title: "again" })).data.number).toBe(1);
  });

  it("runs standalone in a child process with control endpoints", async () => {
    const remote = await spawnFakeGitHub({ repos: ["acme/widgets"], tokens: ["t"] });
    try {
      expect(remote.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const o = client("t", { url: remote.url } as FakeGitHub);
      await o.rest.issues.create({ ...REPO, title: "remote" });
      await remote.addFaults({ status: 503, times: 1 });
      expect((await requestErrorOf(o.rest.issues.get({ ...REPO, issue_number: 1 }))).status).toBe(503);
      const s = await remote.state();
      expect(s.issues["acme/widgets"]?.map((i) => i.title)).toEqual(["remote"]);
      expect(s.stats).toMatchObject({ requests: 2, creationsAccepted: 1, faultsInjected: 1 });
      expect(s.contractViolations).toEqual([]);
    } finally {
      await remote.close();
    }
  });
});
