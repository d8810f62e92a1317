/**
 * The delivery options every backend takes (the spool, dedupe, dry run, the test target, pacing), and
 * their one validation and resolution, done once when the helper is made (in getHelper).
 */
import { InvalidOptionError } from "../errors.js";
import { envMilliseconds } from "../_internal/env-flag.js";
import { validateLabels } from "../_internal/validate-options.js";
import type { FetchFunction } from "../_internal/globals.js";

/** What happens to an occurrence of a report that is open (see `onDuplicate`). */
export type OnDuplicate = "count" | "react" | "comment" | "new" | "skip";

export interface DeliveryOptions {
  /** Reject (with `MissingTokenError`, before any network or prompt) when no token is found. @default false */
  requireToken?: boolean;
  /**
   * Open the prefilled URL in a browser when there is no token.
   * @default true outside CI (per ci-info) when a desktop is there (DISPLAY/WAYLAND_DISPLAY, macOS, Windows)
   */
  open?: boolean;
  /** Labels for created reports (GitHub and GitLab labels, Discourse tags). */
  labels?: string[];
  /** Put before every title, as helpme's "[helpme]". @example "[bugbeacon]" */
  prefix?: string;
  /** Longest time for one request. @default 10000 */
  timeoutMs?: number;
  /**
   * Look for an existing report with the same identifier before creating one (local cache, then search).
   * @default true
   */
  dedupe?: boolean;
  /**
   * An open report has the same identifier:
   * - `"count"`: at most one "seen again" comment per `seenAgainEvery` from this machine; occurrences in
   *   between are counted locally and the count goes into the next comment ("seen 37 more times on this
   *   machine since …");
   * - `"react"`: a +1 reaction (notifies no one), at most once per `seenAgainEvery` from this machine;
   * - `"comment"`: a "seen again" comment every time; `"new"`: a new report anyway; `"skip"`: nothing.
   * @default "count"
   */
  onDuplicate?: OnDuplicate;
  /**
   * With `onDuplicate: "count"` or `"react"`: least time between two messages about one identifier from
   * this machine, in milliseconds. Remembered beside the identifier cache, across processes.
   * @default 86400000 (24 hours)
   */
  seenAgainEvery?: number;
  /**
   * On creating the helper, send the reports waiting in the spool in the background: unref'd timers and
   * sockets, so it never delays the app's start or exit (what is not finished waits for the next start).
   * @default true when a token is available
   */
  flushOnStart?: boolean;
  /**
   * The fetch every request goes through (to instrument HTTP). With it, proxy variables are left to your fetch.
   * @default globalThis.fetch (through undici's proxy agent when HTTPS_PROXY / HTTP_PROXY is set)
   */
  fetch?: FetchFunction;
  /** The report with the same identifier is closed: reopen it, or open a new one linking to it (a regression is news). @default "new" */
  onClosed?: "reopen" | "new";
  /**
   * Least milliseconds between two content-creating requests (issues, comments).
   * @default env BUGBEACON_PACING_MS, else 1000 (GitHub documents at most 80 a minute, 500 an hour)
   */
  pacingMs?: number;
  /**
   * Milliseconds that one second of the service's timing rules stands for: Retry-After, the retry backoff
   * (1, 4, 9 steps) and the 2 s spacing between searches. For tests and advanced use.
   * @default env BUGBEACON_RETRY_BASE_MS, else 1000
   * @example 10
   */
  retryAfterBaseMs?: number;
  /**
   * Send every report to this target instead (to try a setup). Checked when the helper is made.
   * @default env BUGBEACON_TEST_REPO
   */
  testRepo?: string;
  /** Print the request that would be sent (redacted) and send nothing. @default false */
  dryRun?: boolean;
  /** Where unsent reports wait. @default env BUGBEACON_SPOOL_DIR, else the user's cache folder */
  spoolDir?: string;
}

/** The defaults below are filled here, once, for the helpers (resolveDeliveryOptions) and the CLI alike. */
export const DEFAULT_PACING_MS = 1000;
/** What one second of the service's timing rules stands for, unless a test shortens it. */
export const DEFAULT_RETRY_BASE_MS = 1000;

