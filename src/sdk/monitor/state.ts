/**
 * A monitor's state lives in its issue, in one hidden marker, so no database is needed and any process
 * (the app's timer, `bugbeacon check` in a scheduled workflow, several replicas) continues from where the
 * last one stopped. The marker holds the identifier in the clear (so search can find it) and the state
 * as base64url JSON (whose alphabet cannot close an HTML comment). Issue bodies are untrusted: the marker
 * is parsed strictly, every field checked, sizes bounded.
 *
 * `decide` is the whole rule set, pure: from the state the issue holds and this run's verdict, the next
 * state and the one change to make (or none). Same state and same verdict: no change, so a second run
 * (a re-run, a duplicate scheduled run) posts nothing.
 */
import { nodeCrypto } from "../../_builtins.js";

export interface Failure {
  key: string;
  details: string;
}

/** One run's verdict, already redacted and cut. */
export interface Verdict {
  ok: boolean;
  /** Why it failed (whole-check failures). */
  details: string;
  /** Failing records (record checks); empty for a plain check. */
  failures: Failure[];
}

export interface MonitorState {
  /** Failing runs in a row (counted up to failAfter). */
  fails: number;
  /** Passing runs in a row (counted up to passAfter). */
  passes: number;
  /** Keys failing at the last failing run. */
  failing: string[];
  /** Keys that failed during this incident and pass now (checked off in the checklist). */
  resolved: string[];
  /** When this incident started failing (ISO), while it fails or is open. */
  since?: string;
  /** The schedule slot (floor(time / every)) of the last run that changed a count: a run in the same slot counts once. */
  slot?: number;
  /** When a run last changed this state (ISO). */
  lastRun?: string;
  /** The closed issue of the previous incident, when this one was opened new (onClosed: "new"). */
  previous?: number;
}

export const EMPTY_STATE: MonitorState = { fails: 0, passes: 0, failing: [], resolved: [] };

export interface IssueView {
  number: number;
  url: string;
  state: "open" | "closed";
  body: string;
}

export interface RuleSettings {
  name: string;
  identifier: string;
  failAfter: number;
  passAfter: number;
  onClosed: "reopen" | "new";
  /** The longest body the service keeps (the checklist is shortened below it). @default BODY_BUDGET */
  bodyLimit?: number;
}

export type Change =
  | { kind: "none" }
  /** Write the body (state or checklist changed), the issue keeps its open/closed state. */
  | { kind: "update"; body: string }
  | { kind: "open"; body: string }
  | { kind: "reopen"; body: string }
  /** A new issue for a new incident; `previous` is the closed one it links. */
  | { kind: "open-new"; body: string; previous: number }
  | { kind: "close"; body: string; comment: string };

export const MARKER_PREFIX = "bugbeacon-monitor";
export const MAX_KEYS = 80;
export const MAX_RESOLVED = 30;
export const MAX_KEY = 100;
export const MAX_DETAILS = 300;
/** GitHub keeps 65,536 characters of a body; the checklist is shortened well before that (a service that keeps fewer says so: MonitorIssues.bodyLimit). */
const BODY_BUDGET = 60_000;

/** `monitor.<md5 of the name>`: the same name gives the same issue on every machine. */
export function monitorIdentifier(name: string): string {
  return `monitor.${nodeCrypto().createHash("md5").update(`bugbeacon-monitor:${name}`, "utf8").digest("hex")}`;
}

const MARKER_RE = /<!-- bugbeacon-monitor (monitor\.[0-9a-f]{32}) v1:([A-Za-z0-9_-]{1,40000}) -->/;

/** The identifier a body's marker names, if any. */
export function markerIdentifier(body: string): string | undefined {
  return MARKER_RE.exec(body)?.[1];
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 1000;
}

function keyList(v: unknown, max: number): string[] | undefined {
  if (!Array.isArray(v) || v.length > max) return undefined;
  if (!v.every((k) => typeof k === "string" && k.length <= MAX_KEY)) return undefined;
  return v as string[];
}

