/**
 * Deadlines that hold. `fetch` follows a request's signal through a weak reference (undici's Request), and
 * `AbortSignal.timeout` and `AbortSignal.any` hold their sources weakly too: after a garbage collection at
 * the wrong moment the abort never reaches the request, and the wait outlives its deadline
 * (nodejs/node#55428, nodejs/undici#4984). In the crash path's sender that meant a report held until the app
 * killed it, doubling a crash's exit time. Here a timer holds the controller, and the work is raced against
 * it: the deadline ends the wait whether or not the request saw the abort.
 */

/** The reason a deadline gives, as `AbortSignal.timeout` gives it. */
function timeoutReason(): Error {
  return new DOMException("The operation was aborted due to timeout", "TimeoutError");
}

/**
 * Runs `work` with a signal that aborts after `ms` or when any of `outer` aborts, and rejects with the
 * signal's reason at that moment even if `work` has not noticed. The timer does not hold the process open
 * (as `AbortSignal.timeout`); what `work` waits on does.
 */
export async function withDeadline<T>(ms: number, outer: ReadonlyArray<AbortSignal | null | undefined>, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const sources = outer.filter((s): s is AbortSignal => s !== null && s !== undefined);
  const follow = (source: AbortSignal) => () => controller.abort(source.reason);
  const listeners = sources.map((source) => [source, follow(source)] as const);
  for (const [source, listener] of listeners) {
    if (source.aborted) controller.abort(source.reason);
    else source.addEventListener("abort", listener, { once: true });
  }
  const timer = setTimeout(() => controller.abort(timeoutReason()), Math.max(1, ms));
  timer.unref?.();
  const ended = new Promise<never>((_, reject) => {
    const fail = () => reject(controller.signal.reason);
    if (controller.signal.aborted) fail();
    else controller.signal.addEventListener("abort", fail, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), ended]);
  } finally {
    clearTimeout(timer);
    for (const [source, listener] of listeners) source.removeEventListener("abort", listener);
  }
}

/** A signal that aborts after `ms`, held by its own timer (so it fires even if nothing else holds the signal). */
export function deadlineSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(timeoutReason()), Math.max(1, ms)).unref?.();
  return controller.signal;
}
