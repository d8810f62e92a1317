/**
 * The report path: everything a report needs (build, redact, ask, persist, deliver), loaded by the `Helper`
 * on its first report (src/sdk/helper.ts), never on import. Options were checked when the helper was made.
 */
import { envFlag } from "../_internal/env-flag.js";
import { InvalidOptionError } from "../errors.js";
import { GITHUB_BODY_LIMIT, GITHUB_TITLE_LIMIT, fitTitle, type ReportDocument, type ReportMetadata } from "../format/report-format.js";
import { VERSION } from "../version.js";
import { findAppFacts } from "./app-info.js";
import { collectEnvironment, platformFacts } from "./environment.js";
import { newReportId, resolveIdentifier } from "./identifier.js";
import type { Logger } from "../_internal/logger.js";
import { findAppRoot } from "./app-info.js";
import type { Breadcrumb } from "./capture/breadcrumbs.js";
import { describeError } from "./capture/describe-error.js";
import type { CrashSettings } from "./capture/handlers.js";
import { sendInChild } from "./capture/send-now.js";
import { whileAnswering } from "./prompts/activity.js";
import { whyNotInteractive } from "./prompts/interactive.js";
import { createRedactor, type Redactor } from "./redact.js";
import { cutBodyForScan, cutTitleForScan } from "./redact/cut.js";
import type { FlowHost, PromptHost } from "./prompts/host.js";
import type { CaptureOptions, DeliveryContext, HelperOptions, PreparedReport, ReportInput, ReportResult, RunInput } from "../types.js";
import type { Backend } from "../delivery/backend.js";
import type { DeliveryOptions, ResolvedDelivery } from "../delivery/options.js";
import { Pipeline, type FlushSummary } from "../delivery/pipeline.js";
import { MissingTokenError } from "../errors.js";
import { uniqueLabels, validateLabels } from "../_internal/validate-options.js";
import type { Monitor, MonitorRun, MonitorSpec } from "./monitor/options.js";
import type { MonitorIssues } from "./monitor/issues.js";
import type { MonitorHost } from "./monitor/run.js";
import type { RelayMonitors } from "../backends/relay/backend.js";
import type { MonitorState } from "./monitor/state.js";
import type { Environment } from "../_internal/globals.js";

/** Reports printed as URLs in this process, shared by every copy of bugbeacon in it. */
interface UrlModeState {
  printed: Map<string, { title: string; more: number }>;
  browserOpened: boolean;
  exitHooked: boolean;
}

function urlModeState(): UrlModeState {
  const key = Symbol.for("bugbeacon.url-mode");
  const global = globalThis as Record<symbol, UrlModeState | undefined>;
  return (global[key] ??= { printed: new Map(), browserOpened: false, exitHooked: false });
}

/** How long the short confirmation waits for a key before it gives up and sends nothing. */
export const DEFAULT_CONFIRM_TIMEOUT_MS = 60_000;

/** What the report path is made of: the full backend, and what the helper resolved when it was made. */
export interface ReportPathParts {
  backend: Backend;
  delivery: ResolvedDelivery;
  footer?: "bugbeacon" | "helpme";
  env: Environment;
  logger: Logger;
  /** The environment allow-list, checked when the helper was made. */
  allowlist: string[];
  /** Whether sending is off now (the option or `BUGBEACON_DISABLE`), as the helper answers it. */
  disabled: () => boolean;
  /** The breadcrumb trail of the helper's own copy of bugbeacon, and its length limit. */
  breadcrumbs: () => Breadcrumb[];
  breadcrumbLimit: () => number;
}

/**
 * The one report pipeline: build (input checked, identifier, allow-listed environment), redact, ask when
 * a person is there, then persist, deliver through the backend and confirm (src/delivery/pipeline.ts).
 * The same for every backend: what differs is the `Backend` it is made with (see getHelper).
 */
