/**
 * A state kept write-ahead: every change is an entry handed to the journal before it is applied, and a
 * restart rebuilds the state by applying the journal's entries again through the same `apply`. The relay's
 * report counter (counter.ts) and its monitors' book (monitors.ts) are both this; free of I/O and of the
 * clock (the journal function stores the entry; the caller passes `now`).
 */
export abstract class Journaled<E extends { seq: number }> {
  /** True while `replay` applies entries a killed process wrote (an intent seen then may have landed). */
  protected replaying = false;
  /** The last entry's number; each new entry takes the next. */
  protected seq = 0;

  constructor(private readonly journal: (entry: E) => void) {}

  protected abstract apply(entry: E): void;

  /** Rebuilds the state from a journal; returns how many entries it applied. */
  replay(entries: Iterable<E>): number {
    this.replaying = true;
    let n = 0;
    try {
      for (const e of entries) {
        this.apply(e);
        this.seq = Math.max(this.seq, e.seq);
        n++;
      }
    } finally {
      this.replaying = false;
    }
    return n;
  }

  /** Journals `entry` (stored when the journal function returns), then applies it. */
  protected write(entry: E): void {
    this.journal(entry);
    this.apply(entry);
  }
}
