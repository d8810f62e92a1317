import { nodeOs } from "../_builtins.js";
import type { PlatformFacts } from "../format/report-format.js";
import { looksRandom } from "./redact/chars.js";
import { REDACTED } from "./redact/marker.js";
import { isSensitiveName } from "./redact/names.js";

// The allow-list itself is checked when the helper is made, so it lives in a module of its own on the import path.
export { DEFAULT_ENV_ALLOWLIST, resolveAllowlist } from "./env-allowlist.js";

/** A single value longer than this is shortened: the environment is context, not payload. */
export const MAX_ENV_VALUE_CHARS = 1000;

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
