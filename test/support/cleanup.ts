import type { ChildProcess } from "node:child_process";

/**
 * What a test started that may outlive it: child processes and in-process work (a CLI command run
 * in-process). After each test (test/support/setup.ts, and useFakeGitHub before it resets the fake)
 * `quiesce()` kills the children and waits for the work, so a test that timed out cannot act on the
 * next test's state.
 */
const children = new Set<ChildProcess>();
const work = new Set<Promise<unknown>>();

/** Kills `child` after the test if it is still running. */
export function trackChild<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once("exit", () => children.delete(child));
  child.once("error", () => children.delete(child));
  return child;
}

/** Waits for `promise` after the test (its result still goes to the caller). */
export function trackWork<T>(promise: Promise<T>): Promise<T> {
  const settled = promise.then(
    () => undefined,
    () => undefined,
  );
  work.add(settled);
  void settled.then(() => work.delete(settled));
  return promise;
}

export async function quiesce(workTimeoutMs = 20_000): Promise<void> {
  const running = [...children];
  for (const child of running) child.kill("SIGKILL");
  await Promise.all(running.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once("exit", r)))));
  if (work.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), workTimeoutMs)));
  const outcome = await Promise.race([Promise.all(work).then(() => "done" as const), late]);
  clearTimeout(timer);
  if (outcome === "late") throw new Error(`work a test started was still running ${workTimeoutMs} ms after the test ended`);
}
