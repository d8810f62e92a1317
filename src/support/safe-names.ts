/**
 * Identifiers and versions come from issue bodies: untrusted text. Only these shapes ever become
 * folder names; everything else is refused before it reaches a path.
 */
import { MD5_IDENTIFIER } from "../format/report-format.js";

/** A version folder name: starts with a letter or digit, then letters, digits, `.`, `_`, `+`, `-`; at most 64; no `..`. */
const VERSION_NAME = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;

export function isSafeIdentifier(value: unknown): value is string {
  return typeof value === "string" && MD5_IDENTIFIER.test(value);
}

export function isSafeVersion(value: unknown): value is string {
  return typeof value === "string" && VERSION_NAME.test(value) && !value.includes("..");
}

/** Shows untrusted text in a log line: quoted, shortened, control characters escaped. */
export function showUntrusted(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}
