/**
 * One report in the database: `issues/<identifier>/<number>.json` (or under a version folder).
 * Versioned schema; validated (ajv, loaded on first use) before it is written and by `db check`.
 */
import { BugbeaconError } from "../errors.js";
import { IDENTIFIER_PATTERN, IDENTIFIER_RULE_TEXT, isReportIdentifier } from "../format/report-format.js";

export const RECORD_SCHEMA_VERSION = 1 as const;

export interface ReportRecord {
  /** Schema version of this file. */
  schema: typeof RECORD_SCHEMA_VERSION;
  /** `md5.<32 lowercase hex>`, or a verbatim identifier that passes the report format's rule (`isReportIdentifier`). */
  identifier: string;
  /** Issue number in the support repository. */
  number: number;
  title: string;
  /** ISO 8601 time the issue was opened. */
  created_at: string;
  /** GitHub login of whoever opened the issue. */
  reporter: string;
  /** App version from the report, or null when the report has none (helpme, metadata lost). */
  app_version: string | null;
  /** Node version, OS and arch from the report, or null. */
  platform: { node: string; os: string; arch: string } | null;
  /** The allow-listed environment the report carried. */
  environment: Record<string, string>;
  /** The report's unique id, or null. */
  report_id: string | null;
  labels: string[];
  /** Where the identifier came from: bugbeacon's metadata block, its visible line, or helpme's line. */
  source: "metadata" | "identifier-line" | "helpme-line";
  /** Link to the issue. */
  url: string;
  /**
   * When the report was filed on GitHub: the creation time when it was opened with the report,
   * else the time of the edit or reopen that first carried it. Orders the reports: the earliest is the first.
   */
  filed_at?: string;
  /** The event that filed the report: only a rerun of that event acts on GitHub again. */
  filed_by?: "opened" | "edited" | "reopened";
  /** GitHub's `updated_at` of the newest event applied (title and labels follow the newest, in any order). */
  updated_at?: string;
}

export const RECORD_JSON_SCHEMA = {
  $id: "https://bugbeacon.dev/schema/report-record-1.json",
  type: "object",
  additionalProperties: false,
  required: ["schema", "identifier", "number", "title", "created_at", "reporter", "app_version", "platform", "environment", "report_id", "labels", "source", "url"],
  properties: {
    schema: { const: 1 },
    identifier: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$" },
    number: { type: "integer", minimum: 1 },
    title: { type: "string", maxLength: 1024 },
    created_at: { type: "string", format: "date-time" },
    reporter: { type: "string", maxLength: 100 },
    app_version: { type: ["string", "null"], maxLength: 64 },
    platform: {
      oneOf: [
        { type: "null" },
        {
          type: "object",
          additionalProperties: false,
          required: ["node", "os", "arch"],
          properties: { node: { type: "string", maxLength: 64 }, os: { type: "string", maxLength: 64 }, arch: { type: "string", maxLength: 64 } },
        },
      ],
    },
    environment: { type: "object", additionalProperties: { type: "string", maxLength: 2000 }, maxProperties: 200 },
    report_id: { type: ["string", "null"], maxLength: 200 },
    labels: { type: "array", items: { type: "string", maxLength: 100 }, maxItems: 100 },
    source: { enum: ["metadata", "identifier-line", "helpme-line"] },
    url: { type: "string", maxLength: 2000 },
    filed_at: { type: "string", format: "date-time" },
    filed_by: { enum: ["opened", "edited", "reopened"] },
    updated_at: { type: "string", format: "date-time" },
  },
} as const;

export class InvalidRecordError extends BugbeaconError {
  override name = "InvalidRecordError";
  constructor(where: string, problems: string[]) {
    super(`${where} is not a valid report record: ${problems.join("; ")}`, { code: "ERR_INVALID_RECORD" });
  }
}

/** Ajv is CommonJS: its class is the module's default export, or that export's own `default`. */
export async function createAjv(): Promise<import("ajv").default> {
  const mod = (await import("ajv")) as unknown as { default: { default?: AjvClass } & AjvClass };
  const Ajv = mod.default.default ?? mod.default;
  return new Ajv({ allErrors: true, strict: true });
}
type AjvClass = new (options: Record<string, unknown>) => import("ajv").default;

type Validate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };
let compiled: Promise<Validate> | undefined;

async function validator(): Promise<Validate> {
  compiled ??= (async () => {
    const ajv = await createAjv();
    ajv.addFormat("date-time", (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s));
    return ajv.compile(RECORD_JSON_SCHEMA) as Validate;
  })();
  return compiled;
}

/** Problems with `value` as a record, each naming the field; empty when it is valid. */
export async function recordProblems(value: unknown): Promise<string[]> {
  const validate = await validator();
  const problems = validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "(record)"} ${e.message ?? "is invalid"}`);
  // What a JSON schema pattern cannot say: no "..", no trailing dot, no Windows device name.
  const identifier = (value as { identifier?: unknown } | null)?.identifier;
  if (typeof identifier === "string" && IDENTIFIER_PATTERN.test(identifier) && !isReportIdentifier(identifier)) {
    problems.push(`/identifier ${JSON.stringify(identifier)} is not ${IDENTIFIER_RULE_TEXT}`);
  }
  return problems;
}
