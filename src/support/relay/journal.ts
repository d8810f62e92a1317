/**
 * The relay's write-ahead journal: one JSON line per counter change, appended to
 * `<state>/relay/journal.jsonl` before the change is applied and before any answer depends on it. An
 * append is one write(2) (it survives a kill of the process at once); `durable()` resolves once what was
 * appended is fsynced (one fdatasync for every append that waited on it, so a burst costs one sync).
 * At start the journal is read back (a torn last line, a kill mid-write, is dropped) and compacted to one
 * snapshot line: what each report said is then only in the counters. While running, `compact` does the
 * same (the relay calls it every hour, and after 100,000 lines or twice as many as the report ids it remembers).
 */
import { closeSync, fdatasync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { JournalEntry } from "./counter.js";

/** Lines of the report counter by default; the monitors' book (monitors.ts) keeps its own file with its own entries. */
export class Journal<E = JournalEntry> {
  private fd: number;
  /** Lines appended since the journal was opened or last compacted. */
  lines = 0;
  private syncing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  readonly path: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.path = join(dir, "journal.jsonl");
    this.fd = openSync(this.path, "a", 0o600);
  }

  /** Every entry written by earlier runs, in order; unreadable lines are reported and skipped. */
  static read<E = JournalEntry>(dir: string, onBad: (line: number, problem: string) => void): E[] {
    let text: string;
    try {
      text = readFileSync(join(dir, "journal.jsonl"), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const lines = text.split("\n");
    const out: E[] = [];
    for (const [i, line] of lines.entries()) {
      if (line === "") continue;
      try {
        out.push(JSON.parse(line) as E);
      } catch {
        // The last line may be torn by a kill mid-write: it was never acknowledged.
        if (i < lines.length - 1 || !text.endsWith("\n")) onBad(i + 1, "not JSON (a write cut short)");
      }
    }
    return out;
  }

  /**
   * Replaces the journal by `entries` (a snapshot): written to a new file, synced, then renamed over the
   * old one, so a kill at any moment leaves either the old journal or the new one. Call before `new Journal`.
   */
  static rewrite<E = JournalEntry>(dir: string, entries: E[]): void {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, "journal.jsonl.tmp");
    const fd = openSync(tmp, "w", 0o600);
    try {
      const text = Buffer.from(entries.map((e) => `${JSON.stringify(e)}\n`).join(""));
      let off = 0;
      while (off < text.length) off += writeSync(fd, text, off);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, "journal.jsonl"));
  }

  append(entry: E): void {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    let off = 0;
    while (off < line.length) off += writeSync(this.fd, line, off);
    this.lines++;
  }

  /**
   * Replaces the journal while it is in use by `entries` (a snapshot of everything appended so far), in one
   * synchronous step: no append comes between. The snapshot is synced before it replaces the old file, so
   * what was appended and not yet synced is on stable storage in it; a sync still running on the old file
   * finishes there, and that file is closed after it.
   */
  compact(entries: E[]): void {
    const dir = dirname(this.path);
    Journal.rewrite(dir, entries);
    const old = this.fd;
    this.fd = openSync(this.path, "a", 0o600);
    this.lines = 0;
    const running = [this.syncing, this.queued].filter((p): p is Promise<void> => p !== undefined);
    void Promise.allSettled(running).then(() => {
      try {
        closeSync(old);
      } catch {
        // Closed already: nothing to release.
      }
    });
  }

  /** Resolves once everything appended before the call is on stable storage. */
  durable(): Promise<void> {
    if (this.syncing === undefined) {
      this.syncing = new Promise<void>((resolve, reject) => fdatasync(this.fd, (error) => (error ? reject(error) : resolve()))).finally(() => (this.syncing = undefined));
      return this.syncing;
    }
    // A sync is running and may not cover the latest appends: one more after it, shared by every waiter.
    this.queued ??= this.syncing.then(() => {
      this.queued = undefined;
      return this.durable();
    });
    return this.queued;
  }

  close(): void {
    closeSync(this.fd);
  }
}
