/**
 * `installHandlers`: report uncaught exceptions and unhandled rejections, then keep Node's own
 * behaviour. Adding an `uncaughtException` listener normally stops Node from crashing; we give the
 * crash back by removing our listeners and re-throwing the original error in a fresh tick, so Node
 * itself prints it and picks the exit code, exactly as it would have without bugbeacon.
 *
 * - Unhandled rejections follow `--unhandled-rejections` (from execArgv or NODE_OPTIONS): `throw`
 *   (default) crashes after the report; `warn`, `none` keep the app running; `warn-with-error-code`
 *   sets exit code 1; `strict` arrives as an uncaught exception.
 * - If the app has its own listeners, bugbeacon reports and leaves the exit decision to them.
 * - The report is on disk before the first request; sending gets one attempt within `timeoutMs`, then the
 *   crash goes ahead (what was not confirmed is delivered by the next flush).
 * - An error while reporting (even one thrown inside bugbeacon) never re-enters the handler and
 *   never replaces the app's error.
 */
import { nodeVm } from "../../_builtins.js";
import type { Logger } from "../../_internal/logger.js";
import { lastAnswerEndedAt, personIsAnswering } from "../prompts/activity.js";
import type { ReportResult } from "../../types.js";
import type { DeliveryContext } from "../../types.js";

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
  /** Longest wait for the report (built, on disk, one send attempt) before the process goes on to crash. @default 3000 */
  timeoutMs?: number;
  /** Also report unhandled promise rejections. @default true */
  unhandledRejections?: boolean;
}

/** What the handlers need from a helper. */
export interface Reporter {
  captureException(error: unknown, options: { repo?: string; kind?: "exception" }, context?: DeliveryContext): Promise<ReportResult>;
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

export function installProcessHandlers(reporter: Reporter, logger: Logger, options: InstallHandlersOptions = {}): () => void {
  const timeoutMs = options.timeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
  let reporting = false;
  let installed = true;

  const report = async (error: unknown): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const crashedAt = Date.now();
    // Sending must be over a little before the limit, so the outcome is written down before the crash.
    const sendBy = (): number => Math.max(crashedAt, lastAnswerEndedAt()) + timeoutMs - Math.min(200, timeoutMs / 10);
    const timedOut = new Promise<"timeout">((resolve) => {
      // The limit is for sending, not for a person reading the preview: time spent answering does not
      // count, and the full limit starts again when they finish.
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
      const sending = reporter
        .captureException(error, options.repo !== undefined ? { repo: options.repo, kind: "exception" } : { kind: "exception" }, { sendBy })
        .then(() => "sent" as const);
      const outcome = await Promise.race([sending, timedOut]);
      if (outcome === "timeout") logger.warn(`reporting took longer than ${timeoutMs} ms; giving up so the app can exit.`);
    } catch (failure) {
      logger.warn(`could not report the crash: ${failure instanceof Error ? failure.message : String(failure)}`);
    } finally {
      clearTimeout(timer);
    }
  };

  const othersListening = (event: "uncaughtException" | "unhandledRejection", own: unknown): boolean =>
    (process.listeners(event as "uncaughtException") as unknown[]).some((l) => l !== own);

  /** Gives the error back to Node: with our listeners gone, Node prints it and exits as it would have. */
  const crash = (error: unknown): void => {
    uninstall();
    const rethrow = compileRethrow();
    process.nextTick(() => rethrow(error));
  };

  const onUncaught = (error: unknown): void => {
    if (reporting) {
      // A second error while reporting (possibly from bugbeacon itself): the first one is the crash.
      logger.warn(`another error happened while reporting the crash; it is not reported: ${describe(error)}`);
      return;
    }
    reporting = true;
    const appDecides = othersListening("uncaughtException", onUncaught);
    void report(error).finally(() => {
      reporting = false;
      if (!appDecides) crash(error);
    });
  };

  const onRejection = (reason: unknown): void => {
    const mode = unhandledRejectionsMode();
    if (reporting) return;
    reporting = true;
    const appDecides = othersListening("unhandledRejection", onRejection);
    void report(reason).finally(() => {
      reporting = false;
      if (appDecides) return;
      if (mode === "throw") crash(asNodeWouldRaise(reason));
      else if (mode === "warn-with-error-code") process.exitCode = 1;
      // warn: Node already printed its warning; none: silent. The app keeps running either way.
    });
  };

  process.on("uncaughtException", onUncaught);
  const withRejections = options.unhandledRejections !== false && unhandledRejectionsMode() !== "strict";
  if (withRejections) process.on("unhandledRejection", onRejection);

  function uninstall(): void {
    if (!installed) return;
    installed = false;
    process.removeListener("uncaughtException", onUncaught);
    process.removeListener("unhandledRejection", onRejection);
  }
  return uninstall;
}

/**
 * The function that re-raises the app's error. Node prints the source line of the throw above the
 * error; compiled under its own name, that line says plainly what happened (rather than a line of
 * bugbeacon's minified bundle). Everything after it is the app's own error and stack, as Node prints it.
 */
function compileRethrow(): (error: unknown) => never {
  try {
    return nodeVm().runInThisContext(
      "(function rethrow(error) {\n  throw error; // re-raised after reporting: Node prints it and exits as it would have\n})",
      { filename: "bugbeacon:crash-handler" },
    ) as (error: unknown) => never;
  } catch {
    return (error) => {
      throw error;
    };
  }
}

/** Node raises a non-Error rejection reason wrapped in an ERR_UNHANDLED_REJECTION error. */
function asNodeWouldRaise(reason: unknown): unknown {
  if (reason instanceof Error) return reason;
  const error = new Error(
    "This error originated either by throwing inside of an async function without a catch block, " +
      `or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${describe(reason)}".`,
  );
  error.name = "UnhandledPromiseRejection";
  (error as Error & { code: string }).code = "ERR_UNHANDLED_REJECTION";
  return error;
}

function describe(value: unknown): string {
  try {
    return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
  } catch {
    return "(unprintable)";
  }
}
