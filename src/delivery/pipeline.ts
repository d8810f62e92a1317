/**
 * The delivery half of the one report pipeline, the same for every backend: persist (the write-ahead
 * spool), deliver through the backend, confirm. Dry run, the test target, the spool, flush, pacing and
 * close() wrap whatever backend the helper was made with (as Sentry's offline transport wraps a transport).
 */
import { MissingTokenError } from "../errors.js";
import { parseIssueBody } from "../format/report-format.js";
import type { Backend, BackendClient, ReportRef } from "./backend.js";
import { DeliveryFailure, LEGACY_BACKEND, REGRESSION_ROOM, versionsOf } from "./backend.js";
import type { Logger } from "../_internal/logger.js";
import type { DeliveryContext, PreparedReport, ReportResult } from "../types.js";
import { registerClosable, unrefDelay } from "./close.js";
import type { OnDuplicate, TargetIndex } from "./deliver.js";
import type { Claimed, Spool, SpooledReport } from "./spool.js";
import { loadSpoolSync } from "./spool-sync.js";
import { deadlineSignal } from "../backends/deadline.js";

/** How long an index from an earlier flush is refreshed rather than listed again. */
const INDEX_REUSE_MS = 10 * 60_000;

/** A report a flush delivered or counted. */
export interface FlushDelivered {
  reportId: string;
  title: string;
  /** A new issue, a message on an existing one, or an occurrence counted on this machine. */
  kind: "created" | "duplicate" | "counted" | "pending";
  url?: string;
  /** An earlier attempt, whose answer was lost, had already delivered it: found, not sent again. */
  found: boolean;
}

/** A report a flush left in the spool, and why. */
export interface FlushLeft {
  reportId: string;
  title: string;
  /** Its file in the spool. */
  file: string;
  /**
   * `failed`: tried now and failed (`reason`); `settling`: its last request got no answer and may still
   * arrive, so it is looked up only after `until`; `stopped`: not tried, the flush stopped at a refusal;
   * `other-backend`: queued for another backend; `in-flight`: being sent by another live process (`pid`);
   * `new`: queued after this flush started.
   */
  why: "failed" | "settling" | "stopped" | "other-backend" | "in-flight" | "new";
  reason?: string;
  /** When running flush again can deliver it (ISO), when known. */
  until?: string;
  retryable?: boolean;
  backend?: string;
  pid?: number;
}

/** What `flush()` did. */
export interface FlushSummary {
  /** New issues: created now, or found created by an earlier attempt (see `delivered[].found`). */
  sent: number;
  /** Reports added to existing issues as "seen again" comments. */
  merged: number;
  /** Reports still waiting. */
  queued: number;
  /** Attempts that failed this time, with the reason; `retryable` when running flush again may work. */
  failed: Array<{ reportId: string; reason: string; retryable: boolean }>;
  /** Unreadable spool files moved aside. */
  quarantined: Array<{ file: string; problem: string }>;
  /** Reports the service refused for good, set aside in the spool's `refused/` folder (never sent again). */
  refused: Array<{ reportId: string; title: string; reason: string; file: string }>;
  /** Occurrences counted locally (a "seen again" message went out from this machine within `seenAgainEvery`). */
  counted: number;
  /** Each report delivered or counted, in order. */
  delivered: FlushDelivered[];
  /** Each report still in the spool after the flush (queued or claimed by another live process), with why. */
  left: FlushLeft[];
}

/** A foreground flush waits this long at most for an unanswered request to settle; past it, it says when. */
const MAX_SETTLE_WAIT_MS = 30_000;

/** The delivery settings, resolved and validated once (in getHelper). */
export interface PipelineSettings {
  backend: Backend;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  redact: (text: string) => string;
  spoolDir: string | undefined;
  dryRun: boolean;
  /** Every report goes here instead (already checked by the backend). */
  testTarget: string | undefined;
  dedupe: boolean;
  onDuplicate: OnDuplicate;
  onClosed: "reopen" | "new";
  seenAgainEvery: number | undefined;
  /** Least time between two reports in a background flush. */
  pacingMs: number;
  /** Least time between an attempt whose answer was lost and the lookup before the next (DEFAULT_SETTLE_MS). */
  settleMs: number;
}

