/**
 * The webhook server behind `bugbeacon serve`: GitHub App deliveries in, the same triage as the Actions
 * workflow out (runTriage, one engine for every door). Node's own http server; the signature is checked
 * (HMAC-SHA256, constant time, @octokit/webhooks-methods) on the raw bytes before anything parses them.
 *
 * Several processes may serve behind one address: they share nothing but GitHub and the database
 * repository. A delivery id is handled once per process (bounded memory); a delivery handled by two
 * replicas is still one triage, because triage is idempotent and lands its commit on the newest database.
 */
import type { Octokit } from "@octokit/rest";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { TriageStepError } from "../../errors.js";
import { parseIssueBody } from "../../format/report-format.js";
import { validateIssuesEvent } from "../event.js";
import { isSafeIdentifier } from "../safe-names.js";
import type { TriageOutcome } from "../triage.js";
import { runTriage } from "../triage-run.js";
import { dbRemoteFor } from "./config.js";
import type { IssueLocks } from "./issue-lock.js";
import { LruSet } from "./lru.js";

export const MAX_BODY_BYTES = 25 * 1024 * 1024;
const FILING_ACTIONS = new Set(["opened", "edited", "reopened"]);

export interface DeliveryLog {
  delivery: string;
  event: string;
  action?: string;
  repository?: string;
  installation?: number;
  issue?: number;
  status: number;
  decision: string;
  ms: number;
}

export interface WebhookServerOptions {
  webhookSecret: string;
  /** Template of the database remote, `{owner}`/`{repo}` filled per repository. */
  dbRemote: string;
  /** The installation's client (cached by the caller's factory; tokens renewed by @octokit/auth-app). */
  octokitFor: (installationId: number) => Promise<Octokit>;
  /** git settings for a remote (the installation token's header, for the GitHub server only). */
  gitConfigFor: (remote: string, installationId: number) => Promise<string[]>;
  /** Per-issue locks in the database repository: concurrent runs on one issue, across replicas, run in turn. */
  locks: IssueLocks;
  /** One JSON line per delivery. */
  log: (entry: DeliveryLog) => void;
  /** Other lines (start, stop), JSON too. */
  note?: (entry: Record<string, unknown>) => void;
  /** Delivery ids remembered per process. @default 10000 */
  rememberDeliveries?: number;
  /** Triages at once in this process (each has its own clone). @default 4 */
  concurrency?: number;
  pushAttempts?: number;
  pushBackoffMs?: number;
  maxBodyBytes?: number;
}

export interface WebhookServer {
  server: Server;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, finishes the deliveries in flight, then closes. */
  close(): Promise<void>;
  readonly inFlight: number;
}

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly decision: string,
    readonly body: Record<string, unknown> = {},
  ) {}
}