export class ReportPath<Options extends HelperOptions & DeliveryOptions = HelperOptions & DeliveryOptions> {
  private readonly options: Options;
  private readonly env: Environment;
  private readonly logger: Logger;
  private readonly redact: Redactor;
  private readonly backend: Backend;
  private readonly pipeline: Pipeline;
  private readonly allowlist: string[];
  private readonly isDisabled: () => boolean;
  private readonly trail: Pick<ReportPathParts, "breadcrumbs" | "breadcrumbLimit">;
  private disabledNoticeShown = false;
  private readonly assertedIdentifiers = new Map<string, Promise<ReportResult>>();

  constructor(options: Options, parts: ReportPathParts) {
    this.options = options;
    this.env = parts.env;
    this.logger = parts.logger;
    this.redact = createRedactor(options.redactPatterns ? { patterns: options.redactPatterns } : {});
    this.allowlist = parts.allowlist;
    this.backend = parts.backend;
    this.isDisabled = parts.disabled;
    this.trail = parts;
    this.pipeline = new Pipeline({
      backend: parts.backend,
      env: this.env,
      logger: this.logger,
      redact: this.redact,
      spoolDir: options.spoolDir,
      dryRun: options.dryRun === true,
      testTarget: parts.delivery.testTarget,
      dedupe: options.dedupe ?? true,
      onDuplicate: options.onDuplicate ?? "count",
      onClosed: options.onClosed ?? "new",
      seenAgainEvery: options.seenAgainEvery,
      pacingMs: parts.delivery.pacingMs,
      settleMs: parts.delivery.settleMs,
    });
  }

  /** `flushOnStart`: sends what earlier runs left in the spool, in the background. */
  startBackgroundFlush(): void {
    this.pipeline.startBackgroundFlush();
  }

  private get disabled(): boolean {
    return this.isDisabled();
  }

  /**
   * Sends the reports waiting in the spool, oldest first. Safe to run from several processes at once and
   * after being killed at any point: a report that may already have arrived is looked up before it is
   * sent again. Stops early when the service refuses the token or the target (the rest stay queued).
   */
  flush(options: { onProgress?: (done: number, total: number) => void } = {}): Promise<FlushSummary> {
    return this.pipeline.flush(options);
  }

  /**
   * Builds the report and delivers it without asking anything beyond the optional environment
   * confirmation. Rejects only for bad input (a typed `BugbeaconError` naming the value).
   */
  async runHeadless(input: ReportInput, context: DeliveryContext = {}): Promise<ReportResult> {
    const prepared = this.prepare(input);
    const { identifier, reportId } = prepared.document.metadata;
    if (this.disabled) {
      this.noteDisabled();
      return { kind: "skipped", reason: "disabled", identifier, reportId };
    }
    await this.preflight(prepared);
    let confirmed: PreparedReport | undefined = prepared;
    if (context.confirm ?? this.options.confirm ?? true) {
      // On a terminal: preview, a line of detail, send or not. Elsewhere it asks nothing (and says so
      // when the app asked for confirmation explicitly).
      const notHere = whyNotInteractive(this.env);
      if (notHere === undefined) {
        // A crash waits for a person only within a bound: 0 ("as long as it takes") means the default there.
        const idleMs = context.sendBy !== undefined ? this.options.confirmTimeoutMs || DEFAULT_CONFIRM_TIMEOUT_MS : (this.options.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS);
        // Loading the prompts and drawing the preview is part of asking: like the answer itself, it does not
        // count against a crash handler's time limit (on a busy machine it once took longer than the limit,
        // and the question was drawn only to be abandoned). The idle bound above still ends the wait.
        const answer = await whileAnswering(async () => {
          const { confirmReport } = await import("./prompts/lazy.js");
          return confirmReport(prepared, this.promptHost(), idleMs);
        });
        if ("declined" in answer) {
          this.logger.info(
            answer.declined === "unanswered"
              ? `no answer within ${idleMs / 1000} s; the report was not sent.`
              : "report cancelled; nothing was sent.",
          );
          return { kind: "skipped", reason: answer.declined, identifier, reportId };
        }
        confirmed = answer;
      } else if ((context.confirm ?? this.options.confirm) === true) {
        this.logger.info(`not asking before sending (${notHere}); the report goes as it is.`);
      }
    }
    const final = await this.applyBeforeSend(confirmed);
    if (final === null) return { kind: "skipped", reason: "dropped", identifier, reportId };
    return this.deliver(final, context);
  }

