/**
 * GitLab issues (gitlab.com or a self-managed instance): created through the REST API (v4) with a token;
 * without one, GitLab's prefilled `/-/issues/new?issue[title]=…&issue[description]=…` page. Occurrences are
 * notes (or a 👍 award emoji); duplicates are found through the issue search of the project.
 */
import { fitTitle, renderIssueBody } from "../../format/report-format.js";
import type { PreparedReport } from "../../types.js";
import { defineBackend, type BackendClient, type BackendContext, type BackendParts, type ClientMode, type Draft, type RemoteReport } from "../../delivery/backend.js";
import { buildPrefilledUrl } from "../prefilled-url.js";
import { parseProjectPath, resolveGitLabSettings, type GitLabHelperOptions } from "./options.js";

export { parseProjectPath, type GitLabHelperOptions };
import { classifyRest, serviceRest, HttpStatusError } from "../rest.js";


interface GitLabIssue {
  iid: number;
  state: string;
  description: string | null;
  web_url: string;
}

/** GitLab issues, as a backend record. */
export const gitlab = defineBackend<GitLabHelperOptions>({
  name: "gitlab",
  credentials: { env: ["BUGBEACON_GITLAB_TOKEN", "GITLAB_TOKEN"], option: "token" },
  // GitLab's limits: titles of 255 characters (Issuable), descriptions and notes of 1,048,576.
  limits: { title: 255, body: 1_048_576, comment: 1_000_000 },
  create: (options, context) => gitlabBackend(options, context),
});

export function gitlabBackend(options: GitLabHelperOptions, settings: BackendContext): BackendParts {
  const { env } = settings;
  const { web, token, prefix } = resolveGitLabSettings(options, env);
  const project = (target: string) => `/projects/${encodeURIComponent(target)}`;
  const restFor = (mode: ClientMode) =>
    serviceRest(`${web}/api/v4`, { "PRIVATE-TOKEN": token ?? "" }, options, settings, mode);

  return {
    targetNoun: "project",
    defaults: { prefix: prefix ? `${prefix} ` : "", labels: options.labels ?? [], assignees: [] },
    checkTarget: (target) => void parseProjectPath(target),
    canSubmit: () => token !== undefined,
    render: (document, limit) => renderIssueBody(document, { limit }).body,
    manualUrl(report: PreparedReport) {
      const page = `${web}/${parseProjectPath(report.repo).split("/").map(encodeURIComponent).join("/")}/-/issues/new`;
      const { url, cutCharacters } = buildPrefilledUrl(page, [["issue[title]", report.title]], "issue[description]", report.document);
      return { url, cutCharacters };
    },
    describeCreate(target: string, draft: Draft) {
      return { method: "POST", url: `${web}/api/v4${project(target)}/issues`, body: createBody(draft) };
    },
    /** Monitors' issues (src/sdk/monitor): the Issues API through the same client as reports. */
    async monitorIssues(mode: ClientMode) {
      const { gitlabMonitorIssues } = await import("./monitor-issues.js");
      return gitlabMonitorIssues(await restFor(mode), project);
    },
    async client(mode: ClientMode): Promise<BackendClient> {
      const rest = await restFor(mode);
      const report = (issue: GitLabIssue): RemoteReport => ({ ref: String(issue.iid), url: issue.web_url, state: issue.state === "opened" ? "open" : "closed", body: issue.description ?? "" });
      /** Every page of a list (GitLab's `x-next-page` header). */
      const all = async <T>(path: string, query: Record<string, string | number | undefined>): Promise<T[]> => {
        const out: T[] = [];
        for (let page: string | null = "1"; page; ) {
          const { data, headers }: { data: T[]; headers: Headers } = await rest.get<T[]>(path, { ...query, per_page: 100, page });
          out.push(...data);
          page = headers.get("x-next-page") || null;
          if (out.length >= 5000) break;
        }
        return out;
      };
      return {
        async listOpen(target) {
          return (await all<GitLabIssue>(`${project(target)}/issues`, { state: "opened" })).map(report);
        },
        async listChanged(target, since) {
          const issues = await all<GitLabIssue & { updated_at: string }>(`${project(target)}/issues`, { state: "all", updated_after: since.toISOString() });
          const occurrences = [];
          for (const issue of issues) {
            // GitLab lists notes per issue only; a note updates its issue, so the changed issues are enough.
            const notes = await all<{ id: number; body: string; system?: boolean }>(`${project(target)}/issues/${issue.iid}/notes`, { sort: "desc", order_by: "updated_at" });
            for (const note of notes) if (note.system !== true) occurrences.push({ ref: String(issue.iid), url: `${issue.web_url}#note_${note.id}`, body: note.body });
          }
          return { reports: issues.map(report), occurrences };
        },
        async get(target, ref) {
          try {
            return report((await rest.get<GitLabIssue>(`${project(target)}/issues/${ref}`)).data);
          } catch (error) {
            if (error instanceof HttpStatusError && error.status === 404) return undefined;
            throw error;
          }
        },
        async search(target, identifier, signal) {
          try {
            // The open ones first (whatever number of closed ones share the identifier: a report that
            // regressed 20 times has 20 closed issues), else the most recent closed ones, oldest first.
            const query = { search: identifier, in: "description", order_by: "created_at", per_page: 20 };
            // A rate-limited search (429, no Retry-After) is not waited for: the report goes as new.
            const open = (await rest.get<GitLabIssue[]>(`${project(target)}/issues`, { ...query, state: "opened", sort: "asc" }, signal, { rateLimited: "fail" })).data;
            if (open.length > 0) return open.map(report);
            const closed = (await rest.get<GitLabIssue[]>(`${project(target)}/issues`, { ...query, state: "closed", sort: "desc" }, signal, { rateLimited: "fail" })).data;
            return closed.reverse().map(report);
          } catch (error) {
            if (error instanceof HttpStatusError && error.status === 429) return undefined; // search rate limit: send as new
            throw error;
          }
        },
        async create(target, draft) {
          const issue = await rest.send<GitLabIssue>("POST", `${project(target)}/issues`, createBody(draft));
          return { ref: String(issue.iid), url: issue.web_url };
        },
        async comment(target, ref, body) {
          const note = await rest.send<{ id: number }>("POST", `${project(target)}/issues/${ref}/notes`, { body });
          return { url: `${web}/${target}/-/issues/${ref}#note_${note.id}` };
        },
        async react(target, ref) {
          try {
            await rest.send("POST", `${project(target)}/issues/${ref}/award_emoji`, { name: "thumbsup" });
          } catch (error) {
            // Already awarded by this token's user (GitLab answers 404 "Award Emoji Name has already been taken").
            if (!(error instanceof HttpStatusError && (error.status === 404 || error.status === 400) && /taken/i.test(error.detail))) throw error;
          }
        },
        async reopen(target, ref) {
          await rest.send("PUT", `${project(target)}/issues/${ref}`, { state_event: "reopen" });
        },
        reportUrl: (target, ref) => `${web}/${target}/-/issues/${ref}`,
      };
    },
    classify: (error) => classifyRest(error, "GitLab", "BUGBEACON_GITLAB_TOKEN", "project"),
  };
}

function createBody(draft: Draft) {
  return { title: fitTitle(draft.title, 255), description: draft.body, ...(draft.labels.length > 0 ? { labels: draft.labels.join(",") } : {}) };
}
