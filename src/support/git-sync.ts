/**
 * Commits database changes and pushes them. Concurrent workflow runs race on push: the loser fetches
 * what landed, resets to it, redoes its change there (deciding again from the new state) and retries with
 * backoff and jitter until it lands. Git runs with argument
 * arrays (execFile), never through a shell: no issue text is ever interpreted.
 */
import { execFile } from "node:child_process";
import { BugbeaconError } from "../errors.js";

export class GitError extends BugbeaconError {
  override name = "GitError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: "ERR_GIT", cause: options?.cause });
  }
}

/**
 * Who the database's commits are by. Set on every commit bugbeacon makes: a CI runner (or a fresh machine)
 * has no git identity of its own, and `git commit` refuses to run without one.
 */
export const BOT_IDENTITY: readonly string[] = ["user.name=bugbeacon", "user.email=bugbeacon@users.noreply.github.com"];

export interface GitOptions {
  cwd: string;
  /** Extra `-c key=value` settings (for example an auth header), never printed. */
  config?: string[];
  /** Written to git's standard input. */
  input?: string;
}

/**
 * Settings go to git through its GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n environment,
 * not `-c` arguments: a command line is readable by every process on the machine, and an auth header
 * must not be.
 */
export function configEnv(config: readonly string[]): Record<string, string> {
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(config.length) };
  config.forEach((entry, i) => {
    const eq = entry.indexOf("=");
    env[`GIT_CONFIG_KEY_${i}`] = entry.slice(0, eq);
    env[`GIT_CONFIG_VALUE_${i}`] = entry.slice(eq + 1);
  });
  return env;
}

export function git(args: string[], options: GitOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      {
        cwd: options.cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...configEnv(options.config ?? []) },
      },
      (error, stdout, stderr) => {
        if (error) reject(new GitError(`git ${args[0]} failed: ${stderr.trim() || error.message}`, { cause: error }));
        else resolve(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export interface PushOptions extends GitOptions {
  /** Remote to push to. @default "origin" */
  remote?: string;
  /** Branch to push to. @default the current branch */
  branch?: string;
  /** Attempts before giving up. @default 30 */
  attempts?: number;
  /** First backoff delay; doubles each attempt, up to 50 times itself (5 s at most), with jitter. @default 100 */
  backoffMs?: number;
  log?: (line: string) => void;
  /** Commit only. @default true */
  push?: boolean;
}

/**
 * Writes, commits and pushes one change, redoing it on a fresh copy of the remote when another run pushed
 * first. `prepare` writes the files and returns their paths (deleted ones included); it runs again after
 * each lost race, on the remote's newest state, so what it writes is always decided from what landed: no
 * rebase, no merge, nothing that can conflict. Returns whether anything was committed.
 */
export async function land(
  prepare: () => Promise<string[]>,
  message: string,
  options: PushOptions,
): Promise<{ committed: boolean; attempts: number }> {
  const opts = { ...options, config: [...BOT_IDENTITY, ...(options.config ?? [])] };
  const remote = options.remote ?? "origin";
  const pushing = options.push !== false;
  // What a push needs to know, asked only when pushing: every git started costs a fork (a triage run in
  // `bugbeacon serve` commits without pushing, and its batch pushes once).
  const hasRemote = pushing && (await git(["remote"], opts)).split("\n").map((r) => r.trim()).includes(remote);
  const [head, isShallow] = hasRemote ? (await git(["rev-parse", "--abbrev-ref", "HEAD", "--is-shallow-repository"], opts)).split("\n").map((l) => l.trim()) : [];
  const branch = options.branch ?? head ?? "HEAD";
  const shallow = isShallow === "true";
  const attempts = options.attempts ?? 30;
  let delay = options.backoffMs ?? 100;
  const maxDelay = Math.min(5000, delay * 50);
  for (let attempt = 1; ; attempt++) {
    const paths = await prepare();
    if (paths.length === 0) return { committed: false, attempts: attempt };
    await git(["add", "--sparse", "-A", "--", ...paths], opts);
    const staged = (await git(["diff", "--cached", "--name-only"], opts)).trim();
    if (staged === "") return { committed: false, attempts: attempt };
    await git(["commit", "--quiet", "-m", message], opts);
    if (!hasRemote) return { committed: true, attempts: attempt };
    try {
      await git(["push", "--quiet", remote, `HEAD:${branch}`], opts);
      return { committed: true, attempts: attempt };
    } catch (error) {
      if (attempt >= attempts) throw new GitError(`Could not push the database after ${attempts} attempts: ${(error as Error).message}`, { cause: error });
      options.log?.(`push raced with another run (attempt ${attempt}); redoing the change on what landed`);
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, maxDelay);
      await git(["fetch", "--quiet", ...(shallow ? ["--depth=1"] : []), remote, branch], opts);
      await git(["reset", "--quiet", "--hard", "FETCH_HEAD"], opts);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
