/**
 * Monitors through the relay, the state machine (src/support/relay/monitors.ts) with a virtual clock: the
 * issue opened on the first failure, edited at most once per period, closed only by the relay's quiet
 * rule, reopened once; clients' every/passAfter clamped; write-ahead replay after a stop at every point;
 * the wire format checked at the door (monitor-failure.ts) and the body (monitor-render.ts).
 */
import { describe, expect, it } from "vitest";
import { monitorIdentifier, parseState, markerIdentifier } from "../src/sdk/monitor/state.js";
import { MonitorBook, type MonitorEntry, type MonitorWrite } from "../src/support/relay/monitors.js";
import { parseMonitorFailure, validateMonitorFailure, type MonitorFailureReport } from "../src/support/relay/monitor-failure.js";
import { keptByRelay, monitorBody, resolvedComment } from "../src/support/relay/monitor-render.js";
import { RelayRefusedError } from "../src/support/relay/report.js";
import { wireFailure } from "./support/relay-harness.js";

const REPO = "octo/tool";
const S = 1000;
const QUIET = 60 * S;
const PERIOD = 10 * S;
const NAME = "queue drains";
const IDENT = monitorIdentifier(NAME);

const failure = (o: Parameters<typeof wireFailure>[1] = {}): MonitorFailureReport => validateMonitorFailure(wireFailure(REPO, o));

function book(journal: MonitorEntry[], options: Partial<ConstructorParameters<typeof MonitorBook>[0]> = {}) {
  return new MonitorBook({ quietMs: QUIET, periodMs: PERIOD, onClosed: "reopen", ...options }, (e) => journal.push(structuredClone(e)));
}

/** A fake issue tracker: every write succeeds (the relay's pacing is not under test here). */
function drain(b: MonitorBook, now: number, gh: { issues: number }, stopAfter = Infinity): MonitorWrite[] {
  const done: MonitorWrite[] = [];
  for (let i = 0; i < stopAfter; i++) {
    const w = b.next(now, now, () => 0);
    if (w === undefined || "waitUntil" in w) break;
    if (w.op === "open") b.settle(w, { ok: true, number: ++gh.issues, url: `u/${gh.issues}` }, now);
    else b.settle(w, { ok: true }, now);
    done.push(w);
  }
  return done;
}

const ops = (ws: MonitorWrite[]) => ws.map((w) => w.op);

