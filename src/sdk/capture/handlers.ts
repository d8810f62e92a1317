/**
 * The crash handler: one per process, whatever installs it, and a crash that ends exactly as it would
 * have without bugbeacon (see docs/crash-handlers.md).
 *
 * One per process: the handler lives in a registry on `globalThis` under `Symbol.for(REGISTRY_KEY)`, so
 * the ES module and CommonJS builds (and other versions speaking the same protocol) find one another.
 * The first install adds the process listeners; later installs add their options to it, or are refused
 * when they ask for something else (an InvalidOptionError naming the option). Never a second listener.
 *
 * Node's own exit: the report is made in `uncaughtExceptionMonitor`, which Node calls before it decides
 * whether the error is fatal, and it is made synchronously there (the sending runs in a short child
 * process, see crash-send.ts). bugbeacon adds no `uncaughtException` listener on this path, so Node then
 * prints the error from the message V8 made at the throw (source line and caret included) and exits with
 * its own code, byte for byte what it prints without bugbeacon; bugbeacon's lines come before it.
 * A report that needs the event loop (`interactive: true` at a terminal, an async `beforeSend`, a custom
 * `fetch`) holds the crash with a one-time listener and raises the error again afterwards through Node's
 * own fatal path; Node then locates it where the error was made rather than where it was thrown.
 *
 * Unhandled rejections follow `--unhandled-rejections` (from execArgv or NODE_OPTIONS): `throw` (default)
 * and `strict` arrive at the monitor as uncaught exceptions; `warn`, `none` and `warn-with-error-code`
 * are reported from an `unhandledRejection` listener, which gives Node's own handling back whenever it
 * is the only one (Node's handling depends on whether anyone listens).
 *
 * An app's own listeners still decide: with one, bugbeacon reports in the background and does nothing else.
 * An error while reporting (even one thrown inside bugbeacon) never re-enters the handler and never
 * replaces the app's error.
 */
import type { Logger } from "../../_internal/logger.js";
import { InvalidOptionError } from "../../errors.js";
import { VERSION } from "../../version.js";
import { lastAnswerEndedAt, personIsAnswering } from "../prompts/activity.js";

/**
 * The whole crash path (build, redact, persist, one send attempt) fits in this. A crashing command-line
 * tool should be gone in a moment: 3 s covers loading the client and one round trip to GitHub on a slow
 * link, and since the report is on disk before the first byte goes out, giving up loses nothing (the next
 * start or `bugbeacon flush` delivers it).
 */
export const DEFAULT_HANDLER_TIMEOUT_MS = 3000;

export interface InstallHandlersOptions {
  /** Repository to report to. @default the helper's `repo` option */
  repo?: string;
  /**
   * Longest wait for the report (built, on disk, one send attempt) before the process goes on to crash.
   * On a busy machine where starting the sending process takes that time up, the attempt still gets up to
   * 1 s (or `timeoutMs`, if less) once the process is ready. @default 3000
   */
  timeoutMs?: number;
  /** Also report unhandled promise rejections. @default true */
  unhandledRejections?: boolean;
  /**
   * Before reporting a crash, show the person a preview and ask for a line of detail (as `confirm` does
   * for other reports). Only at a terminal (stdin and stdout) outside CI, and never longer than
   * `confirmTimeoutMs` (60 s when that is 0 or unset). Off by default: a crash never waits for a person.
   * @default false
   */
  interactive?: boolean;
}

/** The keys `InstallHandlersOptions` has (checked at the call, for "did you mean"). */
export const INSTALL_HANDLER_KEYS = ["repo", "timeoutMs", "unhandledRejections", "interactive"] as const;

/** Handler settings after every install's options were put together. */
export interface CrashSettings {
  repo: string | undefined;
  timeoutMs: number;
  interactive: boolean;
  /** When sending must be over (ms since the epoch), asked at sending time. */
  sendBy: () => number;
}

/**
 * What the registry holds of a helper (protocol 1: every copy and version of bugbeacon that uses the
 * registry key below implements exactly this, so a copy can call another's reporter).
 */
