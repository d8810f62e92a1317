/**
 * A small local map identifier → report reference (numbers stored as numbers, as older versions wrote them), next to the spool, so dedupe rarely needs the search API
 * (GitHub allows 30 searches a minute, and search is eventually consistent). A hint only: every hit is
 * confirmed on the service (except in the crash path, where flush and triage correct a wrong hint).
 */
import { nodeFs, nodePath } from "../_builtins.js";
import { writeFileAtomic } from "../_internal/atomic-write.js";
import type { IdentifierCache } from "./deliver.js";

const MAX_ENTRIES = 2000;

export function identifierCache(spoolDir: string): IdentifierCache {
  const file = nodePath().join(spoolDir, "identifiers.json");
  const read = (): Record<string, number | string> => {
    try {
      const value = JSON.parse(nodeFs().readFileSync(file, "utf8")) as unknown;
      return typeof value === "object" && value !== null ? (value as Record<string, number | string>) : {};
    } catch {
      return {};
    }
  };
  return {
    get: (identifier) => {
      const value = read()[identifier];
      if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : undefined;
      return typeof value === "string" && value !== "" && value.length <= 200 ? value : undefined;
    },
    set: (identifier, ref) => {
      try {
        const map = read();
        map[identifier] = /^[1-9]\d{0,15}$/.test(ref) ? Number(ref) : ref;
        const entries = Object.entries(map).slice(-MAX_ENTRIES);
        writeFileAtomic(file, JSON.stringify(Object.fromEntries(entries)), { mode: 0o600 });
      } catch {
        // A cache that cannot be written only costs a search next time.
      }
    },
  };
}