describe("relay monitors: the rules", () => {
  it("opens on the first failure, edits at most once per period, closes after the quiet window, reopens once", () => {
    const b = book([]);
    const gh = { issues: 0 };
    expect(b.fail(failure(), 1, 0)).toEqual({ status: "queued", duplicate: false });
    expect(ops(drain(b, 0, gh))).toEqual(["open"]);
    // More failures from two machines within the period: one edit when the period is over, not one per failure.
    for (let t = S; t <= 9 * S; t += S) expect(b.fail(failure({ install: t % 2 ? "install-aaaaaaaa" : "install-bbbbbbbb" }), t % 2 ? 1 : 2, t).status).toBe("counted");
    expect(drain(b, 9 * S, gh)).toEqual([]);
    const edit = drain(b, PERIOD, gh);
    expect(ops(edit)).toEqual(["edit"]);
    expect(edit[0]!.view).toMatchObject({ open: true, machines: 2, lastFailureAt: 9 * S, details: "queue has 5000 jobs" });
    // Quiet: nothing before the window after the last failure, then one close.
    expect(b.next(9 * S + QUIET - 1, 0, () => 0)).toEqual({ waitUntil: 9 * S + QUIET });
    const close = drain(b, 9 * S + QUIET, gh);
    expect(ops(close)).toEqual(["close"]);
    expect(close[0]!.view.open).toBe(false);
    expect(b.state(REPO, IDENT)).toMatchObject({ open: false, issue: 1 });
    expect(drain(b, 10 * QUIET, gh)).toEqual([]);
    // A failure after the close: one reopen of the same issue, whatever comes next within the period.
    const t = 10 * QUIET;
    b.fail(failure(), 1, t);
    b.fail(failure(), 3, t + 1);
    expect(ops(drain(b, t + 1, gh))).toEqual(["reopen"]);
    expect(b.state(REPO, IDENT)).toMatchObject({ open: true, issue: 1 });
    expect(gh.issues).toBe(1);
  });

  it("a failure that arrives while the issue is being opened belongs to the same incident: no reopen, no record forgotten", () => {
    const b = book([]);
    const gh = { issues: 0 };
    b.fail(failure({ keys: ["a", "b"] }), 1, 0);
    const open = b.next(0, 0, () => 0) as MonitorWrite;
    expect(open.op).toBe("open");
    // The issue is being created (a slow GitHub, a slow database publish) when the next run's failure comes.
    b.fail(failure({ keys: ["b"] }), 1, 2 * S);
    b.settle(open, { ok: true, number: ++gh.issues, url: "u/1" }, 2 * S);
    expect(b.state(REPO, IDENT)).toMatchObject({ open: true, issue: 1 });
    // b keeps failing; a is not reported for the quiet window: checked off in an edit, never a reopen.
    for (let t = 10 * S; t <= QUIET + 10 * S; t += 10 * S) b.fail(failure({ keys: ["b"] }), 1, t);
    const writes = drain(b, QUIET + 10 * S, gh);
    expect(ops(writes)).toEqual(["edit"]);
    expect(writes[0]!.view).toMatchObject({ open: true, failing: [{ key: "b" }], resolved: ["a"] });
    expect(gh.issues).toBe(1);
  });

  it("under onClosed new, a failure after the close opens a new issue linking the old one", () => {
    const b = book([], { onClosed: "new" });
    const gh = { issues: 0 };
    b.fail(failure(), 1, 0);
    drain(b, 0, gh);
    expect(ops(drain(b, QUIET, gh))).toEqual(["close"]);
    b.fail(failure(), 1, 2 * QUIET);
    const [w] = drain(b, 2 * QUIET, gh);
    expect(w).toMatchObject({ op: "open", issue: { number: 1 } });
    expect(b.state(REPO, IDENT)).toMatchObject({ open: true, issue: 2 });
    const [edit] = (b.fail(failure(), 1, 2 * QUIET + PERIOD), drain(b, 2 * QUIET + PERIOD, gh));
    expect(edit!.view.previous).toBe(1);
  });

  it("a record check's failing set {a,b} -> {b} -> {}: a is checked off after the window, then the issue closes with both", () => {
    const b = book([]);
    const gh = { issues: 0 };
    b.fail(failure({ keys: ["a", "b"] }), 1, 0);
    expect(drain(b, 0, gh)[0]!.view.failing.map((f) => f.key)).toEqual(["a", "b"]);
    // {b} every 10 s: a is not reported again; at QUIET it is checked off (an edit), b still failing.
    for (let t = 10 * S; t <= QUIET + 20 * S; t += 10 * S) b.fail(failure({ keys: ["b"] }), 1, t);
    expect(b.state(REPO, IDENT)).toMatchObject({ failing: ["b"], resolved: ["a"] });
    const [edit] = drain(b, QUIET + 20 * S, gh);
    expect(edit!.op).toBe("edit");
    expect(edit!.view.failing.map((f) => f.key)).toEqual(["b"]);
    expect(edit!.view.resolved).toEqual(["a"]);
    // {} sends nothing: QUIET after b's last report, the issue closes, b checked off too.
    const last = QUIET + 20 * S;
    expect(drain(b, last + QUIET - 1, gh)).toEqual([]);
    const [close] = drain(b, last + QUIET, gh);
    expect(close).toMatchObject({ op: "close" });
    expect(close!.view.failing).toEqual([]);
    expect(close!.view.resolved.sort()).toEqual(["a", "b"]);
  });

  it("a client's tiny every or passAfter cannot close sooner than the relay's quiet window; a large one waits longer, up to the maximum", () => {
    const b = book([]);
    const gh = { issues: 0 };
    b.fail(failure({ every: 1, passAfter: 1 }), 1, 0);
    drain(b, 0, gh);
    expect(b.state(REPO, IDENT)!.quietMs).toBe(QUIET);
    expect(drain(b, QUIET - 1, gh)).toEqual([]);
    expect(ops(drain(b, QUIET, gh))).toEqual(["close"]);
    // An hourly check with passAfter 3 waits three hours; a day with 1000 is cut at a week.
    const c = book([]);
    c.fail(failure({ every: 3_600_000, passAfter: 3 }), 1, 0);
    expect(c.state(REPO, IDENT)!.quietMs).toBe(3 * 3_600_000);
    c.fail(failure({ every: 86_400_000, passAfter: 1000 }), 1, 1);
    expect(c.state(REPO, IDENT)!.quietMs).toBe(7 * 86_400_000);
    // A later report with a tiny every does not shorten the incident's wait.
    c.fail(failure({ every: 1, passAfter: 1 }), 2, 2);
    expect(c.state(REPO, IDENT)!.quietMs).toBe(7 * 86_400_000);
  });

  it("a failure sent twice counts once", () => {
    const b = book([]);
    const f = failure({ keys: ["a"] });
    b.fail(f, 1, 0);
    expect(b.fail(f, 1, 5).duplicate).toBe(true);
    expect(b.state(REPO, IDENT)).toMatchObject({ failing: ["a"], machines: 1 });
  });

  it("a failed write is tried again later; a failure during a close reopens once after it", () => {
    const b = book([]);
    b.fail(failure(), 1, 0);
    const w = b.next(0, 0, () => 0) as MonitorWrite;
    b.settle(w, { ok: false }, 0);
    expect(b.next(1, 1, () => 0)).toEqual({ waitUntil: 10 * S });
    const again = b.next(10 * S, 10 * S, () => 0) as MonitorWrite;
    expect(again.op).toBe("open");
    b.settle(again, { ok: true, number: 7, url: "u/7" }, 10 * S);
    const close = b.next(QUIET, QUIET, () => 0) as MonitorWrite;
    expect(close.op).toBe("close");
    b.fail(failure(), 2, QUIET + 1);
    b.settle(close, { ok: true }, QUIET + 2);
    const next = b.next(QUIET + 2, QUIET + 2, () => 0) as MonitorWrite;
    expect(next).toMatchObject({ op: "reopen", issue: { number: 7 } });
  });

  it("replicas: a close is put off while another replica published a later failure (plus a period for its lag), then made once", () => {
    const b = book([]);
    const gh = { issues: 0 };
    b.fail(failure(), 1, 0);
    drain(b, 0, gh);
    const close = b.next(QUIET, QUIET, () => 0) as MonitorWrite;
    expect(close.op).toBe("close");
    // Holding the lock, the room read another replica's last failure at QUIET - 1: the close does not hold.
    expect(b.closeHolds(REPO, IDENT, QUIET - 1, QUIET)).toBe(false);
    expect(b.closeHolds(REPO, IDENT, undefined, QUIET)).toBe(true);
    b.settle(close, { ok: true, elsewhere: QUIET - 1 }, QUIET);
    expect(b.state(REPO, IDENT)).toMatchObject({ open: true });
    const due = QUIET - 1 + PERIOD + QUIET;
    expect(b.next(QUIET + 1, QUIET + 1, () => 0)).toEqual({ waitUntil: due });
    expect(b.closeHolds(REPO, IDENT, QUIET - 1, due)).toBe(true);
    expect(ops(drain(b, due, gh))).toEqual(["close"]);
    expect(b.state(REPO, IDENT)).toMatchObject({ open: false });
  });

  it("pacing and the repository's new-issue budget hold monitor writes back", () => {
    const b = book([]);
    b.fail(failure(), 1, 0);
    expect(b.next(0, 500, () => 0)).toEqual({ waitUntil: 500 });
    expect(b.next(0, 0, () => 9000)).toEqual({ waitUntil: 9000 });
  });

  it("replays its journal after a stop at every point: no write lost or doubled, the close made once", () => {
    for (let cut = 1; ; cut++) {
      const j: MonitorEntry[] = [];
      const b = book(j);
      // The issue tracker as the writes leave it (an uncertain write looks at it first, as the room does).
      const gh = { issues: 0, closes: 0, open: false };
      let steps = 0;
      const step = () => ++steps <= cut;
      const run = (bk: MonitorBook, now: number, limit: () => boolean) => {
        for (;;) {
          if (!limit()) return false;
          const w = bk.next(now, now, () => 0);
          if (w === undefined || "waitUntil" in w) return true;
          if (!limit()) return false;
          // The write lands; a stop may come before its outcome is journaled.
          if (w.op === "open" && gh.issues === 0) gh.issues++;
          if (w.op === "open" || w.op === "reopen") gh.open = true;
          if (w.op === "close" && gh.open) {
            gh.open = false;
            gh.closes++;
          }
          if (!limit()) return false;
          bk.settle(w, w.op === "open" ? { ok: true, number: 1, url: "u/1" } : { ok: true }, now);
        }
      };
      b.fail(failure({ keys: ["a"] }), 1, 0);
      let finished = run(b, 0, step);
      if (finished) {
        b.fail(failure({ keys: ["a"] }), 1, S);
        finished = run(b, QUIET + S, step);
      }
      // A new process from the journal written so far goes on without a limit.
      const replayed = book([...j]);
      replayed.replay(j);
      run(replayed, QUIET + S, () => true);
      run(replayed, 2 * QUIET, () => true);
      expect(gh.issues, `cut ${cut}`).toBe(1);
      expect(gh.closes, `cut ${cut}`).toBe(1);
      expect(replayed.state(REPO, IDENT)).toMatchObject({ open: false, issue: 1 });
      // A snapshot carries the same state.
      const snap = book([]);
      snap.replay([replayed.snapshot()]);
      expect(snap.state(REPO, IDENT)).toEqual(replayed.state(REPO, IDENT));
      if (finished) break;
    }
  });
});

