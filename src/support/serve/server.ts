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
import { mkdirSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { BugbeaconError, TriageStepError } from "../../errors.js";
import { parseIssueBody } from "../../format/report-format.js";
import { validateIssuesEvent } from "../event.js";
import { isSafeIdentifier } from "../safe-names.js";
import type { TriageOutcome } from "../triage.js";
import { runTriage } from "../triage-run.js";
import { sparseClone, type SparseCheckout } from "../db-checkout.js";
import { gitFailure } from "../github-failure.js";
import { dbRemoteFor } from "./config.js";
import { DELIVERY_ID, deliveryStore, type PendingDelivery } from "./delivery-store.js";
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
  /**
   * Where accepted deliveries wait until triaged (write-ahead): a process killed after answering finds them
   * at its next start (`resume()`). One folder per process. Without it, deliveries live in memory only.
   */
  stateDir?: string;
  /**
   * How long a delivery's answer waits for its triage. GitHub gives up after 10 s; a triage still running
   * then is answered 202 ("queued") and finishes after the answer. @default 2000
   */
  answerWithinMs?: number;
  /** Retries of a triage that failed after its 202, with doubling pauses from this. @default 2000 */
  retryBaseMs?: number;
}

export interface WebhookServer {
  server: Server;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Triages the deliveries a previous process accepted and did not finish. Returns how many. */
  resume(): number;
  /** Stops accepting, finishes the deliveries in flight (triages not yet started stay on disk), then closes. */
  close(): Promise<void>;
  readonly inFlight: number;
}

/** A triage not started because the server is shutting down; its delivery stays pending on disk. */
class ShuttingDown extends BugbeaconError {
  override name = "ShuttingDown";
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
  const store = o.stateDir !== undefined ? deliveryStore(o.stateDir) : undefined;
  // The kept clones live in the state folder too: what a killed process left there is removed at start.
  const workDir = o.stateDir !== undefined ? join(o.stateDir, "work") : undefined;
  if (workDir !== undefined) {
    rmSync(workDir, { recursive: true, force: true, maxRetries: 3 });
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
  }
  const answerWithin = o.answerWithinMs ?? 2000;
  const retryBase = o.retryBaseMs ?? 2000;
  let resumed = store === undefined;
  /** Triages started and not settled (answered or not). */
  const jobs = new Set<Promise<unknown>>();
  const retryTimers = new Set<NodeJS.Timeout>();
  /** One sparse clone per database, kept and brought up to date instead of cloned per delivery. */
  const checkouts = new Map<string, Promise<SparseCheckout>>();

  async function checkoutFor(remote: string, gitConfig: string[]): Promise<SparseCheckout> {
    const kept = checkouts.get(remote);
    if (kept === undefined) {
      const fresh = sparseClone(remote, { config: gitConfig, ...(workDir !== undefined ? { parent: workDir } : {}) });
      checkouts.set(remote, fresh);
      return fresh.catch((error: unknown) => {
        checkouts.delete(remote);
        throw gitFailure(error, "cloning the database");
      });
    }
    const checkout = await kept;
    try {
      await checkout.refresh(gitConfig);
    } catch (error) {
      forget(remote);
      throw gitFailure(error, "updating the database");
    }
    return checkout;
  }

  function forget(remote: string): void {
    const kept = checkouts.get(remote);
    checkouts.delete(remote);
    void kept?.then((c) => c.dispose(), () => undefined);
  }

  interface Queued {
    pending: PendingDelivery;
    resolve: (outcome: TriageOutcome) => void;
    reject: (error: unknown) => void;
  }
  /** Deliveries waiting for their database, per database remote; one worker per database drains it. */
  const queuesByDb = new Map<string, Queued[]>();
  /** Most deliveries triaged in one pass: one lock push, one update, one push for all of them. */
  const BATCH_MAX = 50;

  /**
   * One delivery's triage, in turn with the others of its database. Deliveries that queued up while a
   * pass ran are triaged together in the next pass (each decided as if alone, in arrival order).
   */
  async function triageOne(pending: PendingDelivery): Promise<TriageOutcome> {
    const [owner, name] = pending.repository.split("/") as [string, string];
    const remote = dbRemoteFor(o.dbRemote, owner, name);
    await validateIssuesEvent(pending.payload, "the delivery");
    return new Promise<TriageOutcome>((resolve, reject) => {
      const queue = queuesByDb.get(remote);
      if (queue !== undefined) {
        queue.push({ pending, resolve, reject });
        return;
      }
      queuesByDb.set(remote, [{ pending, resolve, reject }]);
      void drain(remote);
    });
  }

