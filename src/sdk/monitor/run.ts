/**
 * Running monitors: one run (check under its time budget, the issue read, the rules applied, the one
 * change made) and the schedule (an unref'd timer: a monitor never keeps the process alive). Loaded on
 * demand by `helper.monitor`, `helper.monitorOnce` and `bugbeacon check`.
 */
import type { Logger } from "../../_internal/logger.js";
import type { MonitorIssues } from "./issues.js";
import { MONITOR_LABEL, type CheckResult, type Monitor, type MonitorCheck, type MonitorRun, type MonitorSpec } from "./options.js";
import { EMPTY_STATE, MAX_DETAILS, MAX_KEY, MAX_KEYS, decide, monitorIdentifier, oneLine, parseState, type Failure, type MonitorState, type Verdict } from "./state.js";

export interface MonitorHost {
  /** The service's monitor issues (made once, on first use). */
  issues: () => Promise<MonitorIssues>;
  redact: (text: string) => string;
  logger: Logger;
  /** Title prefix and labels every issue of this helper gets. */
  prefix: string;
  labels: string[];
  /** Why nothing can be sent now (disabled, no token, a backend without monitor issues); undefined when it can. */
  blocked: () => string | undefined;
  /** A pending check's budget timer keeps the process alive (the CLI) or not (an app's monitor). */
  keepAlive: boolean;
  now?: () => Date;
  /**
   * Through a relay (no token): failing runs are sent to it and the relay keeps the issue (it opens, edits
   * and closes it by its own rules); passing runs send nothing. Never rejects.
   */
  relay?: (failure: RelayFailure, keepAlive: boolean) => Promise<{ ok: true; status: string; url?: string } | { ok: false; problem: string }>;
}

/** A failing run as the relay takes it (the helper adds the platform metadata). */
export interface RelayFailure {
  repo: string;
  name: string;
  identifier: string;
  every: number;
  passAfter: number;
  details: string;
  failures: Failure[];
  runKey?: string;
}

const EXPECTED = "true/false, { ok, details } or { ok, failures: [{ key, details }] }";

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object without a boolean ok";
  return `${typeof value} ${oneLine(String(value), 40)}`;
}

/** The check's answer as a verdict, redacted and cut; anything else is a failure that says what came back. */
export function toVerdict(result: unknown, redact: (text: string) => string): Verdict {
  const clean = (text: unknown, max: number) => oneLine(redact(String(text)), max);
  if (result === true) return { ok: true, details: "", failures: [] };
  if (result === false) return { ok: false, details: "the check returned false", failures: [] };
  if (typeof result !== "object" || result === null || typeof (result as { ok?: unknown }).ok !== "boolean") {
    return { ok: false, details: `the check returned ${describe(result)}; expected ${EXPECTED}`, failures: [] };
  }
  const r = result as { ok: boolean; details?: unknown; failures?: unknown };
  const failures: Failure[] = [];
  if (r.failures !== undefined) {
    if (!Array.isArray(r.failures)) return { ok: false, details: `the check returned failures that are not an array; expected ${EXPECTED}`, failures: [] };
    const seen = new Set<string>();
    for (const f of r.failures as unknown[]) {
      const key = typeof f === "object" && f !== null ? (f as { key?: unknown }).key : undefined;
      if (typeof key !== "string" && typeof key !== "number") return { ok: false, details: `the check returned a failure without a key (${describe(f)}); expected ${EXPECTED}`, failures: [] };
      const k = clean(key, MAX_KEY);
      if (seen.has(k)) continue;
      seen.add(k);
      const details = (f as { details?: unknown }).details;
      failures.push({ key: k, details: details === undefined ? "" : clean(details, MAX_DETAILS) });
    }
  }
  const ok = r.ok && failures.length === 0;
  const details = r.details === undefined ? (ok || failures.length > 0 ? "" : "the check failed") : clean(r.details, MAX_DETAILS);
  return { ok, details: ok ? "" : details, failures };
}

class OverBudget extends Error {}

