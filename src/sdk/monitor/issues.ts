/**
 * What a monitor needs from the service, and nothing more: find its issue by identifier, create one,
 * edit its body (and open or close it in the same request), comment. A backend offers it through the
 * optional `Backend.monitorIssues` (GitHub does: src/backends/github/monitor-issues.ts).
 */
export interface MonitorIssue {
  number: number;
  url: string;
  state: "open" | "closed";
  body: string;
}

export interface MonitorIssues {
  /**
   * The issue whose body holds `identifier`'s marker: the oldest open one, else the newest closed one;
   * undefined when there is none.
   */
  find(target: string, identifier: string): Promise<MonitorIssue | undefined>;
  create(target: string, issue: { title: string; body: string; labels: string[] }): Promise<{ number: number; url: string }>;
  /** Rewrites the body; with `state`, closes (as completed) or reopens it in the same request. */
  edit(target: string, number: number, change: { body: string; state?: "open" | "closed" }): Promise<void>;
  comment(target: string, number: number, body: string): Promise<void>;
}
