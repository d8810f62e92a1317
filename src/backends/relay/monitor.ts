/**
 * A monitor's failure, sent to the relay (`POST /v1/monitor-failures`): data, not markdown, and only
 * failures. The relay opens, edits and closes the monitor's issue by its own rules (a client never closes:
 * a passing run sends nothing). Sent directly, not through the spool: a failure is only worth sending
 * while it is current (the next failing run sends the next one), and the relay's quiet window, not this
 * send, decides when the issue closes. The send never throws into the app and never keeps the process
 * alive: sockets unref'd for an app's monitor (`keepAlive` false), the wait bounded by a deadline held by
 * its own unref'd timer (deadline.ts); a 429 or 503 with Retry-After is honoured in this process.
 */
import { nodeCrypto } from "../../_builtins.js";
import type { Environment, FetchFunction } from "../../_internal/globals.js";
import { withDeadline } from "../deadline.js";

/** What a failing run says (already redacted and cut by the SDK's verdict code). */
export interface MonitorFailureData {
  repo: string;
  name: string;
  identifier: string;
  /** The schedule's interval (ms), 1 when unknown (the relay then waits its own minimum). */
  every: number;
  passAfter: number;
  details: string;
  failures: Array<{ key: string; details: string }>;
  /** A stable id for this run (a re-run of the same schedule slot is then a duplicate); random when absent. */
  runKey?: string;
  metadata: { createdAt: string; platform: { node: string; os: string; osRelease: string; arch: string }; bugbeacon: string; app?: { name?: string; version?: string } };
}

export type MonitorSendResult = { ok: true; status: string; url?: string } | { ok: false; problem: string };

export interface MonitorRelaySettings {
  url: string;
  env: Environment;
  install: () => string;
  fetch?: FetchFunction;
  timeoutMs?: number;
}

/** Not before this time (ms) is a failure sent again, after a 429 or 503 with Retry-After. */
let notBefore = 0;

/** The request body the relay checks at its door (src/support/relay/monitor-failure.ts). */
export function monitorFailureBody(f: MonitorFailureData, install: string): Record<string, unknown> {
  const reportId =
    f.runKey !== undefined
      ? nodeCrypto().createHash("sha256").update(`${install} ${f.identifier} ${f.runKey}`).digest("base64url").slice(0, 32)
      : nodeCrypto().randomBytes(18).toString("base64url");
  return {
    schema: 1,
    repo: f.repo,
    reportId,
    install,
    monitor: { name: f.name, identifier: f.identifier, every: f.every, passAfter: f.passAfter },
    details: f.details,
    failures: f.failures,
    metadata: f.metadata,
  };
}

/** Sends one failure; never rejects. */
export async function sendMonitorFailure(s: MonitorRelaySettings, f: MonitorFailureData, keepAlive: boolean): Promise<MonitorSendResult> {
  try {
    const wait = notBefore - Date.now();
    if (wait > 0) return { ok: false, problem: `the relay asked to wait (Retry-After, ${Math.ceil(wait / 1000)} s left); the failure is sent again by the next failing run` };
    const fetchImpl = await (await import("../http.js")).resolveFetch(s.env as NodeJS.ProcessEnv, s.fetch, keepAlive ? {} : { unref: true });
    const body = JSON.stringify(monitorFailureBody(f, s.install()));
    const { status, text, retryAfter } = await withDeadline(s.timeoutMs ?? 10_000, [], async (signal) => {
      const res = await fetchImpl(`${s.url}/v1/monitor-failures`, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "bugbeacon-relay-client" },
        body,
        signal,
      });
      return { status: res.status, text: await res.text(), retryAfter: res.headers.get("retry-after") };
    });
    let answer: { status?: unknown; url?: unknown; error?: unknown; field?: unknown } = {};
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v === "object" && v !== null) answer = v as typeof answer;
    } catch {
      // Not JSON: the status says enough.
    }
    if (status === 202 || status === 200) return { ok: true, status: typeof answer.status === "string" ? answer.status : "accepted", ...(typeof answer.url === "string" ? { url: answer.url } : {}) };
    if (status === 429 || status === 503) {
      const after = Number(retryAfter);
      notBefore = Date.now() + (Number.isFinite(after) && after > 0 ? Math.min(after, 3600) : 60) * 1000;
    }
    const detail = typeof answer.error === "string" ? `: ${answer.error.slice(0, 200)}` : "";
    return { ok: false, problem: `the relay answered ${status}${detail}` };
  } catch (error) {
    const message = error instanceof Error ? `${error.name === "TimeoutError" ? "no answer in time" : error.message}` : String(error);
    return { ok: false, problem: `the relay could not be reached (${message.slice(0, 200)})` };
  }
}
