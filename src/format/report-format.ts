/**
 * The one place that knows how a report is written into a GitHub issue body and read back.
 * The SDK renders with it; the support-repository side (triage, database) parses with it.
 *
 * A rendered body looks like this (see docs/api.md, "What an issue looks like"):
 *
 *     <the caller's text>
 *
 *     ### Environment
 *
 *     | | |
 *     |---|---|
 *     | Node.js | v20.20.2 |
 *     ...
 *
 *     bugbeacon identifier: `md5.5fddcd18252717a7a11c494d24b16d4e`
 *
 *     <!-- bugbeacon:report v1
 *     {"schema":1,"identifier":"md5.…",…}
 *     -->
 *
 * Why this shape survives a person editing the issue in the browser:
 * - the metadata sits in an HTML comment, invisible on the rendered page, at the very end;
 * - its JSON never contains `<`, `>` or `&` (escaped as `\u003c` …), so no text can close the comment early;
 * - the parser takes the last well-formed block, accepts `\r\n` (what browsers submit), and ignores
 *   anything around it; if the block was deleted, the visible identifier line still identifies the report,
 *   and so does helpme's `HelpMe Github Issue: md5.<hex>` line.
 */

import { ReportFormatError } from "../errors.js";

export const REPORT_SCHEMA_VERSION = 1 as const;

/** GitHub rejects issue bodies longer than this many characters. */
export const GITHUB_BODY_LIMIT = 65_536;
/** GitHub rejects issue titles longer than this many characters. */
export const GITHUB_TITLE_LIMIT = 256;

const BLOCK_OPEN = "<!-- bugbeacon:report v";
const BLOCK_CLOSE = "-->";
const VISIBLE_LINE_LABEL = "bugbeacon identifier:";
const HELPME_LINE_LABEL = "HelpMe Github Issue:";
/** Metadata larger than this is not a report we wrote; refuse to parse it (bodies are untrusted). */
const MAX_METADATA_CHARS = 256 * 1024;

/** The strict form of a hashed identifier (`md5.<32 lowercase hex>`, what helpme and the SDK hash to). */
export const MD5_IDENTIFIER = /^md5\.[0-9a-f]{32}$/;

/**
 * The one identifier rule, shared by the SDK (what `generateMd5: false` may send verbatim) and the support
 * repository (what triage files, what a record may hold): 1 to 128 letters, digits, `.`, `-`, `_`, starting
 * with a letter or digit, without `..`, and a folder name on every OS (no Windows device name such as `CON`
 * or `nul.txt` in any case, no trailing dot). `md5.<hex>` passes; so do helpme's verbatim identifiers
 * (`generate_md5=False`) that are safe as folder names.
 */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Windows device names, matched on the part before the first dot, in any case. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$|clock\$)$/i;

/** True when `value` is an identifier a report may carry and the database may use as a folder name. */
export function isReportIdentifier(value: unknown): value is string {
  if (typeof value !== "string" || !IDENTIFIER_PATTERN.test(value) || value.includes("..") || value.endsWith(".")) return false;
  return !WINDOWS_DEVICE.test(value.split(".")[0] ?? "");
}

/** What `isReportIdentifier` accepts, in words (for error messages). */
export const IDENTIFIER_RULE_TEXT =
  '1 to 128 characters of letters, digits, ".", "-" and "_", starting with a letter or digit, without ".." or a trailing ".", and not a Windows device name such as "CON" (it becomes a folder name)';

/** True for a Windows device name (`CON`, `nul.txt`, `Com1.tar`): such a name cannot be a folder on Windows. */
export function isWindowsDeviceName(name: string): boolean {
  return WINDOWS_DEVICE.test(name.split(".")[0] ?? "");
}

export type ReportKind = "manual" | "exception" | "assertion";

/** Facts about the machine and app that sent a report. */
export interface PlatformFacts {
  /** `process.version`, e.g. `v20.20.2`. */
  node: string;
  /** `process.platform`, e.g. `linux`. */
  os: string;
  /** `os.release()`. */
  osRelease: string;
  /** `process.arch`, e.g. `x64`. */
  arch: string;
}

export interface AppFacts {
  name?: string;
  version?: string;
}

