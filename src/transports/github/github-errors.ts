import { GitHubRequestError } from "../../errors.js";
import type { Redactor } from "../../sdk/redact.js";

/** What to tell the user to do for each status GitHub answers with. */
const ADVICE: Record<number, string> = {
  401: "the token was refused (Bad credentials). Check BUGBEACON_GITHUB_TOKEN: it may be expired or mistyped.",
  403: "the token may not do this, or a rate limit was hit. Give the token the Issues (read and write) permission on the repository.",
  404: "the repository was not found, or the token cannot see it. Check the repo name and that the token has access to it.",
  410: "issues are turned off for this repository. Turn them on in the repository settings.",
  422: "GitHub refused the issue as invalid (for example a label or assignee it does not accept).",
};

/**
 * Turns whatever Octokit threw into a `GitHubRequestError` with advice, never carrying the token:
 * the message is redacted and the original request (with its authorization header) is not kept.
 */
export function toGitHubRequestError(error: unknown, action: string, redact: Redactor): GitHubRequestError {
  const status = typeof (error as { status?: unknown })?.status === "number" ? (error as { status: number }).status : undefined;
  const raw = error instanceof Error ? error.message : String(error);
  const reason = status !== undefined ? (ADVICE[status] ?? `GitHub answered ${status}.`) : `no answer from GitHub (${raw}).`;
  const message = redact(`Could not ${action}: ${reason}${status !== undefined ? ` GitHub said: ${raw}` : ""}`);
  return new GitHubRequestError(message, status, {
    code: status === undefined ? "ERR_GITHUB_UNREACHABLE" : `ERR_GITHUB_${status}`,
  });
}
