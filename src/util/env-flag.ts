/**
 * The one reader of bugbeacon's environment switches and numbers, so "BUGBEACON_DISABLE=false" means the
 * same everywhere: a flag is on when set to anything but "", "0" or "false" (any case).
 */
import { InvalidOptionError } from "../errors.js";

/** True when `env[name]` is set to anything but "", "0" or "false". */
export function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name]?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/** A whole number of milliseconds (0 or more) from `env[name]`; undefined when unset or empty; a typed error otherwise. */
export function envMilliseconds(env: NodeJS.ProcessEnv, name: string, example: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new InvalidOptionError(name, raw, `a whole number of milliseconds, e.g. ${name}=${example}`);
  return n;
}

/** The first of `names` set to a non-blank value, trimmed. */
export function envFirst(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return undefined;
}
