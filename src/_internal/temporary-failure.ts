/**
 * Whether a failed request (Octokit, fetch, git's HTTP) is a temporary failure worth running again, and its
 * name in a few words. Octokit reports a failed fetch as status 500 with the system error in the cause
 * chain, so the cause is read first: a refused connection is called one, never "HTTP 500".
 */

/** System error codes of a request that may work when tried again, in words. */
const CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed for now",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ETIMEDOUT: "connection timed out",
  ENETUNREACH: "network unreachable",
  EHOSTUNREACH: "host unreachable",
  UND_ERR_SOCKET: "connection closed",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_HEADERS_TIMEOUT: "no answer in time",
  UND_ERR_BODY_TIMEOUT: "no answer in time",
};

/** Each error in a cause chain (fetch wraps the system error twice), at most 6 deep. */
function chain(error: unknown): Array<{ code?: unknown; name?: unknown; status?: unknown; message?: unknown; response?: unknown }> {
  const out = [];
  let current: unknown = error;
  for (let i = 0; i < 6 && typeof current === "object" && current !== null; i++) {
    out.push(current as { code?: unknown; name?: unknown; status?: unknown; message?: unknown; response?: unknown });
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

/**
 * `"connection refused (ECONNREFUSED)"`, `"GitHub answered 503"`, `"rate limited (429)"`, `"no answer in
 * time (timeout)"`, ... for a temporary failure; undefined for anything else (a 401, a 404, a bug).
 */
export function temporaryFailure(error: unknown): string | undefined {
  const errors = chain(error);
  for (const e of errors) {
    if (typeof e.code === "string" && Object.hasOwn(CODES, e.code)) return `${CODES[e.code]} (${e.code})`;
  }
  if (errors.some((e) => e.name === "TimeoutError" || e.name === "AbortError")) return "no answer in time (timeout)";
  const top = errors[0];
  const status = typeof top?.status === "number" ? top.status : undefined;
  if (status === undefined) return undefined;
  const response = top?.response as { headers?: Record<string, unknown> } | undefined;
  const message = typeof top?.message === "string" ? top.message : "";
  if (status === 429 || (status === 403 && (response?.headers?.["x-ratelimit-remaining"] === "0" || /rate limit/i.test(message)))) return `rate limited (${status})`;
  // Octokit's 500 without a response is a fetch that failed for a reason not named above.
  if (status === 500 && response === undefined) return `no answer (${message.slice(0, 100) || "the request failed"})`;
  if (status >= 500) return `GitHub answered ${status}`;
  return undefined;
}
