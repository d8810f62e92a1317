/**
 * The offline spool: reports that could not be sent wait here, one file each, for `flush()`.
 *
 *   <dir>/queue/<time>-<reportId>.json        waiting, oldest first by name
 *   <dir>/inflight/<pid>.<time>-<reportId>.json   claimed by a flushing process (atomic rename)
 *   <dir>/quarantine/<name>                   unreadable files, moved aside with a message
 *   <dir>/refused/<name> (+ <name>.why.txt)   reports the service refused for good (see DeliveryFailure.refused)
 *
 * Writes are atomic (src/_internal/atomic-write.ts: temporary file, fsync, rename), so a crash or `kill -9` leaves either the whole file
 * or none. A claim is a rename, so two flushing processes never send the same report. Claims left by a
 * dead process go back to the queue marked `uncertain`: that report may have arrived, and the flusher
 * checks before sending it again.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { isAlive } from "../_internal/process-alive.js";
import { type PathApi, writeFileAtomic } from "../_internal/atomic-write.js";
import { isBugbeaconError, SpoolError } from "../errors.js";
import type { OutgoingReport } from "../types.js";
import { LEGACY_BACKEND } from "./backend.js";

export const SPOOL_VERSION = 1 as const;


/** The shared report, as it waits in the spool, with its delivery state. */
export interface SpooledReport extends OutgoingReport {
  version: typeof SPOOL_VERSION;
  /** The backend that sends it (read as LEGACY_BACKEND when a file from an older version names none). */
  backend?: string;
  /** When the report was first queued (ISO). */
  queuedAt: string;
  attempts: number;
  /** True when an earlier attempt may have reached GitHub (its answer was lost). */
  uncertain: boolean;
  lastError?: string;
  /**
   * When the last attempt ended (ISO). A flusher whose index of the repository is older than this
   * looks the report up afresh: another process may have delivered it after the index was made.
   * Missing in files from older versions, which are then always looked up.
   */
  lastAttemptAt?: string;
  /**
   * Set when the last attempt got no answer at all (a timeout, a reset, a process that died or closed
   * mid-request): the service may still be carrying it out, so the next lookup waits until a while after it.
   */
  settleFrom?: string;
}

export interface Claimed {
  path: string;
  report: SpooledReport;
}

/** The user's cache folder for bugbeacon: XDG on Linux, Library/Caches on macOS, LOCALAPPDATA on Windows. */
export function defaultSpoolDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BUGBEACON_SPOOL_DIR) return env.BUGBEACON_SPOOL_DIR;
  if (process.platform === "win32") return join(env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local"), "bugbeacon", "Cache", "spool");
  if (process.platform === "darwin") return join(homedir(), "Library", "Caches", "bugbeacon", "spool");
  return join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "bugbeacon", "spool");
}

export class Spool {
  readonly queueDir: string;
  readonly inflightDir: string;
  readonly quarantineDir: string;

  constructor(readonly dir: string) {
    this.queueDir = join(dir, "queue");
    this.inflightDir = join(dir, "inflight");
    this.quarantineDir = join(dir, "quarantine");
  }

  /** Queues a report atomically; returns its path. */
  add(report: SpooledReport): string {
    const path = join(this.queueDir, fileName(report));
    inSpool(this.dir, () => writeAtomic(path, JSON.stringify(report)));
    return path;
  }

  /**
   * Write-ahead: writes a report straight into this process's claims (`inflight/<pid>.<name>`) before the
   * first byte of it goes out. No other flusher takes it while this process lives; if the process dies,
   * `recoverStale` puts it back in the queue marked uncertain and the next flush looks it up by report id.
   */
  addClaimed(report: SpooledReport): Claimed {
    const path = join(this.inflightDir, `${process.pid}.${fileName(report)}`);
    inSpool(this.dir, () => writeAtomic(path, JSON.stringify(report)));
    return { path, report };
  }

  /** A claim another process of the same app wrote (`addClaimed`), to deliver it; undefined when it is gone or unreadable. */
  readClaim(path: string): Claimed | undefined {
    if (dirname(path) !== this.inflightDir) return undefined;
    const report = this.readProblem(path);
    return typeof report === "string" ? undefined : { path, report };
  }

  /** Queue file names, oldest first. */
  pending(): string[] {
    return list(this.queueDir).filter((n) => n.endsWith(".json")).sort();
  }

  /** The queue file of a pending name. */
  queueFile(name: string): string {
    return join(this.queueDir, name);
  }

  /** A queued report, read without claiming it; undefined when it is gone or unreadable. */
  peek(name: string): SpooledReport | undefined {
    const report = this.readProblem(join(this.queueDir, name));
    return typeof report === "string" ? undefined : report;
  }