  async function drain(remote: string): Promise<void> {
    const queue = queuesByDb.get(remote)!;
    while (queue.length > 0) {
      // One installation per pass: its token is the one git and GitHub see.
      const installation = queue[0]!.pending.installation;
      const batch: Queued[] = [];
      for (let i = 0; i < queue.length && batch.length < BATCH_MAX; ) {
        if (queue[i]!.pending.installation === installation) batch.push(...queue.splice(i, 1));
        else i++;
      }
      await slot(() => pass(remote, installation, batch)).catch((error: unknown) => {
        for (const q of batch) q.reject(error);
      });
    }
    queuesByDb.delete(remote);
  }

  /** Triages `batch` on the kept clone of `remote`; settles every item. */
  async function pass(remote: string, installation: number, batch: Queued[]): Promise<void> {
    if (draining) {
      for (const q of batch) q.reject(new ShuttingDown("the server is shutting down; the delivery stays pending for the next start"));
      return;
    }
    const gitConfig = await o.gitConfigFor(remote, installation);
    const items = await Promise.all(batch.map(async (q) => ({ q, event: await validateIssuesEvent(q.pending.payload, "the delivery") })));
    const keys = items.map(({ q, event }) => lockKey(q.pending.repository, event.issue.number, event.issue.body));
    const run = (item: (typeof items)[number], push: boolean, checkout: SparseCheckout) =>
      runTriage({
        event: item.event,
        repo: item.q.pending.repository,
        db: { checkout },
        gitConfig,
        octokit: () => o.octokitFor(installation),
        log: () => {},
        push,
        ...(o.pushAttempts !== undefined ? { pushAttempts: o.pushAttempts } : {}),
        ...(o.pushBackoffMs !== undefined ? { pushBackoffMs: o.pushBackoffMs } : {}),
      });

    // All the batch's locks in one push; when another replica holds one of them, one delivery at a time.
    const together = batch.length > 1 ? await o.locks.withLocksIfFree(remote, keys, gitConfig, () => passTogether(remote, gitConfig, items, run)) : "busy";
    if (together !== "busy") return;
    for (const [i, item] of items.entries()) {
      try {
        const outcome = await o.locks.withLock(remote, keys[i]!, gitConfig, async () => {
          const checkout = await checkoutFor(remote, gitConfig);
          try {
            return await run(item, true, checkout);
          } catch (error) {
            // The clone may hold half of a run: the next pass starts from a fresh one.
            forget(remote);
            throw error;
          }
        });
        item.q.resolve(outcome);
      } catch (error) {
        item.q.reject(error);
      }
    }
  }

  /** Every item committed on the clone, then one push; a lost push race redoes them on what landed. */
  async function passTogether<I extends { q: Queued }>(remote: string, gitConfig: string[], items: I[], run: (item: I, push: boolean, checkout: SparseCheckout) => Promise<TriageOutcome>): Promise<void> {
    const attempts = o.pushAttempts ?? 30;
    let pause = o.pushBackoffMs ?? 100;
    for (let attempt = 1; ; attempt++) {
      const checkout = await checkoutFor(remote, gitConfig);
      const results: Array<{ outcome: TriageOutcome } | { error: unknown }> = [];
      try {
        for (const item of items) results.push(await run(item, false, checkout).then((outcome) => ({ outcome }), (error: unknown) => ({ error })));
        if (await checkout.push(gitConfig)) {
          items.forEach((item, i) => {
            const r = results[i]!;
            if ("outcome" in r) item.q.resolve(r.outcome);
            else item.q.reject(r.error);
          });
          return;
        }
      } catch (error) {
        forget(remote);
        throw gitFailure(error, "storing a batch of issues in the database");
      }
      // Another replica pushed first (other problems: these are locked). Triage is idempotent: redo on what landed.
      if (attempt >= attempts) throw gitFailure(new Error(`Could not push the database after ${attempts} attempts`), "storing a batch of issues in the database");
      await new Promise((r) => setTimeout(r, pause * (0.5 + Math.random())));
      pause = Math.min(pause * 2, 5000);
    }
  }