/** When an attempt ended; and, when it got no answer (it may still be carried out), when to settle from. */
function attemptTimes(outcome: { uncertain: boolean; answered: boolean }): { lastAttemptAt: string; settleFrom?: string } {
  const now = new Date().toISOString();
  return outcome.uncertain && !outcome.answered ? { lastAttemptAt: now, settleFrom: now } : { lastAttemptAt: now };
}

type Attempt =
  | { kind: "created" | "duplicate"; ref: ReportRef; url: string; found?: true }
  | { kind: "counted"; ref: ReportRef | undefined }
  | { kind: "pending"; reason: string }
  | { kind: "failed"; reason: string; retryable: boolean; uncertain: boolean; answered: boolean; refused?: true };

/** Spool folders this process has started a background flush for: one per folder, at start only. */
const flushedAtStart = new Set<string>();

export class Pipeline {
  /** Reports being sent right now (write-ahead copies are on disk), and the background flush. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;
  /** Aborted when close() gives up on the reports in flight: the normal client's waits end then. */
  private stopWaiting = new AbortController();
  private client: Promise<BackendClient> | undefined;
  /** Each target's index from the last flush, to be refreshed rather than listed again. */
  private readonly keptIndexes = new Map<string, TargetIndex>();

  constructor(private readonly settings: PipelineSettings) {
    registerClosable(this);
  }

  private get backend(): Backend {
    return this.settings.backend;
  }

  /** Where this helper's reports wait (the spool module loads on first use). */
  private async spool(): Promise<Spool> {
    const { Spool, defaultSpoolDir } = await import("./spool.js");
    return new Spool(this.settings.spoolDir ?? defaultSpoolDir(this.settings.env));
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.then(
      () => this.inFlight.delete(work),
      () => this.inFlight.delete(work),
    );
    return work;
  }

  /** The client for ordinary sending, made once (its pacing spans every report of this helper). */
  private normalClient(): Promise<BackendClient> {
    this.client ??= this.backend.client({ kind: "normal", signal: this.stopWaiting.signal });
    this.client.catch(() => (this.client = undefined));
    return this.client;
  }

  /** After the app's own start-up code, on an unref'd timer: never delays the start or the exit. */
  startBackgroundFlush(): void {
    setTimeout(() => void this.flushInBackground(), 0).unref();
  }

  /**
   * Waits up to `timeoutMs` for the reports in flight (each is on disk already); what is not confirmed by
   * then goes back to the spool queue for the next flush, and the background flush stops. Never rejects.
   */
  async close(timeoutMs = 2000): Promise<void> {
    this.closing = true;
    const pending = [...this.inFlight];
    if (pending.length === 0) return;
    const settled = Promise.allSettled(pending).then(() => true);
    const done = await Promise.race([settled, unrefDelay(timeoutMs).then(() => false)]);
    if (done) return;
    try {
      const released = (await this.spool()).releaseOwnClaims();
      if (released > 0) this.settings.logger.info(`${released} report(s) not confirmed in ${timeoutMs} ms stay in the spool for the next flush.`);
    } catch (error) {
      this.settings.logger.warn(`could not put unfinished reports back in the queue: ${error instanceof Error ? error.message : String(error)}`);
    }
    // A wait for the service (a Retry-After) must not keep the app running after close(): end it.
    this.stopWaiting.abort();
    this.stopWaiting = new AbortController();
    this.client = undefined;
  }

