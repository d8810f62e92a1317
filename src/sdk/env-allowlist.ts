/**
 * Which environment variables a report may carry: the defaults and the app's additions, checked when the
 * helper is made. Dependency-light: it is on bugbeacon's import path (collecting the values is not, see
 * environment.ts).
 */
import { InvalidOptionError } from "../errors.js";

/**
 * Environment variables sent by default. Nothing here can hold a secret: shell, terminal, locale,
 * time zone, the Node environment name and whether a CI runs the app. This is an allow-list: a variable
 * that is not named here or by the app never leaves the process.
 */
export const DEFAULT_ENV_ALLOWLIST: readonly string[] = Object.freeze([
  "SHELL",
  "TERM",
  "TERM_PROGRAM",
  "TERM_PROGRAM_VERSION",
  "COLORTERM",
  "LANG",
  "LANGUAGE",
  "LC_ALL",
  "LC_CTYPE",
  "LC_MESSAGES",
  "TZ",
  "NODE_ENV",
  "CI",
]);

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** The full allow-list: defaults, then the option, then `BUGBEACON_ENV_ALLOWLIST` (comma-separated). */
export function resolveAllowlist(extra: readonly string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  const names = new Set(DEFAULT_ENV_ALLOWLIST);
  if (extra !== undefined) {
    if (!Array.isArray(extra)) throw new InvalidOptionError("envAllowlist", extra, "an array of variable names");
    for (const name of extra) {
      if (typeof name !== "string" || !ENV_NAME.test(name)) {
        throw new InvalidOptionError("envAllowlist entry", name, "an environment variable name like MY_APP_MODE");
      }
      names.add(name);
    }
  }
  const fromEnv = env.BUGBEACON_ENV_ALLOWLIST;
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    for (const raw of fromEnv.split(",")) {
      const name = raw.trim();
      if (name === "") continue;
      if (!ENV_NAME.test(name)) {
        throw new InvalidOptionError(
          "BUGBEACON_ENV_ALLOWLIST entry",
          name,
          "comma-separated environment variable names, e.g. BUGBEACON_ENV_ALLOWLIST=MY_APP_MODE,MY_APP_REGION",
        );
      }
      names.add(name);
    }
  }
  return [...names];
}
