import { spawn } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getHelper } from "../src/index.js";
import { parseIssueBody } from "../src/format.js";
import { Spool } from "../src/delivery/spool.js";
import { startFakeGitHub } from "./support/fake-github/index.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { deliveredReportIds as sharedDeliveredReportIds, exactlyOnceUnderFaults, FAST_RETRY } from "./support/scenarios.js";
import { trackChild } from "./support/cleanup.js";
import { tempDir } from "./support/temp.js";

const TOKEN = "ghp_deliverytokendeliverytokendelivery1";
const REPO = "octo/app";
const root = new URL("..", import.meta.url).pathname;
const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN], searchRateLimit: false }, { checkContract: false });

const newSpool = () => tempDir("bugbeacon-spool-");

function helper(spoolDir: string, options: Parameters<typeof getHelper<"github">>[1] = {}) {
  return getHelper("github", {
    baseUrl: fake.url, confirm: false, open: false, quiet: true, spoolDir, pacingMs: 0, timeoutMs: 1500, retryAfterBaseMs: 10,
    env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN }, ...options,
  });
}

const deliveredReportIds = () => sharedDeliveredReportIds(fake, REPO);

describe("dedupe at the source", () => {
  it("comments on the open issue with the same identifier instead of opening another (onDuplicate: comment)", async () => {
    const h = helper(newSpool(), { onDuplicate: "comment" });
    const first = await h.runHeadless({ identifier: "same bug", title: "Crash", body: "one", repo: REPO });
    const second = await h.runHeadless({ identifier: "same bug", title: "Crash", body: "two", repo: REPO });
    expect(first.kind).toBe("created");
    expect(second).toMatchObject({ kind: "duplicate", number: 1 });
    const [issue, ...rest] = fake.issues(REPO);
    expect(rest).toEqual([]);
    expect(issue?.comments).toHaveLength(1);
    expect(issue?.comments[0]?.body.startsWith("**Seen again**: Crash")).toBe(true);
    expect(parseIssueBody(issue?.comments[0]?.body)?.metadata?.reportId).toBe(second.reportId);
    expect(fake.contractViolations).toEqual([]);
  });

  it("finds the issue through search on another machine (empty cache), and opens a new one with onDuplicate: new", async () => {
    await helper(newSpool()).runHeadless({ identifier: "shared", title: "Crash", repo: REPO });
    expect((await helper(newSpool()).runHeadless({ identifier: "shared", title: "Crash", repo: REPO })).kind).toBe("duplicate");
    expect((await helper(newSpool(), { onDuplicate: "new" }).runHeadless({ identifier: "shared", title: "Crash", repo: REPO })).kind).toBe("created");
    expect(fake.issues(REPO)).toHaveLength(2);
  });

  it("for a closed issue opens a new one linking to it (a regression), or reopens it with onClosed: reopen", async () => {
    const spool = newSpool();
    await helper(spool).runHeadless({ identifier: "fixed?", title: "Crash", repo: REPO });
    const octokitClose = await fetch(`${fake.url}/repos/${REPO}/issues/1`, {
      method: "PATCH", headers: { authorization: `token ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ state: "closed" }),
    });
    expect(octokitClose.status).toBe(200);
    const regression = await helper(spool).runHeadless({ identifier: "fixed?", title: "Crash", repo: REPO });
    expect(regression).toMatchObject({ kind: "created", number: 2 });
    expect(fake.issues(REPO)[1]?.body?.startsWith("This looks like a regression of #1, which was closed.")).toBe(true);

    const reopen = await helper(newSpool(), { onClosed: "reopen" }).runHeadless({ identifier: "other", title: "Crash", repo: REPO });
    await fetch(`${fake.url}/repos/${REPO}/issues/${reopen.kind === "created" ? reopen.number : 0}`, {
      method: "PATCH", headers: { authorization: `token ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ state: "closed" }),
    });
    const again = await helper(newSpool(), { onClosed: "reopen" }).runHeadless({ identifier: "other", title: "Crash", repo: REPO });
    expect(again.kind).toBe("duplicate");
    expect(fake.issues(REPO).find((i) => i.number === 3)?.state).toBe("open");
  });
});