  // --- Capture: thrown errors become reports -----------------------------------------------------

  /**
   * Reports a thrown value: title, stack, causes, fields, command line and breadcrumbs are collected,
   * and the identifier is derived so the same bug gives the same one on every machine.
   * @example
   * try { run(); } catch (error) { await helper.captureException(error, { repo: "me/app" }); }
   */
  async captureException(error: unknown, options: CaptureOptions = {}, context: DeliveryContext = {}): Promise<ReportResult> {
    const { described, identifierSource } = this.describeThrown(error);
    const body = options.body !== undefined && options.body !== "" ? `${options.body}\n\n${described.body}` : described.body;
    return this.runHeadless({
      identifier: identifierSource,
      title: options.title ?? described.title,
      body,
      ...(options.repo !== undefined ? { repo: options.repo } : {}),
      ...(options.labels !== undefined ? { labels: options.labels } : {}),
      generateMd5: true,
      kind: options.kind ?? "exception",
    }, context);
  }

  /** Waits up to `timeoutMs` for the reports in flight (the helper checked the value). */
  close(timeoutMs: number): Promise<void> {
    return this.pipeline.close(timeoutMs);
  }

  /** The crash path once the report path is loaded (see Helper.crashReporter). */
  reportCrash(error: unknown, settings: CrashSettings): Promise<void> {
    return this.captureException(error, this.crashCapture(settings), { sendBy: settings.sendBy, confirm: settings.interactive }).then(() => undefined);
  }

  private crashCapture(settings: CrashSettings): CaptureOptions {
    return settings.repo !== undefined ? { repo: settings.repo, kind: "exception" } : { kind: "exception" };
  }

  /**
   * The crash path with nobody else listening: Node prints the error and exits as soon as this returns,
   * so the report is built here synchronously and sent by a short child process (capture/send-now.ts)
   * within the time limit. Returns the rest of the work when it needs the event loop (a person to ask,
   * an async beforeSend, a custom fetch).
   */
  reportCrashNow(error: unknown, settings: CrashSettings): undefined | (() => Promise<void>) {
    const context: DeliveryContext = { sendBy: settings.sendBy, confirm: settings.interactive };
    const later = async (): Promise<void> => {
      await this.captureException(error, this.crashCapture(settings), context);
    };
    if (settings.interactive && whyNotInteractive(this.env) === undefined) return later;
    const { described, identifierSource } = this.describeThrown(error);
    const prepared = this.prepare({
      identifier: identifierSource,
      title: described.title,
      body: described.body,
      ...(settings.repo !== undefined ? { repo: settings.repo } : {}),
      generateMd5: true,
      kind: "exception",
    });
    if (this.disabled) {
      this.noteDisabled();
      return undefined;
    }
    this.checkToken();
    let final: PreparedReport | null = prepared;
    const hook = this.options.beforeSend;
    if (hook !== undefined) {
      const edited = hook(prepared);
      if (edited !== null && typeof (edited as { then?: unknown }).then === "function") {
        return async () => {
          const report = await edited;
          if (report !== null) await this.deliver(this.cleanEdited(report), context);
        };
      }
      final = edited === null ? null : this.cleanEdited(edited as PreparedReport);
    }
    if (final === null) return undefined;
    const report = final;
    if (this.options.fetch !== undefined) return async () => void (await this.deliver(report, context));
    // Without a token and without a desktop to open a browser on, the URL is all there is: print it here.
    if (!this.backend.canSubmit() && !this.mightOpenBrowser()) {
      this.announceUrl(report);
      return undefined;
    }
    // Write-ahead: the report is on disk, claimed by this process, before the sending process starts. A
    // child that a busy machine starts too slowly for the limit (it is killed then) loses nothing: this
    // process exits with the crash, and the next flush finds the claim of a dead process.
    const claimed = this.backend.canSubmit() ? this.pipeline.claimNow(report) : undefined;
    const sent = sendInChild(
      { backend: this.backend.name, options: this.options, env: this.env, report, ...(claimed !== undefined ? { claimed } : {}), sendBy: settings.sendBy() },
      { timeoutMs: settings.timeoutMs, logger: this.logger },
    );
    if (sent) return undefined;
    return async () => void (await (claimed !== undefined ? this.deliverClaimed(claimed, report, context.sendBy) : this.deliver(report, context)));
  }