/** The state the body's marker holds for `identifier`; undefined when there is none or it is malformed. */
export function parseState(body: string, identifier: string): MonitorState | undefined {
  const m = MARKER_RE.exec(body);
  if (m === null || m[1] !== identifier) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(m[2] ?? "", "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  return stateFrom(raw);
}

/** A state read from untrusted JSON (an issue's marker, a --state file): every field checked, sizes bounded. */
export function stateFrom(raw: unknown): MonitorState | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const failing = keyList(r.failing, MAX_KEYS);
  const resolved = keyList(r.resolved, MAX_RESOLVED);
  if (!isCount(r.fails) || !isCount(r.passes) || failing === undefined || resolved === undefined) return undefined;
  const state: MonitorState = { fails: r.fails, passes: r.passes, failing, resolved };
  const iso = (v: unknown) => typeof v === "string" && v.length <= 40 && !Number.isNaN(Date.parse(v));
  if (iso(r.since)) state.since = r.since as string;
  if (iso(r.lastRun)) state.lastRun = r.lastRun as string;
  if (typeof r.previous === "number" && Number.isSafeInteger(r.previous) && r.previous > 0) state.previous = r.previous;
  if (typeof r.slot === "number" && Number.isSafeInteger(r.slot) && r.slot >= 0) state.slot = r.slot;
  return state;
}

/** The hidden marker line that holds `state` (the relay writes monitor issues with it too). */
export function marker(identifier: string, state: MonitorState): string {
  // Fixed key order: the same state always gives the same text (a re-run compares bodies).
  const { fails, passes, failing, resolved, since, slot, lastRun, previous } = state;
  const json = JSON.stringify({ v: 1, fails, passes, failing, resolved, since, slot, lastRun, previous });
  return `<!-- ${MARKER_PREFIX} ${identifier} v1:${Buffer.from(json, "utf8").toString("base64url")} -->`;
}

/** Text from a check, safe on one line of Markdown: no line breaks, no HTML comment, backticks kept out of code spans. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\r\n\t]+/g, " ").replace(/<!--|-->/g, "").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function code(text: string): string {
  const t = text.replace(/`/g, "'");
  return `\`${t === "" ? " " : t}\``;
}

/** The issue's body: what fails, the checklist, the rules; the marker last. Same state and verdict, same text. */
export function renderBody(settings: RuleSettings, state: MonitorState, verdict: Verdict | undefined, open: boolean): string {
  const lines: string[] = [];
  const title = `**Monitor ${code(settings.name)}**`;
  const s = (n: number) => (n === 1 ? "" : "s");
  if (!open) lines.push(`${title} passes again: resolved after ${settings.passAfter} passing run${s(settings.passAfter)} in a row.`);
  else if (state.passes > 0) lines.push(`${title} passes again (${state.passes} of ${settings.passAfter} passing run${s(settings.passAfter)} before this issue closes).`);
  else lines.push(`${title} is failing${state.since !== undefined ? ` since ${state.since}` : ""}.`);
  if (state.previous !== undefined) lines.push("", `It failed before in #${state.previous}.`);
  const failingNow = verdict !== undefined && !verdict.ok;
  if (failingNow && verdict.details !== "") lines.push("", `> ${verdict.details}`);
  const all = failingNow ? verdict.failures : [];
  const resolved = state.resolved.slice(0, MAX_RESOLVED);
  const build = (f: Failure[]): string[] => {
    const out: string[] = [];
    if (f.length > 0 || resolved.length > 0) {
      out.push("", "Failing records (checked off as they pass):", "");
      for (const x of f) out.push(`- [ ] ${code(x.key)}${x.details !== "" ? ` ${x.details}` : ""}`);
      if (all.length > f.length) out.push(`- and ${all.length - f.length} more`);
      for (const k of resolved) out.push(`- [x] ${code(k)} passes again`);
    }
    return out;
  };
  let shown = all.slice(0, MAX_KEYS);
  let list = build(shown);
  const tail = [
    "",
    `Opened and closed by a bugbeacon monitor: it opens after ${settings.failAfter} failing run${s(settings.failAfter)} in a row and closes after ${settings.passAfter} passing run${s(settings.passAfter)}. This text is rewritten as the state changes; the state is kept in the hidden marker below.`,
    "",
    marker(settings.identifier, state),
  ];
  const budget = Math.min(BODY_BUDGET, settings.bodyLimit ?? BODY_BUDGET);
  while ([...lines, ...list, ...tail].join("\n").length > budget && shown.length > 1) {
    shown = shown.slice(0, Math.floor(shown.length / 2));
    list = build(shown);
  }
  return [...lines, ...list, ...tail].join("\n");
}

function sameState(a: MonitorState, b: MonitorState): boolean {
  const strip = ({ lastRun: _l, ...rest }: MonitorState) => JSON.stringify(rest);
  return strip(a) === strip(b);
}

/**
 * The rules. `prev` is the state the issue holds (or the monitor's memory when there is no issue);
 * `slot` is this run's schedule slot when the interval is known.
 */