describe("every fault ends as exactly one issue", () => {
  it.each([
    ["500", { status: 500 as const }],
    ["502", { status: 502 as const }],
    ["503", { status: 503 as const }],
    ["a connection reset", { kind: "reset" as const }],
    ["a lost response (created, then 502)", { kind: "lost-response" as const }],
  ])("%s on create: queued, then flush delivers it once", async (_name, fault) => {
    const spool = newSpool();
    fake.faults.add({ ...fault, method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 });
    const result = await helper(spool, { dedupe: false }).runHeadless({ identifier: "f", title: "Fault", repo: REPO });
    expect(result.kind).toBe("queued");
    expect(new Spool(spool).pending()).toHaveLength(1);
    const summary = await helper(spool, { dedupe: false }).flush();
    expect(summary.queued).toBe(0);
    expect(deliveredReportIds()).toEqual([result.reportId]);
    expect(fake.issues(REPO)).toHaveLength(1);
  });

  it.each([
    ["429 with Retry-After", { kind: "rate-limit" as const, status: 429 as const, retryAfterSeconds: 1 }],
    ["403 secondary rate limit with Retry-After", { kind: "rate-limit" as const, status: 403 as const, retryAfterSeconds: 1 }],
  ])("%s: waits as told and sends once, without queueing", async (_name, fault) => {
    fake.faults.add({ ...fault, method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 });
    // Retry-After: 1 at an injected 80 ms a second: the wait is real, only shorter.
    const started = performance.now();
    const result = await helper(newSpool(), { dedupe: false, retryAfterBaseMs: 80 }).runHeadless({ identifier: "r", title: "Limited", repo: REPO });
    expect(result.kind).toBe("created");
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
    expect(fake.requests.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([fault.status, 201]);
    expect(deliveredReportIds()).toEqual([result.reportId]);
  });

  it("a slow answer past the timeout: queued; the write lands late; flush finds it instead of sending again", async () => {
    const spool = newSpool();
    fake.faults.add({ kind: "slow", delayMs: 800, method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 });
    const result = await helper(spool, { dedupe: false, timeoutMs: 200 }).runHeadless({ identifier: "s", title: "Slow", repo: REPO });
    expect(result.kind).toBe("queued");
    // The fake performs the write when its delay is over, though the client has long given up. The flush
    // starts at once: it must wait for the request to settle (BUGBEACON_SETTLE_MS) before it looks it up.
    expect(fake.issues(REPO)).toHaveLength(0);
    const summary = await helper(spool, { dedupe: false }).flush();
    expect(summary).toMatchObject({ sent: 1, queued: 0 });
    expect(fake.issues(REPO)).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === "POST").length).toBe(1);
  });

  it("offline (connection refused): queued at once, each request tried once instead of backing off; a 502 on a lookup is still retried", async () => {
    // A port nothing listens on: the connection is refused, so the request certainly never left.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const calls: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      calls.push(`${init?.method ?? "GET"} ${input instanceof Request ? input.url : String(input)}`);
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      const spool = newSpool();
      const offline = await helper(spool, { baseUrl: `http://127.0.0.1:${port}` }).runHeadless({ identifier: "offline", title: "Offline", repo: REPO });
      expect(offline).toMatchObject({ kind: "queued", reason: expect.stringContaining("ECONNREFUSED") });
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.filter((c, i) => calls.indexOf(c) !== i)).toEqual([]);
      // The same lookup answered 502 by a reachable GitHub is worth a retry (the backoff is Octokit's).
      calls.length = 0;
      fake.faults.add({ status: 502, method: "GET", route: "/search/issues", times: 1 });
      const online = await helper(newSpool()).runHeadless({ identifier: "online", title: "Online", repo: REPO });
      expect(online.kind).toBe("created");
      expect(calls.filter((c) => c.includes("/search/issues"))).toHaveLength(2);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it("a bad token (401) or a missing repository (404): queued with what to fix, not retried forever", async () => {
    const spool = newSpool();
    const bad = await helper(spool, { env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: "ghp_wrongwrongwrongwrongwrongwrong1234" } }).runHeadless({ title: "x", repo: REPO });
    expect(bad.kind === "queued" && bad.reason).toContain("the token was refused (401 Bad credentials): set a valid BUGBEACON_GITHUB_TOKEN");
    const missing = await helper(spool).runHeadless({ title: "y", repo: "octo/nope" });
    expect(missing.kind === "queued" && missing.reason).toContain("the repository was not found or the token cannot see it (404)");
    const stillBad = await helper(spool, { env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: "ghp_wrongwrongwrongwrongwrongwrong1234" } }).flush();
    expect(stillBad.failed).toHaveLength(1);
    expect(stillBad.queued).toBe(2);
    const fixed = await helper(spool).flush();
    expect(fixed.sent).toBe(1);
    expect(fixed.queued).toBe(1);
    expect(fixed.failed[0]?.reason).toContain("(404)");
  });
});

