/**
 * Monitor issues on GitHub, through the same Octokit (pacing, retries, throttling) as reports.
 *
 * Finding: issues labelled `bugbeacon-monitor` are listed (the list is consistent at once, unlike search,
 * whose index lags behind a new issue); the newest whose body carries the identifier's marker wins. When
 * none is found that way (the label was removed, or the token may not create labels), search by the
 * identifier is the fallback. With several open (two runs opened one at once), the oldest is the monitor's.
 */
import type { Octokit } from "@octokit/rest";
import { pickMonitorIssue as newest, type MonitorIssue, type MonitorIssues } from "../../sdk/monitor/issues.js";
import { MONITOR_LABEL } from "../../sdk/monitor/options.js";
import { parseRepo } from "./repo.js";

export function githubMonitorIssues(octokit: Octokit): MonitorIssues {
  const base = (target: string) => {
    const repo = parseRepo(target);
    return { owner: repo.owner, repo: repo.name };
  };
  const view = (i: { number: number; html_url: string; state: string; body?: string | null }): MonitorIssue => ({
    number: i.number,
    url: i.html_url,
    state: i.state === "open" ? "open" : "closed",
    body: i.body ?? "",
  });
  return {
    async find(target, identifier) {
      const labelled = await octokit.paginate(octokit.rest.issues.listForRepo, { ...base(target), state: "all", labels: MONITOR_LABEL, per_page: 100 });
      const found = newest(labelled.filter((i) => !i.pull_request).map(view), identifier);
      if (found !== undefined) return found;
      const repo = parseRepo(target);
      try {
        const { data } = await octokit.rest.search.issuesAndPullRequests({ q: `repo:${repo.owner}/${repo.name} is:issue in:body "${identifier}"`, per_page: 20 });
        return newest(data.items.map(view), identifier);
      } catch (error) {
        // Search is limited to 30 requests a minute; the labelled list already said there is none.
        const status = (error as { status?: number }).status;
        if (status === 403 || status === 429 || status === 422) return undefined;
        throw error;
      }
    },
    async create(target, issue) {
      // Not retried blindly: a lost answer would open a second issue (the next run finds the first).
      const { data } = await octokit.rest.issues.create({ ...base(target), title: issue.title, body: issue.body, labels: issue.labels, request: { retries: 0 } });
      return { number: data.number, url: data.html_url };
    },
    async edit(target, number, change) {
      await octokit.rest.issues.update({
        ...base(target),
        issue_number: number,
        body: change.body,
        ...(change.state === "closed" ? { state: "closed" as const, state_reason: "completed" as const } : change.state === "open" ? { state: "open" as const } : {}),
      });
    },
    async comment(target, number, body) {
      await octokit.rest.issues.createComment({ ...base(target), issue_number: number, body, request: { retries: 0 } });
    },
  };
}