  /** Delivers a report built by another process's crash path (capture/crash-send.ts). @internal */
  deliverPrepared(report: PreparedReport, sendBy: number): Promise<ReportResult> {
    return this.deliver(report, { sendBy: () => sendBy });
  }

  /** Delivers the spool claim a crashing app wrote before it started this process (capture/crash-send.ts). @internal */
  async deliverClaimed(path: string, report: PreparedReport, sendBy: number | (() => number) | undefined): Promise<ReportResult> {
    const by = typeof sendBy === "number" ? () => sendBy : sendBy;
    return this.afterDelivery(await this.pipeline.deliverClaimed(path, by !== undefined ? { sendBy: by } : {}), report);
  }

  /**
   * Reports a failed soft assertion (`helper.assert`, which made `failure` with the caller's stack) once per
   * identifier per process; `undefined` when this identifier was reported already. Never rejects.
   */
  reportAssertion(failure: Error, options: Omit<CaptureOptions, "kind"> = {}): Promise<ReportResult> | undefined {
    const appRoot = this.options.appRoot ?? findAppRoot();
    const key = describeError(failure, { appRoot, argv: [] }).identifierSource;
    const first = this.assertedIdentifiers.get(key);
    if (first !== undefined) {
      // Once per identifier; without a token the repeats are counted with the printed URL's.
      void first.then((result) => {
        const entry = result.kind === "url" ? urlModeState().printed.get(result.identifier) : undefined;
        if (entry !== undefined) {
          entry.more += 1;
          this.summarizeAtExit(urlModeState());
        }
      });
      return undefined;
    }
    const reporting = this.captureException(failure, { ...options, kind: "assertion" }).catch((error: unknown) => {
      this.logger.warn(`could not report a failed assertion: ${error instanceof Error ? error.message : String(error)}`);
      return { kind: "skipped", reason: "dropped", identifier: "", reportId: "" } as ReportResult;
    });
    this.assertedIdentifiers.set(key, reporting);
    return reporting;
  }

  // --- Monitors: the helper checked the spec; the runs load here (src/sdk/monitor) ---

  /** Starts a scheduled monitor (see Helper.monitor). */
  async startMonitor(spec: MonitorSpec & { every: number }): Promise<Monitor> {
    const m = await import("./monitor/run.js");
    return m.startMonitor(this.monitorHost(false), spec);
  }

  /** One run of a monitor (see Helper.monitorOnce). */
  async monitorOnce(spec: MonitorSpec, memory?: { state: MonitorState }): Promise<MonitorRun> {
    const [{ runOnce }, { EMPTY_STATE }] = await Promise.all([import("./monitor/run.js"), import("./monitor/state.js")]);
    return runOnce(this.monitorHost(true), spec, memory ?? { state: EMPTY_STATE }, spec.every);
  }

  private monitorIssues?: Promise<MonitorIssues>;

  private monitorHost(keepAlive: boolean): MonitorHost {
    const backend = this.backend;
    // Through a relay (no token): failures go to the relay, which keeps the issue (src/backends/relay/monitor.ts).
    const relayed = (backend as Partial<RelayMonitors>).sendMonitorFailure;
    const relay: MonitorHost["relay"] =
      relayed === undefined
        ? undefined
        : (failure, alive) => {
            const app = this.options.app ?? findAppFacts();
            return relayed.call(backend, { ...failure, metadata: { createdAt: new Date().toISOString(), platform: platformFacts(), bugbeacon: VERSION, ...(app !== undefined ? { app: { ...app } } : {}) } }, alive);
          };
    return {
      ...(relay !== undefined ? { relay } : {}),
      issues: () => {
        this.monitorIssues ??= backend.monitorIssues!({ kind: keepAlive ? "normal" : "background" });
        return this.monitorIssues;
      },
      redact: this.redact,
      logger: this.logger,
      prefix: backend.defaults.prefix,
      labels: backend.defaults.labels,
      keepAlive,
      blocked: () => {
        if (this.disabled) return "reporting is disabled (BUGBEACON_DISABLE or the disabled option); the issue is not touched";
        if (this.options.dryRun === true) return "dry run: the issue is not touched";
        if (relay !== undefined) return undefined;
        if (backend.monitorIssues === undefined) return `the ${backend.name} backend cannot keep monitor issues yet`;
        if (!backend.canSubmit()) return `no ${backend.name === "github" ? "GitHub" : backend.name} token, so the monitor cannot open or close its issue`;
        return undefined;
      },
    };
  }

