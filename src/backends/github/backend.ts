/**
 * GitHub issues: created through the REST API with a token (or a GitHub App installation); without one, a
 * prefilled new-issue URL. Everything else (spool, dedupe, dry run, flush) is the shared pipeline's.
 */
import { MissingTokenError } from "../../errors.js";
import { GITHUB_BODY_LIMIT, GITHUB_TITLE_LIMIT, renderIssueBody, type ReportDocument } from "../../format/report-format.js";
import type { PreparedReport } from "../../types.js";
import { causeCode, neverSent } from "../network-errors.js";
import { defineBackend, DeliveryFailure, type BackendClient, type BackendContext, type BackendParts, type ClientMode, type Draft } from "../../delivery/backend.js";
import { buildNewIssueUrl } from "./new-issue-url.js";
import { DEFAULT_TIMEOUT_MS, type AppCredentials } from "./octokit-client.js";
import { resolveGitHubSettings, type GitHubHelperOptions } from "./options.js";
import { parseRepo } from "./repo.js";
import { withDeadline } from "../deadline.js";

/** GitHub's limits: titles of 256 characters, bodies and comments of 65,536. */
export const GITHUB_LIMITS = { title: GITHUB_TITLE_LIMIT, body: GITHUB_BODY_LIMIT, comment: GITHUB_BODY_LIMIT } as const;

/** GitHub issues, as a backend record. */
export const github = defineBackend<GitHubHelperOptions>({
  name: "github",
  credentials: { env: ["BUGBEACON_GITHUB_TOKEN", "HELPME_GITHUB_TOKEN"], option: "token" },
  limits: GITHUB_LIMITS,
  create: (options, context) => githubBackend(options, context),
});

export function githubBackend(options: GitHubHelperOptions, settings: BackendContext): BackendParts & { readonly apiUrl: string; readonly webUrl: string } {
  const { env } = settings;
  const { apiUrl, webUrl, token, app } = resolveGitHubSettings(options, env);
  const credentials = (): string | AppCredentials | undefined => token ?? app;
  const footer = options.footer;
  const withFooter = (document: ReportDocument): ReportDocument => (footer === undefined ? document : { ...document, footer });
  const prefix = options.prefix?.trim();

  return {
    targetNoun: "repository",
    apiUrl,
    webUrl,
    defaults: { prefix: prefix ? `${prefix} ` : "", labels: options.labels ?? [], assignees: options.assignees ?? [] },
    checkTarget: (target) => void parseRepo(target),
    canSubmit: () => token !== undefined || app !== undefined,
    render: (document, limit) => renderIssueBody(withFooter(document), { limit }).body,
    manualUrl(report: PreparedReport) {
      const labels = options.labelsInUrl === true ? report.labels : [];
      const { url, cutCharacters } = buildNewIssueUrl(webUrl, parseRepo(report.repo), report.title, withFooter(report.document), labels);
      return { url, cutCharacters };
    },
    describeCreate(target: string, draft: Draft) {
      const repo = parseRepo(target);
      return { method: "POST", url: `${apiUrl}/repos/${repo.owner}/${repo.name}/issues`, body: { title: draft.title, body: draft.body, labels: draft.labels, assignees: draft.assignees } };
    },
    async client(mode: ClientMode): Promise<BackendClient> {
      const auth = credentials();
      if (auth === undefined) throw new MissingTokenError();
      const [{ createOctokit }, { resolveFetch }, { githubClient }] = await Promise.all([
        import("./octokit-client.js"),
        import("../http.js"),
        import("./client.js"),
      ]);
      let octokit: import("@octokit/rest").Octokit;
      if (mode.kind === "crash") {
        // One attempt per request, every request over by `sendBy`.
        const fetch = await resolveFetch(env, options.fetch);
        const { sendBy } = mode;
        const byDeadline: typeof globalThis.fetch = (input, init) => withDeadline(sendBy - Date.now(), [init?.signal], (signal) => fetch(input, { ...init, signal }));
        octokit = await createOctokit({ token: auth, baseUrl: apiUrl, timeoutMs: Math.max(1, sendBy - Date.now()), fetch: byDeadline, oneAttempt: true });
      } else if (mode.kind === "background") {
        // Unref'd sockets, one attempt per request, no pacing timers (the pipeline paces on unref'd timers).
        const fetch = await resolveFetch(env, options.fetch, { unref: true });
        octokit = await createOctokit({ token: auth, baseUrl: apiUrl, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, fetch, oneAttempt: true });
      } else {
        const fetch = await resolveFetch(env, options.fetch);
        octokit = await createOctokit({
          token: auth,
          baseUrl: apiUrl,
          timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          fetch,
          ...(settings.pacingMs !== undefined ? { pacingMs: settings.pacingMs } : {}),
          ...(settings.retryAfterBaseMs !== undefined ? { retryAfterBaseMs: settings.retryAfterBaseMs } : {}),
        });
      }
      return githubClient(octokit, webUrl);
    },
    /** Monitors' issues (src/sdk/monitor): the same Octokit setup as \`client\` for the normal and background modes. */
    async monitorIssues(mode: ClientMode) {
      const auth = credentials();
      if (auth === undefined) throw new MissingTokenError();
      const [{ createOctokit }, { resolveFetch }, { githubMonitorIssues }] = await Promise.all([
        import("./octokit-client.js"),
        import("../http.js"),
        import("./monitor-issues.js"),
      ]);
      const fetch = await resolveFetch(env, options.fetch, mode.kind === "normal" ? {} : { unref: true });
      const octokit = await createOctokit({
        token: auth,
        baseUrl: apiUrl,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        fetch,
        ...(mode.kind === "normal" ? {} : { oneAttempt: true }),
        ...(settings.pacingMs !== undefined ? { pacingMs: settings.pacingMs } : {}),
        ...(settings.retryAfterBaseMs !== undefined ? { retryAfterBaseMs: settings.retryAfterBaseMs } : {}),
      });
      return githubMonitorIssues(octokit);
    },
    classify,
  };
}

/** What a failed GitHub request means, in words the user can act on. */
export function classify(error: unknown): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const status = typeof (error as { status?: unknown }).status === "number" ? (error as { status: number }).status : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (status === undefined || status === 500) {
    // Octokit reports a failed fetch as status 500: the cause tells whether it may have arrived.
    const code = causeCode(error);
    const unsent = neverSent(error);
    if (unsent || status === undefined || (error as { response?: unknown }).response === undefined) {
      return new DeliveryFailure(`no answer from GitHub (${code ?? message})`, true, !unsent, undefined);
    }
    return new DeliveryFailure("GitHub answered 500", true, true, status);
  }
  if (status >= 500) return new DeliveryFailure(`GitHub answered ${status}`, true, true, status);
  if (status === 429 || (status === 403 && /rate limit/i.test(message))) return new DeliveryFailure(`rate limited (${message})`, true, false, status);
  if (status === 401) return new DeliveryFailure("the token was refused (401 Bad credentials): set a valid BUGBEACON_GITHUB_TOKEN, then run bugbeacon flush", false, false, status);
  if (status === 404) return new DeliveryFailure("the repository was not found or the token cannot see it (404): check the repo name and the token's access, then run bugbeacon flush", false, false, status);
  if (status === 403) return new DeliveryFailure("the token may not create issues here (403): give it the Issues permission, then run bugbeacon flush", false, false, status);
  return new DeliveryFailure(`GitHub refused the report (${status}: ${message})`, false, false, status);
}