describe("the spool", () => {
  it("moves garbage files aside with a clear message and goes on", async () => {
    const dir = newSpool();
    await helper(dir, { env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: "ghp_wrongwrongwrongwrongwrongwrong1234" } }).runHeadless({ title: "good", repo: REPO });
    mkdirSync(join(dir, "queue"), { recursive: true });
    writeFileSync(join(dir, "queue", "0000-truncated.json"), '{"version":1,"repo":"octo/app","tit');
    writeFileSync(join(dir, "queue", "0001-future.json"), JSON.stringify({ version: 9 }));
    const summary = await helper(dir).flush();
    expect(summary.sent).toBe(1);
    expect(summary.queued).toBe(0);
    expect(summary.quarantined.map((q) => q.file).sort()).toEqual(["0000-truncated.json", "0001-future.json"]);
    expect(summary.quarantined.find((q) => q.file === "0001-future.json")?.problem).toBe("spool format version 9, expected 1");
    expect(readdirSync(join(dir, "quarantine")).sort()).toEqual(["0000-truncated.json", "0001-future.json"]);
  });

  it("dry run prints the request, redacted, and sends nothing", async () => {
    const lines: string[] = [];
    const h = getHelper("github", { baseUrl: fake.url, confirm: false, open: false, dryRun: true, env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } });
    (h as unknown as { logger: { info: (m: string) => void } }).logger.info = (m) => lines.push(m);
    const result = await h.runHeadless({ title: `leak ${TOKEN}`, repo: REPO });
    expect(result.kind === "skipped" && result.reason).toBe("dry-run");
    expect(lines.join("\n")).toContain(`"url": "${fake.url}/repos/octo/app/issues"`);
    expect(lines.join("\n")).not.toContain(TOKEN);
    expect(fake.requests).toEqual([]);
  });

  it("test mode sends every report to BUGBEACON_TEST_REPO", async () => {
    const h = helper(newSpool(), { env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_TEST_REPO: REPO } });
    expect((await h.runHeadless({ title: "t", repo: "someone/else" })).kind).toBe("created");
    expect(fake.issues(REPO)).toHaveLength(1);
  });
});

function flushProcess(spoolDir: string) {
  return runNode([join(root, "dist/cli.js"), "flush"], {
    cwd: root, timeoutMs: 240_000,
    env: baseEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url, BUGBEACON_SPOOL_DIR: spoolDir, ...FAST_RETRY }),
  });
}