/** Pacing: the option, else BUGBEACON_PACING_MS, else DEFAULT_PACING_MS. */
export function resolvePacingMs(options: { pacingMs?: number }, env: NodeJS.ProcessEnv): number {
  return options.pacingMs ?? envMilliseconds(env, "BUGBEACON_PACING_MS", DEFAULT_PACING_MS) ?? DEFAULT_PACING_MS;
}

/** Retry-After base: the option, else BUGBEACON_RETRY_BASE_MS, else DEFAULT_RETRY_BASE_MS. */
export function resolveRetryBaseMs(options: { retryAfterBaseMs?: number }, env: NodeJS.ProcessEnv): number {
  return options.retryAfterBaseMs ?? envMilliseconds(env, "BUGBEACON_RETRY_BASE_MS", 10) ?? DEFAULT_RETRY_BASE_MS;
}
/**
 * How long after an attempt whose answer was lost a report is looked up before it is sent again: a
 * request cut off on this side (a timeout, a killed process) may still be carried out on the service's side
 * for a while, and a lookup before that would miss it and send a second copy. GitHub ends a request after
 * 10 s.
 */
export const DEFAULT_SETTLE_MS = 10_000;

export interface ResolvedDelivery {
  pacingMs: number;
  retryAfterBaseMs: number;
  /** See DEFAULT_SETTLE_MS; env BUGBEACON_SETTLE_MS (tests shorten it). */
  settleMs: number;
  /** The test target, unchecked (the backend checks it). */
  testTarget: string | undefined;
}

/** Validates the delivery options and reads their environment variables, once. */
export function resolveDeliveryOptions(options: DeliveryOptions, env: NodeJS.ProcessEnv): ResolvedDelivery {
  for (const key of ["prefix", "testRepo"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "string") throw new InvalidOptionError(key, v, "a string");
  }
  for (const key of ["requireToken", "open", "dedupe", "dryRun", "flushOnStart"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "boolean") throw new InvalidOptionError(key, v, "true or false");
  }
  // One rule for every backend: an array of label (tag) names, never a string taken apart letter by letter.
  validateLabels(options.labels, "labels");
  if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new InvalidOptionError("timeoutMs", options.timeoutMs, "a positive whole number of milliseconds");
  }
  if (options.onDuplicate !== undefined && !["count", "react", "comment", "new", "skip"].includes(options.onDuplicate)) {
    throw new InvalidOptionError("onDuplicate", options.onDuplicate, '"count", "react", "comment", "new" or "skip"');
  }
  if (options.seenAgainEvery !== undefined && !(Number.isInteger(options.seenAgainEvery) && options.seenAgainEvery >= 0)) {
    throw new InvalidOptionError("seenAgainEvery", options.seenAgainEvery, "a whole number of milliseconds (0 or more), e.g. 86400000 for a day");
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new InvalidOptionError("fetch", options.fetch, "a fetch function (input, init) => Promise<Response>");
  }
  if (options.onClosed !== undefined && options.onClosed !== "reopen" && options.onClosed !== "new") {
    throw new InvalidOptionError("onClosed", options.onClosed, '"reopen" or "new"');
  }
  if (options.pacingMs !== undefined && !(Number.isInteger(options.pacingMs) && options.pacingMs >= 0)) {
    throw new InvalidOptionError("pacingMs", options.pacingMs, "a whole number of milliseconds (0 or more)");
  }
  if (options.retryAfterBaseMs !== undefined && !(Number.isInteger(options.retryAfterBaseMs) && options.retryAfterBaseMs >= 0)) {
    throw new InvalidOptionError("retryAfterBaseMs", options.retryAfterBaseMs, "a whole number of milliseconds (0 or more)");
  }
  if (options.spoolDir !== undefined && (typeof options.spoolDir !== "string" || options.spoolDir === "")) {
    throw new InvalidOptionError("spoolDir", options.spoolDir, "a folder path");
  }
  return {
    pacingMs: resolvePacingMs(options, env),
    retryAfterBaseMs: resolveRetryBaseMs(options, env),
    settleMs: envMilliseconds(env, "BUGBEACON_SETTLE_MS", 500) ?? DEFAULT_SETTLE_MS,
    testTarget: options.testRepo ?? (env.BUGBEACON_TEST_REPO || undefined),
  };
}
