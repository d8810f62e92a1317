/**
 * One `bugbeacon serve` process per state folder, and who that process is. The folder holds the process's
 * pending deliveries and its kept clones (wiped at start), so two processes sharing one would undo each
 * other's work: the second is refused with a message that names the first.
 *
 * - `owner.json` names the live owner (host, pid, run id). It is created whole or not at all (a hard link,
 *   through the atomic write), and its modification time is refreshed every `heartbeatMs`. An owner on this
 *   host whose process is gone, or one on any host silent for `staleMs`, is taken over; a live one on
 *   this host is refused at once, a fresh one on another host (a shared volume) is waited for until it is
 *   stale, then taken over, or refused if it keeps beating.
 * - `replica` is a random id made once and kept: the same replica across its restarts. Its locks in the
 *   database repository carry it (issue-lock.ts), so a restarted replica takes over the locks its killed
 *   predecessor held instead of waiting out their lease. That is safe because of the claim: while this
 *   process runs, no other process has this replica id.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, unlinkSync, utimesSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../_internal/atomic-write.js";
import { isAlive } from "../../_internal/process-alive.js";
import { CliUsageError, FileExistsError } from "../../errors.js";

export interface StateClaim {
  /** Kept in the folder across restarts. */
  replica: string;
  /** This process's own id. */
  run: string;
  /** Stops the heartbeat and removes `owner.json` if it is still this process's. */
  release(): void;
}

export interface StateClaimOptions {
  /** @default 10000 */
  heartbeatMs?: number;
  /** An owner whose file is older than this is gone. @default 30000 */
  staleMs?: number;
}

interface Owner {
  host: string;
  pid: number;
  run: string;
  since: string;
}

export async function claimStateDir(dir: string, options: StateClaimOptions = {}): Promise<StateClaim> {
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const ownerFile = join(dir, "owner.json");
  const me: Owner = { host: hostname(), pid: process.pid, run: randomBytes(8).toString("hex"), since: new Date().toISOString() };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "an error";
    throw new CliUsageError("--state-dir", `cannot create the state folder ${dir} (${code}): pass --state-dir (or BUGBEACON_SERVE_STATE_DIR) a folder this process may write.`);
  }
  const giveUpAt = Date.now() + staleMs + heartbeatMs;
  for (;;) {
    try {
      writeFileAtomic(ownerFile, `${JSON.stringify(me)}\n`, { mode: 0o600, overwrite: false });
      break;
    } catch (error) {
      if (!(error instanceof FileExistsError)) throw error;
    }
    const held = readOwner(ownerFile);
    if (held === "gone") continue;
    const age = Date.now() - held.mtimeMs;
    const deadHere = held.owner !== undefined && held.owner.host === me.host && !isAlive(held.owner.pid);
    if (deadHere || age > staleMs) {
      // Its owner is gone: remove that file (only if it is still the one judged) and claim again.
      const again = readOwner(ownerFile);
      if (again !== "gone" && again.owner?.run === held.owner?.run) removeQuietly(ownerFile);
      continue;
    }
    const who = held.owner !== undefined ? `pid ${held.owner.pid} on ${held.owner.host}, since ${held.owner.since}` : "another process";
    if (held.owner?.host === me.host || Date.now() > giveUpAt) {
      throw new CliUsageError("--state-dir", `the state folder ${dir} is in use by another bugbeacon serve (${who}): give each process its own --state-dir.`);
    }
    // On another host (a shared volume): a live owner keeps its file fresh; wait until it stops.
    await new Promise((r) => setTimeout(r, Math.min(1000, heartbeatMs)));
  }

  const replicaFile = join(dir, "replica");
  let replica: string;
  try {
    replica = readFileSync(replicaFile, "utf8").trim();
    if (!/^[0-9a-f]{16,64}$/.test(replica)) throw new Error("not a replica id");
  } catch {
    replica = randomBytes(8).toString("hex");
    writeFileAtomic(replicaFile, `${replica}\n`, { mode: 0o600 });
  }

  const beat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(ownerFile, now, now);
    } catch {
      // Removed by hand: the next start claims afresh.
    }
  }, heartbeatMs);
  beat.unref();
  let released = false;
  return {
    replica,
    run: me.run,
    release() {
      if (released) return;
      released = true;
      clearInterval(beat);
      const held = readOwner(ownerFile);
      if (held !== "gone" && held.owner?.run === me.run) removeQuietly(ownerFile);
    },
  };
}

function readOwner(file: string): { owner: Owner | undefined; mtimeMs: number } | "gone" {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return "gone";
  }
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as Partial<Owner>;
    if (typeof value.host === "string" && typeof value.pid === "number" && typeof value.run === "string" && typeof value.since === "string") {
      return { owner: value as Owner, mtimeMs };
    }
  } catch {
    // Unreadable: judged by its age alone.
  }
  return { owner: undefined, mtimeMs };
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Gone already.
  }
}
