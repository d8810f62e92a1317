/**
 * Monitor issues on GitLab, through the Issues API (v4), with the same REST client as reports.
 *
 * Finding: the project's issues labelled `bugbeacon-monitor` (`labels=`, every state: a plain list, not
 * rate limited, consistent at once); the one whose description carries the identifier's marker wins. When
 * none is found that way (the label was taken off), the issue search (`search` in the description, rate
 * limited to 30 a minute) is the fallback. Edits are one `PUT /projects/:id/issues/:iid` with the new
 * `description` and, to close or reopen, `state_event: close | reopen` in the same request. The "resolved"
 * comment is a note.
 */
import type { Rest } from "../rest.js";
import { HttpStatusError } from "../rest.js";
import { pickMonitorIssue, type MonitorIssue, type MonitorIssues } from "../../sdk/monitor/issues.js";
import { MONITOR_LABEL } from "../../sdk/monitor/options.js";
import { fitTitle } from "../../format/report-format.js";

interface GitLabIssue {
  iid: number;
  state: string;
  description: string | null;
  web_url: string;
}

export function gitlabMonitorIssues(rest: Rest, project: (target: string) => string): MonitorIssues {
  const view = (i: GitLabIssue): MonitorIssue => ({ number: i.iid, url: i.web_url, state: i.state === "opened" ? "open" : "closed", body: i.description ?? "" });
  const list = async (target: string, query: Record<string, string | number>, rateLimited: "wait" | "fail" = "wait"): Promise<MonitorIssue[]> => {
    const out: MonitorIssue[] = [];
    // Pages of 100 (x-next-page), at most 10: a project has few monitors.
    for (let page: string | null = "1", n = 0; page && n < 10; n++) {
      const { data, headers }: { data: GitLabIssue[]; headers: { get(name: string): string | null } } = await rest.get<GitLabIssue[]>(`${project(target)}/issues`, { ...query, state: "all", per_page: 100, page }, undefined, { rateLimited });
      out.push(...data.map(view));
      page = headers.get("x-next-page") || null;
    }
    return out;
  };
  return {
    async find(target, identifier) {
      const labelled = pickMonitorIssue(await list(target, { labels: MONITOR_LABEL }), identifier);
      if (labelled !== undefined) return labelled;
      try {
        return pickMonitorIssue(await list(target, { search: identifier, in: "description" }, "fail"), identifier);
      } catch (error) {
        // The search limit (429): the labelled list already said there is none.
        if (error instanceof HttpStatusError && error.status === 429) return undefined;
        throw error;
      }
    },
    async create(target, issue) {
      const created = await rest.send<GitLabIssue>("POST", `${project(target)}/issues`, {
        title: fitTitle(issue.title, 255),
        description: issue.body,
        ...(issue.labels.length > 0 ? { labels: issue.labels.join(",") } : {}),
      });
      return { number: created.iid, url: created.web_url };
    },
    async edit(target, number, change) {
      await rest.send("PUT", `${project(target)}/issues/${number}`, {
        description: change.body,
        ...(change.state === "closed" ? { state_event: "close" } : change.state === "open" ? { state_event: "reopen" } : {}),
      });
    },
    async comment(target, number, body) {
      await rest.send("POST", `${project(target)}/issues/${number}/notes`, { body });
    },
  };
}
