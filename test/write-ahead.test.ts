/**
 * Write-ahead delivery with real crashing processes: the report is on disk before the first request, a
 * SIGKILL at any point after that loses nothing and duplicates nothing, the crash path fits its budget
 * whatever GitHub does, and the next start sends what was left without holding the app open.
 * (More trials: test/stress/write-ahead.stress.test.ts.)
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getHelper } from "../src/index.js";
import { Spool } from "../src/delivery/spool.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { appEnv, CRASH_APP, runKillTrials, writeApp } from "./support/write-ahead-trials.js";
import { tempDir } from "./support/temp.js";
import { closedPort } from "./support/closed-port.js";

const TOKEN = "ghp_writeaheadtokenwriteaheadtoken12345";
const REPO = "octo/app";
const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN], searchRateLimit: false });

const newSpool = () => tempDir("bugbeacon-spool-");

function spooled(dir: string): Array<{ sub: string; report: { title: string; uncertain: boolean; lastError?: string; reportId: string } }> {
  const out = [];
  for (const sub of ["queue", "inflight"]) {
    let names: string[];
    try {
      names = readdirSync(join(dir, sub)).filter((n) => n.endsWith(".json"));
    } catch {
      continue;
    }
    for (const n of names) out.push({ sub, report: JSON.parse(readFileSync(join(dir, sub, n), "utf8")) });
  }
  return out;
}

const flushWith = (spoolDir: string) =>
  getHelper("github", { baseUrl: fake.url, quiet: true, spoolDir, pacingMs: 0, flushOnStart: false, env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } }).flush();

/** Runs the crash app once to its end; resolves its exit code and stderr. */
function crashOnce(env: NodeJS.ProcessEnv, source = CRASH_APP): Promise<{ code: number | null; stderr: string }> {
  const app = writeApp(source);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [app.file], { env: appEnv(env), cwd: app.dir, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      app.cleanup();
      resolve({ code, stderr });
    });
  });
}


describe("SIGKILL at random points of the crash path", () => {
  it("4 apps killed at random points after their report reached the disk: one flush delivers every report exactly once", async () => {
    const spool = newSpool();
    const outcomes = await runKillTrials(fake, spool, TOKEN, 4, 7);
    expect(outcomes).toHaveLength(4);
    const summary = await flushWith(spool);
    expect(summary.failed).toEqual([]);
    expect(spooled(spool)).toEqual([]);
    for (const { trial } of outcomes) {
      const issues = fake.issues(REPO).filter((i) => i.title === `TypeError: boom in ${trial}`);
      expect(issues, trial).toHaveLength(1);
    }
    expect(fake.issues(REPO)).toHaveLength(4);
    expect(fake.issues(REPO).flatMap((i) => i.comments)).toEqual([]);
  }, 60_000);
});

/**
 * The pid of `pid`'s child process running `script`, once it runs it (Linux: /proc). Not before: a child
 * stopped between fork and exec would hold its parent inside spawn itself, which no busy machine does.
 */
function childRunning(pid: number, script: string): number | undefined {
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number)) {
      if (readFileSync(`/proc/${child}/cmdline`, "utf8").includes(script)) return child;
    }
  } catch {
    // Not started yet, or gone.
  }
  return undefined;
}

describe.runIf(process.platform === "linux")("the report is on disk before the sending process runs", () => {
  it("a sender stopped as soon as it runs (a machine too busy to start it in time): the app's claim holds the report, and the next flush delivers it once", async () => {
    const spool = newSpool();
    const app = writeApp(CRASH_APP);
    try {
      const child = spawn(process.execPath, [app.file], {
        env: appEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url, BUGBEACON_SPOOL_DIR: spool, TRIAL: "stopped", BUDGET_MS: "300", FLUSH_ON_START: "0" }),
        cwd: app.dir,
        stdio: "ignore",
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      // Stop the sending process the moment it exists, before it has run a line of its own.
      let atStop: ReturnType<typeof spooled> | undefined;
      const started = Date.now();
      while (atStop === undefined && Date.now() - started < 15_000) {
        const sender = childRunning(child.pid!, "crash-send.js");
        if (sender !== undefined) {
          process.kill(sender, "SIGSTOP");
          atStop = spooled(spool);
        } else await new Promise((r) => setTimeout(r, 1));
      }
      expect(atStop, "the app never started its sending process").toBeDefined();
      expect(atStop!.map((w) => [w.sub, w.report.title])).toEqual([["inflight", "TypeError: boom in stopped"]]);
      expect(readdirSync(join(spool, "inflight"))[0], "claimed by the app itself").toMatch(new RegExp(`^${child.pid}\\.`));
      // The app kills its stopped sender at the end of its budget and crashes as Node would.
      expect(await exited).toBe(1);
      expect(fake.issues(REPO)).toEqual([]);
      const summary = await flushWith(spool);
      expect(summary.failed).toEqual([]);
      expect(fake.issues(REPO).map((i) => i.title)).toEqual(["TypeError: boom in stopped"]);
      expect(spooled(spool)).toEqual([]);
    } finally {
      app.cleanup();
    }
  }, 30_000);
});

