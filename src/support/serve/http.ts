/**
 * The HTTP room of `bugbeacon serve`: Node's own server, the routes, reading bodies with a cap, JSON answers,
 * and the webhook signature (HMAC-SHA256, constant time, @octokit/webhooks-methods) checked on the raw bytes
 * before anything parses them. Nothing here knows what a delivery or a report means.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** An answer: status, a short decision for the log line, and the JSON body's other fields. */
export class HttpAnswer {
  constructor(
    readonly status: number,
    readonly decision: string,
    readonly body: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {}
}

/** A route: the request and its response; the handler answers (through `send`) before it resolves. */
export type Route = (req: IncomingMessage, res: ServerResponse, started: number) => Promise<void>;

export interface HttpRoomOptions {
  /** Routes by exact path (the query is ignored). */
  routes: Record<string, Route>;
  /** What any other path answers. */
  notFound: string;
  /** Liveness (always 200) and readiness. */
  ready: () => boolean;
  note?: (entry: Record<string, unknown>) => void;
}

export interface HttpRoom {
  server: Server;
  /** Requests being answered. */
  inFlight: Set<Promise<unknown>>;
}

export function createHttpRoom(o: HttpRoomOptions): HttpRoom {
  const inFlight = new Set<Promise<unknown>>();
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
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === "/healthz") return methodGet(req, res, () => send(res, 200, { ok: true }));
    if (path === "/readyz") return methodGet(req, res, () => send(res, o.ready() ? 200 : 503, { ready: o.ready() }));
    const route = Object.hasOwn(o.routes, path) ? o.routes[path] : undefined;
    if (route === undefined) {
      req.resume();
      return send(res, 404, { error: o.notFound });
    }
    return route(req, res, started);
  }

  return { server, inFlight };
}

/** Refuses anything but POST (405 with Allow); true when the request may go on. */
export function requirePost(req: IncomingMessage, res: ServerResponse, what: string): boolean {
  if (req.method === "POST") return true;
  req.resume();
  res.setHeader("allow", "POST");
  send(res, 405, { error: `method not allowed: POST ${what} here` });
  return false;
}

/**
 * After an answer sent before the whole body (413, 415, 401): nothing more is kept. The rest is discarded
 * for a moment, so the client can read the answer (closing on unread bytes would reset the connection
 * under it), then the connection is closed.
 */
export function discardRest(req: IncomingMessage): void {
  if (req.complete) return;
  req.removeAllListeners("data");
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), 1000);
  timer.unref();
  req.once("end", () => clearTimeout(timer));
}

let verifier: Promise<(secret: string, payload: string, signature: string) => Promise<boolean>> | undefined;

/** True when `signature` (`sha256=<hex>`) is GitHub's HMAC of `body` with `secret` (constant time). */
export async function verifySignature(secret: string, body: Buffer, signature: string): Promise<boolean> {
  verifier ??= import("@octokit/webhooks-methods").then((m) => m.verify);
  return body.length > 0 && (await (await verifier)(secret, body.toString("utf8"), signature));
}

export function header(req: IncomingMessage, name: string): string | undefined {
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

export function send(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

/** The body, or "too large" as soon as it passes `max` bytes (the rest is not read). */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | "too large"> {
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

export function oneLine(message: string): string {
  return message.replace(/\s+/g, " ").slice(0, 500);
}
