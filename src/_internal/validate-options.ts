/** Checks of the options every helper takes, whatever its backend. */
import { InvalidOptionError } from "../errors.js";
import type { HelperOptions } from "../types.js";

export function validateCommonOptions(options: HelperOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError("options", options, "an object");
  }
  for (const key of ["disabled", "confirm", "generateMd5", "quiet"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "boolean") throw new InvalidOptionError(key, v, "true or false");
  }
  if (options.redactPatterns !== undefined) {
    if (!Array.isArray(options.redactPatterns) || !options.redactPatterns.every((p) => typeof p === "string" || p instanceof RegExp)) {
      throw new InvalidOptionError("redactPatterns", options.redactPatterns, "an array of RegExp or strings");
    }
  }
  for (const key of ["beforeSend", "identify"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "function") throw new InvalidOptionError(key, v, "a function");
  }
  if (options.confirmTimeoutMs !== undefined && !(Number.isInteger(options.confirmTimeoutMs) && options.confirmTimeoutMs >= 0)) {
    throw new InvalidOptionError("confirmTimeoutMs", options.confirmTimeoutMs, "a whole number of milliseconds (0 waits as long as it takes)");
  }
  if (options.breadcrumbs !== undefined && !(Number.isInteger(options.breadcrumbs) && options.breadcrumbs >= 0)) {
    throw new InvalidOptionError("breadcrumbs", options.breadcrumbs, "a whole number of breadcrumbs to keep (0 turns them off)");
  }
  if (options.app !== undefined && (typeof options.app !== "object" || options.app === null)) {
    throw new InvalidOptionError("app", options.app, "an object like { name, version }");
  }
}

/** Checks a labels option: GitHub label names are 1-50 characters. */
export function validateLabels(labels: unknown, option: string): string[] {
  if (labels === undefined) return [];
  if (!Array.isArray(labels)) throw new InvalidOptionError(option, labels, "an array of label names");
  for (const label of labels) {
    if (typeof label !== "string" || label.trim() === "" || label.length > 50) {
      throw new InvalidOptionError(`${option} entry`, label, "a label name of 1 to 50 characters");
    }
  }
  return labels as string[];
}

export function uniqueLabels(labels: string[]): string[] {
  return [...new Set(labels.map((l) => l.trim()))];
}


/** An http(s) base URL without credentials in it (a token goes in its own option), without trailing slashes. */
export function checkHttpUrl(option: string, value: string, example: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new InvalidOptionError(option, value, `an http(s) URL like "${example}"`, { cause });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InvalidOptionError(option, value, "an http:// or https:// URL");
  }
  if (url.username !== "" || url.password !== "") {
    throw new InvalidOptionError(option, "(a URL with credentials)", "a URL without user:password; pass the token as { token }");
  }
  return value.replace(/\/+$/, "");
}
