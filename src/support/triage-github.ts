/**
 * Triage's writes to GitHub, each one idempotent: a label is added only when missing, an issue closed
 * only when open, a comment posted only when the bot's marker for it is not on the issue yet. Comment
 * posts are never retried blindly: after an uncertain failure (5xx, timeout, a lost answer) the comments
 * are read again, and the post is repeated only if the marker is not there. Reads, label and state
 * changes are idempotent and left to the client's retries (backoff on 5xx). Every failure becomes a
 * one-line `TriageStepError` (see github-failure.ts).
 */
import type { Octokit } from "@octokit/rest";
import { isTrustedAuthor, withMarker } from "./bot-text.js";
import { githubFailure } from "./github-failure.js";

interface IssueState {
  state: string;
  labels: string[];
  assignees: string[];
}

export class TriageGitHub {
  private readonly issues = new Map<number, IssueState>();
  private readonly comments = new Map<number, string[]>();
  /** Requests made, for the log and tests: "GET #12", "POST comment #12", … */
  readonly made: string[] = [];

  constructor(
    private readonly octokit: Octokit,
    private readonly base: { owner: string; repo: string },
    private readonly options: { botLogin?: string; log: (line: string) => void },
  ) {}

  private async call<T>(what: string, issue: number, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw githubFailure(error, what, issue);
    }
  }

  async issue(n: number): Promise<IssueState> {
    const cached = this.issues.get(n);
    if (cached !== undefined) return cached;
    const { data } = await this.call(`reading issue #${n}`, n, () => this.octokit.rest.issues.get({ ...this.base, issue_number: n }));
    const state: IssueState = {
      state: data.state,
      labels: data.labels.flatMap((l) => (typeof l === "string" ? [l] : l?.name ? [l.name] : [])),
      assignees: (data.assignees ?? []).map((a) => a.login),
    };
    this.issues.set(n, state);
    return state;
  }

  /** Bodies of the bot's own comments on issue n (a reporter's comments never count). */
  private async botComments(n: number, fresh = false): Promise<string[]> {
    const cached = this.comments.get(n);
    if (cached !== undefined && !fresh) return cached;
    const all = await this.call(`reading the comments of issue #${n}`, n, () =>
      this.octokit.paginate(this.octokit.rest.issues.listComments, { ...this.base, issue_number: n, per_page: 100 }),
    );
    const bodies = all.filter((c) => isTrustedAuthor(c.user, this.options.botLogin)).map((c) => c.body ?? "");
    this.comments.set(n, bodies);
    return bodies;
  }

  async hasMarker(n: number, marker: string): Promise<boolean> {
    return (await this.botComments(n)).some((b) => b.includes(marker));
  }

  /** Posts `body` with `marker` on issue n unless the marker is there. Returns whether it posted. */
  async comment(n: number, body: string, marker: string): Promise<boolean> {
    if (await this.hasMarker(n, marker)) return false;
    const text = withMarker(body, marker);
    const post = () =>
      this.octokit.rest.issues.createComment({ ...this.base, issue_number: n, body: text, request: { retries: 0 } } as Parameters<Octokit["rest"]["issues"]["createComment"]>[0]);
    for (let attempt = 1; ; attempt++) {
      try {
        await post();
        this.comments.get(n)?.push(text);
        return true;
      } catch (error) {
        const failure = githubFailure(error, `posting a comment on issue #${n}`, n);
        if (!failure.transient || attempt >= 2) throw failure;
        // Uncertain: GitHub may have stored it. Look before posting again.
        this.options.log(`posting on #${n} failed uncertainly (${failure.status ?? "no answer"}); checking whether it arrived`);
        if ((await this.botComments(n, true)).some((b) => b.includes(marker))) return true;
      }
    }
  }

  async addLabels(n: number, labels: string[]): Promise<void> {
    const current = await this.issue(n);
    const have = new Set(current.labels.map((l) => l.toLowerCase()));
    const missing = [...new Set(labels)].filter((l) => !have.has(l.toLowerCase()));
    if (missing.length === 0) return;
    await this.call(`labelling issue #${n}`, n, () => this.octokit.rest.issues.addLabels({ ...this.base, issue_number: n, labels: missing }));
    current.labels.push(...missing);
  }

  async assign(n: number, assignees: string[]): Promise<void> {
    const current = await this.issue(n);
    const missing = assignees.filter((a) => !current.assignees.some((b) => b.toLowerCase() === a.toLowerCase()));
    if (missing.length === 0) return;
    await this.call(`assigning issue #${n}`, n, () => this.octokit.rest.issues.addAssignees({ ...this.base, issue_number: n, assignees: missing }));
    current.assignees.push(...missing);
  }

  async setState(n: number, state: "open" | "closed", reason?: "not_planned" | "completed"): Promise<boolean> {
    const current = await this.issue(n);
    if (current.state === state) return false;
    await this.call(`${state === "closed" ? "closing" : "reopening"} issue #${n}`, n, () =>
      this.octokit.rest.issues.update({ ...this.base, issue_number: n, state, ...(reason !== undefined ? { state_reason: reason } : {}) }),
    );
    current.state = state;
    return true;
  }
}