describe("exactly once under faults", () => {
  // The large version (300 reports from 4 processes) is in test/stress/delivery.stress.test.ts.
  it("10 reports from 2 concurrent processes under a 30% fault rate: each delivered exactly once, nothing left queued", async () => {
    await exactlyOnceUnderFaults(fake, { repo: REPO, token: TOKEN, processes: 2, perProcess: 5 });
  }, 60_000);

  it("two flushers: a report another flusher released as uncertain is looked up afresh, not judged by an older index", async () => {
    const spool = newSpool();
    fake.faults.add({ status: 503, method: "POST", route: "/repos/{owner}/{repo}/issues", times: 2 });
    const first = await helper(spool, { dedupe: false }).runHeadless({ identifier: "r1", title: "First", repo: REPO });
    const second = await helper(spool, { dedupe: false }).runHeadless({ identifier: "r2", title: "Second", repo: REPO });
    expect([first.kind, second.kind]).toEqual(["queued", "queued"]);
    fake.reset();

    // Flusher A builds its index, then waits on a slow create for the first report.
    fake.faults.add({ kind: "slow", delayMs: 1500, method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 });
    const flushA = helper(spool, { dedupe: false, timeoutMs: 5000 }).flush();
    while (!fake.requests.some((r) => r.method === "GET" && r.path.endsWith("/issues/comments"))) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    // Meanwhile flusher B sends the second report; it arrives but B never hears so, and puts it back.
    fake.faults.add({ kind: "lost-response", method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 });
    const summaryB = await helper(spool, { dedupe: false }).flush();
    expect(summaryB.failed).toHaveLength(1);
    expect(fake.issues(REPO).map((i) => i.title)).toEqual(["Second"]);
    // A goes on to the second report: it must find it arrived, not send it again.
    const summaryA = await flushA;
    expect(summaryA.queued).toBe(0);
    expect(deliveredReportIds().sort()).toEqual([first.reportId, second.reportId].sort());
  });

  it("a second flush from the same helper brings its index up to date instead of listing every open issue again", async () => {
    const spool = newSpool();
    const queue = (title: string) =>
      helper(spool, { baseUrl: "http://127.0.0.1:9", timeoutMs: 300 }).runHeadless({ identifier: "again", title, repo: REPO });
    const flusher = helper(spool);
    expect((await queue("First")).kind).toBe("queued");
    expect(await flusher.flush()).toMatchObject({ sent: 1, queued: 0 });
    // A maintainer closes it; the same crash is queued again.
    const closed = await fetch(`${fake.url}/repos/${REPO}/issues/1`, {
      method: "PATCH", headers: { authorization: `token ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ state: "closed" }),
    });
    expect(closed.status).toBe(200);
    expect((await queue("Second")).kind).toBe("queued");
    const listedBefore = fake.requests.length;
    expect(await flusher.flush()).toMatchObject({ sent: 1, merged: 0, queued: 0 });
    // Not a comment on the closed issue (the kept index learnt it was closed): a new issue.
    expect(fake.issues(REPO).map((i) => [i.number, i.state, i.comments.length])).toEqual([[1, "closed", 0], [2, "open", 0]]);
    // The second flush asked only for what changed since the first (`since`), not for all open issues.
    const lists = fake.requests.slice(listedBefore).filter((r) => r.method === "GET" && r.path === `/repos/${REPO}/issues`);
    expect(lists.length).toBeGreaterThan(0);
    for (const r of lists) expect(r.query).toMatchObject({ state: "all", since: expect.any(String) });
  });

  it("a flush killed with SIGKILL mid-way, then rerun: every report exactly once, no corrupt spool file", async () => {
    const dir = newSpool();
    const bad = getHelper("github", { baseUrl: "http://127.0.0.1:9", confirm: false, open: false, quiet: true, spoolDir: dir, timeoutMs: 300, dedupe: false, pacingMs: 0, env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } });
    const queued: string[] = [];
    // 20 queued, killed after at least 5 arrived (the stress suite kills flushes in a loop, over more).
    for (let i = 0; i < 20; i++) {
      const r = await bad.runHeadless({ identifier: `k${i}`, title: `Killed ${i}`, repo: REPO });
      expect(r.kind).toBe("queued");
      queued.push(r.reportId);
    }
    const child = trackChild(spawn(process.execPath, [join(root, "dist/cli.js"), "flush"], {
      env: baseEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url, BUGBEACON_SPOOL_DIR: dir, BUGBEACON_PACING_MS: "40" }),
      stdio: "ignore",
    }));
    const deadline = Date.now() + 30_000;
    while (fake.issues(REPO).length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    const before = fake.issues(REPO).length;
    expect(before).toBeGreaterThanOrEqual(5);
    expect(before).toBeLessThan(20);
    const issuePosts = () => fake.requests.filter((r) => r.method === "POST" && r.path === `/repos/${REPO}/issues`).length;
    const postsBefore = issuePosts();
    const rerun = await flushProcess(dir);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    // Nothing waiting, nothing failed, nothing unreadable; and the rerun's counts cover what the killed flush left.
    const counts = /^delivered (\d+): created (\d+), already there (\d+), merged 0, counted 0; waiting 0; failed 0$/m.exec(rerun.stdout);
    expect(counts, rerun.stdout).not.toBeNull();
    expect(Number(counts![2]) + Number(counts![3])).toBe(Number(counts![1]));
    expect(Number(counts![2])).toBe(issuePosts() - postsBefore);
    expect(deliveredReportIds().sort()).toEqual([...queued].sort());
    expect(readdirSync(dir).includes("quarantine")).toBe(false);
  }, 120_000);
});

describe("GitHub App installation auth", () => {
  it("creates issues with an installation token, fetched once and reused", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const appFake = await startFakeGitHub({ repos: [REPO], appId: 12345, appInstallations: [{ id: 678, account: "octo" }] });
    try {
      const h = getHelper("github", {
        baseUrl: appFake.url, confirm: false, open: false, quiet: true, pacingMs: 0, spoolDir: newSpool(), dedupe: false,
        env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_APP_ID: "12345", BUGBEACON_APP_PRIVATE_KEY: pem.replace(/\n/g, "\\n"), BUGBEACON_APP_INSTALLATION_ID: "678" },
      });
      expect((await h.runHeadless({ title: "one", repo: REPO })).kind).toBe("created");
      expect((await h.runHeadless({ title: "two", repo: REPO })).kind).toBe("created");
      const tokenRequests = appFake.requests.filter((r) => r.path === "/app/installations/678/access_tokens");
      expect(tokenRequests).toHaveLength(1);
      const creates = appFake.requests.filter((r) => r.method === "POST" && r.path === `/repos/${REPO}/issues`);
      expect(creates).toHaveLength(2);
      for (const c of creates) expect(c.token).toMatch(/^ghs_/);
      expect(appFake.contractViolations).toEqual([]);
      expect(() => getHelper("github", { githubApp: { appId: "x", privateKey: "nope", installationId: 1 } as never })).toThrow(
        "Invalid githubApp",
      );
      // Checked once, when the helper is made (issue 15), not at the first report.
      expect(() => getHelper("github", { confirm: false, env: { BUGBEACON_APP_ID: "1" } })).toThrow(
        "Invalid BUGBEACON_APP_PRIVATE_KEY: undefined. Expected all three of BUGBEACON_APP_ID, BUGBEACON_APP_PRIVATE_KEY, BUGBEACON_APP_INSTALLATION_ID",
      );
    } finally {
      await appFake.close();
    }
  });
});
