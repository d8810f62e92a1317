import type { FlushSummary } from "../delivery/pipeline.js";
import { getHelper, type HelperRegistry } from "./get-helper.js";

/**
 * Sends the reports waiting in the spool (oldest first) with a helper for `backend` (default "github")
 * made from `options`. Reports queued by another backend stay queued for a flush with that one.
 * @example
 * const summary = await flush(); // { sent, merged, queued, failed, quarantined, counted }
 */
export function flush<K extends keyof HelperRegistry = "github">(
  options: HelperRegistry[K]["options"] & { backend?: K; onProgress?: (done: number, total: number) => void } = {},
): Promise<FlushSummary> {
  const { onProgress, backend, ...helperOptions } = options;
  // No background flush beside this one: it would send reports this summary does not count, on timers that
  // do not hold the process open (a report left claimed under this pid when the process exits).
  return getHelper((backend ?? "github") as K, { ...helperOptions, flushOnStart: false } as HelperRegistry[K]["options"]).flush(onProgress ? { onProgress } : {});
}
