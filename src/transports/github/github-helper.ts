import { MissingTokenError } from "../../errors.js";
import { parseIssueBody, renderIssueBody } from "../../format/report-format.js";
import { BaseHelper, type DeliveryContext, type PreparedReport } from "../../sdk/base-helper.js";
import { registerClosable, unrefDelay } from "../../sdk/close.js";
import type { ReportResult } from "../../sdk/types.js";
import type { RepoIndex } from "./deliver-api.js";
import { identifierCache } from "./identifier-cache.js";
import { buildNewIssueUrl } from "./new-issue-url.js";
import { createOctokit, DEFAULT_PACING_MS, type AppCredentials } from "./octokit-client.js";
import {
  resolveApiUrl,
  resolveAppCredentials,
  resolvePacing,
  resolveTestRepo,
  resolveRetryBase,
  resolveWebUrl,
  validateGitHubOptions,
  type GitHubHelperOptions,
} from "./options.js";
import { parseRepo } from "./repo.js";

export const DEFAULT_TIMEOUT_MS = 10_000;

/** How long an index from an earlier flush is refreshed rather than listed again. */
const INDEX_REUSE_MS = 10 * 60_000;

/** What `flush()` did. */
export interface FlushSummary {
  /** New issues created. */
  sent: number;
  /** Reports added to existing issues as "seen again" comments. */
  merged: number;
  /** Reports still waiting. */
  queued: number;
  /** Attempts that failed this time, with the reason. */
  failed: Array<{ reportId: string; reason: string }>;
  /** Unreadable spool files moved aside. */
  quarantined: Array<{ file: string; problem: string }>;
  /** Occurrences counted locally (a "seen again" message went out from this machine within `seenAgainEvery`). */
  counted: number;
}

/** Spool folders this process has started a background flush for: one per folder, at start only. */
const flushedAtStart = new Set<string>();

/**
 * Reports to GitHub issues: through the API when a token is there, otherwise as a prefilled
 * new-issue URL that is printed (and opened in a browser when one can be).
 */
export class GitHubHelper extends BaseHelper<GitHubHelperOptions> {
  readonly name = "github";
  readonly apiUrl: string;
  readonly webUrl: string;
  private readonly testRepo: string | undefined;
  private readonly pacingMs: number | undefined;
  private readonly retryAfterBaseMs: number | undefined;

  constructor(options: GitHubHelperOptions = {}) {
    validateGitHubOptions(options);
    super(options);
    this.apiUrl = resolveApiUrl(options, this.env);
    this.webUrl = resolveWebUrl(options, this.apiUrl);
    // Everything read from options and the environment is checked here, so a bad value fails
    // getHelper() with an InvalidOptionError instead of surfacing as a warning when a crash is reported.
    this.testRepo = resolveTestRepo(options, this.env);
    this.pacingMs = resolvePacing(options, this.env);
    this.retryAfterBaseMs = resolveRetryBase(options, this.env);
    resolveAppCredentials(options, this.env); // read again on use, like the token; checked now
    registerClosable(this);
    if (this.options.flushOnStart !== false && !this.disabled && this.options.dryRun !== true && this.canSubmit()) {
      // After the app's own start-up code, on an unref'd timer: never delays the start or the exit.
      setTimeout(() => void this.flushInBackground(), 0).unref();
    }
  }

  /** Where this helper's reports wait (the spool module loads on first use). */
  private async spool(): Promise<import("../spool/spool.js").Spool> {
    const { Spool, defaultSpoolDir } = await import("../spool/spool.js");
    return new Spool(this.options.spoolDir ?? defaultSpoolDir(this.env));
  }

