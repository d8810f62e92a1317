/**
 * Whether a person is answering a bugbeacon prompt right now, and when they last finished. The crash
 * handlers' time limit is meant for sending, not for reading a preview: time spent answering does not
 * count. No dependencies.
 */
let open = 0;
let lastEnded = 0;

/** True while a bugbeacon prompt waits for the person. */
export function personIsAnswering(): boolean {
  return open > 0;
}

/** When the last prompt ended (ms since the epoch), or 0 when none has run. */
export function lastAnswerEndedAt(): number {
  return lastEnded;
}

/** Marks `work` as "a person is answering" for as long as it runs. */
export async function whileAnswering<T>(work: () => Promise<T>): Promise<T> {
  open += 1;
  try {
    return await work();
  } finally {
    open -= 1;
    lastEnded = Date.now();
  }
}