  private async applyBeforeSend(report: PreparedReport): Promise<PreparedReport | null> {
    const hook = this.options.beforeSend;
    if (hook === undefined) return report;
    const edited = await hook(report);
    if (edited === null) return null;
    return this.cleanEdited(edited);
  }

  /** What beforeSend returned, redacted again. */
  private cleanEdited(edited: PreparedReport): PreparedReport {
    return {
      ...edited,
      title: this.cleanTitle(edited.title),
      document: { ...edited.document, text: this.cleanBody(edited.document.text) },
    };
  }

  private noteDisabled(): void {
    if (this.disabledNoticeShown) return;
    this.disabledNoticeShown = true;
    this.logger.info("reporting is disabled (BUGBEACON_DISABLE or the disabled option); nothing is sent.");
  }

  /** Validates the input and builds the report. Synchronous and free of I/O beyond one package.json read. */
  prepare(input: ReportInput): PreparedReport {
    if (typeof input !== "object" || input === null) {
      throw new InvalidOptionError("report", input, "an object like { title, body, repo, identifier }");
    }
    const repo = input.repo ?? this.options.repo;
    if (repo === undefined) {
      throw new InvalidOptionError(
        "repo",
        repo,
        this.backend.name === "github"
          ? 'the repository to report to, as "owner/name": pass { repo } here or to getHelper()'
          : `the ${this.backend.targetNoun} to report to: pass { repo } here or to getHelper()`,
      );
    }
    this.backend.checkTarget(repo);
    if (typeof input.title !== "string" || input.title.trim() === "") {
      throw new InvalidOptionError("title", input.title, "a non-empty string");
    }
    if (input.body !== undefined && typeof input.body !== "string") {
      throw new InvalidOptionError("body", input.body, "a string (Markdown) or undefined");
    }
    const labels = uniqueLabels([...this.backend.defaults.labels, ...validateLabels(input.labels, "labels")]);
    const identifier = resolveIdentifier(input.identifier, input.generateMd5 ?? this.options.generateMd5 ?? true, {
      redact: this.redact,
      warn: (message) => this.logger.warn(message),
    });
    const app = this.options.app ?? findAppFacts();
    const metadata: ReportMetadata = {
      schema: 1,
      identifier,
      reportId: newReportId(),
      createdAt: new Date().toISOString(),
      kind: input.kind ?? "manual",
      platform: platformFacts(),
      bugbeacon: VERSION,
      environment: collectEnvironment(this.allowlist, this.env, this.redact),
    };
    if (app !== undefined) metadata.app = { ...app };
    if (labels.length > 0) metadata.labels = labels;
    const document: ReportDocument = { text: this.cleanBody(input.body ?? ""), metadata };
    const title = this.cleanTitle(`${this.backend.defaults.prefix}${input.title}`);
    return { repo, title, document, labels };
  }

  /** Cut to what a title can hold (plus a margin), then redacted, then fitted. */
  private cleanTitle(title: string): string {
    return fitTitle(this.redact(cutTitleForScan(String(title), GITHUB_TITLE_LIMIT)), Math.min(GITHUB_TITLE_LIMIT, this.backend.limits.title));
  }