/** The machine-readable part of a report (schema version 1). */
export interface ReportMetadata {
  schema: typeof REPORT_SCHEMA_VERSION;
  /** `md5.<32 hex>` normally; the verbatim identifier with `generateMd5: false`; `run.<uuid>` when none was given. */
  identifier: string;
  /** Unique per report: lets delivery recognise a report that already arrived. */
  reportId: string;
  /** ISO 8601 time the report was built. */
  createdAt: string;
  kind: ReportKind;
  app?: AppFacts;
  platform: PlatformFacts;
  /** Version of bugbeacon that wrote the report. */
  bugbeacon: string;
  /** The allow-listed environment variables that were sent, after redaction. */
  environment: Record<string, string>;
  labels?: string[];
}

export interface ReportDocument {
  /** The caller's text (already redacted). */
  text: string;
  metadata: ReportMetadata;
  /** `"helpme"` ends the body with helpme's `HelpMe Github Issue: <identifier>` line. @default "bugbeacon" */
  footer?: "bugbeacon" | "helpme";
}

export interface RenderOptions {
  /** Largest allowed size of the body, as measured by `measure`. @default GITHUB_BODY_LIMIT */
  limit?: number;
  /** How to measure the body. @default string length */
  measure?: (body: string) => number;
}

export interface RenderedBody {
  body: string;
  /** How many characters of the caller's text were cut to fit (0 when nothing was). */
  cutCharacters: number;
  /** True when the environment had to be shortened or left out to fit. */
  environmentShortened: boolean;
}

/** Renders a report into an issue body that fits `limit`, cutting the middle of the caller's text first. */
export function renderIssueBody(doc: ReportDocument, options: RenderOptions = {}): RenderedBody {
  const limit = options.limit ?? GITHUB_BODY_LIMIT;
  const measure = options.measure ?? ((s: string) => s.length);
  const text = wellFormed(doc.text).trim();

  // Ladder of ever smaller renderings: full environment, environment only in the metadata, none at all.
  const variants: Array<{ tableRows: boolean; metadataEnv: boolean }> = [
    { tableRows: true, metadataEnv: true },
    { tableRows: false, metadataEnv: true },
    { tableRows: false, metadataEnv: false },
  ];
  for (const [i, variant] of variants.entries()) {
    const tail = renderTail(doc, variant.tableRows, variant.metadataEnv);
    const compose = (t: string) => (t.length > 0 ? `${t}\n\n${tail}` : tail);
    const whole = compose(text);
    if (measure(whole) <= limit) {
      return { body: whole, cutCharacters: 0, environmentShortened: i > 0 };
    }
    if (measure(compose("")) > limit) continue;
    const cut = cutMiddleToFit(text, (t) => measure(compose(t)) <= limit);
    return { body: compose(cut.text), cutCharacters: cut.cut, environmentShortened: i > 0 };
  }
  throw new ReportFormatError(
    `The report's identifier and metadata alone do not fit in ${limit} characters; shorten the identifier or labels.`,
  );
}

/** Cuts a title to GitHub's limit, marking the cut with an ellipsis. */
export function fitTitle(title: string, limit = GITHUB_TITLE_LIMIT): string {
  const clean = wellFormed(title).replace(/\s+/g, " ").trim();
  if (clean.length <= limit) return clean;
  return `${safeSlice(clean, 0, limit - 1)}…`;
}