export function createWebhookServer(o: WebhookServerOptions): WebhookServer {
  const seen = new LruSet(o.rememberDeliveries ?? 10_000);
  const maxBody = o.maxBodyBytes ?? MAX_BODY_BYTES;
  const limit = o.concurrency ?? 4;
  let running = 0;
  const waiting: Array<() => void> = [];
  let draining = false;
  const inFlight = new Set<Promise<unknown>>();
  let verify: Promise<(secret: string, payload: string, signature: string) => Promise<boolean>> | undefined;

  async function slot<T>(work: () => Promise<T>): Promise<T> {
    if (running >= limit) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  }

  // Triages of one database in this process run one after the other: at once they would only race each
  // other's pushes (and redo their work on each lost race). Different databases run side by side.
  const queues = new Map<string, Promise<unknown>>();
  function inTurn<T>(remote: string, work: () => Promise<T>): Promise<T> {
    const before = queues.get(remote) ?? Promise.resolve();
    const mine = before.then(() => slot(work), () => slot(work));
    const tail = mine.catch(() => undefined);
    queues.set(remote, tail);
    void tail.then(() => {
      if (queues.get(remote) === tail) queues.delete(remote);
    });
    return mine;
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    const work = handle(req, res, started).catch((error: unknown) => {
      // Never reached for expected failures; a bug here must not take the process down.
      o.note?.({ msg: "internal error", error: error instanceof Error ? error.name : "unknown" });
      if (!res.headersSent) send(res, 500, { error: "internal error" });
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (process.env.BUGBEACON_DEBUG_SERVE) process.stderr.write(`clientError ${error.code} ${error.message}\n`);
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  // A body that never finishes is given up on.
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;

  async function handle(req: IncomingMessage, res: ServerResponse, started: number): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return methodGet(req, res, () => send(res, 200, { ok: true }));
    if (path === "/readyz") return methodGet(req, res, () => send(res, draining ? 503 : 200, { ready: !draining }));
    if (path !== "/webhook/github") {
      req.resume();
      return send(res, 404, { error: "not found: deliveries go to POST /webhook/github" });
    }
    if (req.method !== "POST") {
      req.resume();
      res.setHeader("allow", "POST");
      return send(res, 405, { error: "method not allowed: POST deliveries here" });
    }
    const delivery = header(req, "x-github-delivery") ?? "";
    const event = header(req, "x-github-event") ?? "";
    const entry: DeliveryLog = { delivery: delivery.slice(0, 64), event: event.slice(0, 64), status: 0, decision: "", ms: 0 };
    let answer: HttpAnswer;
    try {
      answer = await deliver(req, res, entry);
    } catch (error) {
      answer = failure(error);
    }
    entry.status = answer.status;
    entry.decision = answer.decision;
    entry.ms = Math.round(performance.now() - started);
    o.log(entry);
    send(res, answer.status, { delivery: entry.delivery, decision: answer.decision, ...answer.body });
    if (!req.complete) {
      // An answer before the whole body (413, 415, 401): nothing more is kept. The rest is discarded for a
      // moment, so the client can read the answer (closing on unread bytes would reset the connection
      // under it), then the connection is closed.
      req.removeAllListeners("data");
      req.resume();
      const timer = setTimeout(() => req.socket.destroy(), 1000);
      timer.unref();
      req.once("end", () => clearTimeout(timer));
    }
  }

  async function deliver(req: IncomingMessage, res: ServerResponse, entry: DeliveryLog): Promise<HttpAnswer> {
    if (draining) {
      req.resume();
      res.setHeader("connection", "close");
      return new HttpAnswer(503, "shutting down", { error: "the server is shutting down: GitHub may redeliver" });
    }
    const type = (header(req, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") {
      req.resume();
      return new HttpAnswer(415, "refused: content type", { error: 'expected content type application/json (set "Content type: application/json" in the app\'s webhook settings)' });
    }
    const declared = Number(header(req, "content-length") ?? "0");
    if (declared > maxBody) return tooLarge(req);
    const signature = header(req, "x-hub-signature-256");
    if (signature === undefined || !/^sha256=[0-9a-f]{64}$/.test(signature)) {
      req.resume();
      return new HttpAnswer(401, "refused: no signature", { error: "X-Hub-Signature-256 is missing or malformed" });
    }
    const body = await readBody(req, maxBody);
    if (body === "too large") return tooLarge(req);
    verify ??= import("@octokit/webhooks-methods").then((m) => m.verify);
    const ok = body.length > 0 && (await (await verify)(o.webhookSecret, body.toString("utf8"), signature));
    if (!ok) return new HttpAnswer(401, "refused: bad signature", { error: "X-Hub-Signature-256 does not match the body and the webhook secret" });

    // Signed by GitHub from here on (the content is still untrusted input).
    if (entry.event === "ping") return new HttpAnswer(200, "pong");
    if (entry.event !== "issues") return new HttpAnswer(202, "ignored: event", { reason: `event ${JSON.stringify(entry.event)} is not handled` });
    if (!/^[A-Za-z0-9-]{1,64}$/.test(entry.delivery)) return new HttpAnswer(400, "refused: delivery id", { error: "X-GitHub-Delivery is missing or malformed" });
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      return new HttpAnswer(400, "refused: not JSON", { error: "the body is not JSON" });
    }
    const p = payload as { action?: unknown; installation?: { id?: unknown }; repository?: { full_name?: unknown } };
    if (typeof p.action === "string") entry.action = p.action.slice(0, 64);
    const installation = p.installation?.id;
    if (typeof installation !== "number" || !Number.isSafeInteger(installation) || installation < 1) {
      return new HttpAnswer(400, "refused: no installation", { error: "the payload has no installation.id: deliveries must come from the GitHub App" });
    }
    entry.installation = installation;
    const fullName = p.repository?.full_name;
    const parts = typeof fullName === "string" ? fullName.split("/") : [];
    if (parts.length !== 2 || !/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(parts[0]!) || !/^[A-Za-z0-9._-]{1,100}$/.test(parts[1]!) || parts[1] === "." || parts[1] === "..") {
      return new HttpAnswer(400, "refused: repository", { error: "repository.full_name is missing or not owner/name" });
    }
    const [owner, name] = parts as [string, string];
    entry.repository = `${owner}/${name}`;
    if (!FILING_ACTIONS.has(entry.action ?? "")) return new HttpAnswer(202, "ignored: action", { reason: "only opened, edited and reopened issues are triaged" });
    const issuesEvent = await validateIssuesEvent(payload, "the delivery");
    entry.issue = issuesEvent.issue.number;
    if (seen.has(entry.delivery)) return new HttpAnswer(200, "duplicate delivery", { reason: "this delivery was handled (or is being handled) by this process" });
    seen.add(entry.delivery);
    try {
      const remote = dbRemoteFor(o.dbRemote, owner, name);
      const gitConfig = await o.gitConfigFor(remote, installation);
      const outcome = await inTurn(remote, () =>
        o.locks.withLock(remote, lockKey(entry.repository!, issuesEvent.issue.number, issuesEvent.issue.body), gitConfig, () => runTriage({
          event: issuesEvent,
          repo: entry.repository!,
          db: { remote },
          gitConfig,
          octokit: () => o.octokitFor(installation),
          log: () => {},
          ...(o.pushAttempts !== undefined ? { pushAttempts: o.pushAttempts } : {}),
          ...(o.pushBackoffMs !== undefined ? { pushBackoffMs: o.pushBackoffMs } : {}),
        })),
      );
      return new HttpAnswer(200, decisionOf(outcome), outcomeBody(outcome));
    } catch (error) {
      // Not done: a redelivery must run it again.
      seen.delete(entry.delivery);
      throw error;
    }
  }

  function tooLarge(req: IncomingMessage): HttpAnswer {
    // Stop reading: the answer goes out and the connection is closed after it.
    req.pause();
    return new HttpAnswer(413, "refused: too large", { error: `the body is over ${maxBody} bytes (GitHub caps deliveries at 25 MB)` });
  }

  return {
    server,
    get inFlight() {
      return inFlight.size;
    },
    listen(port, host = "127.0.0.1") {
      return new Promise((resolveListen, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolveListen(server.address() as AddressInfo);
        });
      });
    },
    async close() {
      draining = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      server.closeIdleConnections();
      await closed;
      await o.locks.dispose();
    },
  };
}

