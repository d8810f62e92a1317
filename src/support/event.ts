/**
 * The `issues` webhook event GitHub Actions writes to `GITHUB_EVENT_PATH`. The file is untrusted and
 * may be anything: it is validated against a JSON schema (ajv, loaded on first use) at the entry point,
 * and every problem is named by its path. Label entries that are not labels (`[null]`) are dropped.
 */
import { readFile } from "node:fs/promises";
import { BugbeaconError } from "../errors.js";
import { createAjv } from "./record.js";
import { terminalSafe } from "./safe-names.js";

export interface IssuesEvent {
  action: string;
  issue: {
    number: number;
    title: string;
    body: string | null;
    created_at: string;
    /** When the issue last changed, as of this event (GitHub sets it). */
    updated_at?: string;
    html_url: string;
    user: { login: string } | null;
    labels: Array<string | { name?: string }>;
    state?: string;
    pull_request?: unknown;
  };
  repository?: { full_name?: string };
}

export class InvalidEventError extends BugbeaconError {
  override name = "InvalidEventError";
  constructor(path: string, problem: string) {
    super(`${path} is not an issues event: ${terminalSafe(problem)}. bugbeacon triage runs on "issues: [opened, edited, reopened]" workflow events.`, {
      code: "ERR_INVALID_EVENT",
    });
  }
}

export const ISSUES_EVENT_SCHEMA = {
  type: "object",
  required: ["action", "issue"],
  properties: {
    action: { type: "string", minLength: 1, maxLength: 64 },
    issue: {
      type: "object",
      required: ["number", "title", "created_at"],
      properties: {
        number: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        title: { type: "string", maxLength: 65536 },
        body: { type: ["string", "null"] },
        created_at: { type: "string", minLength: 10, maxLength: 64 },
        updated_at: { type: ["string", "null"], maxLength: 64 },
        html_url: { type: "string", maxLength: 2000 },
        state: { type: "string", maxLength: 32 },
        user: {
          oneOf: [{ type: "null" }, { type: "object", properties: { login: { type: "string", maxLength: 100 } } }],
        },
        labels: {
          type: "array",
          maxItems: 1000,
          items: { oneOf: [{ type: "null" }, { type: "string" }, { type: "object", properties: { name: { type: ["string", "null"] } } }] },
        },
      },
    },
    repository: { type: "object", properties: { full_name: { type: "string" } } },
  },
} as const;

type Validate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };
let compiled: Promise<Validate> | undefined;

function validator(): Promise<Validate> {
  compiled ??= createAjv().then((ajv) => ajv.compile(ISSUES_EVENT_SCHEMA) as Validate);
  return compiled;
}

/** Validates a parsed event; throws `InvalidEventError` naming each problem. */
export async function validateIssuesEvent(value: unknown, where = "the event"): Promise<IssuesEvent> {
  const validate = await validator();
  if (!validate(value)) {
    const problems = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || "(top level)"} ${e.message ?? "is invalid"}`);
    throw new InvalidEventError(where, [...new Set(problems)].join("; "));
  }
  const e = value as IssuesEvent & { issue: { labels?: unknown[]; user?: { login?: string } | null } };
  const issue = e.issue;
  if (Number.isNaN(Date.parse(issue.created_at))) throw new InvalidEventError(where, "/issue/created_at is not a date");
  const updated = typeof issue.updated_at === "string" && !Number.isNaN(Date.parse(issue.updated_at)) ? issue.updated_at : undefined;
  const labels = (issue.labels ?? []).flatMap((l): string[] => {
    const name = typeof l === "string" ? l : l !== null && typeof l === "object" ? (l as { name?: unknown }).name : undefined;
    return typeof name === "string" && name !== "" ? [name] : [];
  });
  const event: IssuesEvent = {
    ...e,
    issue: {
      ...issue,
      body: issue.body ?? null,
      html_url: typeof issue.html_url === "string" ? issue.html_url : "",
      labels,
      user: issue.user && typeof issue.user.login === "string" ? { login: issue.user.login } : null,
    },
  };
  if (updated !== undefined) event.issue.updated_at = updated;
  else delete event.issue.updated_at;
  return event;
}

export async function readIssuesEvent(path: string): Promise<IssuesEvent> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new InvalidEventError(path, `could not read it as JSON (${(error as Error).message})`);
  }
  return validateIssuesEvent(value, path);
}