  /** Cut to what a body can hold, then redacted: the cost of redaction is bounded whatever was thrown. */
  private cleanBody(text: string): string {
    return this.redact(cutBodyForScan(String(text), GITHUB_BODY_LIMIT));
  }

  /** Checks made before any prompt or network: a required token, complete credentials. */
  private async preflight(_report: PreparedReport): Promise<void> {
    this.checkToken();
  }

  private checkToken(): void {
    if (this.options.requireToken === true && !this.backend.canSubmit()) throw new MissingTokenError(this.backend.name, this.backend.name === "github" ? undefined : `No ${this.backend.name} token found, and this helper was created with requireToken: true. Set the token variable named in the README's table of backends, or pass { token } to getHelper().`);
  }

  /** Sends the report: through the API when the backend can, else as a prefilled URL. */
  private async deliver(report: PreparedReport, context: DeliveryContext = {}): Promise<ReportResult> {
    if (!this.backend.canSubmit()) return this.deliverAsUrl(report);
    return this.afterDelivery(await this.pipeline.deliver(report, context), report);
  }

  /** A relay that cannot take the report now: the person still gets the prefilled page (the spool sends later). */
  private afterDelivery(result: ReportResult, report: PreparedReport): ReportResult {
    if (result.kind === "queued" && "relayUrl" in this.backend) this.logger.info(`Meanwhile, to report this problem yourself, open:\n${this.backend.manualUrl(report).url}`);
    return result;
  }

  /**
   * Prints the prefilled URL, once per identifier per process: later occurrences are counted and summed
   * up at exit. Synchronous (the crash path uses it). `first` is false for a repeat.
   */
  private announceUrl(report: PreparedReport): { url: string; first: boolean } {
    const { identifier } = report.document.metadata;
    const { url, cutCharacters } = this.backend.manualUrl(report);
    const state = urlModeState();
    const seen = state.printed.get(identifier);
    if (seen !== undefined) {
      seen.more += 1;
      this.summarizeAtExit(state);
      return { url, first: false };
    }
    state.printed.set(identifier, { title: report.title, more: 0 });
    this.logger.info(
      `no ${this.backend.name === "github" ? "GitHub" : this.backend.name} token, so nothing was sent. To report this problem, open:\n${url}` +
        (cutCharacters > 0 ? `\n(${cutCharacters} characters of the report were cut to fit a URL)` : ""),
    );
    return { url, first: true };
  }

  /**
   * Whether a browser might be opened here, without loading anything: false settles it (no desktop, CI,
   * `open: false`); true means the full check (ci-info) decides later.
   */
  private mightOpenBrowser(): boolean {
    if (this.options.open !== undefined) return this.options.open;
    if (envFlag(this.env, "CI")) return false;
    if (process.platform === "win32") return true;
    if (process.platform === "darwin") return this.env.SSH_CONNECTION === undefined && this.env.SSH_TTY === undefined;
    return Boolean(this.env.DISPLAY || this.env.WAYLAND_DISPLAY);
  }

  private async deliverAsUrl(report: PreparedReport): Promise<ReportResult> {
    const { identifier, reportId } = report.document.metadata;
    const { url, first } = this.announceUrl(report);
    if (!first) return { kind: "url", url, identifier, reportId, opened: false };
    const state = urlModeState();
    // The browser opens at most once per process (the flag is taken before the first await).
    let opened = false;
    if (!state.browserOpened) {
      state.browserOpened = true;
      opened = (await this.mayOpenBrowser()) ? await this.openUrl(url) : false;
      if (!opened) state.browserOpened = false;
    }
    return { kind: "url", url, identifier, reportId, opened };
  }

  /** At exit, one line per identifier that came again: "seen 4 more times". */
  private summarizeAtExit(state: UrlModeState): void {
    if (state.exitHooked) return;
    state.exitHooked = true;
    process.once("exit", () => {
      for (const { title, more } of state.printed.values()) {
        if (more > 0) this.logger.info(`seen ${more} more time${more === 1 ? "" : "s"} in this run: ${title} (the URL above reports it once).`);
      }
    });
  }

  // --- Interactive reporting: a person at the terminal previews the issue and adds what only they know ---