function failure(error: unknown): HttpAnswer {
  if (error instanceof TriageStepError) {
    // 503: GitHub shows the delivery as failed and the maintainer (or a redelivery job) sends it again.
    return new HttpAnswer(error.transient ? 503 : 500, error.transient ? "failed: temporary" : "failed", { error: oneLine(error.message) });
  }
  if (error instanceof Error && "code" in error && typeof error.code === "string" && error.code.startsWith("ERR_")) {
    const status = error.code === "ERR_INVALID_EVENT" ? 400 : 500;
    return new HttpAnswer(status, status === 400 ? "refused: invalid event" : "failed", { error: oneLine(error.message) });
  }
  return new HttpAnswer(500, "failed: internal", { error: "internal error" });
}

/** Runs about one problem (an identifier: the issues a run may act on) take turns; an issue without one locks itself. */
function lockKey(repo: string, number: number, body: string | null): string {
  const parsed = parseIssueBody(body);
  return parsed !== undefined && isSafeIdentifier(parsed.identifier) ? `${repo} ${parsed.identifier}` : `${repo} #${number}`;
}

function oneLine(message: string): string {
  return message.replace(/\s+/g, " ").slice(0, 500);
}

function decisionOf(outcome: TriageOutcome): string {
  return outcome.kind;
}

function outcomeBody(outcome: TriageOutcome): Record<string, unknown> {
  switch (outcome.kind) {
    case "ignored":
    case "refused":
      return { reason: outcome.reason };
    case "first":
      return { identifier: outcome.identifier, count: outcome.count };
    case "duplicate":
      return { identifier: outcome.identifier, first: outcome.first, count: outcome.count };
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function methodGet(req: IncomingMessage, res: ServerResponse, ok: () => void): void {
  req.resume();
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET");
    return send(res, 405, { error: "method not allowed: GET" });
  }
  ok();
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.headersSent) return;
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** The body, or "too large" as soon as it passes `max` bytes (the rest is not read). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | "too large"> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off("data", onData);
        req.pause();
        resolveBody("too large");
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolveBody(Buffer.concat(chunks, size)));
    req.once("error", reject);
    req.once("aborted", () => reject(new Error("the client closed the connection before the body ended")));
  });
}
