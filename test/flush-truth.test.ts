/**
 * `bugbeacon flush` tells the truth about what it did and what it left, with real processes: an app
 * SIGKILLed while GitHub holds its request (the fake answers late and files the issue anyway, as GitHub
 * carries out a request whose client went away), two reports queued while GitHub was unreachable, then one
 * flush through the built CLI. Every report arrives exactly once, the printed counts equal the fake's
 * record, and nothing is left claimed under the flush's pid.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAlive } from "../src/_internal/process-alive.js";
import { parseIssueBody } from "../src/format/report-format.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";
import { appEnv, CRASH_APP, writeApp } from "./support/write-ahead-trials.js";
import { closedPort } from "./support/closed-port.js";

const TOKEN = "ghp_flushtruthtokenflushtruthtoken12345";
const REPO = "octo/app";
const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN], searchRateLimit: false });
const cli = join(new URL("..", import.meta.url).pathname, "dist/cli.js");


const files = (dir: string, sub: string) => {
  try {
    return readdirSync(join(dir, sub)).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
};

/** Runs the crash app to its end (GitHub unreachable: the report stays queued). */
function crash(env: NodeJS.ProcessEnv): Promise<number | null> {
  const app = writeApp(CRASH_APP);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [app.file], { env: appEnv(env), cwd: app.dir, stdio: "ignore" });
    child.on("close", (code) => {
      app.cleanup();
      resolve(code);
    });
  });
}