describe("the crash path fits its budget whatever GitHub does, and loses nothing", () => {
  it("healthy: the issue is created, the spool is left empty, the app crashes as Node would", async () => {
    const spool = newSpool();
    const run = await crashOnce({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url, BUGBEACON_SPOOL_DIR: spool, TRIAL: "healthy" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("TypeError: boom in healthy");
    expect(fake.issues(REPO).map((i) => i.title)).toEqual(["TypeError: boom in healthy"]);
    expect(spooled(spool)).toEqual([]);
  });

  it("refused port, 401, and an answer slower than the budget: queued on disk, the app crashes, the next flush delivers each once", async () => {
    const spool = newSpool();
    // (Each app's background flush of the others' reports is turned off here, so the slow answer hits this app's own report.)
    const off = { FLUSH_ON_START: "0" };
    const refused = await crashOnce({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: `http://127.0.0.1:${await closedPort()}`, BUGBEACON_SPOOL_DIR: spool, TRIAL: "refused", ...off });
    const rejected = await crashOnce({ BUGBEACON_GITHUB_TOKEN: "ghp_wrongwrongwrongwrongwrongwrong1234", BUGBEACON_GITHUB_API_URL: fake.url, BUGBEACON_SPOOL_DIR: spool, TRIAL: "401", ...off });
    // The create answers after 2.5 s; the app's budget is 1.5 s.
    fake.faults.add({ kind: "slow", delayMs: 2500, method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 });
    const slow = await crashOnce({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url, BUGBEACON_SPOOL_DIR: spool, TRIAL: "slow", BUDGET_MS: "1500", ...off });
    for (const run of [refused, rejected, slow]) expect(run.code, run.stderr).toBe(1);
    expect(refused.stderr).toContain("ECONNREFUSED");
    expect(rejected.stderr).toContain("the token was refused (401 Bad credentials)");
    // Each process that made a report has ended (crashOnce waited for it). A report still claimed by one
    // of them (it ran out of time on a busy machine before putting its report back) is queued all the
    // same: the next flush takes back the claims of processes that are gone first, as here.
    new Spool(spool).recoverStale();
    const waiting = spooled(spool);
    expect(waiting.map((w) => [w.sub, w.report.title]).sort()).toEqual([
      ["queue", "TypeError: boom in 401"],
      ["queue", "TypeError: boom in refused"],
      ["queue", "TypeError: boom in slow"],
    ]);
    // The slow one may have arrived (its answer was cut off): the flush must look before sending again.
    expect(waiting.find((w) => w.report.title.endsWith("slow"))?.report.uncertain).toBe(true);
    // The create reached GitHub, which answered after the app had gone. Let that write land (GitHub may carry
    // out a request whose answer nobody waited for): the flush must find it rather than send it again.
    expect(fake.requests.filter((r) => r.method === "POST" && r.token === TOKEN)).toHaveLength(1);
    const deadline = Date.now() + 10_000;
    while (!fake.issues(REPO).some((i) => i.title.endsWith("slow")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const summary = await flushWith(spool);
    // (A report found already arrived counts as sent.)
    expect(summary).toMatchObject({ sent: 3, queued: 0, failed: [] });
    expect(fake.issues(REPO).map((i) => i.title).sort()).toEqual(["TypeError: boom in 401", "TypeError: boom in refused", "TypeError: boom in slow"]);
    expect(fake.requests.filter((r) => r.method === "POST" && r.token === TOKEN)).toHaveLength(3);
  }, 60_000);
});

describe("flushOnStart", () => {
  it("the next start sends what was left, in the background, and a slow GitHub does not hold the app open", async () => {
    const spool = newSpool();
    const left = await crashOnce({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: `http://127.0.0.1:${await closedPort()}`, BUGBEACON_SPOOL_DIR: spool, TRIAL: "left" });
    expect(left.code).toBe(1);
    expect(spooled(spool)).toHaveLength(1);

    // An app that starts, makes a helper, and is done as soon as its stdin ends: once its background flush
    // has asked GitHub (the request is seen on the fake), the test ends it. GitHub answers after 10 s.
    const quickApp = `import { getHelper } from "bugbeacon";
getHelper("github", { repo: "octo/app", confirm: false });
process.stdin.resume();
process.stdin.on("end", () => console.error("app done"));
`;
    fake.faults.add({ kind: "slow", delayMs: 10_000 });
    const env = { BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url, BUGBEACON_SPOOL_DIR: spool };
    const app = writeApp(quickApp);
    try {
      const child = spawn(process.execPath, [app.file], { env: appEnv(env), cwd: app.dir, stdio: ["pipe", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      const asked = Date.now();
      while (fake.requests.length === 0 && Date.now() - asked < 15_000) await new Promise((r) => setTimeout(r, 10));
      expect(fake.requests.length, "the background flush never asked GitHub").toBeGreaterThan(0);
      child.stdin.end();
      const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
      expect(await exited, stderr).toBe(0);
      clearTimeout(guard);
      expect(stderr).toContain("app done");
    } finally {
      app.cleanup();
    }
    // The app was gone before any answer came: its request was still unanswered.
    expect(fake.requests.every((r) => r.status === 0)).toBe(true);
    fake.faults.clear();
    // Its claim went back to the queue (the process is gone); the next start delivers it, exactly once.
    // It stays up until its spool is empty (at most 20 s): the background flush never holds a process open
    // by itself, so an app that lives long enough is what lets it finish, whatever the machine's load.
    const waitApp = `import { readdirSync } from "node:fs";
import { join } from "node:path";
import { getHelper } from "bugbeacon";
getHelper("github", { repo: "octo/app", confirm: false });
const left = () => ["queue", "inflight"].flatMap((d) => { try { return readdirSync(join(process.env.BUGBEACON_SPOOL_DIR, d)); } catch { return []; } }).filter((n) => n.endsWith(".json"));
const until = Date.now() + 20_000;
const poll = setInterval(() => { if (left().length === 0 || Date.now() > until) clearInterval(poll); }, 50);
`;
    const next = await crashOnce(env, waitApp);
    expect(next.code).toBe(0);
    expect(fake.issues(REPO).map((i) => i.title)).toEqual(["TypeError: boom in left"]);
    expect(spooled(spool)).toEqual([]);
  }, 60_000);

  it("is off with flushOnStart: false, and one background flusher per spool folder per process", async () => {
    const spool = new Spool(newSpool());
    await getHelper("github", { baseUrl: "http://127.0.0.1:9", quiet: true, spoolDir: spool.dir, timeoutMs: 300, flushOnStart: false, confirm: false, env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } })
      .runHeadless({ title: "waiting", repo: REPO });
    expect(spool.pending()).toHaveLength(1);
    // Had this helper started a background flush, it would be the folder's one flusher in this process and,
    // pointed at a closed port, never deliver: the report would stay and the wait below would fail.
    getHelper("github", { baseUrl: "http://127.0.0.1:9", quiet: true, spoolDir: spool.dir, flushOnStart: false, env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } });
    const a = getHelper("github", { baseUrl: fake.url, quiet: true, spoolDir: spool.dir, pacingMs: 0, env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } });
    getHelper("github", { baseUrl: fake.url, quiet: true, spoolDir: spool.dir, pacingMs: 0, env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } });
    const deadline = Date.now() + 10_000;
    while (spool.pending().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await a.close(5000);
    expect(spool.pending()).toEqual([]);
    expect(fake.issues(REPO).map((i) => i.title)).toEqual(["waiting"]);
    expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });
});
