/**
 * The relay transport: a GitHub helper with a relay URL and no token sends every report to the relay
 * (`bugbeacon serve --relay-repo`, `POST /v1/reports`) instead of to GitHub. It is an adapter over the
 * GitHub backend (the same targets, bodies and prefilled URL) against today's Backend port: the report
 * goes through the same write-ahead spool and flush; the relay counts in one place, so this transport finds
 * nothing to merge with (no lookups) and the helper sends with dedupe off.
 *
 * What goes to the relay is data: the report's metadata block and text are read back from the rendered
 * body (the format module's own parser) and sent as JSON with the report id (the idempotency key) and this
 * install's random id (kept in the spool folder; never derived from the machine).
 *
 * Answers: 202 `{ status: "created" | "counted" | "queued" | "held", url? }` is success: "created" is a new
 * issue, "counted" an occurrence added to the existing one (the app's result is `duplicate`), "queued" and
 * "held" without a URL are accepted with no issue to link yet (`pending`). 429 and 503 are
 * temporary: `Retry-After` is honoured (no request to the relay before it, in this process). Other 4xx
 * are final refusals (not retryable).
 */
import { nodeCrypto, nodeFs, nodePath } from "../../_builtins.js";
import { parseIssueBody } from "../../format/report-format.js";
import { DeliveryFailure, type Backend, type BackendClient, type ClientMode, type Draft } from "../../delivery/backend.js";
import { causeCode, neverSent } from "../network-errors.js";
import { withDeadline } from "../deadline.js";
import type { Environment, FetchFunction } from "../../_internal/globals.js";
import type { MonitorFailureData, MonitorSendResult } from "./monitor.js";

// The URL check is light and runs when a helper is made (on the root import path).
export { resolveRelayUrl } from "./options.js";

export interface RelaySettings {
  /** The relay's root URL (`https://reports.example.org`). */
  url: string;
  env: Environment;
  /** Where this install keeps its random id. @default the spool folder */
  idDir?: string;
  fetch?: FetchFunction;
  timeoutMs?: number;
}

