/**
 * What a client sends to the relay (`POST /v1/reports`), checked at the door into a typed value. Clients
 * send data, not markdown: the report's metadata as the format module defines it (identifier, platform,
 * app and version, allow-listed environment), a title, the text (the error, its stack, breadcrumbs and the
 * reporter's own words), the report id (the idempotency key) and a per-install random id (never an IP).
 * Anything else is refused with the field that is wrong and what was expected.
 */
import { gunzipSync } from "node:zlib";
import { BugbeaconError } from "../../errors.js";
import { GITHUB_BODY_LIMIT, IDENTIFIER_RULE_TEXT, REPORT_SCHEMA_VERSION, isReportIdentifier, type ReportKind, type ReportMetadata } from "../../format/report-format.js";

/** Largest body on the wire (JSON or gzip). */
export const MAX_REPORT_BYTES = 64 * 1024;
/** Largest gzip body once decompressed (a gzip bomb stops here). */
export const MAX_INFLATED_BYTES = 256 * 1024;
/** Deepest JSON nesting accepted (the report is three levels deep). */
export const MAX_DEPTH = 6;

export interface RelayReport {
  /** `owner/name` the report is for (checked against the repositories the relay serves). */
  repo: string;
  /** Unique per report: the idempotency key. */
  reportId: string;
  /** Per-install random id the SDK keeps (never an IP, never derived from the machine). */
  install: string;
  title: string;
  /** The error, its stack, breadcrumbs and the reporter's words: neutralised before it reaches an issue. */
  text: string;
  metadata: ReportMetadata;
}

/** A report refused at the door: `status` 400 (bad field), 403 (repository), 413, 415, 429. */
export class RelayRefusedError extends BugbeaconError {
  override name = "RelayRefusedError";
  constructor(
    readonly status: number,
    /** The field that is wrong (`metadata.platform.os`), or what was refused (`body`, `repo`). */
    readonly field: string,
    message: string,
  ) {
    super(message, { code: "ERR_RELAY_REFUSED" });
  }
}

export const ID = /^[A-Za-z0-9_-]{8,64}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const KINDS: ReadonlySet<string> = new Set<ReportKind>(["manual", "exception", "assertion"]);

/** The body's bytes as JSON text: gzip is inflated with a cap; anything not UTF-8 is refused. */
export function decodeBody(body: Buffer, encoding: string | undefined): string {
  let bytes = body;
  const enc = (encoding ?? "identity").trim().toLowerCase();
  if (enc === "gzip") {
    try {
      bytes = gunzipSync(body, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) {
        throw new RelayRefusedError(413, "body", `the body inflates to more than ${MAX_INFLATED_BYTES} bytes`);
      }
      throw new RelayRefusedError(400, "body", "the body is not valid gzip");
    }
  } else if (enc !== "identity") {
    throw new RelayRefusedError(415, "content-encoding", `content-encoding ${JSON.stringify(enc.slice(0, 40))} is not accepted: send gzip or nothing`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new RelayRefusedError(400, "body", "the body is not valid UTF-8");
  }
}

/** Parses and checks a report; throws RelayRefusedError naming the first bad field. */
export function parseRelayReport(json: string): RelayReport {
  return validateRelayReport(parseBody(json));
}

/** A request body as JSON, refused (400, field "body") when it is not JSON or is nested too deep. */
export function parseBody(json: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new RelayRefusedError(400, "body", "the body is not JSON");
  }
  if (depth(value) > MAX_DEPTH) throw new RelayRefusedError(400, "body", `the JSON is nested deeper than ${MAX_DEPTH} levels`);
  return value;
}

