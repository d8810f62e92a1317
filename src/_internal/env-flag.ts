import { InvalidOptionError } from "../errors.js";

/**
 * The one reading of a yes/no environment variable (BUGBEACON_DISABLE, CI, BUGBEACON_DEBUG): unset, empty,
 * "0" and "false" (any case, spaces around ignored) are off; any other value is on, so `CI=true`,
 * `CI=1` and `CI=woodpecker` all count. Dependency-free: imported on bugbeacon's import path.
 */
export function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name];
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v !== "" && v !== "0" && v !== "false";
}

/** A whole number of milliseconds (0 or more) from `env[name]`; undefined when unset or empty; a typed error otherwise. */
export function envMilliseconds(env: NodeJS.ProcessEnv, name: string, example: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new InvalidOptionError(name, raw, `a whole number of milliseconds, e.g. ${name}=${example}`);
  return n;
}

/** The first of `names` set to a non-blank value, trimmed (a token read from one of several variables). */
export function envFirst(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return undefined;
}
