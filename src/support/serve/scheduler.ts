/**
 * The scheduler room of `bugbeacon serve`: accepted deliveries wait per database and are triaged in
 * batched passes (one lock push, one update, one push for up to 50), at most `concurrency` passes at once;
 * a triage nobody waits for any more (answered 202, or resumed at start) is finished, retried with doubling
 * pauses, or given up with a log line.
 */
import type { Octokit } from "@octokit/rest";
import { BugbeaconError, TriageStepError } from "../../errors.js";
import { parseIssueBody } from "../../format/report-format.js";
import { validateIssuesEvent } from "../event.js";
import { isSafeIdentifier } from "../safe-names.js";
import type { TriageOutcome } from "../triage.js";
import { runTriage } from "../triage-run.js";
import type { SparseCheckout } from "../db-checkout.js";
import { gitFailure } from "../github-failure.js";
import type { Checkouts } from "./checkouts.js";
import { dbRemoteFor } from "./config.js";
import type { DeliveryStore, PendingDelivery } from "./delivery-store.js";
import { HttpAnswer, oneLine } from "./http.js";
import type { IssueLocks } from "./issue-lock.js";

/** A triage not started because the server is shutting down; its delivery stays pending on disk. */
export class ShuttingDown extends BugbeaconError {
  override name = "ShuttingDown";
}

export interface SchedulerOptions {
  dbRemote: string;
  octokitFor: (installationId: number) => Promise<Octokit>;
  gitConfigFor: (remote: string, installationId: number) => Promise<string[]>;
  locks: IssueLocks;
  note?: (entry: Record<string, unknown>) => void;
  concurrency?: number;
  pushAttempts?: number;
  pushBackoffMs?: number;
  retryBaseMs?: number;
}

export interface Scheduler {
  /** One delivery's triage, in turn with the others of its database; tracked until it settles. */
  triage(pending: PendingDelivery): Promise<TriageOutcome>;
  /** Lets `job` finish after nobody waits for it: removed from the store when done, retried when temporary. */
  inBackground(pending: PendingDelivery, job: Promise<TriageOutcome>, started: number): void;
  /** A task in this process's limit of `concurrency` at once (shared with the relay's writes). */
  slot<T>(work: () => Promise<T>): Promise<T>;
  /** No new pass starts; retries are cancelled. */
  stop(): void;
  readonly draining: boolean;
  /** Triages started and not settled. */
  readonly jobs: Set<Promise<unknown>>;
}

interface Queued {
  pending: PendingDelivery;
  resolve: (outcome: TriageOutcome) => void;
  reject: (error: unknown) => void;
}

/** Most deliveries triaged in one pass: one lock push, one update, one push for all of them. */
const BATCH_MAX = 50;

export function createScheduler(o: SchedulerOptions, checkouts: Checkouts, store: DeliveryStore | undefined, forgetDelivery: (delivery: string) => void): Scheduler {
  const limit = o.concurrency ?? 4;
  const retryBase = o.retryBaseMs ?? 2000;
  let running = 0;
  const waiting: Array<() => void> = [];
  let draining = false;
  const jobs = new Set<Promise<unknown>>();
  const retryTimers = new Set<NodeJS.Timeout>();
  /** Deliveries waiting for their database, per database remote; one worker per database drains it. */
  const queuesByDb = new Map<string, Queued[]>();
  const { checkoutFor, forget } = checkouts;

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
          forgetDelivery(pending.delivery);
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

  return {
    triage: (pending) => track(triageOne(pending)),
    inBackground,
    slot,
    stop() {
      draining = true;
      for (const t of retryTimers) clearTimeout(t);
      retryTimers.clear();
    },
    get draining() {
      return draining;
    },
    jobs,
  };
}

/** What a failed triage means for the answer and the retry. */
export function failure(error: unknown): HttpAnswer {
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

export function decisionOf(outcome: TriageOutcome): string {
  return outcome.kind;
}

export function outcomeBody(outcome: TriageOutcome): Record<string, unknown> {
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
