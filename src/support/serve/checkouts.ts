/**
 * The checkouts room of `bugbeacon serve`: one sparse clone per database, kept in the state folder and
 * brought up to date for each pass instead of cloned per delivery. A clone that may hold half of a run is
 * forgotten (the next pass starts from a fresh one).
 */
import { mkdirSync, rmSync } from "node:fs";
import { sparseClone, type SparseCheckout } from "../db-checkout.js";
import { gitFailure } from "../github-failure.js";

export interface Checkouts {
  /** The kept clone of `remote`, refreshed; a fresh one the first time or after `forget`. */
  checkoutFor(remote: string, gitConfig: string[]): Promise<SparseCheckout>;
  forget(remote: string): void;
  /** Removes every kept clone. */
  disposeAll(): Promise<void>;
}

/** `workDir`: where the clones live; what a killed process left there is removed now. */
export function keptCheckouts(workDir: string | undefined): Checkouts {
  if (workDir !== undefined) {
    rmSync(workDir, { recursive: true, force: true, maxRetries: 3 });
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
  }
  const checkouts = new Map<string, Promise<SparseCheckout>>();

  async function checkoutFor(remote: string, gitConfig: string[]): Promise<SparseCheckout> {
    const kept = checkouts.get(remote);
    if (kept === undefined) {
      const fresh = sparseClone(remote, { config: gitConfig, ...(workDir !== undefined ? { parent: workDir } : {}) });
      checkouts.set(remote, fresh);
      return fresh.catch((error: unknown) => {
        checkouts.delete(remote);
        throw gitFailure(error, "cloning the database");
      });
    }
    const checkout = await kept;
    try {
      await checkout.refresh(gitConfig);
    } catch (error) {
      forget(remote);
      throw gitFailure(error, "updating the database");
    }
    return checkout;
  }

  function forget(remote: string): void {
    const kept = checkouts.get(remote);
    checkouts.delete(remote);
    void kept?.then((c) => c.dispose(), () => undefined);
  }

  async function disposeAll(): Promise<void> {
    const kept = [...checkouts.values()];
    checkouts.clear();
    await Promise.allSettled(kept.map((c) => c.then((checkout) => checkout.dispose())));
  }

  return { checkoutFor, forget, disposeAll };
}
