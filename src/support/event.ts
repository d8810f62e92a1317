/**
 * The `issues` webhook event GitHub Actions writes to `GITHUB_EVENT_PATH`. Only the fields triage
 * reads are checked; the file is untrusted and may be anything.
 */
import { readFile } from "node:fs/promises";
import { BugbeaconError } from "../errors.js";

export interface IssuesEvent {
  action: string;
  issue: {
    number: number;
    title: string;
    body: string | null;
    created_at: string;
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
    super(`${path} is not an issues event: ${problem}. bugbeacon triage runs on "issues: [opened, edited]" workflow events.`, {
      code: "ERR_INVALID_EVENT",
    });
  }
}

export async function readIssuesEvent(path: string): Promise<IssuesEvent> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new InvalidEventError(path, `could not read it as JSON (${(error as Error).message})`);
  }
  const e = value as Partial<IssuesEvent>;
  const issue = e?.issue as Partial<IssuesEvent["issue"]> | undefined;
  if (typeof e?.action !== "string") throw new InvalidEventError(path, "no action");
  if (typeof issue !== "object" || issue === null) throw new InvalidEventError(path, "no issue");
  if (!Number.isSafeInteger(issue.number) || (issue.number ?? 0) < 1) throw new InvalidEventError(path, "issue.number is not a positive integer");
  if (typeof issue.title !== "string") throw new InvalidEventError(path, "issue.title is not a string");
  if (issue.body !== null && issue.body !== undefined && typeof issue.body !== "string") throw new InvalidEventError(path, "issue.body is not a string");
  if (typeof issue.created_at !== "string" || Number.isNaN(Date.parse(issue.created_at))) throw new InvalidEventError(path, "issue.created_at is not a date");
  return {
    ...(e as IssuesEvent),
    issue: {
      ...(issue as IssuesEvent["issue"]),
      body: issue.body ?? null,
      html_url: typeof issue.html_url === "string" ? issue.html_url : "",
      labels: Array.isArray(issue.labels) ? issue.labels : [],
      user: issue.user && typeof issue.user.login === "string" ? { login: issue.user.login } : null,
    },
  };
}
