/**
 * The intake room of `bugbeacon serve`: a signed GitHub delivery becomes a pending delivery on disk
 * (write-ahead) and is handed to the scheduler; its answer waits for the triage up to `answerWithinMs`.
 * A delivery id is handled once per process (bounded memory); a delivery handled by two replicas is still
 * one triage, because triage is idempotent and lands its commit on the newest database.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { validateIssuesEvent } from "../event.js";
import { DELIVERY_ID, type DeliveryStore, type PendingDelivery } from "./delivery-store.js";
import { HttpAnswer, discardRest, header, readBody, requirePost, send, verifySignature, type Route } from "./http.js";
import type { LruSet } from "./lru.js";
import { ShuttingDown, decisionOf, failure, outcomeBody, type Scheduler } from "./scheduler.js";

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

export interface WebhookIntakeOptions {
  webhookSecret: string;
  log: (entry: DeliveryLog) => void;
  maxBodyBytes?: number;
  answerWithinMs?: number;
}

/** The route for POST /webhook/github. */
export function webhookRoute(o: WebhookIntakeOptions, scheduler: Scheduler, store: DeliveryStore | undefined, seen: LruSet): Route {
  const maxBody = o.maxBodyBytes ?? MAX_BODY_BYTES;
  const answerWithin = o.answerWithinMs ?? 2000;

  async function deliver(req: IncomingMessage, res: ServerResponse, entry: DeliveryLog): Promise<HttpAnswer> {
    if (scheduler.draining) {
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
    const ok = await verifySignature(o.webhookSecret, body, signature);
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
    const repository = fullNameOf(p.repository?.full_name);
    if (repository === undefined) return new HttpAnswer(400, "refused: repository", { error: "repository.full_name is missing or not owner/name" });
    entry.repository = repository;
    if (!FILING_ACTIONS.has(entry.action ?? "")) return new HttpAnswer(202, "ignored: action", { reason: "only opened, edited and reopened issues are triaged" });
    const issuesEvent = await validateIssuesEvent(payload, "the delivery");
    entry.issue = issuesEvent.issue.number;
    if (seen.has(entry.delivery)) return new HttpAnswer(200, "duplicate delivery", { reason: "this delivery was handled (or is being handled) by this process" });
    const pending: PendingDelivery = { schema: 1, delivery: entry.delivery, event: entry.event, installation, repository: entry.repository, receivedAt: new Date().toISOString(), attempts: 0, payload };
    // On disk before anything else happens: from here on the delivery survives a kill of this process.
    if (store !== undefined && !store.add(pending)) return new HttpAnswer(200, "duplicate delivery", { reason: "this delivery is pending in this process" });
    seen.add(entry.delivery);
    const started = performance.now();
    const job = scheduler.triage(pending);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), answerWithin)));
    const settled = await Promise.race([job.then((outcome) => ({ outcome }), (error: unknown) => ({ error })), late]);
    clearTimeout(timer);
    if (settled === "late") {
      scheduler.inBackground(pending, job, started);
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

  return async (req, res, started) => {
    if (!requirePost(req, res, "deliveries")) return;
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
    discardRest(req);
  };
}

/** `owner/name` when `value` is a well-formed repository name, else undefined. */
export function fullNameOf(value: unknown): string | undefined {
  const parts = typeof value === "string" ? value.split("/") : [];
  if (parts.length !== 2 || !/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(parts[0]!) || !/^[A-Za-z0-9._-]{1,100}$/.test(parts[1]!) || parts[1] === "." || parts[1] === "..") return undefined;
  return `${parts[0]}/${parts[1]}`;
}