/** Runs the check once within `timeoutMs`: throwing or running over is a failure whose details say so. */
export async function evaluate(check: MonitorCheck, timeoutMs: number, redact: (text: string) => string, keepAlive: boolean): Promise<Verdict> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const budget = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OverBudget()), timeoutMs);
      if (!keepAlive) timer.unref();
    });
    const result: CheckResult = await Promise.race([Promise.resolve().then(check), budget]);
    return toVerdict(result, redact);
  } catch (error) {
    if (error instanceof OverBudget) return { ok: false, details: `the check did not finish within its budget of ${timeoutMs} ms`, failures: [] };
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ok: false, details: oneLine(redact(`the check threw ${text}`), MAX_DETAILS), failures: [] };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One run: the check, then the monitor's issue read and the rules applied from the state it holds
 * (`memory` stands in while no issue exists). With `slotMs` (a schedule's interval), a run in a slot
 * already counted changes nothing. Never rejects: a failure to reach the service is the run's
 * `problem`, and the state is left as it was for the next run.
 */
export async function runOnce(host: MonitorHost, spec: MonitorSpec, memory: { state: MonitorState }, slotMs?: number): Promise<MonitorRun> {
  const verdict = await evaluate(spec.check, spec.timeoutMs, host.redact, host.keepAlive);
  const run: MonitorRun = { name: spec.name, ok: verdict.ok, failing: verdict.failures.map((f) => f.key), action: "none" };
  if (!verdict.ok) run.details = verdict.details;
  const blocked = host.blocked();
  if (blocked !== undefined) return { ...run, action: "skipped", problem: blocked };
  const identifier = monitorIdentifier(spec.name);
  const now = host.now?.() ?? new Date();
  if (host.relay !== undefined) return relayRun(host.relay, host.keepAlive, spec, memory, verdict, run, identifier, slotMs !== undefined ? Math.floor(now.getTime() / slotMs) : undefined);
  try {
    const issues = await host.issues();
    const found = await issues.find(spec.repo, identifier);
    const prev = found !== undefined ? (parseState(found.body, identifier) ?? EMPTY_STATE) : memory.state;
    const slot = slotMs !== undefined ? Math.floor(now.getTime() / slotMs) : undefined;
    const settings = { name: spec.name, identifier, failAfter: spec.failAfter, passAfter: spec.passAfter, onClosed: spec.onClosed, ...(issues.bodyLimit !== undefined ? { bodyLimit: issues.bodyLimit - 500 } : {}) };
    const { state, change } = decide(settings, found, prev, verdict, now, slot);
    const title = oneLine(host.redact(`${host.prefix}Monitor failing: ${spec.name}`), 250);
    const labels = [...new Set([...host.labels, MONITOR_LABEL, ...spec.labels])];
    switch (change.kind) {
      case "none":
        break;
      case "open":
      case "open-new": {
        const created = await issues.create(spec.repo, { title, body: change.body, labels });
        run.issue = created;
        // GitHub has no create-if-absent: another run may have opened one at the same moment. The oldest open
        // issue is the monitor's; a younger one closes itself, saying which one to follow.
        const winner = await issues.find(spec.repo, identifier);
        if (winner !== undefined && winner.number < created.number && winner.state === "open") {
          await issues.edit(spec.repo, created.number, {
            body: `Duplicate of #${winner.number}: two runs of the monitor ${"`"}${oneLine(spec.name, 200).replace(/`/g, "'")}${"`"} opened an issue at the same moment; #${winner.number} is the one it keeps.`,
            state: "closed",
          });
          run.issue = { number: winner.number, url: winner.url };
          run.action = "none";
          return run;
        }
        break;
      }
      case "reopen":
        await issues.edit(spec.repo, found!.number, { body: change.body, state: "open" });
        break;
      case "update":
        await issues.edit(spec.repo, found!.number, { body: change.body });
        break;
      case "close":
        // Closed (with the state) first, then the comment: should the comment fail, the next run finds the
        // issue closed and posts nothing again.
        await issues.edit(spec.repo, found!.number, { body: change.body, state: "closed" });
        await issues.comment(spec.repo, found!.number, change.comment);
        break;
    }
    const actions = { none: "none", open: "opened", "open-new": "opened-new", reopen: "reopened", update: "updated", close: "closed" } as const;
    run.action = actions[change.kind];
    if (run.issue === undefined && found !== undefined) run.issue = { number: found.number, url: found.url };
    memory.state = state;
    return run;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...run, action: "skipped", problem: oneLine(host.redact(`could not update the monitor's issue: ${message}`), 300) };
  }
}

