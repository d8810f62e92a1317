/**
 * Monitors through the relay: apps in real child processes with a relay URL and no token run their checks
 * and send only failures; the relay (`bugbeacon serve --relay-repo`, the built CLI as a child process)
 * opens, edits and closes the monitor's issue on the fake GitHub (every request checked against GitHub's
 * OpenAPI description), closing only by its own rule: no failure from any machine for its quiet window.
 * States are waited on, never slept for.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getHelper } from "../src/index.js";
import { marker, monitorIdentifier, parseState } from "../src/sdk/monitor/state.js";
import { appFrom } from "./support/app-fixture.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { makeRemote } from "./support/git-fixtures.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { APP_ID, INSTALLATION, post, startServe, type ServeProcess } from "./support/serve-harness.js";
import { tempDir } from "./support/temp.js";
import { wireFailure } from "./support/relay-harness.js";

const REPO = "octo/tool";
// A maintainer too, whose own monitor (kept with a token) the relay must leave alone.
const fake = useFakeGitHub({ repos: [REPO], appId: APP_ID, appInstallations: [{ id: INSTALLATION, account: "octo" }], tokens: [{ token: "maintainer-token", login: "maintainer" }] });
const QUIET_MS = 3000;

function relay(stateDir?: string, env: Record<string, string> = {}) {
  return startServe(fake.url, makeRemote(), {
    args: ["--relay-repo", REPO],
    env: { BUGBEACON_RELAY_PERIOD_MS: "300", BUGBEACON_RELAY_WRITES_PER_HOUR: "450", BUGBEACON_RELAY_MONITOR_QUIET_MS: String(QUIET_MS), ...env },
    ...(stateDir !== undefined ? { stateDir } : {}),
  });
}

async function stop(s: ServeProcess, signal: NodeJS.Signals = "SIGTERM") {
  s.child.kill(signal);
  return s.exited;
}

async function until(what: string, check: () => boolean, ms = 40_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The relay's writes to the fake GitHub: issues created, closed, reopened, plain body edits, comments. */
function writes() {
  const w = fake.requests.filter((r) => r.method !== "GET" && r.status < 300 && r.path.startsWith(`/repos/${REPO}/`));
  const body = (r: (typeof w)[number]) => (r.body ?? {}) as { state?: string };
  return {
    created: w.filter((r) => r.method === "POST" && r.path === `/repos/${REPO}/issues`).length,
    closed: w.filter((r) => r.method === "PATCH" && body(r).state === "closed").length,
    reopened: w.filter((r) => r.method === "PATCH" && body(r).state === "open").length,
    edited: w.filter((r) => r.method === "PATCH" && body(r).state === undefined).length,
    comments: w.filter((r) => r.method === "POST" && r.path.endsWith("/comments")).length,
  };
}

/**
 * An app whose monitor reads its verdict from a file the test writes: "pass", "fail", or a JSON list of
 * failing record keys. It runs until the file says "stop" (its own interval is the only ref'd handle).
 */
function monitorApp(relayUrl: string, kind: "plain" | "records", failAfter = 1) {
  const app = appFrom(`import { readFileSync } from "node:fs";
import { getHelper } from "bugbeacon";
const helper = getHelper("github", { repo: ${JSON.stringify(REPO)}, relay: ${JSON.stringify(relayUrl)}, confirm: false });
const read = () => readFileSync(new URL("./verdict.txt", import.meta.url), "utf8").trim();
const monitor = helper.monitor("nightly export", () => {
  const v = read();
  ${kind === "plain" ? 'return { ok: v === "pass", details: "export is 3 days old" };' : "const keys = JSON.parse(v); return { ok: keys.length === 0, failures: keys.map((key) => ({ key, details: `user ${key} has no picture` })) };"}
}, { every: 1000, passAfter: 2, failAfter: ${failAfter}, onRun(run) { console.log(run.action); } });
const alive = setInterval(() => { if (read() === "stop") { clearInterval(alive); monitor.stop(); } }, 100);
`);
  const verdict = (v: string) => writeFileSync(join(app, "verdict.txt"), v);
  return { app, verdict };
}

const monitorIssue = () => fake.issues(REPO).filter((i) => i.labels.includes("bugbeacon-monitor"));

