/**
 * Shared by the relay tests, their stress version and the relay bench: reports as the relay client sends
 * them (POST /v1/reports, JSON), and the count messages read back from the fake GitHub's issues.
 */
import { randomUUID } from "node:crypto";
import { monitorIdentifier } from "../../src/sdk/monitor/state.js";
import { post, type Answer } from "./serve-harness.js";

export interface WireReport {
  schema: 1;
  repo: string;
  reportId: string;
  install: string;
  title: string;
  text: string;
  metadata: Record<string, unknown>;
}

export function wireReport(repo: string, o: { identifier?: string; install?: string; reportId?: string; title?: string; text?: string; version?: string; os?: string } = {}): WireReport {
  const reportId = o.reportId ?? randomUUID();
  return {
    schema: 1,
    repo,
    reportId,
    install: o.install ?? `install-${randomUUID()}`,
    title: o.title ?? "TypeError: boom",
    text: o.text ?? "TypeError: boom\n    at main (app.js:1:1)",
    metadata: {
      schema: 1,
      identifier: o.identifier ?? "md5.0123456789abcdef0123456789abcdef",
      reportId,
      createdAt: "2026-12-01T10:00:00.000Z",
      kind: "exception",
      platform: { node: "v22.11.0", os: o.os ?? "linux", osRelease: "6.1.0", arch: "x64" },
      bugbeacon: "0.1.0",
      environment: { NODE_ENV: "production" },
      app: { name: "tool", version: o.version ?? "1.0.0" },
    },
  };
}

export function postReport(base: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return post(`${base}/v1/reports`, body, { "content-type": "application/json", ...headers });
}

export interface CountLine {
  replica: string;
  seq: number;
  identifier: string;
  occurrences: number;
  machines: number;
  total: number;
  totalMachines: number;
  /** Every message (replica:seq) this one carries: more than one once it was edited in place. */
  keys?: string[];
}

/** The relay's count messages in an issue's comments (the hidden line each carries). */
export function countLines(comments: Array<{ body: string | null }>): CountLine[] {
  const out: CountLine[] = [];
  for (const c of comments) {
    const m = /<!-- bugbeacon:relay-count (\{.*\}) -->/.exec(c.body ?? "");
    if (m) out.push(JSON.parse(m[1]!) as CountLine);
  }
  return out;
}

/** A monitor failure as the SDK sends it (POST /v1/monitor-failures). */
export function wireFailure(repo: string, o: { name?: string; every?: number; passAfter?: number; keys?: string[]; details?: string; install?: string; reportId?: string } = {}): Record<string, unknown> {
  const name = o.name ?? "queue drains";
  return {
    schema: 1,
    repo,
    reportId: o.reportId ?? randomUUID(),
    install: o.install ?? "install-aaaaaaaa",
    monitor: { name, identifier: monitorIdentifier(name), every: o.every ?? 1000, passAfter: o.passAfter ?? 2 },
    details: o.details ?? (o.keys === undefined ? "queue has 5000 jobs" : ""),
    failures: (o.keys ?? []).map((key) => ({ key, details: `record ${key} fails` })),
    metadata: { createdAt: "2026-12-01T10:00:00.000Z", platform: { node: "v22.11.0", os: "linux", osRelease: "6.1.0", arch: "x64" }, bugbeacon: "0.1.0", app: { name: "tool", version: "1.0.0" } },
  };
}
