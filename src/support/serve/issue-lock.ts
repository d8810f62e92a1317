/**
 * One triage of a problem at a time across every `serve` replica, held in the database repository itself
 * (the only thing replicas share besides GitHub): a lock is a ref, `refs/bugbeacon/locks/<hash of key>`,
 * created by a push; the key is the repository and the report's identifier (its issues are the ones a run
 * may comment on, label or close), or the issue number for an issue without one. git updates a ref atomically and refuses to replace it by an unrelated commit, so of
 * two replicas pushing at once exactly one gets it; the other waits until it is gone. Triage is idempotent
 * when run again in turn (its GitHub writes check their markers first), but two runs at the same moment
 * could both find no marker and both comment: the lock makes concurrent runs run in turn.
 *
 * A replica that dies holding a lock does not block the issue for ever: a lock older than the lease is
 * taken over (compare-and-swap on the old value, so only one replica takes it over). A lock commit names
 * its holder (`holder`: the replica, kept across restarts, and the process's run), so a replica restarted
 * after a kill takes over at once the locks its previous run left, instead of waiting out their lease:
 * the state-folder claim (state-claim.ts) makes sure no other live process has its replica id.
 * Lock refs are outside refs/heads: clones of the database do not fetch them.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import { TriageStepError } from "../../errors.js";
import { git } from "../git-sync.js";

/** The empty tree: every git repository has it without storing it. */
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

export interface IssueLocks {
  /** Runs `work` holding the lock of `key` in `remote`. */
  withLock<T>(remote: string, key: string, gitConfig: string[], work: () => Promise<T>): Promise<T>;
  /**
   * Runs `work` holding the locks of all `keys` at once, taken in one atomic push (all or none), or
   * returns `busy` without running it when any of them is held (the caller then takes them one by one).
   */
  withLocksIfFree<T>(remote: string, keys: string[], gitConfig: string[], work: () => Promise<T>): Promise<{ done: T } | "busy">;
  dispose(): Promise<void>;
}

export interface IssueLockOptions {
  /** A lock older than this is taken over. @default 600000 (10 minutes) */
  leaseMs?: number;
  /** Longest wait for a lock before giving up (a temporary failure: 503, GitHub may redeliver). @default 120000 */
  maxWaitMs?: number;
  /** First pause between two tries; doubles up to 8 times itself. @default 50 */
  pollMs?: number;
  /** Where the scratch repository (lock commits are made there) goes. @default the temp folder */
  parent?: string;
  /**
   * Who takes the locks: the replica (the same across restarts) and this process's run. A lock of the same
   * replica from another run is its dead predecessor's, taken over at once. Without it, only the lease.
   */
  holder?: { replica: string; run: string };
}

