/**
 * Gitea and Forgejo issues (a self-hosted instance or Codeberg), written only against the public port
 * (defineBackend): created through the REST API (`/api/v1`) with a token (`Authorization: token …`);
 * without one, the prefilled `/{owner}/{repo}/issues/new?title=…&body=…` page. Occurrences are comments
 * (or a +1 reaction); duplicates are found with the issue search (`q`, the issue indexer's keyword search).
 *
 * From Gitea's API description (templates/swagger/v1_json.tmpl) and sources: CreateIssueOption takes
 * `title` (required), `body`, `assignees` (user names) and `labels` as label *ids* (names are looked up in
 * the repository's labels; a token that may not write issues has its labels dropped); lists are paged with
 * `page` (from 1) and `limit` (at most MAX_RESPONSE_ITEMS, 50 by default), counted in X-Total-Count; issue
 * titles are at most 255 characters (the issue table's column).
 */
import { InvalidTargetError } from "../../errors.js";
import { fitTitle, renderIssueBody } from "../../format/report-format.js";
import { defineBackend, type BackendClient, type BackendContext, type BackendParts, type ClientMode, type Draft, type RemoteOccurrence, type RemoteReport } from "../../delivery/backend.js";
import type { PreparedReport } from "../../types.js";
import { buildPrefilledUrl } from "../prefilled-url.js";
import { classifyRest, serviceRest, HttpStatusError, type Rest } from "../rest.js";
import { parseGiteaRepo, resolveGiteaSettings, type GiteaHelperOptions } from "./options.js";

export { parseGiteaRepo, type GiteaHelperOptions };

/** Gitea's limits: titles of 255 characters; bodies are LONGTEXT, kept to GitHub's 65,536 so a report stays readable. */
export const GITEA_LIMITS = { title: 255, body: 65_536, comment: 65_536 } as const;
/** Largest page Gitea answers by default (setting API.MAX_RESPONSE_ITEMS). */
const PAGE_SIZE = 50;
/** Pages read at most in one listing. */
const MAX_PAGES = 100;

interface GiteaIssue {
  number: number;
  state: string;
  body: string | null;
  html_url: string;
  pull_request?: unknown;
}

interface GiteaComment {
  id: number;
  html_url: string;
  issue_url: string;
  body: string;
}

/** Gitea or Forgejo issues, as a backend record. */
export const gitea = defineBackend<GiteaHelperOptions>({
  name: "gitea",
  credentials: { env: ["BUGBEACON_GITEA_TOKEN", "GITEA_TOKEN"], option: "token" },
  limits: GITEA_LIMITS,
  create: (options, context) => giteaBackend(options, context),
});

