/**
 * `bugbeacon serve`: the triage as a GitHub App. Real HTTP to the built CLI as a child process, real
 * payloads from @octokit/webhooks-examples signed here, a real RSA key for the app's JWT, the fake GitHub
 * minting installation tokens, a bare git repository as the database.
 */
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { filesOnMain, makeRemote, reportBody } from "./support/git-fixtures.js";
import { APP_ID, INSTALLATION, SECRET, appKey, delivery, post, send, serveEnv, sign, startServe, type ServeProcess } from "./support/serve-harness.js";
import { randomDeliveries, threeReplicas } from "./support/serve-scenarios.js";

const REPO = "octo/support";
const fake = useFakeGitHub({ repos: [REPO], appId: APP_ID, appInstallations: [{ id: INSTALLATION, account: "octo" }] });

async function stop(s: ServeProcess) {
  s.child.kill("SIGTERM");
  return s.exited;
}

function deliveryLines(s: ServeProcess) {
  return s.lines().filter((l) => l.msg === "delivery");
}

describe("bugbeacon serve: configuration", () => {
  async function start(env: Record<string, string | undefined>) {
    let stderr = "";
    const full = { ...serveEnv("http://127.0.0.1:9"), PORT: "0", ...env };
    const code = await runCli(["serve", "--host", "127.0.0.1"], { stdout: () => {}, stderr: (s) => (stderr += s), env: full, cwd: process.cwd() });
    return { code, stderr };
  }

  it("fails at start naming the missing or malformed variable, never echoing the key", async () => {
    for (const [env, name] of [
      [{ GITHUB_APP_ID: undefined }, "GITHUB_APP_ID"],
      [{ GITHUB_APP_ID: "my app" }, "GITHUB_APP_ID"],
      [{ GITHUB_PRIVATE_KEY: undefined }, "GITHUB_PRIVATE_KEY"],
      [{ GITHUB_PRIVATE_KEY: "/nowhere/app.pem" }, "GITHUB_PRIVATE_KEY"],
      [{ GITHUB_PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecretsecretsecret\n-----END RSA PRIVATE KEY-----" }, "GITHUB_PRIVATE_KEY"],
      [{ GITHUB_WEBHOOK_SECRET: undefined }, "GITHUB_WEBHOOK_SECRET"],
      [{ GITHUB_WEBHOOK_SECRET: "short" }, "GITHUB_WEBHOOK_SECRET"],
      [{ PORT: "http" }, "PORT"],
    ] as const) {
      const { code, stderr } = await start(env);
      expect(code, `${name}: ${stderr}`).toBe(2);
      // The one-line error first (the command's help follows it).
      expect(stderr.split("\n")[0]).toMatch(new RegExp(`^bugbeacon serve: ${name} `));
      expect(stderr).not.toContain("MIIEsecret");
    }
  });
});

describe("bugbeacon serve: deliveries", () => {
  it("triages a signed issues.opened with the installation's token, once per delivery, and a duplicate once", async () => {
    const bare = makeRemote();
    const s = await startServe(fake.url, bare);
    const A = reportBody("serve problem A");
    fake.seedIssue(REPO, { title: "issue 1", body: A.body, createdAt: Date.parse("2026-11-20T10:01:00Z") });
    fake.seedIssue(REPO, { title: "issue 2", body: A.body, createdAt: Date.parse("2026-11-20T10:02:00Z") });
    const first = await send(s.url, "d-1", delivery("opened", { number: 1, body: A.body, repo: REPO, createdAt: "2026-11-20T10:01:00Z" }));
    expect(first.status, first.body).toBe(200);
    expect(JSON.parse(first.body)).toMatchObject({ delivery: "d-1", decision: "first", identifier: A.identifier });
    const dup = delivery("opened", { number: 2, body: A.body, repo: REPO, createdAt: "2026-11-20T10:02:00Z" });
    const second = await send(s.url, "d-2", dup);
    expect(JSON.parse(second.body)).toMatchObject({ decision: "duplicate", first: 1 });
    // GitHub redelivers the same delivery; a maintainer presses "Redeliver" (same id); another replica
    // would see it under the same id too, but this one remembers it.
    const again = await send(s.url, "d-2", dup);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ decision: "duplicate delivery" });
    // The same event under a new delivery id: triage itself is idempotent.
    const rerun = await send(s.url, "d-2b", dup);
    expect(JSON.parse(rerun.body)).toMatchObject({ decision: "duplicate", first: 1 });

    const issues = fake.issues(REPO);
    expect(issues.find((i) => i.number === 2)).toMatchObject({ state: "closed" });
    expect(issues.find((i) => i.number === 2)!.comments).toHaveLength(1);
    expect(issues.find((i) => i.number === 1)!.comments).toHaveLength(1); // "seen again"
    expect(filesOnMain(bare).filter((f) => f.startsWith("issues/"))).toEqual([`issues/${A.identifier}/1.json`, `issues/${A.identifier}/2.json`]);
    // The installation's token: minted once from the app's JWT, cached, used for every issue call.
    const minted = fake.requests.filter((r) => r.route === "/app/installations/{installation_id}/access_tokens");
    expect(minted.map((r) => r.status)).toEqual([201]);
    const issueCalls = fake.requests.filter((r) => r.route?.startsWith("/repos/"));
    expect(issueCalls.length).toBeGreaterThan(0);
    expect(issueCalls.every((r) => r.token?.startsWith("ghs_"))).toBe(true);

    const logs = deliveryLines(s);
    if (process.env.BUGBEACON_DEBUG_SERVE) console.log(JSON.stringify(logs));
    expect(logs.map((l) => [l.delivery, l.decision])).toEqual([
      ["d-1", "first"],
      ["d-2", "duplicate"],
      ["d-2", "duplicate delivery"],
      ["d-2b", "duplicate"],
    ]);
    for (const l of logs) {
      expect(l).toMatchObject({ event: "issues", repository: REPO, installation: INSTALLATION });
      expect(typeof l.ms).toBe("number");
    }
    const out = s.stdout() + s.stderr();
    expect(out).not.toContain("ghs_");
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain("It crashed");
    expect(out).not.toContain(appKey().split("\n")[1]!);
    expect(await stop(s)).toEqual({ code: 0, signal: null });
  });

  it("answers every bad input without crashing: signatures, truncation, content type, size, other events, random bytes", async () => {
    const bare = makeRemote();
    const s = await startServe(fake.url, bare);
    const body = delivery("opened", { number: 1, body: "no report here", repo: REPO });
    const headers = { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": "bad-1" };
    const status = async (p: Promise<{ status: number }>) => (await p).status;

    expect(await status(post(`${s.url}/webhook/github`, body, headers))).toBe(401);
    expect(await status(post(`${s.url}/webhook/github`, body, { ...headers, "x-hub-signature-256": sign(body, "another-secret-entirely") }))).toBe(401);
    expect(await status(post(`${s.url}/webhook/github`, body, { ...headers, "x-hub-signature-256": "sha1=abc" }))).toBe(401);
    // Truncated: signed as sent by GitHub, cut short on the way.
    expect(await status(post(`${s.url}/webhook/github`, body.slice(0, body.length - 10), { ...headers, "x-hub-signature-256": sign(body) }))).toBe(401);
    expect(await status(post(`${s.url}/webhook/github`, `payload=${encodeURIComponent(body)}`, { ...headers, "content-type": "application/x-www-form-urlencoded", "x-hub-signature-256": sign(body) }))).toBe(415);
    // Over 25 MB: refused from the declared length, and from the bytes when the length is not declared.
    const big = Buffer.alloc(26 * 1024 * 1024, 0x20);
    expect(await status(raw(`${s.url}/webhook/github`, big, { ...headers, "x-hub-signature-256": sign(big) }, "length"))).toBe(413);
    const chunkedAnswer = await raw(`${s.url}/webhook/github`, big, { ...headers, "x-hub-signature-256": sign(big) }, "chunked");
    expect(chunkedAnswer.status, chunkedAnswer.head).toBe(413);
    const star = JSON.stringify({ action: "created", installation: { id: INSTALLATION } });
    const starred = await send(s.url, "bad-2", star, "star");
    expect(starred.status).toBe(202);
    expect(JSON.parse(starred.body)).toMatchObject({ decision: "ignored: event" });
    expect((await send(s.url, "bad-3", "{}", "ping")).status).toBe(200);
    expect((await send(s.url, "bad-4", "{not json", "issues")).status).toBe(400);
    expect((await send(s.url, "bad-5", JSON.stringify({ action: "opened", installation: { id: INSTALLATION }, repository: { full_name: "../etc" }, issue: {} }))).status).toBe(400);
    expect((await send(s.url, "bad-6", JSON.stringify({ action: "opened", installation: { id: INSTALLATION }, repository: { full_name: REPO }, issue: { number: "1" } }))).status).toBe(400);
    expect((await send(s.url, "bad-7", delivery("closed", { number: 1, body: "x", repo: REPO }))).status).toBe(202);
    // A body that never arrives: the client gives up; the server carries on.
    await halfSent(s.url);

    await randomDeliveries(s.url, 200);
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${s.url}/webhook/github`)).status).toBe(405);
    expect(filesOnMain(bare).filter((f) => f.startsWith("issues/"))).toEqual([]);
    expect(fake.issues(REPO)).toEqual([]);
    expect(s.child.exitCode).toBeNull();
    expect(await stop(s)).toEqual({ code: 0, signal: null });
    expect(s.stderr()).toBe("");
  });

  it("on SIGTERM stops accepting, finishes the delivery in flight, and exits 0", async () => {
    const bare = makeRemote();
    const s = await startServe(fake.url, bare);
    const A = reportBody("serve shutdown");
    fake.seedIssue(REPO, { title: "issue 1", body: A.body, createdAt: Date.parse("2026-11-20T10:01:00Z") });
    fake.seedIssue(REPO, { title: "issue 2", body: A.body, createdAt: Date.parse("2026-11-20T10:02:00Z") });
    expect((await send(s.url, "t-0", delivery("opened", { number: 1, body: A.body, repo: REPO, createdAt: "2026-11-20T10:01:00Z" }))).status).toBe(200);
    // A duplicate needs GitHub, which is slow to answer: the delivery is still in flight when SIGTERM comes.
    fake.faults.add({ kind: "slow", delayMs: 400, times: 2 });
    const pending = send(s.url, "t-1", delivery("opened", { number: 2, body: A.body, repo: REPO, createdAt: "2026-11-20T10:02:00Z" }));
    await waitFor(() => fake.requests.length > 0);
    s.child.kill("SIGTERM");
    const answer = await pending;
    expect(answer.status, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ decision: "duplicate", first: 1 });
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(filesOnMain(bare)).toContain(`issues/${A.identifier}/2.json`);
    expect(fake.issues(REPO).find((i) => i.number === 2)).toMatchObject({ state: "closed" });
    expect(s.lines().map((l) => l.msg)).toEqual(["listening", "delivery", "stopping", "delivery", "stopped"]);
    // Stopped: nothing listens any more.
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
  });
});

describe("bugbeacon serve: three replicas", () => {
  it("interleaved and duplicated deliveries to three processes leave each issue filed once and one comment per duplicate", async () => {
    // Two issues of one problem, each delivery to all three at once (the stress version: eight issues, three problems).
    await threeReplicas(fake, ["A", "A"]);
  }, 60_000);
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

/** Sent over a plain socket (chunked: no Content-Length to refuse it by); the answer may come before the body is sent. */
function raw(url: string, body: Buffer, headers: Record<string, string>, mode: "length" | "chunked"): Promise<{ status: number; head: string }> {
  return new Promise((resolveChunked, reject) => {
    const u = new URL(url);
    const socket = connect(Number(u.port), u.hostname);
    let head = "";
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => {
      head += d;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (m) {
        setTimeout(() => {
          socket.destroy();
          resolveChunked({ status: Number(m[1]), head });
        }, 20);
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => reject(new Error(`closed without an answer: ${JSON.stringify(head.slice(0, 100))}`)));
    const framing = mode === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${body.length}`;
    socket.write(`POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\n${framing}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`);
    const step = 1024 * 1024;
    let offset = 0;
    const pump = () => {
      while (offset < body.length && !socket.destroyed) {
        const part = body.subarray(offset, offset + step);
        offset += step;
        // Every piece of a chunk is written (a full buffer only says to wait before the next one).
        const ok = mode === "chunked" ? [socket.write(`${part.length.toString(16)}\r\n`), socket.write(part), socket.write("\r\n")].every(Boolean) : socket.write(part);
        if (!ok) return void socket.once("drain", pump);
      }
      if (!socket.destroyed && mode === "chunked") socket.write("0\r\n\r\n");
    };
    pump();
  });
}

/** Declares a body, sends half of it and hangs up. */
function halfSent(url: string): Promise<void> {
  return new Promise((resolveHalf) => {
    const u = new URL(url);
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.end(`POST /webhook/github HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nX-Hub-Signature-256: ${sign("{}")}\r\nContent-Length: 1000\r\n\r\n{"action":`);
    });
    socket.on("error", () => resolveHalf());
    socket.on("close", () => resolveHalf());
    socket.resume();
  });
}
