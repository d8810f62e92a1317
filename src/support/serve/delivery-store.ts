/**
 * Deliveries `bugbeacon serve` has accepted and not finished, on disk before GitHub gets its answer: a
 * process killed after answering (or while triaging) finds them at its next start and triages them then.
 * One JSON file per delivery, `<dir>/pending/<delivery id>.json`, written atomically and never over an
 * existing one, so a redelivery of a delivery still pending is recognised; unreadable files are moved to
 * `<dir>/quarantine/` with a log line instead of stopping the start. Delivery ids are checked
 * (`[A-Za-z0-9-]{1,64}`, as GitHub's GUIDs) before they become file names.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../_internal/atomic-write.js";
import { BugbeaconError, FileExistsError } from "../../errors.js";

export const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/;

export interface PendingDelivery {
  schema: 1;
  delivery: string;
  event: string;
  installation: number;
  /** `owner/name` of the repository the issue is in. */
  repository: string;
  receivedAt: string;
  /** Triage attempts that failed so far. */
  attempts: number;
  /** The verified webhook payload. */
  payload: unknown;
}

export interface DeliveryStore {
  /** Writes it; false when a file for this delivery id is there already (a redelivery of a pending one). */
  add(entry: PendingDelivery): boolean;
  update(entry: PendingDelivery): void;
  remove(delivery: string): void;
  /** Every pending delivery, oldest first; unreadable files are quarantined through `onBad`. */
  list(onBad: (file: string, problem: string) => void): PendingDelivery[];
}

export function deliveryStore(dir: string): DeliveryStore {
  const pending = join(dir, "pending");
  const fileOf = (delivery: string): string => {
    if (!DELIVERY_ID.test(delivery)) throw new Error(`not a delivery id: ${JSON.stringify(delivery.slice(0, 80))}`);
    return join(pending, `${delivery}.json`);
  };
  try {
    mkdirSync(pending, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "an error";
    throw new BugbeaconError(`Cannot write the serve state folder ${dir} (${code}): pass --state-dir (or BUGBEACON_SERVE_STATE_DIR) a folder this process may write.`, { cause: error });
  }
  return {
    add(entry) {
      try {
        writeFileAtomic(fileOf(entry.delivery), JSON.stringify(entry), { mode: 0o600, overwrite: false });
        return true;
      } catch (error) {
        if (error instanceof FileExistsError) return false;
        throw error;
      }
    },
    update(entry) {
      writeFileAtomic(fileOf(entry.delivery), JSON.stringify(entry), { mode: 0o600 });
    },
    remove(delivery) {
      try {
        unlinkSync(fileOf(delivery));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    },
    list(onBad) {
      const entries: PendingDelivery[] = [];
      for (const name of readdirSync(pending).filter((n) => n.endsWith(".json")).sort()) {
        const file = join(pending, name);
        let problem: string | undefined;
        try {
          const value = JSON.parse(readFileSync(file, "utf8")) as Partial<PendingDelivery>;
          if (value.schema !== 1 || typeof value.delivery !== "string" || `${value.delivery}.json` !== name || typeof value.installation !== "number" || typeof value.repository !== "string" || typeof value.event !== "string") {
            problem = "not a pending delivery of this version";
          } else entries.push({ ...value, attempts: typeof value.attempts === "number" ? value.attempts : 0 } as PendingDelivery);
        } catch (error) {
          problem = `unreadable (${error instanceof Error ? error.message : String(error)})`;
        }
        if (problem !== undefined) {
          mkdirSync(join(dir, "quarantine"), { recursive: true, mode: 0o700 });
          renameSync(file, join(dir, "quarantine", name));
          onBad(name, problem);
        }
      }
      return entries.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    },
  };
}