function renderTail(doc: ReportDocument, tableRows: boolean, metadataEnv: boolean): string {
  const m = doc.metadata;
  const rows: Array<[string, string]> = [
    ["Node.js", m.platform.node],
    ["OS", `${m.platform.os} ${m.platform.osRelease} (${m.platform.arch})`],
  ];
  if (m.app?.name !== undefined || m.app?.version !== undefined) {
    rows.push(["App", [m.app.name, m.app.version].filter((x) => x !== undefined).join(" ")]);
  }
  rows.push(["bugbeacon", m.bugbeacon]);
  const envNames = Object.keys(m.environment).sort();
  if (tableRows) {
    for (const name of envNames) rows.push([`\`${name}\``, m.environment[name] ?? ""]);
  }
  const table = ["| | |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${escapeCell(v)} |`)].join("\n");
  const note =
    !tableRows && envNames.length > 0
      ? metadataEnv
        ? "\n\n_Environment variables are listed in the metadata block, to keep the issue within GitHub's size limit._"
        : "\n\n_Environment variables were left out to keep the issue within GitHub's size limit._"
      : "";
  const metadata: ReportMetadata = metadataEnv ? m : { ...m, environment: {} };
  const parts = [
    `### Environment\n\n${table}${note}`,
    `${VISIBLE_LINE_LABEL} \`${m.identifier}\``,
    `${BLOCK_OPEN}${REPORT_SCHEMA_VERSION}\n${encodeMetadata(metadata)}\n${BLOCK_CLOSE}`,
  ];
  if (doc.footer === "helpme") parts.push(`${HELPME_LINE_LABEL} ${m.identifier}`);
  return parts.join("\n\n");
}

/** JSON that can sit inside an HTML comment: no `<`, `>` or `&`, so nothing can end the comment early. */
function encodeMetadata(metadata: ReportMetadata): string {
  return JSON.stringify(metadata, (_key, value: unknown) => (typeof value === "string" ? wellFormed(value) : value))
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026");
}

function escapeCell(value: string): string {
  return wellFormed(value)
    .replace(/\r?\n|\r/g, " ")
    .replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

/**
 * Keeps the head and the tail of `text` and replaces the middle with a marker, choosing the largest
 * kept length for which `fits` holds (binary search: `fits` is monotonic in the kept length).
 */
function cutMiddleToFit(text: string, fits: (t: string) => boolean): { text: string; cut: number } {
  const build = (keep: number): string => {
    if (keep >= text.length) return text;
    const headLen = Math.ceil(keep / 2);
    const head = safeSlice(text, 0, headLen);
    const tail = safeSlice(text, text.length - (keep - headLen), text.length);
    const cut = text.length - head.length - tail.length;
    return `${head}\n\n[… ${cut} characters cut by bugbeacon to fit the service's size limit …]\n\n${tail}`;
  };
  let lo = 0;
  let hi = text.length;
  if (!fits(build(0))) return { text: "", cut: text.length };
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(build(mid))) lo = mid;
    else hi = mid - 1;
  }
  const result = build(lo);
  return { text: result, cut: lo >= text.length ? 0 : text.length - lo };
}

/** `slice` that never splits a surrogate pair (the half would break URL encoding). */
function safeSlice(s: string, start: number, end: number): string {
  let a = Math.max(0, start);
  let b = Math.min(s.length, end);
  if (a > 0 && a < s.length && isLowSurrogate(s.charCodeAt(a)) && isHighSurrogate(s.charCodeAt(a - 1))) a += 1;
  if (b > 0 && b < s.length && isLowSurrogate(s.charCodeAt(b)) && isHighSurrogate(s.charCodeAt(b - 1))) b -= 1;
  return s.slice(a, Math.max(a, b));
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Replaces lone surrogates with U+FFFD: they cannot be URL-encoded or stored by GitHub. */
export function wellFormed(s: string): string {
  return s.toWellFormed();
}

// ---------------------------------------------------------------------------------------------
// Parsing (untrusted input: issue bodies come from anyone who can open an issue)
// ---------------------------------------------------------------------------------------------

export type ParsedSource = "metadata" | "identifier-line" | "helpme-line";

export interface ParsedReport {
  /** Where the identifier was found: the metadata block, or only a visible line (metadata lost or helpme). */
  source: ParsedSource;
  identifier: string;
  /** Present when the metadata block was found and valid. */
  metadata?: ReportMetadata;
  /** The body with the bugbeacon-written tail removed: what the reporter wrote. */
  text: string;
}

/**
 * Reads a report back from an issue body. Returns `undefined` for bodies bugbeacon (or helpme) did not
 * write. Never throws on any input; a broken metadata block falls back to the visible identifier line.
 * The identifier is returned as found: callers that use it as a path must check it (see `isReportIdentifier`).
 */
export function parseIssueBody(rawBody: string | null | undefined): ParsedReport | undefined {
  if (typeof rawBody !== "string" || rawBody.length === 0) return undefined;
  const body = rawBody.replace(/\r\n?/g, "\n");

  const block = findLastMetadataBlock(body);
  if (block !== undefined) {
    return { source: "metadata", identifier: block.metadata.identifier, metadata: block.metadata, text: userText(body) };
  }
  const visible = findLastLine(body, VISIBLE_LINE_LABEL);
  if (visible !== undefined) return { source: "identifier-line", identifier: visible, text: userText(body) };
  const helpme = findLastLine(body, HELPME_LINE_LABEL);
  if (helpme !== undefined) return { source: "helpme-line", identifier: helpme, text: userText(body) };
  return undefined;
}

/**
 * The last well-formed metadata block, in time linear in the body's length whatever it holds (bodies are
 * untrusted; 1 MB of block openers must not cost seconds):
 * - candidates are visited from the end, each opener once;
 * - a block's JSON never contains `<` (the renderer escapes it), so a candidate's JSON ends before the next
 *   `<`: the region checked and parsed for one opener never overlaps another opener's, and no search
 *   runs past it.
 */
function findLastMetadataBlock(body: string): { metadata: ReportMetadata } | undefined {
  const versionLine = new RegExp(`[ \\t]*${REPORT_SCHEMA_VERSION}[ \\t]*\n`, "y");
  let searchFrom = body.length;
  while (searchFrom >= 0) {
    const start = body.lastIndexOf(BLOCK_OPEN, searchFrom);
    if (start < 0) return undefined;
    searchFrom = start - 1;
    versionLine.lastIndex = start + BLOCK_OPEN.length;
    if (!versionLine.test(body)) continue;
    const jsonStart = versionLine.lastIndex;
    // The block ends at the first "-->" before any "<" (a "<" means another opener or foreign markup).
    const lt = body.indexOf("<", jsonStart);
    const limit = Math.min(lt < 0 ? body.length : lt, jsonStart + MAX_METADATA_CHARS + BLOCK_CLOSE.length);
    const end = body.slice(jsonStart, limit).indexOf(BLOCK_CLOSE);
    if (end < 0) continue;
    const json = body.slice(jsonStart, jsonStart + end).trim();
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      continue;
    }
    const metadata = validateMetadata(value);
    if (metadata !== undefined) return { metadata };
  }
  return undefined;
}

