/**
 * The synchronous half of the crash path. Node prints an uncaught error and exits as soon as the
 * `uncaughtExceptionMonitor` listeners return, so a report made there must be finished there: the report
 * is built in this process (redacted, beforeSend applied) and handed to a short child process
 * (crash-send.js, next to this bundle) that persists and sends it the way every report goes, while this
 * process waits for it, for at most the handler's time limit. The child writes its lines (the URL,
 * or why it is queued) to this process's stderr, before Node's own output.
 */
import type { Logger } from "../../_internal/logger.js";
import type { PreparedReport } from "../../types.js";

type BuiltinLoader = <T>(id: string) => T;
const load = (process as unknown as { getBuiltinModule: BuiltinLoader }).getBuiltinModule;

/** What the child needs: the helper's options (without functions), its environment, the report. */
export interface CrashPayload {
  backend: string;
  options: object;
  env: Record<string, string | undefined>;
  report: PreparedReport;
  /**
   * The report's claim in the spool (`inflight/<app pid>.<name>`), written by the app before the child
   * started: the child delivers that file, so a child that is slow to start, or killed, loses nothing.
   * Missing when the app could not write it (the child then writes it first, as before).
   */
  claimed?: string;
  /** When sending must be over (ms since the epoch): the crash's time limit. */
  sendBy: number;
  /**
   * The least time the child has for its attempt once it is ready, even when starting it took the limit
   * up (a busy machine): one real attempt rather than none.
   */
  minWindowMs: number;
}

/**
 * Beyond the time limit, what a child gets to start (Node and bugbeacon load in about 0.2 s on an idle
 * machine, several times that on a busy one); the child stops by itself, and is killed only if it takes
 * longer than the limit + this.
 */
const START_GRACE_MS = 2000;
/** The least time for the attempt once the child is ready (see CrashPayload.minWindowMs). */
const MIN_WINDOW_MS = 1000;
/** What the child needs after its deadline: putting the report back in the queue, and exiting. */
const CHILD_EXIT_MS = 150;

/** The child's script, beside this bundle; undefined when it is not there (bugbeacon bundled into an app). */
function childScript(): string | undefined {
  try {
    const { fileURLToPath } = load<typeof import("node:url")>("node:url");
    const { existsSync } = load<typeof import("node:fs")>("node:fs");
    const path = fileURLToPath(new URL("./crash-send.js", import.meta.url));
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The options as data: functions stay here (beforeSend already ran), patterns travel as source and flags. */
function asData(options: object): object {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (typeof value === "function" || key === "env") continue;
    if (key === "redactPatterns" && Array.isArray(value)) {
      out[key] = value.map((p: unknown) => (p instanceof RegExp ? { regexp: p.source, flags: p.flags } : p));
    } else out[key] = value;
  }
  return out;
}

/**
 * Sends the report from a child process and waits for it (at most `timeoutMs` plus a start-up grace).
 * False when no child could be started here (the caller then sends in this process).
 */
export function sendInChild(payload: Omit<CrashPayload, "minWindowMs">, options: { timeoutMs: number; logger: Logger }): boolean {
  const script = childScript();
  if (script === undefined) return false;
  const { spawnSync } = load<typeof import("node:child_process")>("node:child_process");
  const env = { ...process.env };
  // The app's preloads (and a second bugbeacon) have no business in the sender.
  delete env.NODE_OPTIONS;
  const minWindowMs = Math.min(options.timeoutMs, MIN_WINDOW_MS);
  const message: CrashPayload = {
    backend: payload.backend,
    options: asData(payload.options),
    env: { ...payload.env },
    report: payload.report,
    ...(payload.claimed !== undefined ? { claimed: payload.claimed } : {}),
    sendBy: payload.sendBy - CHILD_EXIT_MS,
    minWindowMs,
  };
  const input = JSON.stringify(message);
  const budget = Math.max(0, payload.sendBy - Date.now()) + START_GRACE_MS + minWindowMs;
  const result = spawnSync(process.execPath, [script], {
    input,
    env,
    stdio: ["pipe", "ignore", "inherit"],
    timeout: budget,
    killSignal: "SIGKILL",
    windowsHide: true,
  });
  if (result.error !== undefined && (result.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
    options.logger.warn(`reporting took longer than ${options.timeoutMs} ms; giving up so the app can exit.`);
  } else if (result.error !== undefined) {
    options.logger.warn(`could not report the crash: ${result.error.message}`);
  } else if (result.signal !== null) {
    options.logger.warn(`reporting took longer than ${options.timeoutMs} ms; giving up so the app can exit.`);
  } else if (result.status !== 0) {
    options.logger.warn(`could not report the crash (the sending process exited with code ${String(result.status)}).`);
  }
  return true;
}