export interface CrashReporter {
  readonly backend: string;
  /** The helper's default target, or undefined. */
  readonly defaultTarget: string | undefined;
  /** Throws the typed error when `target` is not a target of this backend. */
  checkTarget(target: string): void;
  /**
   * Reports the crash synchronously (the process dies right after). Returns undefined when done
   * (sent, printed, queued, skipped or failed with a warning), or the rest of the work when it needs the
   * event loop.
   */
  reportNow(error: unknown, settings: CrashSettings): undefined | (() => Promise<void>);
  /** Reports in the background (an app listener decides what happens next). */
  report(error: unknown, settings: CrashSettings): Promise<void>;
  /** The top-level `captureException`, with the handler's helper. */
  capture(error: unknown, options: { repo?: string; title?: string; body?: string; labels?: string[] }, interactive: boolean): Promise<unknown>;
  warn(message: string): void;
}

const REGISTRY_KEY = "bugbeacon.crash-handler";
const PROTOCOL = 1;

interface Entry {
  id: number;
  reporter: CrashReporter;
  given: InstallHandlersOptions;
}

interface Registry {
  protocol: number;
  /** The bugbeacon version whose listeners are installed. */
  version: string;
  entries: Entry[];
  nextId: number;
  /** Errors (objects) already reported in this process. */
  reported: WeakSet<object>;
  /** Non-object thrown values already reported. */
  reportedValues: Set<unknown>;
  /** True while a report is being made (a second error then is not reported). */
  busy: boolean;
  detach: () => void;
  /** Our own listeners, which are not "the app's". */
  own: Set<unknown>;
}

type RejectionMode = "throw" | "strict" | "warn" | "none" | "warn-with-error-code";

/** Node's `--unhandled-rejections` mode for this process. */
export function unhandledRejectionsMode(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ""): RejectionMode {
  const args = [...execArgv, ...nodeOptions.split(/\s+/).filter(Boolean)];
  let mode: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg.startsWith("--unhandled-rejections=")) mode = arg.slice("--unhandled-rejections=".length);
    else if (arg === "--unhandled-rejections") mode = args[i + 1];
  }
  return mode === "strict" || mode === "warn" || mode === "none" || mode === "warn-with-error-code" ? mode : "throw";
}

/** Checks the handler options at the call (the target is checked by the reporter's backend). */
export function validateInstallOptions(options: InstallHandlersOptions): void {
  if (options.repo !== undefined && typeof options.repo !== "string") throw new InvalidOptionError("repo", options.repo, "a string");
  if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new InvalidOptionError("timeoutMs", options.timeoutMs, "a positive whole number of milliseconds, e.g. 3000");
  }
  for (const key of ["unhandledRejections", "interactive"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "boolean") throw new InvalidOptionError(key, v, "true or false");
  }
}

function registry(): Registry | undefined {
  const found = (globalThis as Record<symbol, unknown>)[Symbol.for(REGISTRY_KEY)] as Registry | undefined;
  if (found !== undefined && found.protocol !== PROTOCOL) {
    throw new InvalidOptionError(
      "installHandlers",
      `a crash handler of bugbeacon ${String(found.version)} (protocol ${String(found.protocol)})`,
      `one bugbeacon crash handler per process: this is bugbeacon ${VERSION} (protocol ${PROTOCOL}); install the handler from one version only`,
    );
  }
  return found;
}

/** The settings every install asked for, the first install's value winning where several gave one. */
function settingsOf(reg: Registry): { repo: string | undefined; timeoutMs: number; interactive: boolean; unhandledRejections: boolean } {
  const pick = <K extends keyof InstallHandlersOptions>(key: K): InstallHandlersOptions[K] | undefined => reg.entries.find((e) => e.given[key] !== undefined)?.given[key];
  const primary = reg.entries[0];
  return {
    repo: pick("repo") ?? primary?.reporter.defaultTarget,
    timeoutMs: pick("timeoutMs") ?? DEFAULT_HANDLER_TIMEOUT_MS,
    interactive: pick("interactive") ?? false,
    unhandledRejections: pick("unhandledRejections") ?? true,
  };
}

