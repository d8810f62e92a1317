/**
 * GitLab issues (gitlab.com or a self-managed instance): created through the REST API (v4) with a token;
 * without one, GitLab's prefilled `/-/issues/new?issue[title]=…&issue[description]=…` page. Occurrences are
 * notes (or a 👍 award emoji); duplicates are found through the issue search of the project.
 */
import { renderIssueBody } from "../../format/report-format.js";
import type { PreparedReport } from "../../types.js";
import type { Backend, BackendClient, ClientMode, Draft, RemoteReport } from "../../delivery/backend.js";
import { parseProjectPath, resolveGitLabSettings, type GitLabHelperOptions } from "./options.js";
import { buildPrefilledUrl } from "../prefilled-url.js";
import { classifyRest, createRest, HttpStatusError } from "../rest.js";

// The options, their checks and the project-path rule live in options.ts (on the import path, for getHelper).
export { parseProjectPath, type GitLabHelperOptions } from "./options.js";

interface GitLabIssue {
  iid: number;
  state: string;
  description: string | null;
  web_url: string;
}

export function gitlabBackend(options: GitLabHelperOptions, settings: { env: NodeJS.ProcessEnv; pacingMs: number | undefined; retryAfterBaseMs: number | undefined }): Backend {
  const { env } = settings;
  const { web, token, prefix } = resolveGitLabSettings(options, env);
  const project = (target: string) => `/projects/${encodeURIComponent(target)}`;

  return {
    name: "gitlab",
    targetNoun: "project",
    defaults: { prefix: prefix ? `${prefix} ` : "", labels: options.labels ?? [], assignees: [] },
    checkTarget: (target) => void parseProjectPath(target),
    canSubmit: () => token !== undefined,
    render: (document) => renderIssueBody(document).body,
    manualUrl(report: PreparedReport) {
      const page = `${web}/${parseProjectPath(report.repo).split("/").map(encodeURIComponent).join("/")}/-/issues/new`;
      const { url, cutCharacters } = buildPrefilledUrl(page, [["issue[title]", report.title]], "issue[description]", report.document);
      return { url, cutCharacters };
    },
    describeCreate(target: string, draft: Draft) {
      return { method: "POST", url: `${web}/api/v4${project(target)}/issues`, body: createBody(draft) };
    },
    async client(mode: ClientMode): Promise<BackendClient> {
      const rest = await createRest(
        {
          root: `${web}/api/v4`,
          headers: { "PRIVATE-TOKEN": token ?? "" },
          env,
          fetch: options.fetch,
          timeoutMs: options.timeoutMs ?? 10_000,
          pacingMs: settings.pacingMs ?? 1000,
          retryAfterBaseMs: settings.retryAfterBaseMs ?? 1000,
        },
        mode,
      );
      const report = (issue: GitLabIssue): RemoteReport => ({ number: issue.iid, url: issue.web_url, state: issue.state === "opened" ? "open" : "closed", body: issue.description ?? "" });
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
            for (const note of notes) if (note.system !== true) occurrences.push({ number: issue.iid, url: `${issue.web_url}#note_${note.id}`, body: note.body });
          }
          return { reports: issues.map(report), occurrences };
        },
        async get(target, number) {
          try {
            return report((await rest.get<GitLabIssue>(`${project(target)}/issues/${number}`)).data);
          } catch (error) {
            if (error instanceof HttpStatusError && error.status === 404) return undefined;
            throw error;
          }
        },
        async search(target, identifier, signal) {
          try {
            const query = { search: identifier, in: "description", state: "all", order_by: "created_at", sort: "asc", per_page: 20 };
            return (await rest.get<GitLabIssue[]>(`${project(target)}/issues`, query, signal)).data.map(report);
          } catch (error) {
            if (error instanceof HttpStatusError && error.status === 429) return undefined; // search rate limit: send as new
            throw error;
          }
        },
        async create(target, draft) {
          const issue = await rest.send<GitLabIssue>("POST", `${project(target)}/issues`, createBody(draft));
          return { number: issue.iid, url: issue.web_url };
        },
        async comment(target, number, body) {
          const note = await rest.send<{ id: number }>("POST", `${project(target)}/issues/${number}/notes`, { body });
          return { url: `${web}/${target}/-/issues/${number}#note_${note.id}` };
        },
        async react(target, number) {
          try {
            await rest.send("POST", `${project(target)}/issues/${number}/award_emoji`, { name: "thumbsup" });
          } catch (error) {
            // Already awarded by this token's user (GitLab answers 404 "Award Emoji Name has already been taken").
            if (!(error instanceof HttpStatusError && (error.status === 404 || error.status === 400) && /taken/i.test(error.detail))) throw error;
          }
        },
        async reopen(target, number) {
          await rest.send("PUT", `${project(target)}/issues/${number}`, { state_event: "reopen" });
        },
        reportUrl: (target, number) => `${web}/${target}/-/issues/${number}`,
      };
    },
    classify: (error) => classifyRest(error, "GitLab", "BUGBEACON_GITLAB_TOKEN", "project"),
  };
}

function createBody(draft: Draft) {
  return { title: draft.title, description: draft.body, ...(draft.labels.length > 0 ? { labels: draft.labels.join(",") } : {}) };
}