  /** Reports claimed by other processes that are alive (being sent right now). */
  claimsOfOthers(): Array<{ pid: number; file: string; report: SpooledReport | undefined }> {
    const out: Array<{ pid: number; file: string; report: SpooledReport | undefined }> = [];
    for (const name of list(this.inflightDir)) {
      const m = /^(\d+)\.(.+\.json)$/.exec(name);
      if (!m?.[1]) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || !isAlive(pid)) continue;
      const file = join(this.inflightDir, name);
      const report = this.readProblem(file);
      out.push({ pid, file, report: typeof report === "string" ? undefined : report });
    }
    return out;
  }

  /** Claims one queued report for this process, or undefined when another process took it first. */
  claim(name: string, onGarbage: (name: string, problem: string) => void): Claimed | undefined {
    inSpool(this.dir, () => mkdirSync(this.inflightDir, { recursive: true }));
    const target = join(this.inflightDir, `${process.pid}.${name}`);
    try {
      renameSync(join(this.queueDir, name), target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const problem = this.readProblem(target);
    if (typeof problem === "string") {
      mkdirSync(this.quarantineDir, { recursive: true });
      renameSync(target, join(this.quarantineDir, name));
      onGarbage(name, problem);
      return undefined;
    }
    return { path: target, report: problem };
  }

  /**
   * The service refused the report for good: it is moved to `<dir>/refused/`, with the reason beside it
   * (`<name>.why.txt`), for a person to read; no flush sends it again. Returns the new path.
   */
  setAside(claimed: Claimed, reason: string): string {
    const dir = join(this.dir, "refused");
    mkdirSync(dir, { recursive: true });
    const name = basename(claimed.path).replace(/^\d+\./, "");
    const target = join(dir, name);
    writeFileSync(`${target}.why.txt`, `${reason}\n`);
    renameSync(claimed.path, target);
    return target;
  }

  /** The report went out: forget it. (Already gone is fine: `close()` may have released it meanwhile.) */
  complete(claimed: Claimed): void {
    try {
      unlinkSync(claimed.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }

  /** Sending failed: back to the queue with what happened. */
  release(claimed: Claimed, update: Partial<SpooledReport>): string {
    const report = { ...claimed.report, ...update };
    const path = join(this.queueDir, queueNameOfClaim(claimed.path));
    inSpool(this.dir, () => writeAtomic(path, JSON.stringify(report)));
    try {
      unlinkSync(claimed.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    return path;
  }

  /**
   * `close()` ran out of time: this process's claims go back to the queue marked uncertain (their answer
   * may still come; the next flush looks them up before sending). Returns how many.
   */
  releaseOwnClaims(): number {
    const prefix = `${process.pid}.`;
    let released = 0;
    for (const name of list(this.inflightDir)) {
      if (!name.startsWith(prefix) || !name.endsWith(".json")) continue;
      const path = join(this.inflightDir, name);
      const report = this.readProblem(path);
      if (typeof report === "string") continue;
      try {
        const now = new Date().toISOString();
        this.release({ path, report }, { uncertain: true, lastAttemptAt: now, settleFrom: now });
        released += 1;
      } catch {
        // Finished meanwhile.
      }
    }
    return released;
  }

  /** Claims left by processes that are gone go back to the queue, marked uncertain. Returns how many. */
  recoverStale(): number {
    let recovered = 0;
    for (const name of list(this.inflightDir)) {
      const m = /^(\d+)\.(.+\.json)$/.exec(name);
      if (!m?.[1] || !m[2]) continue;
      if (isAlive(Number(m[1]))) continue;
      const from = join(this.inflightDir, name);
      const report = this.readProblem(from);
      try {
        if (typeof report === "string") {
          renameSync(from, join(this.queueDir, m[2]));
        } else {
          const now = new Date().toISOString();
          writeAtomic(join(this.queueDir, m[2]), JSON.stringify({ ...report, uncertain: true, lastAttemptAt: now, settleFrom: now }));
          unlinkSync(from);
        }
        recovered += 1;
      } catch {
        // Another flusher recovered it first.
      }
    }
    return recovered;
  }

  /** The parsed report, or a description of what is wrong with the file. */
  private readProblem(path: string): SpooledReport | string {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      return `not valid JSON (${(error as Error).message})`;
    }
    const r = value as Partial<SpooledReport>;
    if (typeof r !== "object" || r === null) return "not an object";
    if (r.version !== SPOOL_VERSION) return `spool format version ${JSON.stringify(r.version)}, expected ${SPOOL_VERSION}`;
    for (const key of ["repo", "title", "body", "identifier", "reportId", "queuedAt"] as const) {
      if (typeof r[key] !== "string") return `field ${key} is missing or not a string`;
    }
    return { labels: [], assignees: [], attempts: 0, uncertain: false, ...r, backend: typeof r.backend === "string" && r.backend !== "" ? r.backend : LEGACY_BACKEND } as SpooledReport;
  }
}

/** Spool files hold reports (possibly private): whole or nothing, readable by the owner only. */
function writeAtomic(path: string, text: string): void {
  writeFileAtomic(path, text, { mode: 0o600 });
}

/** Runs a file system step on the spool; its failure becomes a `SpoolError` naming the spool folder. */
function inSpool<T>(dir: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (isBugbeaconError(error)) throw error;
    throw new SpoolError(dir, { cause: error });
  }
}

/**
 * The queue name of a claimed file: `<dir>/inflight/<pid>.<name>` → `<name>`. Takes the path module so
 * that Windows paths (`C:\\...\\inflight\\123.name.json`) are tested on any platform.
 */
export function queueNameOfClaim(claimedPath: string, path: PathApi = { basename, dirname, join }): string {
  return path.basename(claimedPath).replace(/^\d+\./, "");
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function fileName(report: SpooledReport): string {
  return `${report.queuedAt.replace(/[:.]/g, "-")}-${safeName(report.reportId)}.json`;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
}

