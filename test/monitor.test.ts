import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appFrom } from "./support/app-fixture.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const TOKEN = "ghp_monitortokenmonitortokenmonitor12";
const fake = useFakeGitHub({ repos: ["octo/app"], tokens: [TOKEN] });
const env = (extra: NodeJS.ProcessEnv = {}) => baseEnv({ EXAMPLE_REPO: "octo/app", BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url, ...extra });

/** The writes the monitor made: issues created, state changes asked (closed / open), comments, plain edits. */
function writes() {
  const w = fake.requests.filter((r) => r.method !== "GET" && r.status < 300);
  const body = (r: (typeof w)[number]) => (r.body ?? {}) as { state?: string };
  return {
    created: w.filter((r) => r.method === "POST" && r.path === "/repos/octo/app/issues").length,
    closed: w.filter((r) => r.method === "PATCH" && body(r).state === "closed").length,
    reopened: w.filter((r) => r.method === "PATCH" && body(r).state === "open").length,
    edited: w.filter((r) => r.method === "PATCH" && body(r).state === undefined).length,
    comments: w.filter((r) => r.method === "POST" && r.path.endsWith("/comments")).length,
  };
}

describe("helper.monitor in a real process", () => {
  it("fails twice, passes twice, fails again: one issue opened once, closed once, reopened once, one comment", async () => {
    const app = appFrom(`import { getHelper } from "bugbeacon";
const helper = getHelper("github", { repo: "octo/app", confirm: false });
const script = ["fail", "fail", "pass", "pass", "fail"];
let i = 0;
const monitor = helper.monitor("nightly export", () => ({ ok: script[i++] === "pass", details: "export is 3 days old" }), {
  every: 1000,
  onRun(run) {
    console.log(run.action);
    if (i >= script.length) monitor.stop();
  },
});
// No ref'd handle but this one: the monitor's own timers are unref'd.
const alive = setInterval(() => { if (i >= script.length) clearInterval(alive); }, 200);
`);
    const run = await runNode([join(app, "app.mjs")], { env: env(), cwd: app, timeoutMs: 25_000 });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual(["opened", "none", "updated", "closed", "reopened"]);
    expect(writes()).toEqual({ created: 1, closed: 1, reopened: 1, edited: 1, comments: 1 });
    const [issue, ...others] = fake.issues("octo/app");
    expect(others).toEqual([]);
    expect(issue?.state).toBe("open");
    expect(issue?.title).toBe("Monitor failing: nightly export");
    expect(issue?.labels).toContain("bugbeacon-monitor");
    expect(issue?.body).toContain("> export is 3 days old");
    expect(issue?.comments.map((c) => c.body)).toEqual([expect.stringMatching(/^Resolved: the monitor `nightly export` passed 2 runs in a row\./)]);
  });

  it("never keeps the process alive: an app that ends, ends with its monitor", async () => {
    const app = appFrom(`import { getHelper } from "bugbeacon";
getHelper("github", { repo: "octo/app", confirm: false }).monitor("never", () => false, { every: 60000 });
console.log("done");
`);
    const started = Date.now();
    const run = await runNode([join(app, "app.mjs")], { env: env(), cwd: app });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("done\n");
    // Generous on a shared machine: the point is it did not wait for the 60 s schedule.
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe("examples/monitor.mjs (a heartbeat) across restarts", () => {
  it("opens the issue when the heartbeat is stale, then closes it after two passing runs in later processes", async () => {
    const app = appFrom("monitor.mjs");
    const file = join(app, "heartbeat.txt");
    writeFileSync(file, "");
    const old = new Date(Date.UTC(2026, 0, 1));
    utimesSync(file, old, old);
    const once = () => runNode([join(app, "app.mjs")], { env: env({ MONITOR_RUNS: "1" }), cwd: app });
    expect((await once()).stdout).toBe("worker heartbeat: failing (no heartbeat since 2026-01-01T00:00:00.000Z); issue opened #1\n");
    expect((await once()).stdout).toBe("worker heartbeat: failing (no heartbeat since 2026-01-01T00:00:00.000Z); issue none #1\n");
    writeFileSync(file, "beat");
    expect((await once()).stdout).toBe("worker heartbeat: ok; issue updated #1\n");
    expect((await once()).stdout).toBe("worker heartbeat: ok; issue closed #1\n");
    expect(writes()).toEqual({ created: 1, closed: 1, reopened: 0, edited: 1, comments: 1 });
    expect(fake.issues("octo/app")[0]?.state).toBe("closed");
  });

  it("says once that it cannot post without a token, and keeps checking", async () => {
    const app = appFrom("monitor.mjs");
    const run = await runNode([join(app, "app.mjs")], { env: env({ MONITOR_RUNS: "1", BUGBEACON_GITHUB_TOKEN: "" }), cwd: app });
    expect(run.stdout).toMatch(/^worker heartbeat: failing \(the check threw Error: ENOENT: no such file or directory, stat 'heartbeat\.txt'\); issue skipped \(no GitHub token, so the monitor cannot open or close its issue\)\n$/);
    expect(run.stderr).toBe('bugbeacon: warning: monitor "worker heartbeat": no GitHub token, so the monitor cannot open or close its issue\n');
    expect(fake.requests).toEqual([]);
  });
});

describe("examples/monitor-records.mjs (a record check)", () => {
  it("edits the checklist as the failing set goes {a, b} -> {b} -> {}, then closes the issue", async () => {
    const app = appFrom("monitor-records.mjs");
    const users = (list: Array<{ name: string; picture?: string }>) =>
      writeFileSync(join(app, "users.json"), JSON.stringify(list.map((u) => ({ joined: "2026-01-01T00:00:00Z", ...u }))));
    const once = async () => (await runNode([join(app, "app.mjs")], { env: env({ MONITOR_RUNS: "1" }), cwd: app })).stdout.trim();
    users([{ name: "a" }, { name: "b" }, { name: "c", picture: "c.png" }]);
    expect(await once()).toBe("users have pictures: failing: a, b; issue opened");
    const first = fake.issues("octo/app")[0]?.body ?? "";
    expect(first).toContain("- [ ] `a` joined 2026-01-01, no picture yet\n- [ ] `b` joined 2026-01-01, no picture yet");
    users([{ name: "a", picture: "a.png" }, { name: "b" }]);
    expect(await once()).toBe("users have pictures: failing: b; issue updated");
    const second = fake.issues("octo/app")[0]?.body ?? "";
    expect(second).toContain("- [ ] `b` joined 2026-01-01, no picture yet\n- [x] `a` passes again");
    users([{ name: "a", picture: "a.png" }, { name: "b", picture: "b.png" }]);
    expect(await once()).toBe("users have pictures: ok; issue updated");
    expect(await once()).toBe("users have pictures: ok; issue closed");
    const [issue, ...others] = fake.issues("octo/app");
    expect(others).toEqual([]);
    expect(issue?.state).toBe("closed");
    expect(issue?.body).toContain("- [x] `a` passes again\n- [x] `b` passes again");
    expect(issue?.comments).toHaveLength(1);
    expect(writes()).toEqual({ created: 1, closed: 1, reopened: 0, edited: 2, comments: 1 });
  });
});

describe("helper.monitorOnce against GitHub's API", () => {
  const helper = async () => {
    const { getHelper } = await import("../src/index.js");
    return getHelper("github", { baseUrl: fake.url, confirm: false, quiet: true, flushOnStart: false, retryAfterBaseMs: 10, spoolDir: tempDir("bugbeacon-spool-"), env: { BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_PACING_MS: "0" } });
  };

  it("with onClosed: new, a failure after the issue closed opens a new issue linking the old one", async () => {
    const h = await helper();
    const once = (ok: boolean) => h.monitorOnce("cache warm", () => ok, { repo: "octo/app", onClosed: "new", passAfter: 1 });
    expect((await once(false)).action).toBe("opened");
    expect((await once(true)).action).toBe("closed");
    const again = await once(false);
    expect(again).toMatchObject({ action: "opened-new", issue: { number: 2 } });
    const [first, second] = fake.issues("octo/app");
    expect(first?.state).toBe("closed");
    expect(second?.state).toBe("open");
    expect(second?.body).toContain("It failed before in #1.");
    expect((await once(false)).action).toBe("none");
  });

  it("finds its issue by search when the label was taken off, and goes on with it", async () => {
    const h = await helper();
    const once = (ok: boolean) => h.monitorOnce("search fallback", () => ok, { repo: "octo/app" });
    expect((await once(false)).action).toBe("opened");
    const issue = fake.issues("octo/app")[0]!;
    await fetch(`${fake.url}/repos/octo/app/issues/${issue.number}/labels/bugbeacon-monitor`, { method: "DELETE", headers: { authorization: `token ${TOKEN}` } });
    expect(fake.issues("octo/app")[0]?.labels).toEqual([]);
    expect((await once(true)).action).toBe("updated");
    expect((await once(true)).action).toBe("closed");
    expect(fake.issues("octo/app")).toHaveLength(1);
  });

  it("two runs that open the issue at the same moment end with one open issue: the younger closes itself, naming the older", async () => {
    // Both runs list (no issue yet) before either creation is answered.
    fake.faults.add({ kind: "slow", delayMs: 1000, method: "POST", route: "/repos/{owner}/{repo}/issues" });
    const [a, b] = [await helper(), await helper()];
    const runs = await Promise.all([a, b].map((h) => h.monitorOnce("raced", () => false, { repo: "octo/app" })));
    const issues = fake.issues("octo/app");
    expect(issues.map((i) => i.state)).toEqual(["open", "closed"]);
    expect(issues[1]?.body).toBe("Duplicate of #1: two runs of the monitor `raced` opened an issue at the same moment; #1 is the one it keeps.");
    expect(runs.map((r) => r.issue?.number)).toEqual([1, 1]);
    expect(runs.map((r) => r.action).sort()).toEqual(["none", "opened"]);
    expect(issues.flatMap((i) => i.comments)).toEqual([]);
    // Both helpers now agree on #1.
    expect((await b.monitorOnce("raced", () => false, { repo: "octo/app" })).issue?.number).toBe(1);
  });
});
