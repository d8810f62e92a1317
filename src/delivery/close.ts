/**
 * `close(timeoutMs)`: wait for the reports in flight of every helper, then resolve. For servers on SIGTERM.
 * Helpers register here when created (weakly: a helper nobody holds and that sends nothing is forgotten).
 */

import { InvalidOptionError } from "../errors.js";

export interface Closable {
  close(timeoutMs?: number): Promise<void>;
}

export const DEFAULT_CLOSE_TIMEOUT_MS = 2000;

/** close()'s limit: a whole number of milliseconds, 0 or more (a typed error at the call otherwise). */
export function checkCloseTimeout(timeoutMs: unknown): void {
  if (!(typeof timeoutMs === "number" && Number.isInteger(timeoutMs) && timeoutMs >= 0)) {
    throw new InvalidOptionError("timeoutMs", timeoutMs, "a whole number of milliseconds to wait, 0 or more, e.g. 2000");
  }
}

const helpers = new Set<WeakRef<Closable>>();

export function registerClosable(helper: Closable): void {
  for (const ref of helpers) if (ref.deref() === undefined) helpers.delete(ref);
  helpers.add(new WeakRef(helper));
}

/**
 * Waits up to `timeoutMs` for the reports every helper is sending; what is not confirmed by then stays in
 * the spool for the next flush. Never rejects.
 * @example
 * process.on("SIGTERM", async () => { server.close(); await close(2000); process.exit(0); });
 */
export function close(timeoutMs: number = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
  checkCloseTimeout(timeoutMs);
  return closeAll(timeoutMs);
}

async function closeAll(timeoutMs: number): Promise<void> {
  const live = [...helpers].map((ref) => ref.deref()).filter((h): h is Closable => h !== undefined);
  await Promise.all(live.map((h) => h.close(timeoutMs).catch(() => {})));
}

/** Resolves after `ms` without keeping the process alive. */
export function unrefDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
