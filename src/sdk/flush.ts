import type { FlushSummary } from "../delivery/pipeline.js";
import { checkKnownKeys } from "../_internal/validate-options.js";
import { InvalidOptionError } from "../errors.js";
import { getHelper, OPTION_KEYS, type HelperRegistry } from "./get-helper.js";

/**
 * Sends the reports waiting in the spool (oldest first) with a helper for `backend` (default "github")
 * made from `options`. Reports queued by another backend stay queued for a flush with that one.
 * @example
 * const summary = await flush(); // { sent, merged, queued, failed, quarantined, counted }
 */
export function flush<K extends keyof HelperRegistry = "github">(
  options: HelperRegistry[K]["options"] & { backend?: K; onProgress?: (done: number, total: number) => void } = {},
): Promise<FlushSummary> {
  if (typeof options !== "object" || options === null) throw new InvalidOptionError("options", options, "an object like { onProgress }");
  const { onProgress, backend, ...helperOptions } = options;
  const name = (backend ?? "github") as K;
  if (Object.hasOwn(OPTION_KEYS, name)) checkKnownKeys(options, [...OPTION_KEYS[name as keyof typeof OPTION_KEYS], "backend", "onProgress"], "flush");
  if (onProgress !== undefined && typeof onProgress !== "function") throw new InvalidOptionError("onProgress", onProgress, "a function (done, total) => void");
  // No background flush beside this one: it would send reports this summary does not count, on timers that
  // do not hold the process open (a report left claimed under this pid when the process exits).
  return getHelper(name, { ...helperOptions, flushOnStart: false } as HelperRegistry[K]["options"]).flush(onProgress ? { onProgress } : {});
}
