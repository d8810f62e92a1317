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
  /** Removes the clone. */
  dispose: () => Promise<void>;
}

/** `remote` is a URL or an absolute path (a path becomes a file:// URL, so the clone is filtered like a real one). */
export async function sparseClone(remote: string, options: { config?: string[] } = {}): Promise<SparseCheckout> {
  const root = await mkdtemp(join(tmpdir(), "bugbeacon-db-"));
  const url = isAbsolute(remote) ? pathToFileURL(remote).href : remote;
  const opts = { cwd: root, config: options.config ?? [] };
  const dispose = () => rm(root, { recursive: true, force: true, maxRetries: 3 });
  try {
    await git(["clone", "--quiet", "--depth=1", "--filter=blob:none", "--no-checkout", "--", url, root], { cwd: tmpdir(), config: opts.config });
    // A sparse index: git commands then read an index of the folders checked out, not one entry per record.
    await git(["sparse-checkout", "set", "--cone", "--sparse-index"], opts);
    await git(["checkout", "--quiet"], opts);
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
  return { root, include, dispose };
}