export function validateRelayReport(value: unknown): RelayReport {
  const o = record(value, "body");
  if (o.schema !== 1) bad("schema", "1");
  const repo = str(o.repo, "repo", 1, 140);
  const reportId = str(o.reportId, "reportId", 8, 64);
  if (!ID.test(reportId)) bad("reportId", "8 to 64 letters, digits, - or _");
  const install = str(o.install, "install", 8, 64);
  if (!ID.test(install)) bad("install", "8 to 64 letters, digits, - or _ (the per-install random id)");
  const title = str(o.title, "title", 1, 1024);
  if (title.trim() === "") bad("title", "a title that is not blank");
  // As long as an issue body may be (the SDK cuts the text to fit one).
  const text = str(o.text ?? "", "text", 0, GITHUB_BODY_LIMIT);
  const m = record(o.metadata, "metadata");
  if (m.schema !== REPORT_SCHEMA_VERSION) bad("metadata.schema", String(REPORT_SCHEMA_VERSION));
  const identifier = str(m.identifier, "metadata.identifier", 1, 128);
  // Identifiers are hashes (md5.<hex>) or verbatim ones that are safe folder names (the database's rule).
  if (!isReportIdentifier(identifier)) bad("metadata.identifier", "md5.<32 lowercase hex>, or " + IDENTIFIER_RULE_TEXT);
  if (m.reportId !== undefined && m.reportId !== reportId) bad("metadata.reportId", "the same value as reportId");
  const kind = m.kind ?? "exception";
  if (typeof kind !== "string" || !KINDS.has(kind)) bad("metadata.kind", "manual, exception or assertion");
  const { createdAt, platform, bugbeacon } = madeWhere(m, str);
  const env: Record<string, string> = {};
  if (m.environment !== undefined) {
    const e = record(m.environment, "metadata.environment");
    const names = Object.keys(e);
    if (names.length > 50) bad("metadata.environment", "at most 50 variables");
    for (const name of names) {
      if (!ENV_NAME.test(name)) bad("metadata.environment", "variable names of letters, digits and _ (not starting with a digit)");
      env[name] = str(e[name], `metadata.environment.${name}`, 0, 1024);
    }
  }
  const metadata: ReportMetadata = { schema: REPORT_SCHEMA_VERSION, identifier, reportId, createdAt, kind: kind as ReportKind, platform, bugbeacon, environment: env };
  if (m.app !== undefined) {
    const a = record(m.app, "metadata.app");
    metadata.app = {};
    if (a.name !== undefined) metadata.app.name = str(a.name, "metadata.app.name", 1, 100);
    if (a.version !== undefined) metadata.app.version = str(a.version, "metadata.app.version", 1, 60);
  }
  // Labels are the relay's to choose: a client's are not kept.
  return { repo, reportId, install, title, text, metadata };
}

/**
 * When and where a report or a monitor failure was made (`metadata.createdAt`, `.platform`, `.bugbeacon`),
 * each text field checked by `text` (which names the field in a refusal).
 */
export function madeWhere(m: Record<string, unknown>, text: (v: unknown, field: string, min: number, max: number) => string) {
  const createdAt = text(m.createdAt, "metadata.createdAt", 10, 40);
  if (!Number.isFinite(Date.parse(createdAt))) bad("metadata.createdAt", "an ISO 8601 time");
  const p = record(m.platform, "metadata.platform");
  const platform = {
    node: text(p.node, "metadata.platform.node", 1, 40),
    os: text(p.os, "metadata.platform.os", 1, 40),
    osRelease: text(p.osRelease ?? "", "metadata.platform.osRelease", 0, 100),
    arch: text(p.arch, "metadata.platform.arch", 1, 40),
  };
  return { createdAt, platform, bugbeacon: text(m.bugbeacon, "metadata.bugbeacon", 1, 40) };
}

export function bad(field: string, expected: string): never {
  throw new RelayRefusedError(400, field, `${field} is missing or wrong: expected ${expected}`);
}

export function record(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(field, "an object");
  return v as Record<string, unknown>;
}

export function str(v: unknown, field: string, min: number, max: number): string {
  if (typeof v !== "string") bad(field, "a string");
  if (v.length < min || v.length > max) bad(field, `a string of ${min} to ${max} characters`);
  // Lone surrogates and control characters other than tab and line breaks are refused, not repaired.
  if (!v.isWellFormed() || hasControl(v)) bad(field, "text without control characters");
  return v;
}

export function depth(v: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[v, 1]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (typeof x !== "object" || x === null) continue;
    if (d > max) max = d;
    if (max > MAX_DEPTH) return max;
    for (const child of Object.values(x)) stack.push([child, d + 1]);
  }
  return max;
}

/** A control character other than tab, line feed and carriage return. */
function hasControl(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}