function findLastLine(body: string, label: string): string | undefined {
  const index = body.lastIndexOf(label);
  if (index < 0) return undefined;
  const lineEnd = body.indexOf("\n", index);
  const rest = body.slice(index + label.length, lineEnd < 0 ? body.length : lineEnd).trim();
  const match = /^`?([^\s`]{1,200})`?$/.exec(rest);
  return match?.[1];
}

function userText(body: string): string {
  const cuts = [body.indexOf("\n### Environment\n"), body.indexOf(BLOCK_OPEN), body.indexOf(VISIBLE_LINE_LABEL)]
    .filter((i) => i >= 0);
  const end = cuts.length > 0 ? Math.min(...cuts) : body.length;
  return body.slice(0, end).trim();
}

/** Checks the shape of parsed metadata; returns a clean copy or `undefined`. */
export function validateMetadata(value: unknown): ReportMetadata | undefined {
  if (!isRecord(value) || value.schema !== REPORT_SCHEMA_VERSION) return undefined;
  const { identifier, reportId, createdAt, kind, platform, bugbeacon, environment, app, labels } = value;
  if (!isShortString(identifier) || !isShortString(reportId) || !isShortString(createdAt)) return undefined;
  if (kind !== "manual" && kind !== "exception" && kind !== "assertion") return undefined;
  if (!isShortString(bugbeacon) || !isRecord(platform) || !isRecord(environment)) return undefined;
  const { node, os, osRelease, arch } = platform;
  if (![node, os, osRelease, arch].every(isShortString)) return undefined;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(environment)) {
    if (typeof v !== "string") return undefined;
    if (k === "__proto__" || k === "constructor" || k === "prototype") continue;
    env[k] = v;
  }
  const out: ReportMetadata = {
    schema: REPORT_SCHEMA_VERSION,
    identifier,
    reportId,
    createdAt,
    kind,
    platform: { node: node as string, os: os as string, osRelease: osRelease as string, arch: arch as string },
    bugbeacon,
    environment: env,
  };
  if (app !== undefined) {
    if (!isRecord(app)) return undefined;
    const a: AppFacts = {};
    if (app.name !== undefined) {
      if (!isShortString(app.name)) return undefined;
      a.name = app.name;
    }
    if (app.version !== undefined) {
      if (!isShortString(app.version)) return undefined;
      a.version = app.version;
    }
    out.app = a;
  }
  if (labels !== undefined) {
    if (!Array.isArray(labels) || !labels.every(isShortString)) return undefined;
    out.labels = [...labels];
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isShortString(v: unknown): v is string {
  return typeof v === "string" && v.length <= 1024;
}
