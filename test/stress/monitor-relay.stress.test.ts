/**
 * Monitors through the relay, the scenarios (issue 27's "done when" for the relay): apps and the relay in
 * real processes, each scenario waiting out the relay's quiet window, some of them twice: fail, pass, fail
 * again; a record check's checklist; a forged pass and a forged tiny interval; a relay killed between a
 * failure and the close; two replicas; a monitor kept with a token left alone. Here rather than in the
 * default suite for their time (about 40 s); the quick cases are in test/monitor-relay.test.ts.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { marker, monitorIdentifier, parseState } from "../../src/sdk/monitor/state.js";
import { appFrom } from "../support/app-fixture.js";
import { useFakeGitHub } from "../support/fake-github/use.js";
import { FAKE_OPTIONS, monitorRelayHarness, PERIOD_MS, QUIET_MS, REPO } from "../support/monitor-relay-harness.js";
import { baseEnv, runNode } from "../support/run-node.js";
import { post, startServe, type ServeProcess } from "../support/serve-harness.js";
import { tempDir } from "../support/temp.js";
import { wireFailure } from "../support/relay-harness.js";
import { makeRemote } from "../support/git-fixtures.js";

const fake = useFakeGitHub(FAKE_OPTIONS);
const { relay, stop, until, writes, monitorApp, monitorIssue } = monitorRelayHarness(fake);

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
      await until("a checked off, b failing", () => body().includes("- [x] `a` not reported for 3 seconds") && body().includes("- [ ] `b`"), 60_000).catch((e: Error) => {
        throw new Error(`${e.message}; body: ${JSON.stringify(body())}; relay: ${JSON.stringify(s.lines().filter((l) => l.msg !== "monitor failure").slice(-12))}`);
      });
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
    const env = { BUGBEACON_RELAY_PERIOD_MS: String(PERIOD_MS), BUGBEACON_RELAY_WRITES_PER_HOUR: "450", BUGBEACON_RELAY_MONITOR_QUIET_MS: String(QUIET_MS) };
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

});
