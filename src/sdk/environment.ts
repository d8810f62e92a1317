import { nodeOs } from "../_builtins.js";
import { InvalidOptionError } from "../errors.js";
import type { PlatformFacts } from "../format/report-format.js";
import { looksRandom } from "./redact/chars.js";
import { REDACTED } from "./redact/marker.js";
import { isSensitiveName } from "./redact/names.js";

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
/** A single value longer than this is shortened: the environment is context, not payload. */
export const MAX_ENV_VALUE_CHARS = 1000;

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

/**
 * The allow-listed variables that are set, each value passed through `clean` (redaction). A variable
 * named like a secret (`STRIPE_KEY`, `DB_PASSWORD`), or whose whole value is one random-looking token,
 * is sent as `[REDACTED]` even when allow-listed: allow-list only variables that hold no secret.
 */
export function collectEnvironment(
  allowlist: readonly string[],
  env: NodeJS.ProcessEnv,
  clean: (value: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of allowlist) {
    const value = env[name];
    if (value === undefined) continue;
    const shortened = value.length > MAX_ENV_VALUE_CHARS ? `${value.slice(0, MAX_ENV_VALUE_CHARS)}…` : value;
    out[name] = isSensitiveName(name) || looksLikeBareSecret(shortened) ? REDACTED : clean(shortened);
  }
  return out;
}

function looksLikeBareSecret(value: string): boolean {
  const v = value.trim();
  return !/\s/.test(v) && !v.includes("/") && looksRandom(v, 20);
}

export function platformFacts(): PlatformFacts {
  return { node: process.version, os: process.platform, osRelease: nodeOs().release(), arch: process.arch };
}
