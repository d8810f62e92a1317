import { getHelper } from "../../sdk/get-helper.js";
import type { FlushSummary } from "./github-helper.js";
import type { GitHubHelperOptions } from "./options.js";

/**
 * Sends the reports waiting in the spool (oldest first) with a GitHub helper made from `options`.
 * @example
 * const summary = await flush(); // { sent, merged, queued, failed, quarantined }
 */
export function flush(options: GitHubHelperOptions & { onProgress?: (done: number, total: number) => void } = {}): Promise<FlushSummary> {
  const { onProgress, ...helperOptions } = options;
  return getHelper("github", helperOptions).flush(onProgress ? { onProgress } : {});
}
