/**
 * Identifiers and versions come from issue bodies: untrusted text. Only these shapes ever become
 * folder names; everything else is refused before it reaches a path. A folder name must also check out
 * on every OS: Windows refuses its device names (`CON`, `nul.txt`, `Com1.tar`) in any case and with any
 * extension, and names ending in a dot or a space.
 */
import { isReportIdentifier, isWindowsDeviceName } from "../format/report-format.js";

/** A version folder name: starts with a letter or digit, then letters, digits, `.`, `_`, `+`, `-`; at most 64; no `..`. */
const VERSION_NAME = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;

/** The report format's identifier rule (shared with the SDK): `md5.<hex>` and folder-safe verbatim identifiers. */
export function isSafeIdentifier(value: unknown): value is string {
  return isReportIdentifier(value);
}

/** True when `name` can be a folder on Windows, macOS and Linux alike (its other characters checked by the caller). */
export function isPortableName(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  if (/[. ]$/.test(name)) return false;
  return !isWindowsDeviceName(name);
}

export function isSafeVersion(value: unknown): value is string {
  return typeof value === "string" && VERSION_NAME.test(value) && !value.includes("..") && isPortableName(value);
}

/**
 * Makes untrusted text safe to print on a terminal: C0 and C1 control characters, DEL, and the Unicode
 * bidirectional and zero-width controls (which reorder or hide what a reader sees) become `\u{…}` escapes,
 * so no escape sequence from a title or a file name ever reaches the terminal.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** Shows untrusted text in a log line: quoted, shortened, every control character escaped. */
export function showUntrusted(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  return terminalSafe(JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text));
}