describe("relay monitors: the door and the text", () => {
  it("refuses a bad field with the field named", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...wireFailure(REPO), schema: 2 }, "schema"],
      [{ ...wireFailure(REPO), reportId: "x" }, "reportId"],
      [{ ...wireFailure(REPO), monitor: { ...(wireFailure(REPO).monitor as object), identifier: monitorIdentifier("another") } }, "monitor.identifier"],
      [{ ...wireFailure(REPO), monitor: { ...(wireFailure(REPO).monitor as object), every: 0 } }, "monitor.every"],
      [{ ...wireFailure(REPO), monitor: { ...(wireFailure(REPO).monitor as object), passAfter: 1.5 } }, "monitor.passAfter"],
      [{ ...wireFailure(REPO), monitor: { ...(wireFailure(REPO).monitor as object), name: "two\nlines" } }, "monitor.name"],
      [{ ...wireFailure(REPO, { keys: ["a"] }), failures: [{ key: "a" }, { key: "a" }] }, "failures.1.key"],
      [{ ...wireFailure(REPO), failures: Array.from({ length: 81 }, (_, i) => ({ key: `k${i}` })) }, "failures"],
      [{ ...wireFailure(REPO), failures: [{ key: "x".repeat(101) }] }, "failures.0.key"],
      [{ ...wireFailure(REPO), details: "" }, "details"],
      [{ ...wireFailure(REPO), ok: true, details: "" }, "details"],
      [{ ...wireFailure(REPO), metadata: { createdAt: "yesterday" } }, "metadata.createdAt"],
    ];
    for (const [body, field] of cases) {
      let thrown: unknown;
      try {
        parseMonitorFailure(JSON.stringify(body));
      } catch (error) {
        thrown = error;
      }
      expect(thrown, field).toBeInstanceOf(RelayRefusedError);
      expect((thrown as RelayRefusedError).field).toBe(field);
      expect((thrown as RelayRefusedError).status).toBe(400);
      expect((thrown as Error).message).toContain(field);
    }
  });

  it("renders the token path's marker and neutralises what a client chose", () => {
    const view = {
      name: "@org/team queue <img src=x>",
      identifier: monitorIdentifier("@org/team queue <img src=x>"),
      open: true,
      details: "see https://evil.example/x @someone #12",
      failing: [{ key: "user `1`", details: "[click](https://evil.example)" }],
      resolved: ["user 2"],
      machines: 3,
      since: 0,
      lastFailureAt: 5000,
      quietMs: 3_600_000,
    };
    const body = monitorBody(view);
    expect(markerIdentifier(body)).toBe(view.identifier);
    expect(keptByRelay(body)).toBe(true);
    // A client's text cannot carry the relay's hidden line into a body.
    expect(keptByRelay(monitorBody({ ...view, details: "<!-- bugbeacon:relay-monitor -->", failing: [{ key: "<!-- bugbeacon:relay-monitor -->", details: "" }], name: "x" }).replace("<!-- bugbeacon:relay-monitor -->\n<!-- bugbeacon-monitor", ""))).toBe(false);
    expect(parseState(body, view.identifier)).toMatchObject({ fails: 1, failing: ["user `1`"], resolved: ["user 2"] });
    expect(body).toContain("- [ ] `user '1'`");
    expect(body).toContain("- [x] `user 2` not reported for 1 hour");
    expect(body).toContain("Reported by 3 machines within the last 1 hour");
    expect(body).not.toMatch(/@org|@someone|#12|https:\/\/|<img/);
    expect(resolvedComment({ ...view, open: false }, "r1:m7", "reopen")).toMatch(/^Resolved: no machine has reported this failure since 1970-01-01T00:00:05\.000Z/);
  });
});
