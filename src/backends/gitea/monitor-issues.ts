/**
 * Monitor issues on Gitea and Forgejo, through the issues API (v1), with the same REST client as reports.
 *
 * Finding: the repository's issues of every state whose text holds the identifier (`q`, the issue
 * indexer's keyword search, as report dedupe does; Gitea's label filter drops label names the repository
 * does not have, so it cannot narrow the list safely), then the one whose body carries the marker. Edits
 * are one `PATCH /repos/{owner}/{repo}/issues/{index}` (EditIssueOption) with `body` and, to close or
 * reopen, `state: closed | open` in the same request. The "resolved" comment is an issue comment.
 * Labels are sent as ids of the repository's labels of those names (CreateIssueOption takes ids).
 */
import type { Rest } from "../rest.js";
import { pickMonitorIssue, type MonitorIssue, type MonitorIssues } from "../../sdk/monitor/issues.js";
import { fitTitle } from "../../format/report-format.js";

interface GiteaIssue {
  number: number;
  state: string;
  body: string | null;
  html_url: string;
}

/** Gitea answers 50 items a page at most (API.MAX_RESPONSE_ITEMS). */
const PAGE_SIZE = 50;

export function giteaMonitorIssues(rest: Rest, repoPath: (target: string) => string): MonitorIssues {
  const view = (i: GiteaIssue): MonitorIssue => ({ number: i.number, url: i.html_url, state: i.state === "open" ? "open" : "closed", body: i.body ?? "" });
  const all = async <T>(path: string, query: Record<string, string | number>): Promise<T[]> => {
    const out: T[] = [];
    for (let page = 1; page <= 10; page++) {
      const { data } = await rest.get<T[]>(path, { ...query, page, limit: PAGE_SIZE });
      out.push(...data);
      if (data.length < PAGE_SIZE) break;
    }
    return out;
  };
  return {
    // Gitea keeps bodies as LONGTEXT; bugbeacon keeps its reports to 65,536 characters, and so monitors.
    bodyLimit: 65_536,
    async find(target, identifier) {
      const hits = await all<GiteaIssue>(`${repoPath(target)}/issues`, { state: "all", type: "issues", q: identifier });
      return pickMonitorIssue(hits.map(view), identifier);
    },
    async create(target, issue) {
      const labels = issue.labels.length === 0 ? [] : (await all<{ id: number; name: string }>(`${repoPath(target)}/labels`, {})).filter((l) => issue.labels.includes(l.name)).map((l) => l.id);
      const created = await rest.send<GiteaIssue>("POST", `${repoPath(target)}/issues`, { title: fitTitle(issue.title, 255), body: issue.body, ...(labels.length > 0 ? { labels } : {}) });
      return { number: created.number, url: created.html_url };
    },
    async edit(target, number, change) {
      await rest.send("PATCH", `${repoPath(target)}/issues/${number}`, { body: change.body, ...(change.state !== undefined ? { state: change.state } : {}) });
    },
    async comment(target, number, body) {
      await rest.send("POST", `${repoPath(target)}/issues/${number}/comments`, { body });
    },
  };
}
