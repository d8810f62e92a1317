/**
 * One triage run, assembled the same way by every door (the Actions event in `bugbeacon triage`, the
 * webhook in `bugbeacon serve`): the database (a folder, or a sparse clone of a remote removed after the
 * run), its config, then `triage()`. The callers resolve their own inputs (flags, env, a delivery).
 */
import type { Octokit } from "@octokit/rest";
import { join } from "node:path";
import { CONFIG_FILE, loadConfig } from "./config.js";
import { sparseClone, type SparseCheckout } from "./db-checkout.js";
import type { IssuesEvent } from "./event.js";
import { gitFailure } from "./github-failure.js";
import { triage, type TriageOutcome } from "./triage.js";

export interface TriageRunOptions {
  event: IssuesEvent;
  /** `owner/name` of the repository the issue is in. */
  repo: string;
  /**
   * A checkout to write in, a git URL / absolute path to clone sparsely for this run, or a sparse clone
   * the caller keeps (and has brought up to date) across runs.
   */
  db: { dir: string } | { remote: string } | { checkout: SparseCheckout };
  /** `-c` settings for git (the token's extraheader, for a remote that needs it). */
  gitConfig: string[];
  /** The config file. @default <database>/bugbeacon.config.json */
  configPath?: string;
  octokit: () => Promise<Octokit>;
  log: (line: string) => void;
  push?: boolean;
  botLogin?: string;
  pushAttempts?: number;
  pushBackoffMs?: number;
}

export async function runTriage(o: TriageRunOptions): Promise<TriageOutcome> {
  let checkout: SparseCheckout | undefined;
  let kept: SparseCheckout | undefined;
  try {
    let dbRoot: string;
    if ("remote" in o.db) {
      try {
        checkout = await sparseClone(o.db.remote, { config: o.gitConfig });
      } catch (error) {
        throw gitFailure(error, "cloning the database");
      }
      dbRoot = checkout.root;
    } else if ("checkout" in o.db) {
      kept = o.db.checkout;
      dbRoot = kept.root;
    } else dbRoot = o.db.dir;
    const config = await loadConfig(o.configPath ?? join(dbRoot, CONFIG_FILE));
    return await triage({
      event: o.event,
      config,
      dbRoot,
      repo: o.repo,
      push: o.push !== false,
      gitConfig: o.gitConfig,
      log: o.log,
      octokit: o.octokit,
      ...((checkout ?? kept) !== undefined ? { include: (checkout ?? kept)!.include } : {}),
      ...(o.botLogin !== undefined ? { botLogin: o.botLogin } : {}),
      ...(o.pushBackoffMs !== undefined ? { pushBackoffMs: o.pushBackoffMs } : {}),
      ...(o.pushAttempts !== undefined ? { pushAttempts: o.pushAttempts } : {}),
    });
  } finally {
    await checkout?.dispose();
  }
}
