/**
 * Turns any thrown value into the parts of a report: a title, a Markdown body (stack, causes,
 * AggregateError members, the error's own fields, the command line, breadcrumbs) and the text its
 * identifier is hashed from. Never throws, whatever was thrown. Redaction happens later, in the helper,
 * over everything this returns.
 */
import type { Breadcrumb } from "./breadcrumbs.js";
import { fingerprintSource, templateMessage } from "./fingerprint.js";
import { REDACTED } from "../redact/marker.js";
import { redactsMember } from "../redact/names.js";
import { safeGet, safeKeys, safeStringify, truncate } from "./safe-serialize.js";

export interface ErrorDescription {
  /** `TypeError: Cannot read properties of undefined (reading 'x')`, not yet cut or redacted. */
  title: string;
  /** Markdown: stack, causes, fields. Not yet redacted. */
  body: string;
  /** The text the identifier is hashed from: same bug, same text, on every machine. */
  identifierSource: string;
}

export interface DescribeOptions {
  /** Folder the app's paths are made relative to (for the identifier). */
  appRoot?: string;
  /** Shown under "Breadcrumbs", oldest first. */
  breadcrumbs?: Breadcrumb[];
  /** Shown under "Command line". @default process.argv */
  argv?: readonly string[];
}

const MAX_CAUSES = 5;
const MAX_AGGREGATE = 10;
const OMITTED_FIELDS = new Set(["name", "message", "stack", "cause", "errors"]);

export function describeError(error: unknown, options: DescribeOptions = {}): ErrorDescription {
  const head = headline(error);
  const sections: string[] = [];
  const stack = errorStack(error);
  sections.push(stack !== undefined ? fence(stack) : fence(head.text));

  for (const [i, cause] of causeChain(error).entries()) {
    const causeStack = errorStack(cause);
    sections.push(`**Caused by** (${i + 1}): \`${inline(headline(cause).text)}\`\n\n${fence(causeStack ?? headline(cause).text)}`);
  }

  const members = aggregateMembers(error);
  if (members.length > 0) {
    const list = members.slice(0, MAX_AGGREGATE).map((m, i) => `${i + 1}. \`${inline(headline(m).text)}\``);
    if (members.length > MAX_AGGREGATE) list.push(`… and ${members.length - MAX_AGGREGATE} more`);
    sections.push(`**Errors** (${members.length}):\n\n${list.join("\n")}`);
  }

  const fields = ownFields(error);
  if (fields.length > 0) {
    sections.push(`**Fields**:\n\n${fence(fields.map(([k, v]) => `${k}: ${v}`).join("\n"))}`);
  }

  const argv = options.argv ?? process.argv;
  if (argv.length > 0) sections.push(`**Command line**: \`${inline(commandLine(argv))}\``);

  const crumbs = options.breadcrumbs ?? [];
  if (crumbs.length > 0) {
    const lines = crumbs.map((c) => `${c.at.slice(11, 23)} ${c.source === "app" ? "" : `[${c.source}] `}${c.message}${c.data ? ` ${c.data}` : ""}`);
    sections.push(`**Breadcrumbs** (oldest first):\n\n${fence(lines.join("\n"))}`);
  }

  const identifierSource = isErrorLike(error)
    ? fingerprintSource(head.type, head.message, stack, options.appRoot)
    : `${head.type}: ${templateMessage(head.message)}`;
  return { title: head.text, body: sections.join("\n\n"), identifierSource };
}

interface Headline {
  type: string;
  message: string;
  text: string;
}

function headline(value: unknown): Headline {
  if (isErrorLike(value)) {
    const nameGot = safeGet(value, "name");
    const messageGot = safeGet(value, "message");
    const type = nameGot.ok && typeof nameGot.value === "string" && nameGot.value !== "" ? nameGot.value : "Error";
    const message = messageGot.ok ? (typeof messageGot.value === "string" ? messageGot.value : safeStringify(messageGot.value)) : "(message unreadable)";
    return { type, message, text: message !== "" ? `${type}: ${message}` : type };
  }
  if (value === null || value === undefined) return { type: `Thrown ${String(value)}`, message: "", text: `Thrown ${String(value)}` };
  const kind = typeof value === "object" ? "object" : typeof value;
  const shown = typeof value === "string" ? value : safeStringify(value);
  return { type: `Thrown ${kind}`, message: shown, text: `Thrown ${kind}: ${truncate(shown, 200)}` };
}

/** Errors, and anything that looks like one (another realm's Error, a Proxy of one). */
function isErrorLike(value: unknown): value is object {
  try {
    if (value instanceof Error) return true;
    if (typeof value !== "object" || value === null) return false;
    const stack = safeGet(value, "stack");
    const message = safeGet(value, "message");
    return stack.ok && typeof stack.value === "string" && message.ok && typeof message.value === "string";
  } catch {
    return false;
  }
}

function errorStack(value: unknown): string | undefined {
  if (!isErrorLike(value)) return undefined;
  const got = safeGet(value, "stack");
  return got.ok && typeof got.value === "string" ? truncate(got.value, 20_000) : undefined;
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const seen = new Set<unknown>([error]);
  let current = error;
  while (chain.length < MAX_CAUSES && isErrorLike(current)) {
    const got = safeGet(current, "cause");
    if (!got.ok || got.value === undefined || seen.has(got.value)) break;
    seen.add(got.value);
    chain.push(got.value);
    current = got.value;
  }
  return chain;
}

function aggregateMembers(error: unknown): unknown[] {
  if (!isErrorLike(error)) return [];
  const got = safeGet(error, "errors");
  if (!got.ok || !Array.isArray(got.value)) return [];
  return got.value as unknown[];
}

function ownFields(error: unknown): Array<[string, string]> {
  if (typeof error !== "object" || error === null || !isErrorLike(error)) return [];
  return safeKeys(error)
    .filter((k) => !OMITTED_FIELDS.has(k))
    .slice(0, 30)
    .map((k) => {
      // A field named like a secret goes whole, whatever its value looks like (a generic name such as
      // `key` or `session` only when its value could be a secret).
      const got = safeGet(error, k);
      if (redactsMember(k, got.ok ? got.value : "")) return [k, REDACTED] as [string, string];
      return [k, got.ok ? safeStringify(got.value) : `[getter threw: ${truncate(got.error, 200)}]`] as [string, string];
    });
}

function commandLine(argv: readonly string[]): string {
  const [exe, ...rest] = argv;
  const name = (exe ?? "node").split(/[\\/]/).pop() ?? "node";
  return truncate([name, ...rest].map((a) => (/[\s"'`]/.test(a) ? JSON.stringify(a) : a)).join(" "), 1000);
}

/** A fenced block that no backtick run inside it can close. */
function fence(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks}text\n${text}\n${ticks}`;
}

function inline(text: string): string {
  return truncate(text.replace(/\s+/g, " ").replace(/`/g, "'"), 300);
}

