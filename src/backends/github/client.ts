/** The requests the pipeline needs, answered by GitHub's REST API through Octokit. */
import type { Octokit } from "@octokit/rest";
import type { BackendClient, RemoteReport } from "../../delivery/backend.js";
import { parseRepo } from "./repo.js";

export function githubClient(octokit: Octokit, webUrl: string): BackendClient {
  const base = (target: string) => {
    const repo = parseRepo(target);
    return { owner: repo.owner, repo: repo.name };
  };
  const report = (issue: { number: number; html_url: string; state: string; body?: string | null }): RemoteReport => ({
    ref: String(issue.number),
    url: issue.html_url,
    state: issue.state === "open" ? "open" : "closed",
    body: issue.body ?? "",
  });
  return {
    async listOpen(target) {
      const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { ...base(target), state: "open", per_page: 100 });
      return issues.filter((i) => !i.pull_request).map(report);
    },
    async listChanged(target, since) {
      const sinceIso = since.toISOString();
      const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { ...base(target), state: "all", since: sinceIso, per_page: 100 });
      const comments = await octokit.paginate(octokit.rest.issues.listCommentsForRepo, { ...base(target), since: sinceIso, per_page: 100 });
      return {
        reports: issues.filter((i) => !i.pull_request).map(report),
        occurrences: comments.map((c) => ({ ref: c.issue_url.slice(c.issue_url.lastIndexOf("/") + 1), url: c.html_url, body: c.body ?? "" })),
      };
    },
    async get(target, ref) {
      try {
        return report((await octokit.rest.issues.get({ ...base(target), issue_number: Number(ref) })).data);
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 404 || status === 410) return undefined;
        throw error;
      }
    },
    async search(target, identifier, signal) {
      const repo = parseRepo(target);
      try {
        const { data } = await octokit.rest.search.issuesAndPullRequests({
          q: `repo:${repo.owner}/${repo.name} is:issue in:body "${identifier}"`,
          sort: "created",
          order: "asc",
          per_page: 20,
          ...(signal !== undefined ? { request: { signal, retries: 0 } } : {}),
        });
        return data.items.map(report);
      } catch (error) {
        // Search is limited to 30 requests a minute: without it, send as new; triage merges later.
        const status = (error as { status?: number }).status;
        if (status === 403 || status === 429 || status === 422) return undefined;
        throw error;
      }
    },
    async create(target, draft) {
      const { data } = await octokit.rest.issues.create({
        ...base(target),
        title: draft.title,
        body: draft.body,
        ...(draft.labels.length > 0 ? { labels: draft.labels } : {}),
        ...(draft.assignees.length > 0 ? { assignees: draft.assignees } : {}),
        request: { retries: 0 },
      });
      return { ref: String(data.number), url: data.html_url };
    },
    async comment(target, ref, body) {
      const { data } = await octokit.rest.issues.createComment({ ...base(target), issue_number: Number(ref), body, request: { retries: 0 } });
      return { url: data.html_url };
    },
    async react(target, ref) {
      await octokit.rest.reactions.createForIssue({ ...base(target), issue_number: Number(ref), content: "+1", request: { retries: 0 } });
    },
    async reopen(target, ref) {
      await octokit.rest.issues.update({ ...base(target), issue_number: Number(ref), state: "open" });
    },
    reportUrl(target, ref) {
      const repo = parseRepo(target);
      return `${webUrl}/${repo.owner}/${repo.name}/issues/${ref}`;
    },
  };
}