  /** Reports being sent right now (write-ahead copies are on disk), and the background flush. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.then(
      () => this.inFlight.delete(work),
      () => this.inFlight.delete(work),
    );
    return work;
  }

  /**
   * Waits up to `timeoutMs` for the reports in flight (each is on disk already); what is not confirmed by
   * then goes back to the spool queue for the next flush, and the background flush stops. Never rejects.
   * @example
   * process.on("SIGTERM", async () => { server.close(); await helper.close(2000); process.exit(0); });
   */
  override async close(timeoutMs = 2000): Promise<void> {
    this.closing = true;
    const pending = [...this.inFlight];
    if (pending.length === 0) return;
    const settled = Promise.allSettled(pending).then(() => true);
    const done = await Promise.race([settled, unrefDelay(timeoutMs).then(() => false)]);
    if (done) return;
    try {
      const released = (await this.spool()).releaseOwnClaims();
      if (released > 0) this.logger.info(`${released} report(s) not confirmed in ${timeoutMs} ms stay in the spool for the next flush.`);
    } catch (error) {
      this.logger.warn(`could not put unfinished reports back in the queue: ${error instanceof Error ? error.message : String(error)}`);
    }
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
      this.logger.info(`background flush stopped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** What the API is reached with: a token, else a GitHub App installation, else nothing (URL path). */
  protected credentials(): string | AppCredentials | undefined {
    return this.token() ?? resolveAppCredentials(this.options, this.env);
  }

  /** The token in use: the option, else BUGBEACON_GITHUB_TOKEN, else HELPME_GITHUB_TOKEN. */
  protected token(): string | undefined {
    const candidates = [this.options.token, this.env.BUGBEACON_GITHUB_TOKEN, this.env.HELPME_GITHUB_TOKEN];
    return candidates.find((t): t is string => typeof t === "string" && t.trim() !== "")?.trim();
  }

  protected override titlePrefix(): string {
    const prefix = this.options.prefix?.trim();
    return prefix ? `${prefix} ` : "";
  }

  protected override helperLabels(): string[] | undefined {
    return this.options.labels;
  }

  protected checkTarget(repo: unknown): void {
    parseRepo(repo);
  }

  protected async preflight(): Promise<void> {
    if (this.options.requireToken === true && this.credentials() === undefined) throw new MissingTokenError();
  }

  protected async deliver(report: PreparedReport, context: DeliveryContext = {}): Promise<ReportResult> {
    const credentials = this.credentials();
    return credentials === undefined ? this.deliverAsUrl(report) : this.track(this.deliverWithApi(report, credentials, context));
  }

  /**
   * Persist, send, confirm: the report is written to the spool (claimed by this process) before the first
   * request, and removed only once GitHub confirmed it. Killed at any point, even with SIGKILL, the next
   * flush finds the claim of a dead process, looks the report up by its id, and delivers it exactly once.
   */
  private async deliverWithApi(report: PreparedReport, token: string | AppCredentials, context: DeliveryContext): Promise<ReportResult> {
    const { identifier, reportId } = report.document.metadata;
    const repoName = this.targetRepo(report.repo);
    const repo = parseRepo(repoName);
    const { body } = renderIssueBody(this.documentWithFooter(report));
    const assignees = this.options.assignees ?? [];
    if (this.options.dryRun === true) {
      const request = { method: "POST", url: `${this.apiUrl}/repos/${repo.owner}/${repo.name}/issues`, body: { title: report.title, body, labels: report.labels, assignees } };
      this.logger.info(`dry run, nothing sent. The request would be:\n${this.redact(JSON.stringify(request, null, 2))}`);
      return { kind: "skipped", reason: "dry-run", identifier, reportId };
    }
    const spool = await this.spool();
    const queued = {
      version: 1 as const,
      repo: repoName,
      title: report.title,
      body,
      labels: report.labels,
      assignees,
      identifier,
      reportId,
      queuedAt: new Date().toISOString(),
      attempts: 0,
      uncertain: false,
    };
    const claimed = spool.addClaimed(queued);
    let outcome: Awaited<ReturnType<GitHubHelper["attempt"]>>;
    try {
      const sendBy = context.sendBy?.();
      if (sendBy !== undefined && sendBy - Date.now() < 50) {
        outcome = { kind: "failed", reason: "no time left to send before the app exits", retryable: true, uncertain: false };
      } else {
        const octokit = sendBy !== undefined ? this.crashOctokit(token, sendBy) : this.octokit(token);
        outcome = await this.attempt(octokit, spool, queued, undefined, sendBy);
      }
    } catch (error) {
      spool.release(claimed, { attempts: 1, uncertain: true, lastError: this.redact(String(error)), lastAttemptAt: new Date().toISOString() });
      throw error;
    }
    if (outcome.kind === "failed") {
      const path = spool.release(claimed, { attempts: 1, uncertain: outcome.uncertain, lastError: outcome.reason, lastAttemptAt: new Date().toISOString() });
      (outcome.retryable ? this.logger.info : this.logger.warn)(`could not send the report now (${outcome.reason}); it is queued at ${path} for "bugbeacon flush".`);
      return { kind: "queued", path, identifier, reportId, reason: outcome.reason };
    }
    spool.complete(claimed);
    if (outcome.kind === "counted") {
      this.logger.info(`counted as another occurrence of ${outcome.number !== undefined ? `issue #${outcome.number}` : "a known issue"}; the count goes into the next "seen again" comment.`);
      return { kind: "counted", number: outcome.number, identifier, reportId };
    }
    this.logger.info(`${outcome.kind === "duplicate" ? "added to the existing issue" : "reported as"} ${outcome.url}`);
    return { ...outcome, identifier, reportId };
  }

  /** One delivery attempt. Never throws for GitHub's answers: they become a failure with a reason. */
  private async attempt(
    octokitPromise: Promise<import("@octokit/rest").Octokit>,
    spool: import("../spool/spool.js").Spool,
    report: import("../spool/spool.js").SpooledReport,
    index?: import("./deliver-api.js").RepoIndex,
    sendBy?: number,
  ): Promise<
    | { kind: "created" | "duplicate"; number: number; url: string }
    | { kind: "counted"; number: number | undefined }
    | { kind: "failed"; reason: string; retryable: boolean; uncertain: boolean }
  > {
    const [{ deliver, DeliveryFailure }, { seenAgain, DEFAULT_SEEN_AGAIN_EVERY_MS }] = await Promise.all([import("./deliver-api.js"), import("./seen-again.js")]);
    const metadata = parseIssueBody(report.body)?.metadata;
    const commentBody = ({ count, since }: { count: number; since: string | undefined }) => {
      const more = count > 0 ? `\n\nSeen ${count} more time${count === 1 ? "" : "s"} on this machine${since ? ` since ${since}` : ""}.` : "";
      const text = `**Seen again**: ${report.title}${more}`;
      return metadata ? renderIssueBody({ text, metadata, ...(this.options.footer ? { footer: this.options.footer } : {}) }).body : text;
    };
    try {
      const octokit = await octokitPromise;
      return await deliver(
        octokit,
        {
          repo: parseRepo(report.repo),
          title: report.title,
          body: report.body,
          labels: report.labels,
          assignees: report.assignees,
          identifier: report.identifier,
          reportId: report.reportId,
          commentBody,
          uncertain: report.uncertain,
          since: Date.parse(report.queuedAt),
          ...(report.lastAttemptAt !== undefined ? { lastAttemptAt: Date.parse(report.lastAttemptAt) } : {}),
        },
        {
          dedupe: this.options.dedupe ?? true,
          onDuplicate: this.options.onDuplicate ?? "count",
          onClosed: this.options.onClosed ?? "new",
          cache: identifierCache(spool.dir),
          seen: seenAgain(spool.dir, this.options.seenAgainEvery ?? DEFAULT_SEEN_AGAIN_EVERY_MS),
          ...(index !== undefined ? { index } : {}),
          // The crash path: at most half of what is left for a search, then send as new.
          ...(sendBy !== undefined ? { fast: { searchSignal: AbortSignal.timeout(Math.max(1, Math.floor((sendBy - Date.now()) / 2))) } } : {}),
        },
      );
    } catch (error) {
      if (error instanceof DeliveryFailure) {
        return { kind: "failed", reason: this.redact(error.message), retryable: error.retryable, uncertain: error.uncertain || report.uncertain };
      }
      throw error;
    }
  }

  /**
   * Sends the reports waiting in the spool, oldest first. Safe to run from several processes at once and
   * after being killed at any point: a report that may already have arrived is looked up before it is
   * sent again. Stops early when GitHub refuses the token or the repository (the rest stay queued).
   */
  async flush(options: { onProgress?: (done: number, total: number) => void } = {}): Promise<FlushSummary> {
    return this.track(this.flushSpool(options));
  }

  private async flushSpool(options: { onProgress?: (done: number, total: number) => void; background?: boolean; names?: string[] }): Promise<FlushSummary> {
    const token = this.credentials();
    const spool = await this.spool();
    const summary: FlushSummary = { sent: 0, merged: 0, queued: 0, failed: [], quarantined: [], counted: 0 };
    if (token === undefined) throw new MissingTokenError();
    spool.recoverStale();
    const names = options.names ?? spool.pending();
    const { buildRepoIndex, refreshRepoIndex } = await import("./deliver-api.js");
    // In the background: sockets that do not hold the process open, one attempt per request, and pacing
    // on unref'd timers in this loop (the pacing plugin's timers would keep the app alive).
    const octokitPromise = options.background === true ? this.backgroundOctokit(token) : this.octokit(token);
    const octokit = await octokitPromise;
    const pacingMs = this.pacingMs ?? DEFAULT_PACING_MS;
    // One look at each repository instead of a search per report (search allows 30 a minute). An index
    // from this helper's last flush is brought up to date instead of listed again (fewer requests).
    const indexes = new Map<string, Promise<RepoIndex>>();
    const indexFor = (repo: string, since: number) => {
      let index = indexes.get(repo);
      if (index === undefined) {
        const kept = this.keptIndexes.get(repo);
        index =
          kept !== undefined && Date.now() - kept.builtAt < INDEX_REUSE_MS
            ? refreshRepoIndex(octokit, parseRepo(repo), kept).then(() => kept)
            : buildRepoIndex(octokit, parseRepo(repo), since);
        this.keptIndexes.delete(repo);
        index.then((built) => this.keptIndexes.set(repo, built), () => {});
        indexes.set(repo, index);
      }
      return index;
    };
    const oldest = names.length > 0 ? Date.parse(names[0]!.slice(0, 24).replace(/^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, "$1:$2:$3.$4Z")) : Date.now();
    let done = 0;
    for (const name of names) {
      if (options.background === true && this.closing) break;
      const claimed = spool.claim(name, (file, problem) => {
        summary.quarantined.push({ file, problem });
        this.logger.warn(`spool file ${file} is unreadable (${problem}); moved to ${spool.quarantineDir}.`);
      });
      done += 1;
      if (claimed === undefined) continue;
      let index: RepoIndex | undefined;
      try {
        index = await indexFor(this.targetRepo(claimed.report.repo), Number.isNaN(oldest) ? Date.parse(claimed.report.queuedAt) : oldest);
      } catch {
        indexes.delete(this.targetRepo(claimed.report.repo));
        index = undefined;
      }
      const outcome = await this.attempt(octokitPromise, spool, claimed.report, index);
      if (options.background === true && outcome.kind !== "counted" && done < names.length) await unrefDelay(pacingMs);
      if (outcome.kind === "failed") {
        spool.release(claimed, { attempts: claimed.report.attempts + 1, uncertain: outcome.uncertain, lastError: outcome.reason, lastAttemptAt: new Date().toISOString() });
        summary.failed.push({ reportId: claimed.report.reportId, reason: outcome.reason });
        if (!outcome.retryable) break;
      } else {
        spool.complete(claimed);
        if (outcome.kind === "created") summary.sent += 1;
        else if (outcome.kind === "counted") summary.counted += 1;
        else summary.merged += 1;
      }
      options.onProgress?.(done, names.length);
    }
    summary.queued = spool.pending().length;
    return summary;
  }

  /** Each repository's index from the last flush, to be refreshed rather than listed again. */
  private readonly keptIndexes = new Map<string, RepoIndex>();

  private octokitPromise: Promise<import("@octokit/rest").Octokit> | undefined;
  private octokit(token: string | AppCredentials): Promise<import("@octokit/rest").Octokit> {
    const { pacingMs, retryAfterBaseMs } = this;
    this.octokitPromise ??= import("./http.js")
      .then(({ resolveFetch }) => resolveFetch(this.env, this.options.fetch))
      .then((fetch) =>
        createOctokit({
          token,
          baseUrl: this.apiUrl,
          timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          fetch,
          ...(pacingMs !== undefined ? { pacingMs } : {}),
          ...(retryAfterBaseMs !== undefined ? { retryAfterBaseMs } : {}),
        }),
      );
    return this.octokitPromise;
  }

  /** The crash path's client: one attempt per request, every request over by `sendBy`. */
  private async crashOctokit(token: string | AppCredentials, sendBy: number): Promise<import("@octokit/rest").Octokit> {
    const { resolveFetch } = await import("./http.js");
    const fetch = await resolveFetch(this.env, this.options.fetch);
    const byDeadline: typeof globalThis.fetch = (input, init) => {
      const left = AbortSignal.timeout(Math.max(1, sendBy - Date.now()));
      return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, left]) : left });
    };
    return createOctokit({ token, baseUrl: this.apiUrl, timeoutMs: Math.max(1, sendBy - Date.now()), fetch: byDeadline, oneAttempt: true });
  }

  /** The background flush's client: unref'd sockets, one attempt per request, no pacing timers. */
  private async backgroundOctokit(token: string | AppCredentials): Promise<import("@octokit/rest").Octokit> {
    const { resolveFetch } = await import("./http.js");
    const fetch = await resolveFetch(this.env, this.options.fetch, { unref: true });
    return createOctokit({ token, baseUrl: this.apiUrl, timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, fetch, oneAttempt: true });
  }

  /** `testRepo` / BUGBEACON_TEST_REPO sends everything to a test repository. */
  private targetRepo(repo: string): string {
    return this.testRepo ?? repo;
  }

  private async deliverAsUrl(report: PreparedReport): Promise<ReportResult> {
    const { identifier, reportId } = report.document.metadata;
    const { url, cutCharacters } = this.buildUrl(report);
    this.logger.info(
      `no GitHub token, so nothing was sent. To report this problem, open:\n${url}` +
        (cutCharacters > 0 ? `\n(${cutCharacters} characters of the report were cut to fit a URL)` : ""),
    );
    const opened = (await this.mayOpenBrowser()) ? await this.openUrl(url) : false;
    return { kind: "url", url, identifier, reportId, opened };
  }

  /** The prefilled new-issue URL for a report (labels only with `labelsInUrl`), within 8,192 characters. */
  private buildUrl(report: PreparedReport) {
    const labels = this.options.labelsInUrl === true ? report.labels : [];
    return buildNewIssueUrl(this.webUrl, parseRepo(report.repo), report.title, this.documentWithFooter(report), labels);
  }

  /** The body as the API would get it (with the helpme footer when asked). */
  protected override renderBody(report: PreparedReport): string {
    return renderIssueBody(this.documentWithFooter(report)).body;
  }

  /** True when a token (or GitHub App credentials) lets reports be created through the API. */
  protected override canSubmit(): boolean {
    try {
      return this.credentials() !== undefined;
    } catch {
      return false; // incomplete BUGBEACON_APP_* variables: sending would report that error
    }
  }

  /** The prefilled "new issue" page: what the person opens when there is no token. */
  protected override manualUrl(report: PreparedReport): string | undefined {
    return this.buildUrl(report).url;
  }

  protected override async mayOpenBrowser(): Promise<boolean> {
    if (this.options.open !== undefined) return this.options.open;
    const { canOpenBrowser } = await import("../../sdk/browser.js");
    return canOpenBrowser(this.env);
  }

  /** Opens the URL in the browser (the opener is loaded only here). */
  protected override async openUrl(url: string): Promise<boolean> {
    const { openInBrowser } = await import("../../sdk/browser.js");
    return openInBrowser(url, this.logger, this.env);
  }

  private documentWithFooter(report: PreparedReport) {
    return this.options.footer === undefined ? report.document : { ...report.document, footer: this.options.footer };
  }
}