function describeSetting(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * Installs the process's crash handler, or adds `options` to the one installed already (by this copy of
 * bugbeacon or another). Returns a function that takes this install back out; the listeners go when the
 * last install is taken out.
 */
export function installProcessHandlers(reporter: CrashReporter, options: InstallHandlersOptions = {}): () => void {
  validateInstallOptions(options);
  if (options.repo !== undefined) reporter.checkTarget(options.repo);
  let reg = registry();
  if (reg !== undefined && reg.entries.length > 0) {
    const current = settingsOf(reg);
    const first = reg.entries[0]!.reporter;
    const already = `, as the crash handler installed already (bugbeacon ${reg.version}) has it: a process has one crash handler, so install it once or pass the same value`;
    if (reporter.backend !== first.backend) throw new InvalidOptionError("backend", reporter.backend, `"${first.backend}"${already}`);
    const target = options.repo ?? reporter.defaultTarget;
    if (target !== undefined && current.repo !== undefined && target !== current.repo) {
      throw new InvalidOptionError("repo", target, `${describeSetting(current.repo)}${already}`);
    }
    for (const key of ["timeoutMs", "unhandledRejections", "interactive"] as const) {
      const given = options[key];
      const set = reg.entries.find((e) => e.given[key] !== undefined)?.given[key];
      if (given !== undefined && set !== undefined && given !== set) throw new InvalidOptionError(key, given, `${describeSetting(set)}${already}`);
    }
  } else if ((options.repo ?? reporter.defaultTarget) === undefined) {
    throw new InvalidOptionError(
      "repo",
      undefined,
      reporter.backend === "github"
        ? 'the repository crashes are reported to, as "owner/name": pass { repo } to installHandlers() or to getHelper()'
        : "the target crashes are reported to: pass { repo } to installHandlers() or to getHelper()",
    );
  }
  if (reg === undefined) {
    reg = createRegistry();
    (globalThis as Record<symbol, unknown>)[Symbol.for(REGISTRY_KEY)] = reg;
  }
  const entry: Entry = { id: reg.nextId++, reporter, given: { ...options } };
  reg.entries.push(entry);
  const installedIn = reg;
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    installedIn.entries = installedIn.entries.filter((e) => e !== entry);
    if (installedIn.entries.length === 0) {
      installedIn.detach();
      if ((globalThis as Record<symbol, unknown>)[Symbol.for(REGISTRY_KEY)] === installedIn) delete (globalThis as Record<symbol, unknown>)[Symbol.for(REGISTRY_KEY)];
    }
  };
}

/** The reporter of the installed crash handler, if any (for the top-level captureException). */
export function installedReporter(): { reporter: CrashReporter; repo: string | undefined } | undefined {
  const reg = registry();
  const first = reg?.entries[0];
  return reg !== undefined && first !== undefined ? { reporter: first.reporter, repo: settingsOf(reg).repo } : undefined;
}