  function track<T>(job: Promise<T>): Promise<T> {
    jobs.add(job);
    void job.then(() => jobs.delete(job), () => jobs.delete(job));
    return job;
  }

  /** A triage nobody waits for (answered 202, or resumed at start): finished, retried, or given up with a log line. */
  function inBackground(pending: PendingDelivery, job: Promise<TriageOutcome>, started: number): void {
    job.then(
      (outcome) => {
        store?.remove(pending.delivery);
        o.note?.({ msg: "triaged", delivery: pending.delivery, repository: pending.repository, decision: decisionOf(outcome), ms: Math.round(performance.now() - started) });
      },
      (error: unknown) => {
        if (error instanceof ShuttingDown) return;
        const answer = failure(error);
        const retry = answer.status === 503 && pending.attempts + 1 < 6 && !draining;
        o.note?.({ msg: retry ? "triage failed, will retry" : "triage failed", delivery: pending.delivery, repository: pending.repository, decision: answer.decision, attempts: pending.attempts + 1 });
        if (!retry) {
          // Given up (a refusal, or temporary failures six times): the scheduled sweep files what triage missed.
          seen.delete(pending.delivery);
          store?.remove(pending.delivery);
          return;
        }
        const next = { ...pending, attempts: pending.attempts + 1 };
        store?.update(next);
        const timer = setTimeout(() => {
          retryTimers.delete(timer);
          if (!draining) inBackground(next, track(triageOne(next)), performance.now());
        }, retryBase * 2 ** pending.attempts);
        retryTimers.add(timer);
      },
    );
  }

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
    if (path === "/readyz") return methodGet(req, res, () => send(res, draining || !resumed ? 503 : 200, { ready: !draining && resumed }));
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
    if (!DELIVERY_ID.test(entry.delivery)) return new HttpAnswer(400, "refused: delivery id", { error: "X-GitHub-Delivery is missing or malformed" });
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
    const pending: PendingDelivery = { schema: 1, delivery: entry.delivery, event: entry.event, installation, repository: entry.repository, receivedAt: new Date().toISOString(), attempts: 0, payload };
    // On disk before anything else happens: from here on the delivery survives a kill of this process.
    if (store !== undefined && !store.add(pending)) return new HttpAnswer(200, "duplicate delivery", { reason: "this delivery is pending in this process" });
    seen.add(entry.delivery);
    const started = performance.now();
    const job = track(triageOne(pending));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), answerWithin)));
    const settled = await Promise.race([job.then((outcome) => ({ outcome }), (error: unknown) => ({ error })), late]);
    clearTimeout(timer);
    if (settled === "late") {
      inBackground(pending, job, started);
      return new HttpAnswer(202, "queued", { reason: `triage takes longer than ${answerWithin} ms; it goes on after this answer` });
    }
    if ("error" in settled) {
      if (settled.error instanceof ShuttingDown) {
        res.setHeader("connection", "close");
        return new HttpAnswer(503, "shutting down", { error: "the server is shutting down: GitHub may redeliver" });
      }
      // Not done: GitHub shows the delivery as failed, and a redelivery runs it again.
      seen.delete(entry.delivery);
      store?.remove(entry.delivery);
      throw settled.error;
    }
    store?.remove(entry.delivery);
    return new HttpAnswer(200, decisionOf(settled.outcome), outcomeBody(settled.outcome));
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
    resume() {
      if (store === undefined) return 0;
      const pending = store.list((file, problem) => o.note?.({ msg: "pending delivery quarantined", file, problem }));
      for (const p of pending) {
        seen.add(p.delivery);
        inBackground(p, track(triageOne(p)), performance.now());
      }
      resumed = true;
      if (pending.length > 0) o.note?.({ msg: "resuming pending deliveries", count: pending.length });
      return pending.length;
    },
    async close() {
      draining = true;
      for (const t of retryTimers) clearTimeout(t);
      retryTimers.clear();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      while (inFlight.size > 0 || jobs.size > 0) await Promise.allSettled([...inFlight, ...jobs]);
      server.closeIdleConnections();
      await closed;
      const kept = [...checkouts.values()];
      checkouts.clear();
      await Promise.allSettled(kept.map((c) => c.then((checkout) => checkout.dispose())));
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