async function until_(what: string, ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const reportIds = () => fake.issues(REPO).map((i) => parseIssueBody(i.body)?.metadata?.reportId);

/**
 * Two reports queued while GitHub was unreachable, and a third whose app is SIGKILLed while GitHub holds its
 * request (then files the issue anyway). Returns the spool and the POSTs GitHub had received by then.
 */
async function killedMidRequest(env: NodeJS.ProcessEnv, spool: string): Promise<number> {
  const port = await closedPort();
  for (const trial of ["queued-1", "queued-2"]) {
    expect(await crash({ ...env, TRIAL: trial, BUGBEACON_GITHUB_API_URL: `http://127.0.0.1:${port}` })).toBe(1);
  }
  expect(files(spool, "queue")).toHaveLength(2);
  fake.faults.add({ kind: "slow", delayMs: 3000, method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 });
  const app = writeApp(CRASH_APP);
  const child = spawn(process.execPath, [app.file], { env: appEnv({ ...env, TRIAL: "killed", BUDGET_MS: "20000", BUGBEACON_GITHUB_API_URL: fake.url }), cwd: app.dir, stdio: "ignore" });
  const closed = new Promise((r) => child.once("close", r));
  await until_("the held request", () => posts() === 1);
  // The report is sent by a short child process of the crashing app (src/sdk/capture/send-now.ts); its
  // claim names it. Both are killed, as `kill -9` of the process group would.
  const sender = files(spool, "inflight").map((n) => Number(/^(\d+)\./.exec(n)?.[1])).find((pid) => Number.isSafeInteger(pid));
  child.kill("SIGKILL");
  if (sender !== undefined && sender !== child.pid) {
    try {
      process.kill(sender, "SIGKILL");
    } catch {
      // Already gone with its app.
    }
  }
  await closed;
  await until_("the sender gone", () => sender === undefined || !isAlive(sender));
  app.cleanup();
  expect(files(spool, "inflight")).toHaveLength(1);
  expect(fake.issues(REPO)).toHaveLength(0);
  return posts();
}

const posts = () => fake.requests.filter((r) => r.method === "POST" && r.path === `/repos/${REPO}/issues`).length;
const url = (title: string) => `https://github.com/${REPO}/issues/${fake.issues(REPO).find((i) => i.title === title)!.number}`;

describe("bugbeacon flush after a sender was SIGKILLed mid-request", () => {
  it("one flush delivers all three reports exactly once and prints counts equal to what GitHub got", async () => {
    const spool = tempDir("bugbeacon-flush-truth-");
    const env = { BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_SPOOL_DIR: spool, FLUSH_ON_START: "0", BUGBEACON_SETTLE_MS: "4500" };
    const postsBefore = await killedMidRequest(env, spool);

    // One flush, while the held request is still being carried out: it waits for it to settle (soon).
    const flush = await runNode([cli, "flush", "--api-url", fake.url], { env: baseEnv(env), timeoutMs: 60_000 });
    expect(flush.code, flush.stdout + flush.stderr).toBe(0);

    // Exactly once each.
    const ids = reportIds();
    expect(ids, flush.stdout + flush.stderr).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    expect(fake.issues(REPO).map((i) => i.title).sort()).toEqual(["TypeError: boom in killed", "TypeError: boom in queued-1", "TypeError: boom in queued-2"]);
    // Nothing left: not queued, not claimed (by the flush or anyone).
    expect(files(spool, "queue")).toEqual([]);
    expect(files(spool, "inflight")).toEqual([]);

    // The printed counts are the fake's record: the flush created two issues and found the killed app's.
    const createdByFlush = posts() - postsBefore;
    expect(createdByFlush).toBe(2);
    expect(flush.stdout.split("\n")[0]).toBe(`delivered 3: created ${createdByFlush}, already there 1, merged 0, counted 0; waiting 0; failed 0`);
    expect(flush.stdout.split("\n").slice(1).sort()).toEqual(
      [
        "",
        `  already there ${url("TypeError: boom in killed")}: TypeError: boom in killed (an earlier request had arrived; not sent again)`,
        `  created ${url("TypeError: boom in queued-1")}: TypeError: boom in queued-1`,
        `  created ${url("TypeError: boom in queued-2")}: TypeError: boom in queued-2`,
      ].sort(),
    );
    expect(flush.stderr).toBe("");
  }, 90_000);

  it("when the settle time is far off: the killed app's report is named with until when, and the next flush after it delivers it once", async () => {
    const spool = tempDir("bugbeacon-flush-truth-");
    const env = { BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_SPOOL_DIR: spool, FLUSH_ON_START: "0", BUGBEACON_SETTLE_MS: "60000" };
    const postsBefore = await killedMidRequest(env, spool);
    const started = Date.now();
    const flush = await runNode([cli, "flush", "--api-url", fake.url], { env: baseEnv(env), timeoutMs: 60_000 });
    expect(flush.code, flush.stdout + flush.stderr).toBe(0);
    // It did not sit out the minute.
    expect(Date.now() - started).toBeLessThan(30_000);
    const lines = flush.stdout.split("\n");
    expect(lines[0]).toBe("delivered 2: created 2, already there 0, merged 0, counted 0; waiting 1; failed 0");
    const [queued] = files(spool, "queue");
    const waiting = lines.find((l) => l.startsWith("  waiting: "));
    expect(waiting).toMatch(
      new RegExp(`^  waiting: TypeError: boom in killed: its last request got no answer and may still arrive; it is looked up after (\\d\\d:\\d\\d:\\d\\d) UTC before it is sent again \\(${join(spool, "queue", queued!)}\\)$`),
    );
    const until = /after (\d\d:\d\d:\d\d) UTC/.exec(waiting!)![1];
    expect(lines.at(-2)).toBe(`Run "bugbeacon flush" again after ${until} UTC.`);
    expect(files(spool, "inflight")).toEqual([]);
    expect(posts() - postsBefore).toBe(2);

    // After the settle time (shortened here): the next flush finds it, sends nothing.
    await until_("the held request to land", () => fake.issues(REPO).length === 3);
    const next = await runNode([cli, "flush", "--api-url", fake.url], { env: baseEnv({ ...env, BUGBEACON_SETTLE_MS: "0" }), timeoutMs: 60_000 });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.stdout.split("\n")[0]).toBe("delivered 1: created 0, already there 1, merged 0, counted 0; waiting 0; failed 0");
    expect(posts() - postsBefore).toBe(2);
    expect(new Set(reportIds()).size).toBe(3);
    expect(files(spool, "queue")).toEqual([]);
  }, 90_000);
});