export function decide(settings: RuleSettings, issue: IssueView | undefined, prev: MonitorState, verdict: Verdict, now: Date, slot?: number): { state: MonitorState; change: Change } {
  // A second run in a slot already counted (a re-run job, a duplicate scheduled run) changes nothing.
  if (slot !== undefined && prev.slot === slot) return { state: prev, change: { kind: "none" } };
  const next: MonitorState = { ...prev, failing: [...prev.failing], resolved: [...prev.resolved] };
  const open = issue !== undefined && issue.state === "open";
  if (!verdict.ok) {
    next.fails = Math.min(prev.fails + 1, settings.failAfter);
    next.passes = 0;
    next.since ??= now.toISOString();
    const keys = verdict.failures.map((f) => f.key).slice(0, MAX_KEYS);
    const wasFailing = new Set(prev.failing);
    // Keys that failed earlier in this incident and pass now are checked off; a key failing again is unchecked.
    const resolved = new Set(prev.resolved.filter((k) => !keys.includes(k)));
    if (open) for (const k of prev.failing) if (!keys.includes(k) && wasFailing.has(k)) resolved.add(k);
    next.failing = keys;
    next.resolved = [...resolved].slice(-MAX_RESOLVED);
    if (!open && next.fails < settings.failAfter) {
      // Not yet: the count is kept (in the closed issue, or in memory when there is none).
      next.resolved = [];
      return finish(settings, issue, prev, next, verdict, now, slot, issue === undefined ? { kind: "none" } : { kind: "update", body: "" });
    }
    if (open) return finish(settings, issue, prev, next, verdict, now, slot, { kind: "update", body: "" });
    // Opening: a fresh incident starts its checklist and its "since" now.
    next.resolved = [];
    next.since = now.toISOString();
    if (issue === undefined) return finish(settings, issue, prev, next, verdict, now, slot, { kind: "open", body: "" });
    if (settings.onClosed === "new") {
      next.previous = issue.number;
      return finish(settings, issue, prev, next, verdict, now, slot, { kind: "open-new", body: "", previous: issue.number });
    }
    delete next.previous;
    return finish(settings, issue, prev, next, verdict, now, slot, { kind: "reopen", body: "" });
  }
  // Passing.
  next.fails = 0;
  next.passes = Math.min(prev.passes + 1, settings.passAfter);
  if (!open) {
    // Nothing open: a pending failure count is forgotten; a closed issue keeps its checklist as it closed.
    next.failing = [];
    return finish(settings, issue, prev, next, verdict, now, slot, issue === undefined ? { kind: "none" } : { kind: "update", body: "" });
  }
  if (next.failing.length > 0) {
    next.resolved = [...new Set([...next.resolved, ...next.failing])].slice(-MAX_RESOLVED);
    next.failing = [];
  }
  if (next.passes >= settings.passAfter) {
    return finish(settings, issue, prev, next, verdict, now, slot, {
      kind: "close",
      body: "",
      comment: `Resolved: the monitor ${code(settings.name)} passed ${settings.passAfter} run${settings.passAfter === 1 ? "" : "s"} in a row. A new failure ${settings.onClosed === "new" ? "opens a new issue linking this one" : "reopens this issue"}.`,
    });
  }
  return finish(settings, issue, prev, next, verdict, now, slot, { kind: "update", body: "" });
}

function finish(
  settings: RuleSettings,
  issue: IssueView | undefined,
  prev: MonitorState,
  next: MonitorState,
  verdict: Verdict,
  now: Date,
  slot: number | undefined,
  change: Change,
): { state: MonitorState; change: Change } {
  // The slot is written with a change of count only: a run that changes nothing writes nothing.
  if (slot !== undefined && (next.fails !== prev.fails || next.passes !== prev.passes)) next.slot = slot;
  if (change.kind === "none") return { state: next, change };
  const openAfter = change.kind === "close" ? false : change.kind === "update" ? issue?.state === "open" : true;
  // Same state, and the body as it stands is what this run would write: nothing to do (idempotent re-runs).
  if (change.kind === "update" && issue !== undefined && sameState(prev, next) && renderBody(settings, prev, verdict, openAfter) === issue.body) {
    return { state: prev, change: { kind: "none" } };
  }
  const stamped: MonitorState = { ...next, lastRun: now.toISOString() };
  return { state: stamped, change: { ...change, body: renderBody(settings, stamped, verdict, openAfter) } as Change };
}