describe("a monitor through the relay (app and relay in real processes)", () => {
  it("fails (failAfter 2), fails, passes until the relay's quiet window ends, fails again: one issue opened once, closed once with the resolved comment, reopened once, no other comment", { timeout: 90_000 }, async () => {
    const s = await relay();
    try {
      // failAfter 2, counted in the app: its first failing run sends nothing.
      const { app, verdict } = monitorApp(s.url, "plain", 2);
      verdict("fail");
      const running = runNode([join(app, "app.mjs")], { env: baseEnv(), cwd: app, timeoutMs: 80_000 });
      const accepted = () => s.lines().filter((l) => l.msg === "monitor failure" && l.status === 202).length;
      await until("the issue opened and two failures accepted", () => monitorIssue().length === 1 && accepted() >= 2);
      expect(monitorIssue()[0]).toMatchObject({ state: "open", title: "Monitor failing: nightly export" });
      // Passing runs send nothing; the relay closes once no failure came for its quiet window.
      verdict("pass");
      const sentBeforePass = accepted();
      await until("the relay closed the issue", () => monitorIssue()[0]?.state === "closed" && monitorIssue()[0]!.comments.length === 1);
      expect(accepted() - sentBeforePass).toBeLessThanOrEqual(1);
      verdict("fail");
      await until("the issue reopened", () => monitorIssue()[0]?.state === "open");
      // A few more failures after the reopen (edits at most once per period, no comment).
      const after = accepted();
      await until("more failures", () => accepted() >= after + 2);
      verdict("stop");
      const run = await running;
      expect(run.code, run.stderr).toBe(0);
      const actions = run.stdout.trim().split("\n");
      expect(actions.slice(0, 2)).toEqual(["none", "sent"]);
      expect(new Set(actions)).toEqual(new Set(["sent", "none"]));
      const w = writes();
      expect({ created: w.created, closed: w.closed, reopened: w.reopened, comments: w.comments }).toEqual({ created: 1, closed: 1, reopened: 1, comments: 1 });
      const [issue, ...others] = monitorIssue();
      expect(others).toEqual([]);
      expect(fake.issues(REPO)).toHaveLength(1);
      expect(issue!.state).toBe("open");
      expect(issue!.user.login).toBe("bugbeacon[bot]");
      // What bugbeacon sweep's timed rules look for in a monitor's issue: the label and the monitor's marker (src/support/sweep.ts).
      expect(issue!.labels).toEqual(["bugbeacon-monitor"]);
      expect(issue!.body).toContain("> export is 3 days old");
      expect(issue!.body).toContain("Reported by 1 machine");
      expect(parseState(issue!.body!, monitorIdentifier("nightly export"))).toMatchObject({ fails: 1 });
      expect(issue!.comments.map((c) => c.body)).toEqual([expect.stringMatching(/^Resolved: no machine has reported this failure since \S+ \(the relay waits 3 seconds after the last one\)\. A new failure reopens this issue\./)]);
      expect(fake.contractViolations).toEqual([]);
    } finally {
      await stop(s);
    }
  });

  it("a record check whose failing set goes {a,b} -> {b} -> {} edits the checklist in place, then the relay closes the issue", { timeout: 90_000 }, async () => {
    const s = await relay();
    try {
      const { app, verdict } = monitorApp(s.url, "records");
      verdict('["a","b"]');
      const running = runNode([join(app, "app.mjs")], { env: baseEnv(), cwd: app, timeoutMs: 80_000 });
      const body = () => monitorIssue()[0]?.body ?? "";
      await until("the issue with a and b failing", () => body().includes("- [ ] `a` user a has no picture") && body().includes("- [ ] `b` user b has no picture"));
      verdict('["b"]');
      // a is not reported for the quiet window: checked off in place while b still fails.
      await until("a checked off, b failing", () => body().includes("- [x] `a` not reported for 3 seconds") && body().includes("- [ ] `b`"), 60_000);
      expect(monitorIssue()[0]!.state).toBe("open");
      verdict("[]");
      await until("the issue closed", () => monitorIssue()[0]?.state === "closed" && monitorIssue()[0]!.comments.length === 1, 60_000);
      verdict("stop");
      expect((await running).code).toBe(0);
      expect(body()).toContain("- [x] `a`");
      expect(body()).toContain("- [x] `b`");
      expect(body()).not.toContain("- [ ]");
      const w = writes();
      expect(w).toMatchObject({ created: 1, closed: 1, reopened: 0, comments: 1 });
      expect(w.edited).toBeGreaterThanOrEqual(1);
      expect(monitorIssue()).toHaveLength(1);
    } finally {
      await stop(s);
    }
  });

  it("a forged pass is refused and a forged tiny every cannot close the issue before the relay's quiet window", { timeout: 60_000 }, async () => {
    const s = await relay();
    try {
      const send = (body: Record<string, unknown>) => post(`${s.url}/v1/monitor-failures`, JSON.stringify(body), { "content-type": "application/json" });
      // Taken before the send: the relay's time of the failure is later.
      const sentAt = Date.now();
      const first = await send(wireFailure(REPO, { every: 1, passAfter: 1 }));
      expect(first.status, first.body).toBe(202);
      // "It passes": there is no such message; a failure without a failure is refused.
      const pass = await send({ ...wireFailure(REPO), ok: true, details: "", failures: [] });
      expect(pass.status).toBe(400);
      expect(JSON.parse(pass.body)).toMatchObject({ field: "details" });
      await until("the issue opened", () => monitorIssue().length === 1);
      await until("the issue closed with its comment", () => monitorIssue()[0]?.state === "closed" && monitorIssue()[0]!.comments.length === 1, 30_000);
      // Closed by the relay's rule only: not before its quiet window after the last failure (every × passAfter was 1 ms).
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(QUIET_MS);
      expect(writes()).toMatchObject({ created: 1, closed: 1, comments: 1 });
    } finally {
      await stop(s);
    }
  });

  it("a relay killed between a failure and the close replays its journal and closes once", { timeout: 90_000 }, async () => {
    const stateDir = tempDir("bugbeacon-serve-state-");
    let s = await relay(stateDir);
    try {
      // One run of the check in a real app, through the relay (monitorOnce: what `bugbeacon check` does).
      const app = appFrom(`import { getHelper } from "bugbeacon";
const helper = getHelper("github", { repo: ${JSON.stringify(REPO)}, relay: ${JSON.stringify(s.url)}, confirm: false });
const run = await helper.monitorOnce("disk space", () => ({ ok: false, details: "93% used" }), { every: 1000 });
console.log(run.action);
`);
      const once = await runNode([join(app, "app.mjs")], { env: baseEnv(), cwd: app });
      expect(once.stdout, once.stderr).toBe("sent\n");
      await until("the issue opened", () => monitorIssue().length === 1);
      await stop(s, "SIGKILL");
      s = await relay(stateDir);
      await until("the issue closed after the restart", () => monitorIssue()[0]?.state === "closed" && monitorIssue()[0]!.comments.length === 1, 30_000);
      expect(s.lines().some((l) => l.msg === "relay monitor journal replayed")).toBe(true);
      // Another restart changes nothing: the close was journaled.
      await stop(s);
      s = await relay(stateDir);
      await new Promise((r) => setTimeout(r, 500));
      expect(writes()).toMatchObject({ created: 1, closed: 1, reopened: 0, comments: 1 });
      expect(monitorIssue()[0]!.comments).toHaveLength(1);
    } finally {
      await stop(s);
    }
  });

  it("two replicas: one issue; a replica does not close while the other still accepts failures, and the close is made once", { timeout: 120_000 }, async () => {
    const db = makeRemote();
    const env = { BUGBEACON_RELAY_PERIOD_MS: "300", BUGBEACON_RELAY_WRITES_PER_HOUR: "450", BUGBEACON_RELAY_MONITOR_QUIET_MS: String(QUIET_MS) };
    const [a, b] = await Promise.all([0, 1].map(() => startServe(fake.url, db, { args: ["--relay-repo", REPO], env })));
    try {
      const send = async (to: ServeProcess) => {
        const r = await post(`${to.url}/v1/monitor-failures`, JSON.stringify(wireFailure(REPO, { install: to === a ? "install-aaaaaaaa" : "install-bbbbbbbb" })), { "content-type": "application/json" });
        expect(r.status, r.body).toBe(202);
      };
      await send(a!);
      await until("the issue opened", () => monitorIssue().length === 1);
      // From now on only the other replica hears the failures, for twice the quiet window after the first one:
      // the replica that opened the issue sees nothing, yet must not close it.
      const end = Date.now() + 2 * QUIET_MS;
      let lastSentAt = 0;
      while (Date.now() < end) {
        // Taken before the send: the relay's time of this failure is later.
        lastSentAt = Date.now();
        await send(b!);
        expect(monitorIssue()[0]!.state).toBe("open");
        await new Promise((r) => setTimeout(r, 250));
      }
      await until("the issue closed", () => monitorIssue()[0]?.state === "closed" && monitorIssue()[0]!.comments.length >= 1, 60_000);
      expect(Date.now() - lastSentAt).toBeGreaterThanOrEqual(QUIET_MS);
      // Both replicas' timers ran out: one close, one comment, one issue.
      await new Promise((r) => setTimeout(r, 1000));
      expect(writes()).toMatchObject({ created: 1, closed: 1, reopened: 0, comments: 1 });
      expect(monitorIssue()).toHaveLength(1);
      expect(a!.lines().some((l) => l.msg === "relay monitor issue" && l.action === "opened")).toBe(true);
      expect(b!.lines().some((l) => l.msg === "relay monitor issue" && l.action === "adopted")).toBe(true);
    } finally {
      await Promise.all([a, b].map((r) => stop(r!)));
    }
  });

  it("bugbeacon check through a relay: a failing check is sent; a re-run of the same schedule slot is counted once", { timeout: 60_000 }, async () => {
    const s = await relay();
    try {
      const dir = tempDir("bugbeacon-checks-");
      writeFileSync(join(dir, "checks.mjs"), `export const backups = () => ({ ok: false, details: "no backup since yesterday" });\n`);
      const cli = join(process.cwd(), "dist/cli.js");
      // One machine: one spool folder, so one install id across the two runs.
      const env = baseEnv({ BUGBEACON_RELAY_URL: s.url });
      const check = () => runNode([cli, "check", "checks.mjs", "--repo", REPO, "--every", "24h"], { env, cwd: dir });
      const slot = () => Math.floor(Date.now() / 86_400_000);
      const slotBefore = slot();
      const first = await check();
      expect(first.stdout, first.stderr).toBe("backups: failing: no backup since yesterday; failure sent to the relay\n");
      expect(first.code).toBe(0);
      await until("the issue opened", () => monitorIssue().length === 1);
      const second = await check();
      // Two slots only when the runs straddle midnight UTC (the schedule's slot changes there).
      const slots = slot() === slotBefore ? 1 : 2;
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/^backups: failing: no backup since yesterday; failure sent to the relay https?:\/\/\S+\/issues\/1\n$/);
      // The same install, monitor and slot: the same report id, one failure in the relay's journal.
      const kept = readFileSync(join(s.stateDir, "relay", "monitors", "journal.jsonl"), "utf8");
      expect(kept.split("\n").filter((l) => l.includes('"k":"fail"'))).toHaveLength(slots);
      expect(kept).not.toContain("install-");
      expect(s.lines().filter((l) => l.msg === "monitor failure" && l.status === 202)).toHaveLength(2);
    } finally {
      await stop(s);
    }
  });

  it("a failure sent under the name of a monitor kept with a token never edits or closes that issue", { timeout: 60_000 }, async () => {
    const s = await relay();
    try {
      // The maintainers' own monitor issue (their CI keeps it with a token): labelled, with the monitor's marker.
      const ident = monitorIdentifier("queue drains");
      const theirs = `**Monitor \`queue drains\`** is failing since 2026-12-01T00:00:00.000Z.\n\n${marker(ident, { fails: 1, passes: 0, failing: [], resolved: [], since: "2026-12-01T00:00:00.000Z" })}`;
      const made = await fetch(`${fake.url}/repos/${REPO}/issues`, {
        method: "POST",
        headers: { authorization: "token maintainer-token", "content-type": "application/json" },
        body: JSON.stringify({ title: "Monitor failing: queue drains", body: theirs, labels: ["bugbeacon-monitor"] }),
      });
      expect(made.status).toBe(201);
      const a = await post(`${s.url}/v1/monitor-failures`, JSON.stringify(wireFailure(REPO, { name: "queue drains" })), { "content-type": "application/json" });
      expect(a.status, a.body).toBe(202);
      // The relay keeps an issue of its own and closes only that one.
      await until("the relay's issue closed", () => fake.issues(REPO).length === 2 && fake.issues(REPO)[1]!.state === "closed" && fake.issues(REPO)[1]!.comments.length === 1, 30_000);
      const [kept, relays] = fake.issues(REPO);
      expect(kept).toMatchObject({ state: "open", body: theirs, comments: [] });
      expect(relays!.user.login).toBe("bugbeacon[bot]");
      expect(fake.requests.filter((r) => r.method !== "GET" && r.path.startsWith(`/repos/${REPO}/issues/${kept!.number}`))).toEqual([]);
    } finally {
      await stop(s);
    }
  });

  it("control characters in a record's key are sent as spaces; a name with one is not sent (it gives the identifier), and says so", { timeout: 60_000 }, async () => {
    const s = await relay();
    try {
      const h = getHelper("github", { repo: REPO, relay: s.url, confirm: false, quiet: true, flushOnStart: false, spoolDir: tempDir("bugbeacon-spool-"), env: {} });
      const run = await h.monitorOnce("colours", () => ({ ok: false, failures: [{ key: "user\u001b[31m 7", details: "bell\u0007 rang" }] }));
      expect(run).toMatchObject({ action: "sent", failing: ["user\u001b[31m 7"] });
      await until("the issue opened", () => monitorIssue().length === 1);
      expect(monitorIssue()[0]!.body).toContain("- [ ] `user [31m 7` bell  rang");
      const tabbed = await h.monitorOnce("tab\there", () => false);
      expect(tabbed.action).toBe("skipped");
      expect(tabbed.problem).toMatch(/control characters/);
      expect(s.lines().filter((l) => l.msg === "monitor failure")).toHaveLength(1);
    } finally {
      await stop(s);
    }
  });

  it("refuses bad fields with 400 naming the field, and other repositories with 403", { timeout: 60_000 }, async () => {
    const s = await relay();
    try {
      const send = (body: unknown) => post(`${s.url}/v1/monitor-failures`, JSON.stringify(body), { "content-type": "application/json" });
      for (const [body, field] of [
        [{ ...wireFailure(REPO), monitor: { ...(wireFailure(REPO).monitor as object), identifier: monitorIdentifier("someone else's") } }, "monitor.identifier"],
        [{ ...wireFailure(REPO), failures: [{ key: 42 }] }, "failures.0.key"],
        [{ ...wireFailure(REPO), install: "" }, "install"],
        [{ ...wireFailure(REPO), monitor: { ...(wireFailure(REPO).monitor as object), every: 86_400_001 } }, "monitor.every"],
      ] as const) {
        const a = await send(body);
        expect(a.status, a.body).toBe(400);
        expect(JSON.parse(a.body)).toMatchObject({ field });
      }
      const other = await send({ ...wireFailure(REPO), repo: "octo/elsewhere" });
      expect(other.status).toBe(403);
      expect(fake.issues(REPO)).toEqual([]);
    } finally {
      await stop(s);
    }
  });

  it("never keeps the app alive: an app that ends while its failure is being sent to a relay that never answers, ends", { timeout: 30_000 }, async () => {
    let seen = 0;
    const hanging = createServer((req) => {
      // Takes the request and never answers.
      seen++;
      req.resume();
    });
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
      const app = appFrom(`import { getHelper } from "bugbeacon";
getHelper("github", { repo: "octo/tool", relay: ${JSON.stringify(url)}, confirm: false }).monitor("never", () => false, { every: 60000 });
// The first run starts at once; the app ends a moment after its request went out.
setTimeout(() => console.log("done"), 1500);
`);
      const started = Date.now();
      const run = await runNode([join(app, "app.mjs")], { env: baseEnv(), cwd: app });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe("done\n");
      expect(seen).toBe(1);
      // The send's deadline is 10 s: the app did not wait for it.
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((r) => hanging.close(() => r()));
    }
  });

  it("with a token the relay is not used and a monitor is declared as usual", () => {
    const h = getHelper("github", { repo: "octo/app", relay: "http://127.0.0.1:9", confirm: false, quiet: true, flushOnStart: false, spoolDir: tempDir("bugbeacon-spool-"), env: { BUGBEACON_GITHUB_TOKEN: "ghp_notusednotusednotusednotused1234", BUGBEACON_GITHUB_API_URL: "http://127.0.0.1:9" } });
    const m = h.monitor("queue drains", () => true, { every: 60_000 });
    m.stop();
    expect(m.name).toBe("queue drains");
  });
});
