/**
 * Whether a person is answering a bugbeacon prompt right now, and when they last finished. The crash
 * handlers' time limit is meant for sending, not for reading a preview: time spent answering does not
 * count. No dependencies.
 *
 * Process-wide, on `globalThis` under `Symbol.for(KEY)` like the crash handler's registry: the handler of an
 * ES module app runs in the root's ES module file, while a crash that comes before the report path was
 * imported loads its CommonJS build synchronously (../lazy-sync.ts), which has copies of its own of the
 * root's modules. With a module-local count the handler did not see the person answering the prompt that
 * copy drew, and gave up at its time limit while the question was on the screen.
 */
const KEY = "bugbeacon.prompt-activity";

interface Activity {
  /** Prompts waiting for the person now. */
  open: number;
  /** When the last one ended (ms since the epoch), 0 for never. */
  lastEnded: number;
}

function activity(): Activity {
  const slot = globalThis as Record<symbol, unknown>;
  const found = slot[Symbol.for(KEY)] as Activity | undefined;
  if (found !== undefined && typeof found === "object" && typeof found.open === "number") return found;
  const made: Activity = { open: 0, lastEnded: 0 };
  slot[Symbol.for(KEY)] = made;
  return made;
}

/** True while a bugbeacon prompt waits for the person. */
export function personIsAnswering(): boolean {
  return activity().open > 0;
}

/** When the last prompt ended (ms since the epoch), or 0 when none has run. */
export function lastAnswerEndedAt(): number {
  return activity().lastEnded;
}

/** Marks `work` as "a person is answering" for as long as it runs. */
export async function whileAnswering<T>(work: () => Promise<T>): Promise<T> {
  const state = activity();
  state.open += 1;
  try {
    return await work();
  } finally {
    state.open -= 1;
    state.lastEnded = Date.now();
  }
}
