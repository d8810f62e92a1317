/**
 * The text of a monitor issue the relay keeps, from data (monitors.ts): the same title, label and hidden
 * marker (`<!-- bugbeacon-monitor monitor.<md5> v1:… -->`) as the token path's monitor issues, so
 * `bugbeacon sweep`'s timed rules and `bugbeacon check` see them the same way. Everything a client chose
 * (name, details, record keys) is redacted again and neutralised as report text is (render.ts): in code
 * spans without backticks, or with mentions, references, links and HTML broken.
 */
import { marker, type MonitorState } from "../../sdk/monitor/state.js";
import type { MonitorView } from "./monitors.js";
import { inline, plain, relayRedactor } from "./render.js";

/**
 * A hidden line in every body the relay writes: the relay adopts and writes only issues that carry it (and
 * the bugbeacon-monitor label, which only people with write access can set), never a monitor issue kept
 * with a token, so a client's failure cannot make the relay close an issue someone else keeps.
 */
export const RELAY_KEPT = "<!-- bugbeacon:relay-monitor -->";

/** Whether `body` was written by the relay (a client's text cannot hold it: comments are stripped from it). */
export function keptByRelay(body: string): boolean {
  return body.includes(RELAY_KEPT);
}

/** A hidden line in the "resolved" comment: its write is found again after a restart. */
export const RESOLVED_MARKER = "bugbeacon:relay-monitor-resolved";

function code(text: string): string {
  const t = inline(relayRedactor()(text)).replace(/`/g, "'");
  return `\`${t === "" ? " " : t}\``;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : "never";
}

export function duration(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ];
  for (const [size, unit] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}${ms / size === 1 ? "" : "s"}`;
  }
  return `${ms} ms`;
}

/** Same title as the token path's ("Monitor failing: <name>"), the name neutralised. */
export function monitorTitle(view: MonitorView): string {
  return inline(relayRedactor()(`Monitor failing: ${view.name}`)).slice(0, 250);
}

export function monitorBody(view: MonitorView): string {
  const redact = relayRedactor();
  const lines: string[] = [];
  const title = `**Monitor ${code(view.name)}**`;
  const quiet = duration(view.quietMs);
  if (view.open) lines.push(`${title} is failing since ${iso(view.since)}: reported by the bugbeacon relay from its clients' runs.`);
  else lines.push(`${title}: resolved by the bugbeacon relay, no machine has reported a failure since ${iso(view.lastFailureAt)}.`);
  if (view.previous !== undefined) lines.push("", `It failed before in #${view.previous}.`);
  if (view.open && view.details !== "") lines.push("", `> ${plain(redact(view.details))}`);
  if (view.failing.length > 0 || view.resolved.length > 0) {
    lines.push("", `Failing records on any machine (checked off when no machine has reported them for ${quiet}):`, "");
    for (const f of view.failing) lines.push(`- [ ] ${code(f.key)}${f.details !== "" ? ` ${plain(redact(f.details))}` : ""}`);
    for (const k of view.resolved) lines.push(`- [x] ${code(k)} not reported for ${quiet}`);
  }
  if (view.open) {
    const n = view.machines;
    lines.push("", `Reported by ${n} machine${n === 1 ? "" : "s"} within the last ${quiet}; last failure at ${iso(view.lastFailureAt)}.`);
  }
  const state: MonitorState = {
    fails: view.open ? 1 : 0,
    passes: 0,
    failing: view.failing.map((f) => f.key),
    resolved: view.resolved,
    since: iso(view.since),
    lastRun: iso(view.lastFailureAt),
    ...(view.previous !== undefined ? { previous: view.previous } : {}),
  };
  lines.push(
    "",
    `Kept by the bugbeacon relay: its clients run the check and report failures only. It closes this issue when no machine has reported a failure for ${quiet}, and reopens it on the next failure. This text is rewritten as failures come (at most once per period).`,
    "",
    RELAY_KEPT,
    marker(view.identifier, state),
  );
  return lines.join("\n");
}

/** The comment the relay writes when it closes: short, with a hidden line naming the write. */
export function resolvedComment(view: MonitorView, key: string, onClosed: "reopen" | "new"): string {
  return [
    `Resolved: no machine has reported this failure since ${iso(view.lastFailureAt)} (the relay waits ${duration(view.quietMs)} after the last one). A new failure ${onClosed === "new" ? "opens a new issue linking this one" : "reopens this issue"}.`,
    "",
    `<!-- ${RESOLVED_MARKER} ${JSON.stringify(key)} -->`,
  ].join("\n");
}
