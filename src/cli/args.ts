import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CliUsageError } from "../errors.js";

/** One flag of a command: its type and, for a string, what its value must be (said in errors). */
export type FlagSpec = { type: "boolean" } | { type: "string"; expected: string };

/**
 * Parses a command's arguments against its flags. Every problem becomes a CliUsageError naming the flag
 * and what is expected: an unknown flag, a flag without its value (`--repo` at the end, or followed by
 * another flag), a value given to a switch (`--force=yes`), a flag given twice, an extra argument.
 */
export function parseFlags<S extends Record<string, FlagSpec>>(
  args: string[],
  spec: S,
  positionals: { max: number; expected?: string } = { max: 0 },
): { values: { [K in keyof S]?: S[K] extends { type: "boolean" } ? boolean : string }; positionals: string[] } {
  const options = Object.fromEntries(Object.entries(spec).map(([name, s]) => [name, { type: s.type }])) as Record<string, { type: "string" | "boolean" }>;
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const known = Object.keys(spec).map((n) => `--${n}`).join(", ");
  const values: Record<string, string | boolean> = {};
  const rest: string[] = [];
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      rest.push(token.value);
      if (rest.length > positionals.max) {
        throw new CliUsageError(token.value, `unexpected argument ${JSON.stringify(token.value)}: ${positionals.expected ?? "this command takes flags only"}.`);
      }
      continue;
    }
    const flag = token.rawName;
    const s = Object.hasOwn(spec, token.name) ? spec[token.name] : undefined;
    if (s === undefined || !token.rawName.startsWith("--")) {
      throw new CliUsageError(flag, `unknown flag ${flag}: expected one of ${known}${known ? ", " : ""}--help.`);
    }
    if (Object.hasOwn(values, token.name)) throw new CliUsageError(flag, `${flag} is given twice: give it once.`);
    if (s.type === "boolean") {
      if (token.value !== undefined) throw new CliUsageError(flag, `${flag} takes no value (got ${JSON.stringify(token.value)}): it is a switch.`);
      values[token.name] = true;
      continue;
    }
    const value = token.value;
    // Without "=", a value that looks like one of our flags is the next flag: this one's value is missing.
    if (value === undefined || (!token.inlineValue && /^--[a-z]/.test(value) && Object.hasOwn(spec, value.slice(2).split("=")[0] ?? ""))) {
      throw new CliUsageError(flag, `${flag} needs a value: ${s.expected}.`);
    }
    if (value === "") throw new CliUsageError(flag, `${flag} is empty: expected ${s.expected}.`);
    values[token.name] = value;
  }
  return { values: values as never, positionals: rest };
}

/** `--flag` must be given. */
export function required(flag: string, value: string | undefined, expected: string): string {
  if (value === undefined) throw new CliUsageError(flag, `${flag} is required: ${expected}.`);
  return value;
}

/** A whole number within [min, max] from `--flag`. */
export function wholeNumber(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new CliUsageError(flag, `${flag} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}.`);
  return n;
}

/** The folder `--flag` names (relative to `cwd`), which must exist. */
export function existingDir(flag: string, value: string | undefined, cwd: string): string {
  const path = resolve(cwd, value ?? ".");
  if (!isDir(path)) throw new CliUsageError(flag, `${flag} must be an existing folder; ${JSON.stringify(value ?? ".")} ${existsAs(path)}.`);
  return path;
}

/** The file `--flag` names, which must exist. */
export function existingFile(flag: string, value: string, cwd: string): string {
  const path = resolve(cwd, value);
  let file = false;
  try {
    file = statSync(path).isFile();
  } catch {
    // reported below
  }
  if (!file) throw new CliUsageError(flag, `${flag} must be an existing file; ${JSON.stringify(value)} ${existsAs(path)}.`);
  return path;
}

/** A file to write: its folder must exist (the file itself may not). */
export function writableFile(flag: string, value: string, cwd: string): string {
  const path = resolve(cwd, value);
  if (!isDir(dirname(path))) throw new CliUsageError(flag, `${flag} must be a file in an existing folder; the folder of ${JSON.stringify(value)} does not exist.`);
  if (isDir(path)) throw new CliUsageError(flag, `${flag} must be a file, not the folder ${JSON.stringify(value)}.`);
  return path;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function existsAs(path: string): string {
  try {
    return statSync(path).isDirectory() ? "is a folder" : "is not a folder";
  } catch {
    return "does not exist";
  }
}

/** An http(s) URL from `--flag`, without trailing slashes. */
export function httpUrl(flag: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new CliUsageError(flag, `${flag} must be an http(s) URL such as https://api.github.com, not ${JSON.stringify(value)}.`);
  }
  return value.replace(/\/+$/, "");
}

/** An `owner/name` repository from `--flag` (or the variable that stands in for it). */
export async function repoFlag(flag: string, value: string): Promise<string> {
  const { parseRepo } = await import("../backends/github/repo.js");
  try {
    parseRepo(value);
  } catch {
    throw new CliUsageError(flag, `${flag} must be a GitHub repository as "owner/name", not ${JSON.stringify(value)}.`);
  }
  return value;
}