/** This install's random id: made once, kept in `dir`; a fresh one per process when the folder cannot be written. */
export function installId(dir: string): string {
  // Built-ins on first use: this module is on the package root's import path.
  const { mkdirSync, readFileSync, writeFileSync } = nodeFs();
  const randomBytes = nodeCrypto().randomBytes;
  const file = nodePath().join(dir, "relay-install-id");
  try {
    const kept = readFileSync(file, "utf8").trim();
    if (/^[A-Za-z0-9_-]{16,64}$/.test(kept)) return kept;
  } catch {
    // not made yet
  }
  const fresh = randomBytes(16).toString("base64url");
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${fresh}\n`, { mode: 0o600, flag: "wx" });
    return fresh;
  } catch {
    // Another process made it first (read theirs), or the folder is read-only (this process's own).
    try {
      const kept = readFileSync(file, "utf8").trim();
      if (/^[A-Za-z0-9_-]{16,64}$/.test(kept)) return kept;
    } catch {
      // read-only
    }
    return fresh;
  }
}

/** Not before this time (ms) does this process ask the relay again, after a 429 or 503 with Retry-After. */
let notBefore = 0;

/** A relay's monitors: the client sends failures only; the relay keeps the issue (src/backends/relay/monitor.ts). */
export interface RelayMonitors {
  sendMonitorFailure(failure: MonitorFailureData, keepAlive: boolean): Promise<MonitorSendResult>;
}

export function relayBackend(github: Backend & { readonly webUrl: string }, s: RelaySettings): Backend & RelayMonitors & { readonly relayUrl: string } {
  // No monitor issues through a relay: its clients are strangers' machines, which may not open or close
  // issues. A monitor sends its failures instead, and the relay opens, edits and closes the issue by its
  // own rules (docs/monitors.md, "Through a relay").
  const { monitorIssues: _none, ...reports } = github;
  return {
    ...reports,
    relayUrl: s.url,
    async sendMonitorFailure(failure, keepAlive) {
      try {
        const [{ sendMonitorFailure }, spool] = await Promise.all([import("./monitor.js"), s.idDir === undefined ? import("../../delivery/spool.js") : undefined]);
        const dir = s.idDir ?? spool!.defaultSpoolDir(s.env);
        return await sendMonitorFailure(
          { url: s.url, env: s.env, install: () => installId(dir), ...(s.fetch !== undefined ? { fetch: s.fetch } : {}), ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}) },
          failure,
          keepAlive,
        );
      } catch (error) {
        return { ok: false, problem: `the failure could not be sent to the relay (${error instanceof Error ? error.message : String(error)})` };
      }
    },
    canSubmit: () => true,
    describeCreate(target: string, draft: Draft) {
      return { method: "POST", url: `${s.url}/v1/reports`, body: wireBody(target, draft, "<install id>") };
    },
    async client(mode: ClientMode): Promise<BackendClient> {
      const fetchImpl = s.fetch ?? globalThis.fetch;
      const install = installId(s.idDir ?? (await import("../../delivery/spool.js")).defaultSpoolDir(s.env));
      const timeout = () => (mode.kind === "crash" ? Math.max(1, mode.sendBy - Date.now()) : (s.timeoutMs ?? 10_000));
      const none = async () => [];
      return {
        listOpen: none,
        listChanged: async () => ({ reports: [], occurrences: [] }),
        get: async () => undefined,
        search: none,
        async create(target, draft) {
          const wait = notBefore - Date.now();
          if (wait > 0) throw new DeliveryFailure(`the relay asked to wait (Retry-After, ${Math.ceil(wait / 1000)} s left)`, true, false, 429);
          const json = JSON.stringify(wireBody(target, draft, install));
          // The relay takes 64 kB on the wire: a long report goes gzip (a body of 65,536 characters fits then).
          const gzip = Buffer.byteLength(json) > 16 * 1024;
          const body = gzip ? (await import("node:zlib")).gzipSync(json) : json;
          const { res, text } = await withDeadline(timeout(), [], async (signal) => {
            const answer = await fetchImpl(`${s.url}/v1/reports`, {
              method: "POST",
              headers: { "content-type": "application/json", "user-agent": "bugbeacon-relay-client", ...(gzip ? { "content-encoding": "gzip" } : {}) },
              body,
              signal,
            });
            return { res: answer, text: await answer.text() };
          });
          if (res.status === 202 || res.status === 200) {
            const answer = safeJson(text) as { status?: unknown; url?: unknown };
            const ref = typeof answer.url === "string" ? /\/issues\/(\d+)$/.exec(answer.url)?.[1] : undefined;
            // "counted": added to the identifier's existing issue, not a new one.
            if (ref !== undefined) return { ref, url: answer.url as string, ...(answer.status === "counted" ? { added: true as const } : {}) };
            // Accepted, its issue not filed yet ("queued": being filed; "held": the repository's budget of new issues is spent).
            return { pending: answer.status === "held" ? "the relay holds it until the repository's budget of new issues allows its issue" : "the relay files its issue shortly" };
          }
          const detail = String((safeJson(text) as { error?: unknown }).error ?? "").slice(0, 200);
          if (res.status === 429 || res.status === 503) {
            const after = Number(res.headers.get("retry-after"));
            notBefore = Date.now() + (Number.isFinite(after) && after > 0 ? Math.min(after, 3600) : 60) * 1000;
            throw new DeliveryFailure(`the relay is busy (${res.status}); it is asked again after ${Math.round((notBefore - Date.now()) / 1000)} s`, true, false, res.status);
          }
          if (res.status >= 500) throw new DeliveryFailure(`the relay answered ${res.status}`, true, true, res.status);
          // 400, 403, 413…: this report will never be accepted (a 401 would be the relay's set-up, not the report).
          throw new DeliveryFailure(`the relay refused the report (${res.status}${detail ? `: ${detail}` : ""})`, false, false, res.status, res.status !== 401 && res.status !== 408);
        },
        async comment() {
          throw new DeliveryFailure("the relay counts occurrences itself: nothing to comment on", false, false, undefined);
        },
        async react() {
          throw new DeliveryFailure("the relay counts occurrences itself: nothing to react to", false, false, undefined);
        },
        async reopen() {
          throw new DeliveryFailure("the relay follows the repository's rule for closed issues itself", false, false, undefined);
        },
        reportUrl: (target, ref) => `${github.webUrl}/${target}/issues/${ref}`,
      };
    },
    classify(error: unknown): DeliveryFailure {
      if (error instanceof DeliveryFailure) return error;
      const code = causeCode(error);
      const unsent = neverSent(error);
      const message = error instanceof Error ? error.message : String(error);
      return new DeliveryFailure(`no answer from the relay (${code ?? message})`, true, !unsent, undefined);
    },
  };
}

/** The report as the relay takes it: data read back from the rendered body with the format module. */
function wireBody(target: string, draft: Draft, install: string): Record<string, unknown> {
  const parsed = parseIssueBody(draft.body);
  const metadata = parsed?.metadata;
  if (metadata === undefined) throw new DeliveryFailure("the report has no metadata block: the relay needs it", false, false, undefined);
  const { labels: _labels, ...data } = metadata;
  return { schema: 1, repo: target, reportId: metadata.reportId, install, title: draft.title, text: parsed!.text, metadata: data };
}

function safeJson(text: string): unknown {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null ? v : {};
  } catch {
    return {};
  }
}
