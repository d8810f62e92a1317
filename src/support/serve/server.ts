/**
 * The server behind `bugbeacon serve`, put together from its rooms: HTTP and verification (http.ts), the
 * webhook intake (intake.ts), the scheduler that triages in batched passes (scheduler.ts) and the kept
 * database clones (checkouts.ts). GitHub App deliveries in, the same triage as the Actions workflow out
 * (runTriage, one engine for every door).
 *
 * Several processes may serve behind one address: they share nothing but GitHub and the database
 * repository. A delivery id is handled once per process (bounded memory); a delivery handled by two
 * replicas is still one triage, because triage is idempotent and lands its commit on the newest database.
 */
import type { Octokit } from "@octokit/rest";
import type { Server } from "node:http";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { keptCheckouts } from "./checkouts.js";
import { deliveryStore } from "./delivery-store.js";
import { createHttpRoom, type Route } from "./http.js";
import { webhookRoute, type DeliveryLog } from "./intake.js";
import type { IssueLocks } from "./issue-lock.js";
import { LruSet } from "./lru.js";
import { createScheduler, type Scheduler } from "./scheduler.js";

export { MAX_BODY_BYTES, type DeliveryLog } from "./intake.js";

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
  /**
   * Other rooms beside the webhook (the relay): their routes, what they resume at start and how they stop.
   * Made with the scheduler so that they share its limit of work at once.
   */
  extraRooms?: (scheduler: Scheduler) => ExtraRoom;
}

export interface ExtraRoom {
  routes: Record<string, Route>;
  /** At start, after the webhook's pending deliveries. */
  resume?: () => void;
  /** After the HTTP server closed: finish or leave on disk what is in flight. */
  close?: () => Promise<void>;
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

export function createWebhookServer(o: WebhookServerOptions): WebhookServer {
  const seen = new LruSet(o.rememberDeliveries ?? 10_000);
  const store = o.stateDir !== undefined ? deliveryStore(o.stateDir) : undefined;
  // The kept clones live in the state folder too: what a killed process left there is removed at start.
  const checkouts = keptCheckouts(o.stateDir !== undefined ? join(o.stateDir, "work") : undefined);
  let resumed = store === undefined;
  const scheduler = createScheduler(o, checkouts, store, (delivery) => seen.delete(delivery));
  const extra = o.extraRooms?.(scheduler);
  const webhook = webhookRoute(o, scheduler, store, seen);
  const http = createHttpRoom({
    routes: { ...extra?.routes, "/webhook/github": webhook },
    notFound: "not found: deliveries go to POST /webhook/github",
    ready: () => !scheduler.draining && resumed,
    ...(o.note !== undefined ? { note: o.note } : {}),
  });
  const { server, inFlight } = http;

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
      if (store === undefined) {
        extra?.resume?.();
        return 0;
      }
      const pending = store.list((file, problem) => o.note?.({ msg: "pending delivery quarantined", file, problem }));
      for (const p of pending) {
        seen.add(p.delivery);
        scheduler.inBackground(p, scheduler.triage(p), performance.now());
      }
      extra?.resume?.();
      resumed = true;
      if (pending.length > 0) o.note?.({ msg: "resuming pending deliveries", count: pending.length });
      return pending.length;
    },
    async close() {
      scheduler.stop();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      while (inFlight.size > 0 || scheduler.jobs.size > 0) await Promise.allSettled([...inFlight, ...scheduler.jobs]);
      server.closeIdleConnections();
      await closed;
      await extra?.close?.();
      await checkouts.disposeAll();
      await o.locks.dispose();
    },
  };
}
