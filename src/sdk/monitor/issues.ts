/**
 * What a monitor needs from the service, and nothing more: find its issue by identifier, create one,
 * edit its body (and open or close it in the same request), comment. A backend offers it through the
 * optional `Backend.monitorIssues`: every built-in one does (src/backends/{github,gitlab,gitea,discourse}/
 * monitor-issues.ts); the relay does not: its clients are strangers' machines, which must not open or
 * close issues, so they send failures only and the relay keeps the issue (MonitorHost.relay, docs/monitors.md).
 */
import { markerIdentifier } from "./state.js";

export interface MonitorIssue {
  number: number;
  url: string;
  state: "open" | "closed";
  body: string;
}

export interface MonitorIssues {
  /** The longest body the service keeps (Discourse: 32,000); the checklist is shortened to fit. @default 60,000 */
  readonly bodyLimit?: number;
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

/**
 * The monitor's issue among candidates: those whose marker names `identifier`; the oldest open one (two
 * runs that opened one at once agree on it), else the newest closed one.
 */
export function pickMonitorIssue(list: MonitorIssue[], identifier: string): MonitorIssue | undefined {
  const mine = list.filter((i) => markerIdentifier(i.body) === identifier);
  return mine.filter((i) => i.state === "open").sort((a, b) => a.number - b.number)[0] ?? mine.sort((a, b) => b.number - a.number)[0];
}
