import { describe, expect, it } from "vitest";
import { InvalidOptionError } from "../src/errors.js";
import { monitorSpec } from "../src/sdk/monitor/options.js";
import { evaluate, toVerdict } from "../src/sdk/monitor/run.js";
import { EMPTY_STATE, decide, markerIdentifier, monitorIdentifier, parseState, type IssueView, type MonitorState, type RuleSettings, type Verdict } from "../src/sdk/monitor/state.js";

const settings: RuleSettings = { name: "users have pictures", identifier: monitorIdentifier("users have pictures"), failAfter: 1, passAfter: 2, onClosed: "reopen" };
const fail = (...keys: string[]): Verdict => ({ ok: false, details: keys.length === 0 ? "down" : "", failures: keys.map((key) => ({ key, details: `${key} has no picture` })) });
const pass: Verdict = { ok: true, details: "", failures: [] };
const id = (x: string) => x;

/** Plays runs against one simulated issue, as the runner applies changes; returns the changes made. */
function play(verdicts: Verdict[], s: RuleSettings = settings, slots?: number[]) {
  let issue: IssueView | undefined;
  let memory: MonitorState = EMPTY_STATE;
  const changes: string[] = [];
  const bodies: string[] = [];
  verdicts.forEach((v, i) => {
    const prev = issue !== undefined ? (parseState(issue.body, s.identifier) ?? EMPTY_STATE) : memory;
    const { state, change } = decide(s, issue, prev, v, new Date(Date.UTC(2026, 0, 1, 0, i)), slots?.[i]);
    memory = state;
    changes.push(change.kind);
    if (change.kind === "none") return;
    bodies.push(change.body);
    if (change.kind === "open" || change.kind === "open-new") issue = { number: (issue?.number ?? 0) + 1, url: "u", state: "open", body: change.body };
    else if (issue !== undefined) issue = { ...issue, body: change.body, state: change.kind === "close" ? "closed" : change.kind === "reopen" ? "open" : issue.state };
  });
  return { changes, bodies, issue };
}

describe("monitor rules", () => {
  it("fails twice, passes twice, fails again: open, nothing, update, close, reopen", () => {
    expect(play([fail(), fail(), pass, pass, fail()]).changes).toEqual(["open", "none", "update", "close", "reopen"]);
  });

  it("waits for failAfter failures in a row and passAfter passes", () => {
    const s = { ...settings, failAfter: 3, passAfter: 1 };
    expect(play([fail(), fail(), pass, fail(), fail(), fail(), fail(), pass, pass], s).changes).toEqual(["none", "none", "none", "none", "none", "open", "none", "close", "none"]);
  });

  it("checks records off in place as the failing set goes {a, b} -> {b} -> {}", () => {
    const { changes, bodies, issue } = play([fail("a", "b"), fail("b"), pass, pass]);
    expect(changes).toEqual(["open", "update", "update", "close"]);
    expect(bodies[0]).toContain("- [ ] `a` a has no picture\n- [ ] `b` b has no picture");
    expect(bodies[1]).toContain("- [ ] `b` b has no picture\n- [x] `a` passes again");
    expect(bodies[1]).not.toContain("- [ ] `a`");
    expect(bodies[3]).toContain("- [x] `a` passes again\n- [x] `b` passes again");
    expect(issue?.state).toBe("closed");
  });

  it("changes nothing when a run finds the same state (a re-run posts nothing)", () => {
    expect(play([fail("a"), fail("a"), fail("a")]).changes).toEqual(["open", "none", "none"]);
    // The details of a record changed: the checklist is rewritten.
    const changed = play([fail("a"), { ok: false, details: "", failures: [{ key: "a", details: "now worse" }] }]);
    expect(changed.changes).toEqual(["open", "update"]);
  });

  it("counts two runs of the same schedule slot once", () => {
    expect(play([fail(), pass, pass, pass], settings, [1, 2, 2, 3]).changes).toEqual(["open", "update", "none", "close"]);
  });

  it("opens a new issue linking the closed one with onClosed: new", () => {
    const s: RuleSettings = { ...settings, onClosed: "new" };
    const { changes, bodies } = play([fail(), pass, pass, fail()], s);
    expect(changes).toEqual(["open", "update", "close", "open-new"]);
    expect(bodies[3]).toContain("It failed before in #1.");
  });

  it("keeps its state in a marker only its own identifier reads, and ignores a forged one", () => {
    const { bodies } = play([fail("a")]);
    const body = bodies[0] ?? "";
    expect(markerIdentifier(body)).toBe(settings.identifier);
    expect(parseState(body, settings.identifier)).toMatchObject({ fails: 1, passes: 0, failing: ["a"] });
    expect(parseState(body, monitorIdentifier("another"))).toBeUndefined();
    const forged = `<!-- bugbeacon-monitor ${settings.identifier} v1:${Buffer.from(JSON.stringify({ fails: -5, passes: 0, failing: [], resolved: [] })).toString("base64url")} -->`;
    expect(parseState(forged, settings.identifier)).toBeUndefined();
    expect(parseState(`<!-- bugbeacon-monitor ${settings.identifier} v1:!!! -->`, settings.identifier)).toBeUndefined();
  });

  it("keeps a body with thousands of failing records within GitHub's limit", () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `record-${i}-${"x".repeat(80)}`);
    const { bodies } = play([{ ok: false, details: "", failures: keys.map((key) => ({ key, details: "d".repeat(290) })) }]);
    expect(bodies[0]!.length).toBeLessThanOrEqual(65_536);
    expect(bodies[0]).toMatch(/- and \d+ more/);
  });
});

