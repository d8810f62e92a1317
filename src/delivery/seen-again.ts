/**
 * No floods: per identifier and machine, at most one "seen again" message per period (`seenAgainEvery`).
 * Occurrences in between are counted here, beside the identifier cache, and the count goes into the next
 * comment. Safe across processes sharing the folder, without a daemon:
 *
 *   <spoolDir>/seen-again/<identifier>.last      when this machine last created or commented (ISO)
 *   <spoolDir>/seen-again/<identifier>.counted   one line per counted occurrence: "<reportId> <ISO time>"
 *   <spoolDir>/seen-again/<identifier>.lock      held by the one process sending right now (see takeLock:
 *                                                 in the crash path a dead sender's lock is respected, so a
 *                                                 burst of crashes never opens a second issue)
 *
 * Appends are single small writes with O_APPEND (whole lines). The sender takes the counted lines by
 * renaming the file, so an occurrence is counted into exactly one comment; lines are counted by report id,
 * so a report counted twice (its process was killed before its spool file was removed) counts once, and
 * lines a sender took and never gave back (it died) go into the next message.
 */
import { appendFileSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isAlive } from "../_internal/process-alive.js";
import { writeFileAtomic } from "../_internal/atomic-write.js";

export const DEFAULT_SEEN_AGAIN_EVERY_MS = 24 * 60 * 60_000;
/** A lock older than this belongs to a sender that died; it is broken. */
const STALE_LOCK_MS = 30_000;
const SAFE_IDENTIFIER = /^md5\.[0-9a-f]{32}$/;

export type SeenAgainSlot =
  /** Within the period: the occurrence was counted; send nothing. */
  | { action: "count" }
  /**
   * Due: send (create or comment), with `count` occurrences counted since `since`; then call `done`, with
   * `carried` false when what was sent did not carry the count (a new issue): the counted lines then wait
   * for the next message instead of being dropped.
   */
  | { action: "send"; count: number; since: string | undefined; done(outcome: SendOutcome, carried?: boolean): void };

/**
 * How a send ended: `sent` (confirmed), `failed` (it never reached GitHub), or `uncertain` (the answer was
 * lost). An uncertain send counts as sent for the period, so no other process sends meanwhile; the counted
 * lines go back, so no occurrence is lost (if the message did arrive, the next one counts them again).
 */
export type SendOutcome = "sent" | "failed" | "uncertain";

export interface SeenAgain {
  /**
   * For one occurrence: count it, or send. By default "send" when this machine sent nothing about the
   * identifier within the period; with `unlessSentAfter`, "send" unless it sent something after that time
   * (for a new issue or a regression, which are news whatever the period).
   */
  take(identifier: string, reportId: string, options?: { unlessSentAfter?: number; breakDeadLocks?: boolean }): SeenAgainSlot;
}

export function seenAgain(spoolDir: string, everyMs: number, now: () => number = Date.now): SeenAgain {
  const dir = join(spoolDir, "seen-again");
  return {
    take(identifier, reportId, options = {}) {
      if (!SAFE_IDENTIFIER.test(identifier)) return { action: "send", count: 0, since: undefined, done: () => {} };
      const file = (ext: string) => join(dir, `${identifier}.${ext}`);
      const count = (): SeenAgainSlot => {
        try {
          mkdirSync(dir, { recursive: true });
          appendFileSync(file("counted"), `${reportId} ${new Date(now()).toISOString()}\n`, { mode: 0o600 });
          return { action: "count" };
        } catch {
          return { action: "send", count: 0, since: undefined, done: () => {} }; // cannot count: send it
        }
      };
      const recent = (): boolean => {
        const last = readLast(file("last"));
        if (last === undefined) return false;
        if (options.unlessSentAfter !== undefined) return last >= options.unlessSentAfter;
        return now() - last < everyMs && last <= now() + 60_000;
      };
      if (recent()) return count();
      const lock = takeLock(dir, file("lock"), now, options.breakDeadLocks === true);
      if (lock === undefined) return count(); // another process is sending this one right now
      if (recent()) {
        lock();
        return count();
      }
      const taken = `${file("counted")}.${process.pid}.taken`;
      let lines: string[] = [];
      try {
        renameSync(file("counted"), taken);
        lines = readFileSync(taken, "utf8").split("\n").filter(Boolean);
      } catch {
        lines = [];
      }
      // Lines a sender took and never gave back (it died mid-send) go into this message instead of being lost.
      const orphans = orphanedTakes(dir, identifier);
      for (const orphan of orphans) lines.push(...orphan.lines);
      const seen = new Map<string, string>();
      for (const line of lines) {
        const [id, at] = line.split(" ");
        if (id && id !== reportId && !seen.has(id)) seen.set(id, at ?? "");
      }
      const times = [...seen.values()].filter(Boolean).sort();
      return {
        action: "send",
        count: seen.size,
        since: times[0],
        done(outcome, carried = outcome === "sent") {
          try {
            if (outcome !== "failed") writeFileAtomic(file("last"), new Date(now()).toISOString(), { mode: 0o600 });
            if (!(outcome === "sent" && carried) && lines.length > 0) appendFileSync(file("counted"), `${lines.join("\n")}\n`, { mode: 0o600 });
            unlinkQuietly(taken);
            for (const orphan of orphans) unlinkQuietly(orphan.path);
          } finally {
            lock();
          }
        },
      };
    },
  };
}

function readLast(path: string): number | undefined {
  try {
    const t = Date.parse(readFileSync(path, "utf8").trim());
    return Number.isNaN(t) ? undefined : t;
  } catch {
    return undefined;
  }
}

/** Takes the lock file, breaking one left by a dead sender; returns its release, or undefined when held. */
/**
 * Takes the lock file (created whole, with the holder's pid, by a hard link: never seen empty), or returns
 * undefined when it is held. A lock of a live sender is held until it is 30 s old. A lock of a sender that
 * died is broken at once only when `breakDead`: a flush, which has time to look up what arrived; the crash
 * path counts instead (the dead sender's report waits in the spool, and breaking the lock in a burst could
 * only open a second issue).
 */
function takeLock(dir: string, path: string, now: () => number, breakDead: boolean): (() => void) | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    const temp = `${path}.${process.pid}.tmp`;
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(temp, String(process.pid), { mode: 0o600 });
      linkSync(temp, path);
      return () => unlinkQuietly(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
      try {
        const holder = Number(readFileSync(path, "utf8"));
        const fresh = now() - statSync(path).mtimeMs < STALE_LOCK_MS;
        if (fresh && !(breakDead && !isAlive(holder))) return undefined;
        unlinkSync(path);
      } catch {
        // Released meanwhile: try again.
      }
    } finally {
      unlinkQuietly(temp);
    }
  }
  return undefined;
}

/** `<identifier>.counted.<pid>.taken` files of processes that are gone, with their lines. */
function orphanedTakes(dir: string, identifier: string): Array<{ path: string; lines: string[] }> {
  const prefix = `${identifier}.counted.`;
  const found: Array<{ path: string; lines: string[] }> = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return found;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".taken")) continue;
    const pid = Number(name.slice(prefix.length, -".taken".length));
    if (pid === process.pid || isAlive(pid)) continue;
    try {
      found.push({ path: join(dir, name), lines: readFileSync(join(dir, name), "utf8").split("\n").filter(Boolean) });
    } catch {
      // Taken by another sender meanwhile.
    }
  }
  return found;
}


function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
