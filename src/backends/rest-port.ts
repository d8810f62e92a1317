/**
 * `createRest` as the root entry exports it: the client (./rest.ts: proxy-aware fetch, timeouts, pacing,
 * retries of reads) loads on the first call, not when an app imports bugbeacon.
 */
import type { ClientMode } from "../delivery/backend.js";
import type { Rest, RestSettings } from "./rest.js";

export { classifyRest, HttpStatusError } from "./rest-errors.js";
export type { Rest, RestSettings } from "./rest.js";

/** A small JSON-over-HTTP client for a backend of your own (docs/backends.md, "Writing a backend"). */
export async function createRest(settings: RestSettings, mode: ClientMode): Promise<Rest> {
  const rest = await import("./rest.js");
  return rest.createRest(settings, mode);
}
