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

/** Edit distance (insert, delete, replace, swap of neighbours), for "did you mean". */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name nearest to `name` (case-insensitive edit distance; ties go to the first listed). */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Throws for a key that is not an option of `where` (a misspelt option would otherwise be ignored
 * silently), naming the nearest known one. The value is not shown: it may be a token.
 */
export function checkKnownKeys(options: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const nearest = nearestName(key, known);
    throw new InvalidOptionError("option name", key, `an option ${where} knows${nearest !== undefined ? ` (did you mean \`${nearest}\`?)` : ""}`);
  }
}