function createRegistry(): Registry {
  const reg: Registry = {
    protocol: PROTOCOL,
    version: VERSION,
    entries: [],
    nextId: 1,
    reported: new WeakSet(),
    reportedValues: new Set(),
    busy: false,
    own: new Set(),
    detach: () => {},
  };

  const primary = (): CrashReporter | undefined => reg.entries[0]?.reporter;
  const warn = (message: string): void => {
    try {
      primary()?.warn(message);
    } catch {
      // Nothing to do: a reporter that cannot even warn must not replace the app's error.
    }
  };
  const alreadyReported = (error: unknown): boolean =>
    typeof error === "object" && error !== null ? reg.reported.has(error) : (typeof error === "function" ? reg.reported.has(error) : reg.reportedValues.has(error));
  const markReported = (error: unknown): void => {
    if ((typeof error === "object" && error !== null) || typeof error === "function") reg.reported.add(error as object);
    else reg.reportedValues.add(error);
  };
  const appListens = (event: "uncaughtException" | "unhandledRejection"): boolean =>
    (process.listeners(event as "uncaughtException") as unknown[]).some((l) => !reg.own.has(l));

  const settingsNow = (): CrashSettings => {
    const s = settingsOf(reg);
    const crashedAt = Date.now();
    // Sending must be over a little before the limit, so the outcome is written down before the crash.
    const sendBy = (): number => Math.max(crashedAt, lastAnswerEndedAt()) + s.timeoutMs - Math.min(200, s.timeoutMs / 10);
    return { repo: s.repo, timeoutMs: s.timeoutMs, interactive: s.interactive, sendBy };
  };

  /** The event-loop path: the report within `timeoutMs` (time a person spends answering does not count). */
  const reportInBackground = async (work: () => Promise<void>, timeoutMs: number): Promise<void> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      const started = Date.now();
      const arm = (delay: number): void => {
        timer = setTimeout(() => {
          if (personIsAnswering()) return arm(timeoutMs);
          const left = Math.max(started, lastAnswerEndedAt()) + timeoutMs - Date.now();
          if (left > 0) return arm(left);
          resolve("timeout");
        }, delay);
      };
      arm(timeoutMs);
    });
    try {
      const outcome = await Promise.race([work().then(() => "done" as const), timedOut]);
      if (outcome === "timeout") warn(`reporting took longer than ${timeoutMs} ms; giving up so the app can exit.`);
    } catch (failure) {
      warn(`could not report the crash: ${describe(failure)}`);
    } finally {
      clearTimeout(timer);
    }
  };

  const onMonitor = (error: unknown, origin: string): void => {
    const reporter = primary();
    if (reporter === undefined || alreadyReported(error)) return;
    if (reg.busy) {
      // A second error while reporting (possibly from bugbeacon itself): the first one is the crash.
      warn(`another error happened while reporting the crash; it is not reported: ${describe(error)}`);
      return;
    }
    markReported(error);
    const settings = settingsNow();
    if (appListens("uncaughtException")) {
      // The app's listener decides what happens next; the report goes in the background meanwhile.
      reg.busy = true;
      void reportInBackground(() => reporter.report(error, settings), settings.timeoutMs).finally(() => (reg.busy = false));
      return;
    }
    // Nobody else listens: Node prints the error and exits as soon as this returns. Report now.
    let rest: undefined | (() => Promise<void>);
    reg.busy = true;
    try {
      rest = reporter.reportNow(error, settings);
    } catch (failure) {
      warn(`could not report the crash: ${describe(failure)}`);
    } finally {
      reg.busy = false;
    }
    if (rest === undefined) return;
    // The report needs the event loop: hold the crash with a one-time listener, then raise it again.
    // It stays while the report is made, so that an error meanwhile (the monitor warns about it) does
    // not end the process with that error instead of the app's.
    let held = false;
    const hold = (): void => {
      if (held) return;
      held = true;
      reg.busy = true;
      void reportInBackground(rest, settings.timeoutMs).finally(() => {
        reg.busy = false;
        process.removeListener("uncaughtException", hold);
        reg.own.delete(hold);
        reg.detach();
        raiseAgain(error, origin);
      });
    };
    reg.own.add(hold);
    process.on("uncaughtException", hold);
  };

  const onRejection = (reason: unknown, promise: Promise<unknown>): void => {
    const reporter = primary();
    if (reporter === undefined || !settingsOf(reg).unhandledRejections) {
      // Rejections are not to be reported: marked, so the monitor lets this one pass too.
      markReported(reason);
      return giveBack(reason, promise);
    }
    const mode = unhandledRejectionsMode();
    if (appListens("unhandledRejection")) {
      if (alreadyReported(reason) || reg.busy) return;
      markReported(reason);
      const settings = settingsNow();
      reg.busy = true;
      void reportInBackground(() => reporter.report(reason, settings), settings.timeoutMs).finally(() => (reg.busy = false));
      return;
    }
    if (mode === "throw") {
      // Node raises it as an uncaught exception when nobody listens: let it, and the monitor reports it.
      return giveBack(reason, promise);
    }
    if (mode === "strict") return; // already raised (and reported) as an uncaught exception
    if (!alreadyReported(reason) && !reg.busy) {
      markReported(reason);
      const settings = settingsNow();
      reg.busy = true;
      void reportInBackground(() => reporter.report(reason, settings), settings.timeoutMs).finally(() => (reg.busy = false));
    }
    // warn: Node printed its warning whether or not anyone listens; none: silent. (warn-with-error-code
    // listens only beside an app's listener, see below.)
  };

  /**
   * warn-with-error-code: a listener turns Node's warning and exit code off, and giving the rejection back
   * would number it anew in Node's warning. So bugbeacon listens only while the app does too, and
   * otherwise reports what Node's warning carries (the reason's stack), which it prints as before.
   */
  const onWarning = (warning: Error): void => {
    if (warning?.name !== "UnhandledPromiseRejectionWarning" || appListens("unhandledRejection")) return;
    if (typeof warning.message !== "string" || warning.message.startsWith("Unhandled promise rejection.")) return;
    const reporter = primary();
    if (reporter === undefined || !settingsOf(reg).unhandledRejections || reg.busy) return;
    const reason = errorFromStack(warning.message);
    const settings = settingsNow();
    reg.busy = true;
    void reportInBackground(() => reporter.report(reason, settings), settings.timeoutMs).finally(() => (reg.busy = false));
  };
  const followApp = (event: string | symbol): void => {
    if (event !== "unhandledRejection") return;
    // After the change is made (these events fire around it).
    queueMicrotask(() => {
      const listening = process.listeners("unhandledRejection").includes(onRejection);
      if (appListens("unhandledRejection") && !listening && reg.entries.length > 0) process.on("unhandledRejection", onRejection);
      else if (!appListens("unhandledRejection") && listening) process.removeListener("unhandledRejection", onRejection);
    });
  };

  /**
   * Our listener's presence turned Node's own handling of this rejection off: reject again with nobody
   * of ours listening, so Node handles it exactly as it would have (the same text, the same exit code).
   */
  const giveBack = (reason: unknown, _promise: Promise<unknown>): void => {
    const wasListening = process.listeners("unhandledRejection").includes(onRejection);
    if (!wasListening) return;
    process.removeListener("unhandledRejection", onRejection);
    void Promise.reject(reason);
    // Back after Node processed the rejection (an app that survives it keeps its reports).
    setImmediate(() => {
      if (reg.entries.length > 0 && settingsOf(reg).unhandledRejections && !process.listeners("unhandledRejection").includes(onRejection)) {
        process.on("unhandledRejection", onRejection);
      }
    }).unref();
  };

  reg.own.add(onMonitor);
  reg.own.add(onRejection);
  process.on("uncaughtExceptionMonitor", onMonitor);
  const mode = unhandledRejectionsMode();
  if (mode === "warn-with-error-code") {
    process.on("warning", onWarning);
    process.on("newListener", followApp);
    process.on("removeListener", followApp);
    if (appListens("unhandledRejection")) process.on("unhandledRejection", onRejection);
  } else if (mode !== "strict") process.on("unhandledRejection", onRejection);
  reg.detach = () => {
    process.removeListener("uncaughtExceptionMonitor", onMonitor);
    process.removeListener("unhandledRejection", onRejection);
    process.removeListener("warning", onWarning);
    process.removeListener("newListener", followApp);
    process.removeListener("removeListener", followApp);
  };
  return reg;
}

/**
 * Gives a held crash back to Node through its own fatal path: Node prints it (locating it where the error
 * was made) and exits with its own code. An error thrown in a queued microtask goes to Node's
 * `triggerUncaughtException` as a fresh uncaught exception rather than from a bugbeacon source line.
 */
function raiseAgain(error: unknown, _origin: string): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** An error made from the stack text Node's warning carries: its first line is "<name>: <message>". */
function errorFromStack(stack: string): Error {
  const first = stack.split("\n", 1)[0] ?? "";
  const match = /^([\w$.]*(?:Error|Exception)|[A-Z][\w$]*): ([\s\S]*)$/.exec(first);
  const error = new Error(match ? match[2] : first);
  if (match?.[1] !== undefined) error.name = match[1];
  error.stack = stack;
  return error;
}

export function describe(value: unknown): string {
  try {
    return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
  } catch {
    return "(unprintable)";
  }
}

/** For a helper: its logger as the reporter's warning channel. */
export function warnWith(logger: Logger): (message: string) => void {
  return (message) => logger.warn(message);
}