/**
 * One run through a relay: the same verdict and the same failAfter, counted here in memory; a failing run
 * (the failAfter-th in a row and each after it) is sent, so the relay knows the monitor still fails; a
 * passing run sends nothing (only the relay closes, when no machine has reported a failure for its quiet
 * window). With a schedule slot, the failure's id is derived from it: a re-run of the slot is a duplicate.
 */
const isControl = (c: number) => c < 0x20 || c === 0x7f;

/** One line without control characters or lone surrogates (what the relay takes). */
function printable(text: string): string {
  let out = "";
  for (const ch of text.toWellFormed()) out += isControl(ch.charCodeAt(0)) ? " " : ch;
  return out.trim();
}

async function relayRun(
  send: NonNullable<MonitorHost["relay"]>,
  keepAlive: boolean,
  spec: MonitorSpec,
  memory: { state: MonitorState },
  verdict: Verdict,
  run: MonitorRun,
  identifier: string,
  slot: number | undefined,
): Promise<MonitorRun> {
  if (verdict.ok) {
    memory.state = EMPTY_STATE;
    return run;
  }
  const fails = Math.min(memory.state.fails + 1, spec.failAfter);
  memory.state = { ...memory.state, fails, passes: 0 };
  if (fails < spec.failAfter) return run;
  // The relay takes text without control characters: the name cannot change (it gives the identifier).
  if ([...spec.name].some((ch) => isControl(ch.charCodeAt(0)))) return { ...run, action: "skipped", problem: "the monitor's name has control characters (a tab, an escape…), which the relay refuses: rename the monitor" };
  const failures = new Map<string, string>();
  for (const f of verdict.failures) {
    const key = printable(f.key);
    if (key !== "" && !failures.has(key)) failures.set(key, printable(f.details));
  }
  const sent = await send(
    {
      repo: spec.repo,
      name: spec.name,
      identifier,
      // Unknown for a single run without a schedule: the relay then waits its own minimum.
      every: spec.every ?? 1,
      passAfter: spec.passAfter,
      // A failure always says why (the relay refuses one that says nothing).
      details: printable(verdict.details) || (failures.size === 0 ? "the check failed" : ""),
      failures: [...failures].slice(0, MAX_KEYS).map(([key, details]) => ({ key, details })),
      ...(slot !== undefined ? { runKey: `slot ${slot}` } : {}),
    },
    keepAlive,
  );
  if (!sent.ok) return { ...run, action: "skipped", problem: oneLine(sent.problem, 300) };
  const number = sent.url !== undefined ? /\/issues\/(\d+)$/.exec(sent.url)?.[1] : undefined;
  return { ...run, action: "sent", ...(number !== undefined && sent.url !== undefined ? { issue: { number: Number(number), url: sent.url } } : {}) };
}

/** Starts the schedule: a run now, then one `every` ms after each run ends, on unref'd timers. */
export function startMonitor(host: MonitorHost, spec: MonitorSpec & { every: number }): Monitor {
  const memory = { state: EMPTY_STATE };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<MonitorRun> | undefined;
  let warned: string | undefined;
  const report = (run: MonitorRun) => {
    if (run.problem !== undefined && run.problem !== warned) {
      warned = run.problem;
      host.logger.warn(`monitor "${spec.name}": ${run.problem}`);
    }
    try {
      spec.onRun?.(run);
    } catch {
      // The app's callback never stops the monitor.
    }
    return run;
  };
  const runNow = (): Promise<MonitorRun> => {
    // One run at a time: a run asked for while one is going gets that one's result.
    running ??= runOnce(host, spec, memory).then(report).finally(() => (running = undefined));
    return running;
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void runNow().then(() => schedule(spec.every)), ms);
    timer.unref();
  };
  schedule(0);
  return {
    name: spec.name,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    runNow,
  };
}