describe("what a check may answer", () => {
  it("reads true/false, { ok, details } and { ok, failures }", () => {
    expect(toVerdict(true, id)).toEqual({ ok: true, details: "", failures: [] });
    expect(toVerdict(false, id)).toEqual({ ok: false, details: "the check returned false", failures: [] });
    expect(toVerdict({ ok: false, details: "disk\nfull" }, id)).toEqual({ ok: false, details: "disk full", failures: [] });
    expect(toVerdict({ ok: true, failures: [{ key: 7, details: "x" }, { key: "7" }] }, id)).toEqual({ ok: false, details: "", failures: [{ key: "7", details: "x" }] });
    expect(toVerdict("yes", id).details).toBe("the check returned string yes; expected true/false, { ok, details } or { ok, failures: [{ key, details }] }");
    expect(toVerdict({ ok: false, failures: [{}] }, id).details).toMatch(/a failure without a key/);
  });

  it("redacts what the check says", () => {
    const redact = (t: string) => t.replaceAll("ghp_secret", "[REDACTED]");
    expect(toVerdict({ ok: false, details: "token ghp_secret refused" }, redact).details).toBe("token [REDACTED] refused");
  });

  it("counts a check that throws or runs over its budget as a failure that says so", async () => {
    expect(await evaluate(() => { throw new TypeError("db gone"); }, 1000, id, true)).toEqual({ ok: false, details: "the check threw TypeError: db gone", failures: [] });
    expect(await evaluate(() => new Promise(() => {}), 50, id, true)).toEqual({ ok: false, details: "the check did not finish within its budget of 50 ms", failures: [] });
    expect(await evaluate(async () => ({ ok: true }), 1000, id, true)).toEqual({ ok: true, details: "", failures: [] });
  });

  it("refuses bad declarations with a typed error naming the value", () => {
    const ok = () => true;
    expect(() => monitorSpec("", ok, { every: 60_000, repo: "o/r" }, { scheduled: true })).toThrow(InvalidOptionError);
    expect(() => monitorSpec("x", "nope", { every: 60_000, repo: "o/r" }, { scheduled: true })).toThrow(/Invalid check: "nope"/);
    expect(() => monitorSpec("x", ok, { every: 10, repo: "o/r" }, { scheduled: true })).toThrow(/Invalid every: 10\. Expected milliseconds between runs, from 1000/);
    expect(() => monitorSpec("x", ok, { every: 60_000 }, { scheduled: true })).toThrow(/Invalid repo/);
    expect(() => monitorSpec("x", ok, { every: 60_000, repo: "o/r", failAfter: 0 }, { scheduled: true })).toThrow(/Invalid failAfter: 0/);
    expect(() => monitorSpec("x", ok, { repo: "o/r", onClosed: "keep" as never }, { scheduled: false })).toThrow(/Invalid onClosed/);
    expect(monitorSpec(" x ", ok, { repo: "o/r" }, { scheduled: false })).toMatchObject({ name: "x", failAfter: 1, passAfter: 2, onClosed: "reopen", timeoutMs: 30_000, every: undefined });
  });
});

describe("the state marker", () => {
  it("writes the same text for the same state, whatever order its fields were set in (a re-run compares bodies)", () => {
    const s: RuleSettings = { name: "b", identifier: monitorIdentifier("b"), failAfter: 1, passAfter: 2, onClosed: "reopen" };
    const first = decide(s, undefined, EMPTY_STATE, fail(), new Date(0), 5);
    if (first.change.kind !== "open") throw new Error("expected open");
    const issue: IssueView = { number: 1, url: "u", state: "open", body: first.change.body };
    // Read back from the body, then run again without a slot: nothing to write.
    expect(decide(s, issue, parseState(issue.body, s.identifier)!, fail(), new Date(1000)).change).toEqual({ kind: "none" });
  });
});