  /** `flushOnStart`: sends what earlier runs left in the spool, without holding the process open. */
  private async flushInBackground(): Promise<void> {
    try {
      const spool = await this.spool();
      if (flushedAtStart.has(spool.dir)) return;
      flushedAtStart.add(spool.dir);
      spool.recoverStale();
      const names = spool.pending();
      if (names.length === 0 || this.closing) return;
      await this.track(this.flushSpool({ background: true, names }));
    } catch (error) {
      this.settings.logger.info(`background flush stopped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The report as a draft for the backend (body rendered as the service gets it, room left for a regression's line). */
  private draft(report: PreparedReport) {
    return { title: report.title, body: this.backend.render(report.document, this.backend.limits.body - REGRESSION_ROOM), labels: report.labels, assignees: this.backend.defaults.assignees };
  }

  /**
   * Persist, send, confirm: the report is written to the spool (claimed by this process) before the first
   * request, and removed only once the service confirmed it. Killed at any point, even with SIGKILL, the
   * next flush finds the claim of a dead process, looks the report up by its id, and delivers it exactly once.
   */
  deliver(report: PreparedReport, context: DeliveryContext = {}): Promise<ReportResult> {
    return this.track(this.deliverWithApi(report, context));
  }

  private async deliverWithApi(report: PreparedReport, context: DeliveryContext): Promise<ReportResult> {
    const { identifier, reportId } = report.document.metadata;
    const target = this.settings.testTarget ?? report.repo;
    const draft = this.draft(report);
    if (this.settings.dryRun) {
      const request = this.backend.describeCreate(target, draft);
      this.settings.logger.info(`dry run, nothing sent. The request would be:\n${this.settings.redact(JSON.stringify(request, null, 2))}`);
      return { kind: "skipped", reason: "dry-run", identifier, reportId };
    }
    const spool = await this.spool();
    return this.sendClaimed(spool, spool.addClaimed(this.spooled(report)), context);
  }

  /** The report as the spool keeps it. */
  private spooled(report: PreparedReport): SpooledReport {
    const { identifier, reportId } = report.document.metadata;
    return {
      version: 1,
      backend: this.backend.name,
      ...this.draft(report),
      repo: this.settings.testTarget ?? report.repo,
      identifier,
      reportId,
      queuedAt: new Date().toISOString(),
      attempts: 0,
      uncertain: false,
    };
  }

  /**
   * The crash path's write-ahead, without the event loop: the report written to the spool and claimed by
   * this process (as `deliver` does first), so that the process that sends it may be slow or be killed
   * without losing it. Returns the claim's path for `deliverClaimed`; undefined for a dry run, or when the
   * spool cannot be loaded or written synchronously (the sender then writes it first, as `deliver` does).
   */
  claimNow(report: PreparedReport): string | undefined {
    if (this.settings.dryRun) return undefined;
    try {
      const spoolModule = loadSpoolSync();
      if (spoolModule === undefined) return undefined;
      const spool = new spoolModule.Spool(this.settings.spoolDir ?? spoolModule.defaultSpoolDir(this.settings.env));
      return spool.addClaimed(this.spooled(report)).path;
    } catch {
      return undefined;
    }
  }

  /**
   * Sends a report another process of this app claimed with `claimNow` (the crashing app, which waits for
   * this one): as `deliver` after its write, one attempt, then the claim is removed or put back in the queue.
   */
  deliverClaimed(path: string, context: DeliveryContext = {}): Promise<ReportResult> {
    return this.track(
      (async () => {
        const spool = await this.spool();
        const claimed = spool.readClaim(path);
        if (claimed === undefined) throw new Error(`the crash's report is no longer at ${path}; the next "bugbeacon flush" sends what the spool holds`);
        return this.sendClaimed(spool, claimed, context);
      })(),
    );
  }

  /** One attempt for a report claimed in the spool, and what it became: sent, counted, or queued again. */
  private async sendClaimed(spool: Spool, claimed: Claimed, context: DeliveryContext): Promise<ReportResult> {
    const queued = claimed.report;
    const { identifier, reportId } = queued;
    let outcome: Attempt;
    try {
      const sendBy = context.sendBy?.();
      if (sendBy !== undefined && sendBy - Date.now() < 50) {
        outcome = { kind: "failed", reason: "no time left to send before the app exits", retryable: true, uncertain: false, answered: false };
      } else {
        const client = sendBy !== undefined ? this.backend.client({ kind: "crash", sendBy }) : this.normalClient();
        outcome = await this.attempt(client, spool, queued, undefined, sendBy);
      }
    } catch (error) {
      const now = new Date().toISOString();
      spool.release(claimed, { attempts: 1, uncertain: true, lastError: this.settings.redact(String(error)), lastAttemptAt: now, settleFrom: now });
      throw error;
    }
    const { logger } = this.settings;
    if (outcome.kind === "failed") {
      const path = spool.release(claimed, { attempts: 1, uncertain: outcome.uncertain, lastError: outcome.reason, ...attemptTimes(outcome) });
      (outcome.retryable ? logger.info : logger.warn)(`could not send the report now (${outcome.reason}); it is queued at ${path} for "bugbeacon flush".`);
      return { kind: "queued", path, identifier, reportId, reason: outcome.reason };
    }
    spool.complete(claimed);
    if (outcome.kind === "counted") {
      logger.info(`counted as another occurrence of ${outcome.ref !== undefined ? `report ${outcome.ref}` : "a known report"}; the count goes into the next "seen again" comment.`);
      return { kind: "counted", number: outcome.ref !== undefined ? Number(outcome.ref) : undefined, reference: outcome.ref, identifier, reportId };
    }
    if (outcome.kind === "pending") {
      logger.info(`sent; ${outcome.reason}.`);
      return { kind: "pending", reason: outcome.reason, identifier, reportId };
    }
    logger.info(`${outcome.kind === "duplicate" ? "added to the existing issue" : "reported as"} ${outcome.url}`);
    return { kind: outcome.kind, number: Number(outcome.ref), reference: outcome.ref, url: outcome.url, identifier, reportId };
  }

  /** One delivery attempt. Never throws for the service's answers: they become a failure with a reason. */
  private async attempt(clientPromise: Promise<BackendClient>, spool: Spool, report: SpooledReport, index?: TargetIndex, sendBy?: number, background = false): Promise<Attempt> {
    const [{ deliver }, { seenAgain, DEFAULT_SEEN_AGAIN_EVERY_MS }, { identifierCache }] = await Promise.all([
      import("./deliver.js"),
      import("./seen-again.js"),
      import("./identifier-cache.js"),
    ]);
    const metadata = parseIssueBody(report.body)?.metadata;
    const backend = this.backend;
    // The backend writes its own messages from a structured value, and renders them with the metadata.
    const commentBody = ({ count, since, reopened }: { count: number; since: string | undefined; reopened: boolean }) => {
      const text = backend.occurrenceText({ title: report.title, count, since, machines: 1, versions: versionsOf(metadata), reopened });
      return metadata ? backend.render({ text, metadata }, backend.limits.comment) : text;
    };
    const { version: _version, backend: _backend, queuedAt, attempts: _attempts, uncertain, lastError: _lastError, lastAttemptAt, settleFrom, ...shared } = report;
    try {
      const client = await clientPromise;
      return await deliver(
        client,
        {
          ...shared,
          commentBody,
          regressionBody: (of) => backend.regressionText({ of, body: report.body }),
          uncertain,
          since: Date.parse(queuedAt),
          ...(lastAttemptAt !== undefined ? { lastAttemptAt: Date.parse(lastAttemptAt) } : {}),
          ...(settleFrom !== undefined ? { settleFrom: Date.parse(settleFrom) } : {}),
        },
        {
          dedupe: this.settings.dedupe,
          onDuplicate: this.settings.onDuplicate,
          onClosed: this.settings.onClosed,
          cache: identifierCache(spool.dir),
          seen: seenAgain(spool.dir, this.settings.seenAgainEvery ?? DEFAULT_SEEN_AGAIN_EVERY_MS),
          classify: (error) => this.backend.classify(error),
          // In the background a wait must not hold the app open; a foreground flush is awaited, so it may.
          settle: { ms: this.settings.settleMs, sleep: background ? unrefDelay : (ms) => new Promise((r) => setTimeout(r, ms)) },
          ...(index !== undefined ? { index } : {}),
          // The crash path: at most half of what is left for a search, then send as new.
          ...(sendBy !== undefined ? { fast: { searchSignal: deadlineSignal(Math.floor((sendBy - Date.now()) / 2)) } } : {}),
        },
      );
    } catch (error) {
      if (error instanceof DeliveryFailure) {
        return { kind: "failed", reason: this.settings.redact(error.message), retryable: error.retryable, uncertain: error.uncertain || report.uncertain, answered: error.status !== undefined, ...(error.refused ? { refused: true as const } : {}) };
      }
      throw error;
    }
  }

  /**
   * Sends the reports waiting in the spool, oldest first. Safe to run from several processes at once and
   * after being killed at any point: a report that may already have arrived is looked up before it is
   * sent again. Stops early when the service refuses the token or the target (the rest stay queued).
   */
  flush(options: { onProgress?: (done: number, total: number) => void } = {}): Promise<FlushSummary> {
    return this.track(this.flushSpool(options));
  }

  private async flushSpool(options: { onProgress?: (done: number, total: number) => void; background?: boolean; names?: string[] }): Promise<FlushSummary> {
    const summary: FlushSummary = { sent: 0, merged: 0, queued: 0, failed: [], quarantined: [], refused: [], counted: 0, delivered: [], left: [] };
    if (!this.backend.canSubmit()) throw new MissingTokenError(this.backend.name, `No ${this.backend.name} credentials: nothing can be sent; the reports stay queued.`);
    const spool = await this.spool();
    spool.recoverStale();
    const names = options.names ?? spool.pending();
    const { buildIndex, refreshIndex } = await import("./deliver.js");
    // In the background: sockets that do not hold the process open, one attempt per request, and pacing
    // on unref'd timers in this loop (the client's own pacing timers would keep the app alive).
    const clientPromise = options.background === true ? this.backend.client({ kind: "background" }) : this.normalClient();
    const client = await clientPromise;
    const classify = (error: unknown) => this.backend.classify(error);
    // One look at each target instead of a search per report. An index from this helper's last flush is
    // brought up to date instead of listed again (fewer requests).
    const indexes = new Map<string, Promise<TargetIndex>>();
    const indexFor = (target: string, since: number) => {
      let index = indexes.get(target);
      if (index === undefined) {
        const kept = this.keptIndexes.get(target);
        index =
          kept !== undefined && Date.now() - kept.builtAt < INDEX_REUSE_MS
            ? refreshIndex(client, target, kept).then(() => kept)
            : buildIndex(client, target, since, classify);
        this.keptIndexes.delete(target);
        index.then((built) => this.keptIndexes.set(target, built), () => {});
        indexes.set(target, index);
      }
      return index;
    };
    const oldest = names.length > 0 ? Date.parse(names[0]!.slice(0, 24).replace(/^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, "$1:$2:$3.$4Z")) : Date.now();
    // Why each report this flush put back stays (by queue file name).
    const why = new Map<string, Omit<FlushLeft, "reportId" | "title" | "file">>();
    let stoppedBy: string | undefined;
    let done = 0;
    for (const name of names) {
      if (options.background === true && this.closing) break;
      if (stoppedBy !== undefined) {
        why.set(name, { why: "stopped", reason: stoppedBy });
        continue;
      }
      const claimed = spool.claim(name, (file, problem) => {
        summary.quarantined.push({ file, problem });
        this.settings.logger.warn(`spool file ${file} is unreadable (${problem}); moved to ${spool.quarantineDir}.`);
      });
      done += 1;
      if (claimed === undefined) continue;
      // From here the claim is this process's: whatever happens, it goes back to the queue or is completed.
      try {
        const backend = claimed.report.backend ?? LEGACY_BACKEND;
        if (backend !== this.backend.name) {
          // Another backend's report: back to the queue untouched, for a flush with that backend.
          spool.release(claimed, {});
          why.set(name, { why: "other-backend", backend });
          continue;
        }
        // An unanswered request may still be carried out: it is looked up only once it has settled. A
        // foreground flush waits when that is soon (deliver sleeps); otherwise it says when to run again.
        const settleAt = claimed.report.uncertain && claimed.report.settleFrom !== undefined ? Date.parse(claimed.report.settleFrom) + this.settings.settleMs : Number.NaN;
        if (options.background !== true && settleAt - Date.now() > MAX_SETTLE_WAIT_MS) {
          spool.release(claimed, {});
          why.set(name, { why: "settling", until: new Date(settleAt).toISOString(), reason: "its last request got no answer and may still arrive" });
          continue;
        }
        const target = this.settings.testTarget ?? claimed.report.repo;
        let index: TargetIndex | undefined;
        try {
          index = await indexFor(target, Number.isNaN(oldest) ? Date.parse(claimed.report.queuedAt) : oldest);
        } catch {
          indexes.delete(target);
          index = undefined;
        }
        const outcome = await this.attempt(clientPromise, spool, { ...claimed.report, repo: target }, index, undefined, options.background === true);
        if (options.background === true && outcome.kind !== "counted" && done < names.length) await unrefDelay(this.settings.pacingMs);
        if (outcome.kind === "failed" && outcome.refused === true) {
          // Refused for good (its content, not the moment): set aside for a person, and the flush goes on.
          const file = spool.setAside(claimed, outcome.reason);
          summary.refused.push({ reportId: claimed.report.reportId, title: claimed.report.title, reason: outcome.reason, file });
        } else if (outcome.kind === "failed") {
          spool.release(claimed, { attempts: claimed.report.attempts + 1, uncertain: outcome.uncertain, lastError: outcome.reason, ...attemptTimes(outcome) });
          summary.failed.push({ reportId: claimed.report.reportId, reason: outcome.reason, retryable: outcome.retryable });
          const settles = outcome.uncertain && !outcome.answered ? { until: new Date(Date.now() + this.settings.settleMs).toISOString() } : {};
          why.set(name, { why: "failed", reason: outcome.reason, retryable: outcome.retryable, ...settles });
          if (!outcome.retryable) stoppedBy = outcome.reason;
        } else {
          spool.complete(claimed);
          if (outcome.kind === "created" || outcome.kind === "pending") summary.sent += 1;
          else if (outcome.kind === "counted") summary.counted += 1;
          else summary.merged += 1;
          summary.delivered.push({
            reportId: claimed.report.reportId,
            title: claimed.report.title,
            kind: outcome.kind,
            ...(outcome.kind === "created" || outcome.kind === "duplicate" ? { url: outcome.url } : {}),
            found: (outcome.kind === "created" || outcome.kind === "duplicate") && outcome.found === true,
          });
        }
      } catch (error) {
        // Never left claimed under this pid: back to the queue, marked uncertain (a request may have left).
        const now = new Date().toISOString();
        try {
          spool.release(claimed, { uncertain: true, lastAttemptAt: now, settleFrom: now, lastError: this.settings.redact(String(error)) });
        } catch {
          // The spool itself failed: the next flush recovers the claim once this process has gone.
        }
        throw error;
      }
      options.onProgress?.(done, names.length);
    }
    const pending = spool.pending();
    summary.queued = pending.length;
    const listed = new Set(names);
    for (const name of pending) {
      const report = spool.peek(name);
      summary.left.push({
        reportId: report?.reportId ?? "",
        title: report?.title ?? name,
        file: spool.queueFile(name),
        ...(why.get(name) ?? (listed.has(name) ? { why: "stopped" as const, reason: "not reached" } : { why: "new" as const })),
      });
    }
    for (const claim of spool.claimsOfOthers()) {
      summary.left.push({ reportId: claim.report?.reportId ?? "", title: claim.report?.title ?? claim.file, file: claim.file, why: "in-flight", pid: claim.pid });
    }
    return summary;
  }
}
