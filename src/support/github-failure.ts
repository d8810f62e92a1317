/**
 * Turns a GitHub or git failure into one line that names what failed and what to do, and says whether
 * it is worth retrying the job (exit code 75) or needs a person (exit code 1). Never a stack, never a
 * request dump (they can carry headers and bodies).
 */
import { GitError } from "./git-sync.js";
import { TriageStepError } from "../errors.js";
import { temporaryFailure } from "../_internal/temporary-failure.js";

interface RequestLike {
  status?: unknown;
  message?: unknown;
  response?: { data?: unknown; headers?: Record<string, unknown> };
  name?: unknown;
}

/** `what` reads after "while": e.g. "closing issue #12". */
export function githubFailure(error: unknown, what: string, issue?: number): TriageStepError {
  if (error instanceof TriageStepError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as RequestLike;
  const status = typeof e.status === "number" ? e.status : undefined;
  const data = e.response?.data as { message?: unknown; errors?: unknown } | undefined;
  const ghMessage = typeof data?.message === "string" ? data.message.slice(0, 200) : undefined;
  const shown = (s: string) => s.replace(/[\r\n]+/g, " ");
  if (status === 401) {
    return new TriageStepError(
      `GitHub refused the token while ${what} (401 ${shown(ghMessage ?? "Bad credentials")}): pass a valid token (GITHUB_TOKEN in Actions; --token or the env elsewhere).`,
      { transient: false, status, code: "ERR_GITHUB_UNAUTHORIZED", cause: error },
    );
  }
  const rateLimited = status === 429 || (status === 403 && (e.response?.headers?.["x-ratelimit-remaining"] === "0" || /rate limit/i.test(ghMessage ?? "")));
  if (rateLimited) {
    return new TriageStepError(`GitHub's rate limit stopped triage while ${what} (${status}): nothing was done twice; re-run the job later.`, {
      transient: true,
      status,
      code: "ERR_GITHUB_RATE_LIMIT",
      cause: error,
    });
  }
  if (status === 403) {
    return new TriageStepError(
      `The token may not do this: GitHub refused ${what} (403 ${shown(ghMessage ?? "Forbidden")}). Give the job "permissions: issues: write" (and "contents: write" for the database).`,
      { transient: false, status, code: "ERR_GITHUB_FORBIDDEN", cause: error },
    );
  }
  if (status === 404 || status === 410) {
    const subject = issue !== undefined ? `issue #${issue} was not found` : "not found";
    return new TriageStepError(
      `GitHub answered ${status} while ${what}: ${subject}. It was deleted or transferred to another repository, or the token cannot see the repository (check --repo).`,
      { transient: false, status, code: "ERR_GITHUB_NOT_FOUND", cause: error },
    );
  }
  if (status === 422) {
    const errors = Array.isArray(data?.errors)
      ? (data.errors as Array<{ message?: unknown; field?: unknown; code?: unknown }>)
          .map((x) => (typeof x.message === "string" ? x.message : `${String(x.field ?? "")} ${String(x.code ?? "")}`.trim()))
          .join("; ")
      : "";
    return new TriageStepError(
      `GitHub refused ${what} (422 ${shown(ghMessage ?? "Validation Failed")}${errors ? `: ${shown(errors.slice(0, 300))}` : ""}). Fix what it names (a label or an assignee in bugbeacon.config.json?).`,
      { transient: false, status, code: "ERR_GITHUB_REFUSED", cause: error },
    );
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new TriageStepError(`GitHub refused ${what} (${status} ${shown(ghMessage ?? "")}).`, { transient: false, status, code: "ERR_GITHUB_REFUSED", cause: error });
  }
  // 5xx, a timeout, a reset connection: GitHub may or may not have done it. Idempotent calls were retried.
  // Octokit reports a failed fetch as status 500: the cause names what happened (a refused connection is one).
  const reason = shown(temporaryFailure(error) ?? (status !== undefined ? `HTTP ${status}` : typeof e.message === "string" ? e.message.slice(0, 120) : "no answer"));
  return new TriageStepError(`GitHub did not complete ${what} (${reason}) after retries: temporary; re-run the job (nothing will be done twice).`, {
    transient: true,
    status,
    code: "ERR_GITHUB_TEMPORARY",
    cause: error,
  });
}

const TRANSIENT_GIT = /could not resolve host|connection (refused|reset|timed out)|timed out|early eof|the remote end hung up|failed to connect|HTTP 5\d\d|returned error: 5\d\d|could not push the database|unable to access/i;

/** A git failure in one line; transient when it looks like the network or a push race that never settled. */
export function gitFailure(error: unknown, what: string): TriageStepError {
  if (error instanceof TriageStepError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n").find((l) => l.trim() !== "") ?? message;
  const transient = TRANSIENT_GIT.test(message);
  const advice = transient
    ? "temporary; re-run the job"
    : /authentication|permission|403|denied/i.test(message)
      ? "give the token contents: write on the database repository"
      : "check the database repository and --db / --db-repo / --db-remote";
  return new TriageStepError(`git failed while ${what}: ${firstLine.trim().slice(0, 300)} (${advice}).`, {
    transient,
    code: transient ? "ERR_GIT_TEMPORARY" : "ERR_GIT",
    cause: error instanceof GitError ? error : error,
  });
}