export function giteaBackend(options: GiteaHelperOptions, settings: BackendContext): BackendParts {
  const { env } = settings;
  const { web, token } = resolveGiteaSettings(options, env);
  const prefix = options.prefix?.trim();
  const repoPath = (target: string) => {
    const { owner, repo } = parseGiteaRepo(target);
    return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  };
  const restFor = (mode: ClientMode) =>
    serviceRest(`${web}/api/v1`, { authorization: `token ${token ?? ""}` }, options, settings, mode);
  const webPath = (target: string) => {
    const { owner, repo } = parseGiteaRepo(target);
    return `${web}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  };

  return {
    targetNoun: "repository",
    defaults: { prefix: prefix ? `${prefix} ` : "", labels: options.labels ?? [], assignees: options.assignees ?? [] },
    checkTarget: (target) => void parseGiteaRepo(target),
    canSubmit: () => token !== undefined,
    render: (document, limit) => renderIssueBody(document, { limit }).body,
    manualUrl(report: PreparedReport) {
      const { url, cutCharacters } = buildPrefilledUrl(`${webPath(report.repo)}/issues/new`, [["title", report.title]], "body", report.document);
      return { url, cutCharacters };
    },
    describeCreate(target: string, draft: Draft) {
      return { method: "POST", url: `${web}/api/v1${repoPath(target)}/issues`, body: { title: fitTitle(draft.title, GITEA_LIMITS.title), body: draft.body, labels: draft.labels, assignees: draft.assignees } };
    },
    async client(mode: ClientMode): Promise<BackendClient> {
      return giteaClient(await restFor(mode), repoPath, webPath);
    },
    /** Monitors' issues (src/sdk/monitor): the issues API through the same client as reports. */
    async monitorIssues(mode: ClientMode) {
      const { giteaMonitorIssues } = await import("./monitor-issues.js");
      return giteaMonitorIssues(await restFor(mode), repoPath);
    },
    classify: (error) => classifyRest(error, "Gitea", "BUGBEACON_GITEA_TOKEN", "repository"),
  };
}

function giteaClient(rest: Rest, repoPath: (target: string) => string, webPath: (target: string) => string): BackendClient {
  const report = (issue: GiteaIssue): RemoteReport => ({ ref: String(issue.number), url: issue.html_url, state: issue.state === "open" ? "open" : "closed", body: issue.body ?? "" });
  /** Every page of a list (until a short page, or X-Total-Count is reached). */
  const all = async <T>(path: string, query: Record<string, string | number>, signal?: AbortSignal): Promise<T[]> => {
    const out: T[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { data, headers } = await rest.get<T[]>(path, { ...query, page, limit: PAGE_SIZE }, signal);
      out.push(...data);
      const total = Number(headers.get("x-total-count"));
      if (data.length < PAGE_SIZE || (Number.isFinite(total) && out.length >= total)) break;
    }
    return out;
  };
  /** Label ids for names (Gitea takes ids); names the repository does not have are left out. */
  const labelIds = async (target: string, names: string[]): Promise<number[]> => {
    if (names.length === 0) return [];
    const labels = await all<{ id: number; name: string }>(`${repoPath(target)}/labels`, {});
    return names.flatMap((name) => labels.filter((l) => l.name === name).map((l) => l.id));
  };
  return {
    async listOpen(target) {
      return (await all<GiteaIssue>(`${repoPath(target)}/issues`, { state: "open", type: "issues" })).map(report);
    },
    async listChanged(target, since) {
      const sinceIso = since.toISOString();
      const issues = await all<GiteaIssue>(`${repoPath(target)}/issues`, { state: "all", type: "issues", since: sinceIso });
      const comments = await all<GiteaComment>(`${repoPath(target)}/issues/comments`, { since: sinceIso });
      const occurrences: RemoteOccurrence[] = comments.map((c) => ({ ref: c.issue_url.slice(c.issue_url.lastIndexOf("/") + 1), url: c.html_url, body: c.body }));
      return { reports: issues.map(report), occurrences };
    },
    async get(target, ref) {
      try {
        return report((await rest.get<GiteaIssue>(`${repoPath(target)}/issues/${issueIndex(ref)}`)).data);
      } catch (error) {
        if (error instanceof HttpStatusError && error.status === 404) return undefined;
        throw error;
      }
    },
    async search(target, identifier, signal) {
      try {
        const hits = await all<GiteaIssue>(`${repoPath(target)}/issues`, { state: "all", type: "issues", q: identifier }, signal);
        return hits.map(report).sort((a, b) => Number(a.ref) - Number(b.ref));
      } catch (error) {
        if (error instanceof HttpStatusError && error.status === 429) return undefined;
        throw error;
      }
    },
    async create(target, draft) {
      const labels = await labelIds(target, draft.labels);
      const body = { title: fitTitle(draft.title, GITEA_LIMITS.title), body: draft.body, ...(labels.length > 0 ? { labels } : {}), ...(draft.assignees.length > 0 ? { assignees: draft.assignees } : {}) };
      const issue = await rest.send<GiteaIssue>("POST", `${repoPath(target)}/issues`, body);
      return { ref: String(issue.number), url: issue.html_url };
    },
    async comment(target, ref, body) {
      const comment = await rest.send<GiteaComment>("POST", `${repoPath(target)}/issues/${issueIndex(ref)}/comments`, { body });
      return { url: comment.html_url };
    },
    async react(target, ref) {
      await rest.send("POST", `${repoPath(target)}/issues/${issueIndex(ref)}/reactions`, { content: "+1" });
    },
    async reopen(target, ref) {
      await rest.send("PATCH", `${repoPath(target)}/issues/${issueIndex(ref)}`, { state: "open" });
    },
    reportUrl: (target, ref) => `${webPath(target)}/issues/${ref}`,
  };
}

/** An issue reference ("12") as the index the API takes. */
function issueIndex(ref: string): number {
  if (!/^[1-9]\d{0,15}$/.test(ref)) throw new InvalidTargetError("issue", ref, "a Gitea issue number");
  return Number(ref);
}
