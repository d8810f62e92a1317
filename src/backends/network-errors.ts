/**
 * What a failed request tells about the network. Octokit reports a failed fetch as status 500 with the
 * system error in the cause chain; only there can a request that never left (refused connection, unknown
 * host, a port fetch will not use) be told apart from one that may have arrived (timeout, reset).
 */

/** The system error code somewhere in an error's cause chain (fetch wraps it twice). */
export function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let i = 0; i < 5 && current !== undefined && current !== null; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The innermost cause's message (fetch's network errors say what failed only there). */
function causeMessage(error: unknown): string | undefined {
  let current: unknown = error;
  let message: string | undefined;
  for (let i = 0; i < 5 && current !== undefined && current !== null; i++) {
    if (current instanceof Error) message = current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return message;
}

const NEVER_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);

/** The request certainly did not reach the server: nothing there can have been created. */
export function neverSent(error: unknown): boolean {
  const code = causeCode(error);
  // fetch refuses some ports outright ("bad port") before connecting.
  return (code !== undefined && NEVER_SENT_CODES.has(code)) || causeMessage(error) === "bad port";
}
