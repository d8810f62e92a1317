/**
 * `bugbeacon serve` answers within its budget and loses nothing: a delivery is on disk before it is
 * answered, a triage longer than --answer-within is answered 202 and finishes after, and a process
 * killed (SIGKILL) after answering triages the delivery at its next start. Real processes, the fake
 * GitHub, a bare repository as the database.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { filesOnMain, gitSync, makeRemote, reportBody } from "./support/git-fixtures.js";
import { APP_ID, CLI, INSTALLATION, delivery, send, serveEnv, startServe, type ServeProcess } from "./support/serve-harness.js";
import { tempDir } from "./support/temp.js";

const REPO = "octo/support";
const fake = useFakeGitHub({ repos: [REPO], appId: APP_ID, appInstallations: [{ id: INSTALLATION, account: "octo" }] });

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const lockRefs = (bare: string) => gitSync(["--git-dir", bare, "for-each-ref", "--format=%(refname)", "refs/bugbeacon/"], bare).split("\n").filter(Boolean);
const pendingIn = (stateDir: string) => (existsSync(join(stateDir, "pending")) ? readdirSync(join(stateDir, "pending")).filter((n) => n.endsWith(".json")) : []);

describe("bugbeacon serve: answers in time, loses nothing", () => {
  it("answers 202 when triage outlasts --answer-within; killed after answering, the next start triages it once", async () => {
    const bare = makeRemote();
    const stateDir = tempDir("bugbeacon-serve-state-");
    const A = reportBody("serve queue problem");
    fake.seedIssue(REPO, { title: "issue 1", body: A.body, createdAt: Date.parse("2026-11-20T10:01:00Z") });
    fake.seedIssue(REPO, { title: "issue 2", body: A.body, createdAt: Date.parse("2026-11-20T10:02:00Z") });
    const first = delivery("opened", { number: 1, body: A.body, repo: REPO, createdAt: "2026-11-20T10:01:00Z" });
    const dup = delivery("opened", { number: 2, body: A.body, repo: REPO, createdAt: "2026-11-20T10:02:00Z" });

    let s: ServeProcess = await startServe(fake.url, bare, { stateDir, args: ["--answer-within", "0"] });
    const a1 = await send(s.url, "q-1", first);
    expect(a1.status, a1.body).toBe(202);
    expect(JSON.parse(a1.body)).toMatchObject({ delivery: "q-1", decision: "queued" });
    await until("q-1 triaged", () => s.lines().some((l) => l.msg === "triaged" && l.delivery === "q-1"));
    expect(s.lines().find((l) => l.msg === "triaged")).toMatchObject({ delivery: "q-1", repository: REPO, decision: "first" });
    expect(pendingIn(stateDir)).toEqual([]);

    // The duplicate's first GitHub read hangs for a while: the answer goes out, then the process dies.
    fake.faults.add({ kind: "slow", delayMs: 1000, method: "GET", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", times: 1 });
    const a2 = await send(s.url, "q-2", dup);
    expect(a2.status, a2.body).toBe(202);
    expect(pendingIn(stateDir)).toEqual(["q-2.json"]); // on disk before the answer
    // Killed while it holds the problem's lock in the database (the slow read keeps it held for a second):
    // the restart must take its own dead run's lock over, not wait out the 10-minute lease.
    await until("q-2's lock taken", () => lockRefs(bare).length > 0, 10_000);
    s.child.kill("SIGKILL");
    await s.exited;
    expect(fake.issues(REPO).find((i) => i.number === 2)!.comments).toHaveLength(0);

    s = await startServe(fake.url, bare, { stateDir });
    await until("q-2 triaged after the restart", () => s.lines().some((l) => l.msg === "triaged" && l.delivery === "q-2"));
    expect(s.lines().find((l) => l.msg === "resuming pending deliveries")).toMatchObject({ count: 1 });
    expect(s.lines().find((l) => l.msg === "triaged")).toMatchObject({ delivery: "q-2", decision: "duplicate" });
    expect(pendingIn(stateDir)).toEqual([]);
    expect(lockRefs(bare)).toEqual([]);
    // GitHub redelivers it too: triage is idempotent, nothing is posted twice.
    const again = await send(s.url, "q-2", dup);
    expect(JSON.parse(again.body)).toMatchObject({ decision: "duplicate delivery" });
    const redelivered = await send(s.url, "q-2-redelivery", dup);
    expect(JSON.parse(redelivered.body)).toMatchObject({ decision: "duplicate", first: 1 });

    const two = fake.issues(REPO).find((i) => i.number === 2)!;
    expect(two.state).toBe("closed");
    expect(two.comments).toHaveLength(1);
    expect(fake.issues(REPO).find((i) => i.number === 1)!.comments).toHaveLength(1);
    expect(filesOnMain(bare).filter((f) => f.startsWith("issues/"))).toEqual([`issues/${A.identifier}/1.json`, `issues/${A.identifier}/2.json`]);
    s.child.kill("SIGTERM");
    expect(await s.exited).toMatchObject({ code: 0 });
    expect(fake.contractViolations).toEqual([]);
  }, 60_000);

  it("quarantines an unreadable pending file at start with a log line, and still serves", async () => {
    const bare = makeRemote();
    const stateDir = tempDir("bugbeacon-serve-state-");
    const s0 = await startServe(fake.url, bare, { stateDir });
    s0.child.kill("SIGTERM");
    await s0.exited;
    writeFileSync(join(stateDir, "pending", "broken.json"), "{ not json");
    const s = await startServe(fake.url, bare, { stateDir });
    await until("the quarantine line", () => s.lines().some((l) => l.msg === "pending delivery quarantined"));
    expect(s.lines().find((l) => l.msg === "pending delivery quarantined")).toMatchObject({ file: "broken.json" });
    expect(readdirSync(join(stateDir, "quarantine"))).toEqual(["broken.json"]);
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(200);
    // A second process on the same folder would wipe this one's clones: refused, one line, exit 2.
    const second = spawnSync(process.execPath, [CLI, "serve", "--port", "0", "--host", "127.0.0.1", "--db-remote", bare, "--state-dir", stateDir], { env: serveEnv(fake.url), encoding: "utf8", timeout: 20_000 });
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^bugbeacon serve: the state folder .* is in use by another bugbeacon serve \\(pid ${s.child.pid} on `));
    expect(second.stderr).not.toMatch(/\n\s+at /);
    s.child.kill("SIGTERM");
    expect(await s.exited).toMatchObject({ code: 0 });
  }, 30_000);
});
