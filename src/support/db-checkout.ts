/**
 * A database kept in another repository (`--db-repo`, `--db-remote`): triage needs only the issue's index
 * folder, its identifier's folder(s) and its rules' markers, so it makes a shallow (one commit), blob-less,
 * sparse clone with a sparse index, holding the root files (the config), and adds folders as it needs
 * them: the work after the clone does not grow with the number of records. The clone is removed when the run ends, whatever happened.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import { git } from "./git-sync.js";

export interface SparseCheckout {
  root: string;
  /** Makes these folders present (`issues/*\/<id>` expands over the version folders). */
  include: (folders: string[]) => Promise<void>;
  /**
   * Brings the clone to the remote's newest commit (one shallow fetch and a hard reset; the folders
   * included so far stay present), dropping anything a failed run left behind. For a long-lived clone
   * (`bugbeacon serve` keeps one per database instead of cloning per delivery).
   */
  refresh: (config?: string[]) => Promise<void>;
  /**
   * Pushes what was committed here since the last refresh; false when another run pushed first (refresh,
   * redo, push again), an error for anything else.
   */
  push: (config?: string[]) => Promise<boolean>;
  /** Removes the clone. */
  dispose: () => Promise<void>;
}

/** `remote` is a URL or an absolute path (a path becomes a file:// URL, so the clone is filtered like a real one). */
export async function sparseClone(remote: string, options: { config?: string[]; parent?: string } = {}): Promise<SparseCheckout> {
  const root = await mkdtemp(join(options.parent ?? tmpdir(), "bugbeacon-db-"));
  const url = isAbsolute(remote) ? pathToFileURL(remote).href : remote;
  const opts = { cwd: root, config: options.config ?? [] };
  let branch = "";
  const dispose = () => rm(root, { recursive: true, force: true, maxRetries: 3 });
  try {
    await git(["clone", "--quiet", "--depth=1", "--filter=blob:none", "--no-checkout", "--", url, root], { cwd: tmpdir(), config: opts.config });
    // A sparse index: git commands then read an index of the folders checked out, not one entry per record.
    await git(["sparse-checkout", "set", "--cone", "--sparse-index"], opts);
    await git(["checkout", "--quiet"], opts);
    branch = (await git(["rev-parse", "--abbrev-ref", "HEAD"], opts)).trim();
  } catch (error) {
    await dispose();
    throw error;
  }
  const present = new Set<string>();
  const include = async (folders: string[]) => {
    const wanted: string[] = [];
    for (const folder of folders) {
      const star = folder.indexOf("/*/");
      if (star >= 0) {
        const parent = folder.slice(0, star);
        const rest = folder.slice(star + 3);
        const subs = (await git(["ls-tree", "-d", "--name-only", "HEAD", `${parent}/`], opts)).split("\n").filter(Boolean);
        for (const sub of subs) wanted.push(`${sub}/${rest}`);
      } else wanted.push(folder);
    }
    const missing = wanted.filter((f) => !present.has(f));
    if (missing.length === 0) return;
    await git(["sparse-checkout", "add", "--", ...missing], opts);
    for (const f of missing) present.add(f);
  };
  const refresh = async (config?: string[]) => {
    const o = { cwd: root, config: config ?? opts.config };
    await git(["fetch", "--quiet", "--depth=1", "--no-tags", "origin", branch], o);
    await git(["reset", "--quiet", "--hard", "FETCH_HEAD"], o);
    await git(["clean", "--quiet", "-d", "--force"], o);
  };
  const push = async (config?: string[]) => {
    try {
      await git(["push", "--quiet", "--porcelain", "origin", `HEAD:${branch}`], { cwd: root, config: config ?? opts.config });
      return true;
    } catch (error) {
      if (/\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|failed to push/i.test(String((error as Error).message))) return false;
      throw error;
    }
  };
  return { root, include, refresh, push, dispose };
}
