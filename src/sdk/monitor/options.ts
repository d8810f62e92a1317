/**
 * Monitors' options and what a check may answer: validated here, synchronously, so a bad monitor throws
 * a typed error where it is declared. Light on purpose (no I/O, no imports beyond the errors): the helper
 * imports it statically and loads the runner (./run.ts, ./schedule.ts) only when a monitor starts.
 */
import { InvalidOptionError } from "../../errors.js";

/** One record a record check found failing ("user 42 has no picture"). */
export interface MonitorFailure {
  /** Stable for the record (its id): the checklist is edited in place by key. */
  key: string;
  /** What is wrong with it, one short line. */
  details?: string;
}

/**
 * What a check answers: `true`/`false`; `{ ok, details }`; or, for a record check,
 * `{ ok, failures: [{ key, details }] }` (failing when `ok` is false or any record fails).
 */
export type CheckResult = boolean | { ok: boolean; details?: string; failures?: MonitorFailure[] };

/** The property to watch: run on every tick; it may be async. Throwing, or taking longer than `timeoutMs`, is a failure. */
export type MonitorCheck = () => CheckResult | Promise<CheckResult>;

export interface MonitorOptions {
  /** Milliseconds between two runs (at least 1000 for `helper.monitor`). Runs on an unref'd timer. */
  every?: number;
  /** `owner/name` (or the backend's target). @default the helper's `repo` */
  repo?: string;
  /** Failing runs in a row before the issue is opened (or reopened). @default 1 */
  failAfter?: number;
  /** Passing runs in a row before the issue is closed with a "resolved" comment. @default 2 */
  passAfter?: number;
  /** Time budget of one run of the check; over it, the run counts as failing. @default min(every, 30000) */
  timeoutMs?: number;
  /** When it fails again after its issue was closed: reopen that issue, or open a new one linking it. @default "reopen" */
  onClosed?: "reopen" | "new";
  /** Extra labels for the monitor's issue (the helper's labels and "bugbeacon-monitor" are always added). */
  labels?: string[];
  /** Called after every run with what it did (for logs and tests). Errors it throws are ignored. */
  onRun?: (run: MonitorRun) => void;
}

/** What one run found and did. */
export interface MonitorRun {
  name: string;
  /** The check's verdict this run. */
  ok: boolean;
  /** Why it failed (the check's details, "threw …", "did not finish within …"), redacted. */
  details?: string;
  /** Keys of the failing records (record checks). */
  failing: string[];
  /**
   * What was done to the issue: nothing, or one of the changes; through a relay, `sent` (the failure went to
   * the relay, which keeps the issue) or `none` (a passing run, or fewer than failAfter failing ones).
   */
  action: "none" | "opened" | "updated" | "closed" | "reopened" | "opened-new" | "skipped" | "sent";
  /** The monitor's issue, when there is one. */
  issue?: { number: number; url: string };
  /** Why nothing could be sent (no token, disabled, the service failed); the state is kept for the next run. */
  problem?: string;
}

/** Validated, defaults filled in. */
export interface MonitorSpec {
  name: string;
  check: MonitorCheck;
  repo: string;
  every: number | undefined;
  failAfter: number;
  passAfter: number;
  timeoutMs: number;
  onClosed: "reopen" | "new";
  labels: string[];
  onRun: ((run: MonitorRun) => void) | undefined;
}

export const MONITOR_LABEL = "bugbeacon-monitor";
const MAX_NAME = 200;
const DAY_MS = 24 * 60 * 60 * 1000;

function count(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 1000) {
    throw new InvalidOptionError(option, value, "a whole number of runs from 1 to 1000");
  }
  return value;
}

/**
 * Checks a monitor's declaration and fills in defaults. `every` is required for a scheduled monitor
 * (`helper.monitor`) and optional for a single run (`helper.monitorOnce`, `bugbeacon check`), where it
 * names the schedule's interval so that two runs of the same tick count once.
 */
export function monitorSpec(name: unknown, check: unknown, options: unknown, defaults: { repo?: string | undefined; scheduled: boolean }): MonitorSpec {
  if (typeof name !== "string" || name.trim() === "" || name.length > MAX_NAME || /[\r\n]/.test(name)) {
    throw new InvalidOptionError("monitor name", name, `a non-empty one-line string of at most ${MAX_NAME} characters (it identifies the monitor's issue)`);
  }
  if (typeof check !== "function") throw new InvalidOptionError("check", check, "a function returning true/false, { ok, details } or { ok, failures }");
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new InvalidOptionError("monitor options", options, "an object like { every: 60000, repo: \"owner/name\" }");
  }
  const o = (options ?? {}) as MonitorOptions;
  let every: number | undefined;
  if (o.every !== undefined || defaults.scheduled) {
    if (typeof o.every !== "number" || !Number.isFinite(o.every) || o.every < (defaults.scheduled ? 1000 : 1) || o.every > DAY_MS) {
      throw new InvalidOptionError("every", o.every, `milliseconds between runs, from ${defaults.scheduled ? 1000 : 1} to ${DAY_MS} (a day)`);
    }
    every = Math.floor(o.every);
  }
  const repo = o.repo ?? defaults.repo;
  if (typeof repo !== "string" || repo === "") throw new InvalidOptionError("repo", repo, 'the repository for the monitor\'s issue, as "owner/name": pass { repo } here or to getHelper()');
  let timeoutMs = Math.min(every ?? 30_000, 30_000);
  if (o.timeoutMs !== undefined) {
    if (typeof o.timeoutMs !== "number" || !Number.isFinite(o.timeoutMs) || o.timeoutMs < 1 || o.timeoutMs > DAY_MS) {
      throw new InvalidOptionError("timeoutMs", o.timeoutMs, `the check's time budget in milliseconds, from 1 to ${DAY_MS}`);
    }
    timeoutMs = Math.floor(o.timeoutMs);
  }
  if (o.onClosed !== undefined && o.onClosed !== "reopen" && o.onClosed !== "new") throw new InvalidOptionError("onClosed", o.onClosed, '"reopen" or "new"');
  if (o.labels !== undefined && (!Array.isArray(o.labels) || o.labels.some((l) => typeof l !== "string" || l.trim() === "" || l.length > 50))) {
    throw new InvalidOptionError("labels", o.labels, "an array of label names (non-empty strings of at most 50 characters)");
  }
  if (o.onRun !== undefined && typeof o.onRun !== "function") throw new InvalidOptionError("onRun", o.onRun, "a function called after every run");
  return {
    name: name.trim(),
    check: check as MonitorCheck,
    repo,
    every,
    failAfter: count("failAfter", o.failAfter, 1),
    passAfter: count("passAfter", o.passAfter, 2),
    timeoutMs,
    onClosed: o.onClosed ?? "reopen",
    labels: o.labels ?? [],
    onRun: o.onRun,
  };
}

/** A running monitor. */
export interface Monitor {
  readonly name: string;
  /** Stops the timer (a run in progress finishes). */
  stop(): void;
  /** Runs the check now (between ticks) and applies the rules; never rejects. */
  runNow(): Promise<MonitorRun>;
}
