/**
 * What a client sends to the relay when its monitor fails (`POST /v1/monitor-failures`), checked at the
 * door into a typed value, as reports are (report.ts): data, not markdown. The monitor's name and its
 * identifier (which must be the one the name gives: `monitorIdentifier`), the whole check's details, the
 * failing records (keys and details, bounded as the SDK bounds them), the schedule (`every`, `passAfter`:
 * only ever used to make the relay wait longer before it closes, never shorter), the report id (the
 * idempotency key), the per-install random id and the platform. A passing run sends nothing: there is no
 * field a client could use to say "it passes".
 */
import { MAX_DETAILS, MAX_KEY, MAX_KEYS, monitorIdentifier } from "../../sdk/monitor/state.js";
import { ID, bad, madeWhere, parseBody, record, str } from "./report.js";

export interface MonitorFailureReport {
  repo: string;
  reportId: string;
  install: string;
  /** The monitor's name (one line); its issue is the one of `identifier`. */
  name: string;
  /** `monitor.<md5>`, the same as the token path's (checked against the name). */
  identifier: string;
  /** Milliseconds between the client's runs (1 to a day). */
  every: number;
  /** The client's passing runs before a close (1 to 1000): the relay waits at least every × passAfter. */
  passAfter: number;
  /** The whole check's details (one line), "" when only records fail. */
  details: string;
  /** Failing records, at most MAX_KEYS, keys unique. */
  failures: Array<{ key: string; details: string }>;
  createdAt: string;
  platform: { node: string; os: string; osRelease: string; arch: string };
  bugbeacon: string;
  app?: { name?: string; version?: string };
}

const DAY_MS = 86_400_000;
const ONE_LINE = /[\r\n\t]/;

export function parseMonitorFailure(json: string): MonitorFailureReport {
  return validateMonitorFailure(parseBody(json));
}

function whole(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) bad(field, `a whole number from ${min} to ${max}`);
  return v;
}

function line(v: unknown, field: string, min: number, max: number): string {
  const s = str(v, field, min, max);
  if (ONE_LINE.test(s)) bad(field, "one line of text");
  return s;
}

export function validateMonitorFailure(value: unknown): MonitorFailureReport {
  const o = record(value, "body");
  if (o.schema !== 1) bad("schema", "1");
  const repo = str(o.repo, "repo", 1, 140);
  const reportId = str(o.reportId, "reportId", 8, 64);
  if (!ID.test(reportId)) bad("reportId", "8 to 64 letters, digits, - or _");
  const install = str(o.install, "install", 8, 64);
  if (!ID.test(install)) bad("install", "8 to 64 letters, digits, - or _ (the per-install random id)");
  const m = record(o.monitor, "monitor");
  const name = line(m.name, "monitor.name", 1, 200);
  if (name.trim() !== name || name === "") bad("monitor.name", "a name without leading or trailing spaces");
  const identifier = str(m.identifier, "monitor.identifier", 1, 64);
  if (identifier !== monitorIdentifier(name)) bad("monitor.identifier", "the identifier of monitor.name (monitor.<md5>, as the SDK derives it)");
  const every = whole(m.every, "monitor.every", 1, DAY_MS);
  const passAfter = whole(m.passAfter, "monitor.passAfter", 1, 1000);
  const details = line(o.details ?? "", "details", 0, MAX_DETAILS);
  if (!Array.isArray(o.failures ?? [])) bad("failures", `an array of at most ${MAX_KEYS} { key, details }`);
  const list = (o.failures ?? []) as unknown[];
  if (list.length > MAX_KEYS) bad("failures", `at most ${MAX_KEYS} failing records`);
  const failures: Array<{ key: string; details: string }> = [];
  const seen = new Set<string>();
  for (const [i, f] of list.entries()) {
    const r = record(f, `failures.${i}`);
    const key = line(r.key, `failures.${i}.key`, 1, MAX_KEY);
    if (seen.has(key)) bad(`failures.${i}.key`, "keys that are unique");
    seen.add(key);
    failures.push({ key, details: line(r.details ?? "", `failures.${i}.details`, 0, MAX_DETAILS) });
  }
  if (details === "" && failures.length === 0) bad("details", "why the check failed (details, or failing records): a passing run is not sent");
  const md = record(o.metadata, "metadata");
  const { createdAt, platform, bugbeacon } = madeWhere(md, line);
  const out: MonitorFailureReport = { repo, reportId, install, name, identifier, every, passAfter, details, failures, createdAt, platform, bugbeacon };
  if (md.app !== undefined) {
    const a = record(md.app, "metadata.app");
    out.app = {};
    if (a.name !== undefined) out.app.name = line(a.name, "metadata.app.name", 1, 100);
    if (a.version !== undefined) out.app.version = line(a.version, "metadata.app.version", 1, 60);
  }
  return out;
}