export function issueLocks(options: IssueLockOptions = {}): IssueLocks {
  const leaseMs = options.leaseMs ?? 600_000;
  const maxWaitMs = options.maxWaitMs ?? 120_000;
  const pollMs = options.pollMs ?? 50;
  const holder = options.holder;
  // Trailers of every lock commit: who holds it (read back by a replica that finds it held).
  const signature = holder !== undefined ? `\n\nreplica: ${holder.replica}\nrun: ${holder.run}` : "";
  let scratch: Promise<{ dir: string }> | undefined;

  // A small local repository where lock commits are made before they are pushed.
  const local = () =>
    (scratch ??= (async () => {
      const dir = await mkdtemp(join(options.parent ?? tmpdir(), "bugbeacon-locks-"));
      await git(["init", "--quiet", "--bare", "--object-format=sha1", dir], { cwd: tmpdir() });
      return { dir };
    })());

  async function withLock<T>(remote: string, key: string, gitConfig: string[], work: () => Promise<T>): Promise<T> {
    const url = isAbsolute(remote) ? pathToFileURL(remote).href : remote;
    // Hashed: any key makes a valid ref name (a repository may be called ".github").
    const ref = refOf(key);
    const { dir } = await local();
    const opts = { cwd: dir, config: gitConfig };
    // Dated now (git's default): its age tells a stale lock from a held one.
    const mine = (
      await git(["commit-tree", EMPTY_TREE, "-m", `bugbeacon lock ${key} ${randomBytes(8).toString("hex")}${signature}`], { cwd: dir, config: ["user.name=bugbeacon", "user.email=bugbeacon@users.noreply.github.com"] })
    ).trim();
    const started = Date.now();
    let pause = pollMs;
    for (;;) {
      const taken = await tryPush(["push", "--quiet", "--porcelain", url, `${mine}:${ref}`], opts);
      if (taken) break;
      const held = (await git(["ls-remote", url, ref], opts)).split(/\s/)[0] ?? "";
      if (held !== "" && (await isStale(url, ref, held, opts))) {
        // Stale: its holder died. Take it over only if it still holds that value.
        if (await tryPush(["push", "--quiet", "--porcelain", `--force-with-lease=${ref}:${held}`, url, `${mine}:${ref}`], opts)) break;
      }
      if (Date.now() - started > maxWaitMs) {
        throw new TriageStepError(`another replica has been triaging ${key} for over ${Math.round(maxWaitMs / 1000)} s: redeliver the event later.`, { transient: true, code: "ERR_SERVE_LOCKED" });
      }
      await new Promise((r) => setTimeout(r, pause * (0.5 + Math.random())));
      pause = Math.min(pause * 2, pollMs * 8);
    }
    try {
      return await work();
    } finally {
      // Remove it only if it is still ours (a takeover after a lease expired is not undone).
      await tryPush(["push", "--quiet", "--porcelain", `--force-with-lease=${ref}:${mine}`, url, `:${ref}`], opts).catch(() => {
        // Could not remove it (the network failed): it expires after the lease.
      });
    }
  }

  async function withLocksIfFree<T>(remote: string, keys: string[], gitConfig: string[], work: () => Promise<T>): Promise<{ done: T } | "busy"> {
    const url = isAbsolute(remote) ? pathToFileURL(remote).href : remote;
    const refs = [...new Set(keys)].map(refOf);
    const { dir } = await local();
    const opts = { cwd: dir, config: gitConfig };
    const mine = (
      await git(["commit-tree", EMPTY_TREE, "-m", `bugbeacon lock of ${refs.length} ${randomBytes(8).toString("hex")}${signature}`], { cwd: dir, config: ["user.name=bugbeacon", "user.email=bugbeacon@users.noreply.github.com"] })
    ).trim();
    // A ref that exists is refused (not a fast-forward of it); --atomic makes the whole push fail then.
    if (!(await tryPush(["push", "--quiet", "--porcelain", "--atomic", url, ...refs.map((ref) => `${mine}:${ref}`)], opts))) return "busy";
    try {
      return { done: await work() };
    } finally {
      await tryPush(["push", "--quiet", "--porcelain", "--atomic", ...refs.map((ref) => `--force-with-lease=${ref}:${mine}`), url, ...refs.map((ref) => `:${ref}`)], opts).catch(() => {
        // As in withLock: a lock left behind is taken over after the lease.
      });
    }
  }

  /** Older than the lease, or left by an earlier run of this same replica (which is dead: see `holder`). */
  async function isStale(url: string, ref: string, sha: string, opts: { cwd: string; config: string[] }): Promise<boolean> {
    let shown: string;
    try {
      await git(["fetch", "--quiet", "--no-tags", url, `${ref}`], opts);
      shown = await git(["show", "-s", "--format=%ct%n%B", sha], opts);
    } catch {
      // Gone meanwhile, or unreadable: not stale.
      return false;
    }
    const [time = "", ...message] = shown.split("\n");
    if (holder !== undefined) {
      const text = message.join("\n");
      const replica = /^replica: (\S+)$/m.exec(text)?.[1];
      const run = /^run: (\S+)$/m.exec(text)?.[1];
      if (replica === holder.replica && run !== undefined && run !== holder.run) return true;
    }
    return (Math.floor(Date.now() / 1000) - Number(time)) * 1000 > leaseMs;
  }

  return {
    withLock,
    withLocksIfFree,
    async dispose() {
      if (scratch === undefined) return;
      const { dir } = await scratch.catch(() => ({ dir: "" }));
      if (dir !== "") await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      scratch = undefined;
    },
  };
}

function refOf(key: string): string {
  return `refs/bugbeacon/locks/${createHash("sha256").update(key).digest("hex").slice(0, 40)}`;
}

/** A push that may be refused (the ref is held): false, not an error. Other failures (network) throw. */
async function tryPush(args: string[], opts: { cwd: string; config: string[] }): Promise<boolean> {
  try {
    await git(args, opts);
    return true;
  } catch (error) {
    const text = String((error as Error).message);
    if (/\[rejected\]|\[remote rejected\]|stale info|already exists|non-fast-forward|fetch first|failed to push|atomic/i.test(text)) return false;
    throw error;
  }
}