  /**
   * Reports by hand, with a person at the terminal: asks for (or pre-fills) the title, what they were
   * doing and what they expected; shows the exact environment values and lets them drop any; previews
   * the issue as GitHub will get it; then submit (with a token), open in the browser, copy the URL, save
   * to a file, or cancel. Without a terminal (CI, closed or piped stdin) it asks nothing, says so, and
   * reports headless (a title, or an `error`, is then required).
   * @example
   * await getHelper("github").run({ repo: "me/app", error }); // e.g. from a "report a problem" command
   */
  async run(input: RunInput = {}): Promise<ReportResult> {
    if (typeof input !== "object" || input === null) {
      throw new InvalidOptionError("run input", input, "an object like { repo, title?, body?, identifier?, error? }");
    }
    const base: ReportInput = { title: input.title ?? "" };
    if (input.repo !== undefined) base.repo = input.repo;
    if (input.labels !== undefined) base.labels = input.labels;
    if (input.identifier !== undefined) base.identifier = input.identifier;
    if (input.body !== undefined) base.body = input.body;
    if (input.error !== undefined) {
      const { described, identifierSource } = this.describeThrown(input.error);
      if (input.title === undefined) base.title = described.title;
      if (input.identifier === undefined) base.identifier = identifierSource;
      base.body = input.body !== undefined && input.body !== "" ? `${input.body}\n\n${described.body}` : described.body;
      base.kind = "exception";
    }
    if (this.disabled) return this.runHeadless({ ...base, title: base.title || "(report)" });
    const notHere = whyNotInteractive(this.env);
    if (notHere !== undefined) {
      if (base.title.trim() === "") {
        throw new InvalidOptionError("title", input.title, `a title: there is no terminal to ask for one (${notHere})`);
      }
      this.logger.info(`no questions asked (${notHere}); reporting without them.`);
      return this.runHeadless(base);
    }
    const { runReportFlow } = await import("./prompts/lazy.js");
    const { title, ...rest } = base;
    return runReportFlow(this.flowHost(), title === "" ? rest : { ...rest, title });
  }

  /** Whether a browser may be opened here. */
  private async mayOpenBrowser(): Promise<boolean> {
    if (this.options.open !== undefined) return this.options.open;
    const { canOpenBrowser } = await import("./browser.js");
    return canOpenBrowser(this.env);
  }

  /** Opens the URL in the browser (the opener is loaded only here). */
  private async openUrl(url: string): Promise<boolean> {
    const { openInBrowser } = await import("./browser.js");
    return openInBrowser(url, this.logger, this.env);
  }

  private describeThrown(error: unknown) {
    const limit = this.options.breadcrumbs ?? this.trail.breadcrumbLimit();
    const crumbs = limit > 0 ? this.trail.breadcrumbs().slice(-limit) : [];
    const appRoot = this.options.appRoot ?? findAppRoot();
    const described = describeError(error, { appRoot, breadcrumbs: crumbs });
    let identifierSource = described.identifierSource;
    if (this.options.identify !== undefined) {
      try {
        identifierSource = String(this.options.identify(error));
      } catch (failure) {
        this.logger.warn(`identify() threw (${failure instanceof Error ? failure.message : String(failure)}); using the default identifier.`);
      }
    }
    return { described, identifierSource };
  }

  private promptHost(): PromptHost {
    return {
      env: this.env,
      logger: this.logger,
      cwd: process.cwd(),
      redact: (text) => this.redact(text),
      renderBody: (report) => this.backend.render(report.document, this.backend.limits.body),
      whileAnswering,
    };
  }

  private flowHost(): FlowHost {
    return {
      ...this.promptHost(),
      prepare: (input) => this.prepare(input),
      preflight: (report) => this.preflight(report),
      finalize: (report) => this.applyBeforeSend(report),
      canSubmit: () => this.backend.canSubmit(),
      deliver: (report) => this.deliver(report),
      manualUrl: (report) => this.backend.manualUrl(report).url,
      mayOpenBrowser: () => this.mayOpenBrowser(),
      openUrl: (url) => this.openUrl(url),
    };
  }
}
