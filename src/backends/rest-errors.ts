/**
 * What the REST client (./rest.ts) throws and how its failures are classified: on the root import path (the
 * root exports them for an app's own backends) and shared by every file of the package, so `instanceof`
 * holds whichever file threw. The client itself loads on first use (./rest-port.ts).
 */
import { causeCode, neverSent } from "./network-errors.js";
import { DeliveryFailure } from "../delivery/backend.js";
import { isMarked, markInstance } from "../_internal/brand.js";

const STATUS_MARK = "bugbeacon.http-status-error";

/** An HTTP answer that was not 2xx. */
export class HttpStatusError extends Error {
  /** Any copy's HttpStatusError (the ES module and CommonJS builds in one process): see src/_internal/brand.ts. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isMarked(this, HttpStatusError, STATUS_MARK, value);
  }
  override name = "HttpStatusError";
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly retryAfterSeconds: number | undefined,
    readonly detail: string,
  ) {
    super(`${method} ${path} answered ${status}${detail ? `: ${detail}` : ""}`);
    markInstance(this, STATUS_MARK);
  }
}

/** What a failed request to `service` means, in words the user can act on. */
export function classifyRest(error: unknown, service: string, tokenVariable: string, target: string): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  if (!(error instanceof HttpStatusError)) {
    const unsent = neverSent(error);
    const message = error instanceof Error ? error.message : String(error);
    return new DeliveryFailure(`no answer from ${service} (${causeCode(error) ?? message})`, true, !unsent, undefined);
  }
  const { status } = error;
  if (status >= 500) return new DeliveryFailure(`${service} answered ${status}`, true, true, status);
  if (status === 429) {
    const after = error.retryAfterSeconds !== undefined ? `; it asks to wait ${error.retryAfterSeconds} s` : "";
    return new DeliveryFailure(`rate limited by ${service} (429${after})`, true, false, status);
  }
  if (status === 401) return new DeliveryFailure(`the token was refused (401): set a valid ${tokenVariable}, then run bugbeacon flush`, false, false, status);
  if (status === 403) return new DeliveryFailure(`the token may not create reports in this ${target} (403): give it the permission, then run bugbeacon flush`, false, false, status);
  if (status === 404) return new DeliveryFailure(`the ${target} was not found or the token cannot see it (404): check its name and the token's access, then run bugbeacon flush`, false, false, status);
  return new DeliveryFailure(`${service} refused the report (${status}${error.detail ? `: ${error.detail.slice(0, 120)}` : ""})`, false, false, status);
}
