import { envFlag } from "../_internal/env-flag.js";
import { InvalidOptionError } from "../errors.js";
import { GITHUB_BODY_LIMIT, GITHUB_TITLE_LIMIT, fitTitle, renderIssueBody, type ReportDocument, type ReportMetadata } from "../format/report-format.js";
import { VERSION } from "../version.js";
import { findAppFacts } from "./app-info.js";
import { collectEnvironment, platformFacts, resolveAllowlist } from "./environment.js";
import { newReportId, resolveIdentifier } from "./identifier.js";
import { createLogger, type Logger } from "./logger.js";
import { findAppRoot } from "./app-info.js";
import { globalTrail, recordConsole } from "./capture/breadcrumbs.js";
import { describeError } from "./capture/describe-error.js";
import { installProcessHandlers, type InstallHandlersOptions } from "./capture/handlers.js";
import { whileAnswering } from "./prompts/activity.js";
import { whyNotInteractive } from "./prompts/interactive.js";
import { createRedactor, type Redactor } from "./redact.js";
import { cutBodyForScan, cutTitleForScan } from "./redact/cut.js";
import type { FlowHost, PromptHost } from "./prompts/host.js";
import type { CaptureOptions, DeliveryContext, HelperOptions, PreparedReport, ReportInput, ReportResult, RunInput } from "./types.js";

// PreparedReport lives in types.ts (the prompts use it too); re-exported for the backends.
export type { DeliveryContext, PreparedReport } from "./types.js";

/** How long the short confirmation waits for a key before it gives up and sends nothing. */
export const DEFAULT_CONFIRM_TIMEOUT_MS = 60_000;

/**
 * What every backend shares: validating input, the identifier, the allow-listed environment, redaction
 * and the person's confirmation. A backend supplies `checkTarget`, `preflight` and `deliver`.
 */
export abstract class BaseHelper<Options extends HelperOptions = HelperOptions> {
  abstract readonly name: string;
  protected readonly options: Options;
  protected readonly env: NodeJS.ProcessEnv;
  protected readonly logger: Logger;
  protected readonly redact: Redactor;
  private readonly allowlist: string[];
  private disabledNoticeShown = false;
  private readonly assertedIdentifiers = new Set<string>();

  constructor(options: Options) {
    validateCommonOptions(options);
    this.options = options;
    this.env = options.env ?? process.env;
    this.logger = createLogger({ quiet: options.quiet ?? false });
    this.redact = createRedactor(options.redactPatterns ? { patterns: options.redactPatterns } : {});
    this.allowlist = resolveAllowlist(options.envAllowlist, this.env);
    if (options.captureConsole === true) recordConsole();
  }

  /** True when sending is turned off by the option or by `BUGBEACON_DISABLE=1`. */
  get disabled(): boolean {
    return this.options.disabled === true || envFlag(this.env, "BUGBEACON_DISABLE");
  }

  /**
   * Builds the report and delivers it without asking anything beyond the optional environment
   * confirmation. Rejects only for bad input (a typed `BugbeaconError` naming the value).
   */
  async runHeadless(input: ReportInput, context: DeliveryContext = {}): Promise<ReportResult> {
    const prepared = this.prepare(input);
    const { identifier, reportId } = prepared.document.metadata;
    if (this.disabled) {
      if (!this.disabledNoticeShown) {
        this.disabledNoticeShown = true;
        this.logger.info("reporting is disabled (BUGBEACON_DISABLE or the disabled option); nothing is sent.");
      }
      return { kind: "skipped", reason: "disabled", identifier, reportId };
    }
    await this.preflight(prepared);
    let confirmed: PreparedReport | undefined = prepared;
    if (this.options.confirm ?? true) {
      // On a terminal: preview, a line of detail, send or not. Elsewhere it asks nothing (and says so
      // when the app asked for confirmation explicitly).
      const notHere = whyNotInteractive(this.env);
      if (notHere === undefined) {
        const { confirmReport } = await import("./prompts/confirm-report.js");
        const idleMs = this.options.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS;
        const answer = await confirmReport(prepared, this.promptHost(), idleMs);
        if ("declined" in answer) {
          this.logger.info(
            answer.declined === "unanswered"
              ? `no answer within ${idleMs / 1000} s; the report was not sent.`
              : "report cancelled; nothing was sent.",
          );
          return { kind: "skipped", reason: answer.declined, identifier, reportId };
        }
        confirmed = answer;
      } else if (this.options.confirm === true) {
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

  /**
   * Waits up to `timeoutMs` for the reports this helper is sending; the rest stay in the spool for the
   * next flush. For servers on SIGTERM. Never rejects.
   */
  async close(_timeoutMs?: number): Promise<void> {}

  /**
   * Reports uncaught exceptions and unhandled rejections, then lets the process crash exactly as Node
   * would have (same output, same exit code). Returns a function that uninstalls the handlers.
   */
  installHandlers(options: InstallHandlersOptions = {}): () => void {
    return installProcessHandlers(this, this.logger, options);
  }

  /**
   * A soft assertion: when `condition` is false, reports `message` (once per identifier per process)
   * and returns the report's promise; never throws. Resolves `undefined` when the condition holds.
   */
  assert(condition: unknown, message: string, options: Omit<CaptureOptions, "kind"> = {}): Promise<ReportResult> | undefined {
    if (condition) return undefined;
    const failure = new Error(message);
    failure.name = "AssertionFailed";
    Error.captureStackTrace(failure, this.assert);
    const appRoot = this.options.appRoot ?? findAppRoot();
    const key = describeError(failure, { appRoot, argv: [] }).identifierSource;
    if (this.assertedIdentifiers.has(key)) return undefined;
    this.assertedIdentifiers.add(key);
    return this.captureException(failure, { ...options, kind: "assertion" }).catch((error: unknown) => {
      this.logger.warn(`could not report a failed assertion: ${error instanceof Error ? error.message : String(error)}`);
      return { kind: "skipped", reason: "dropped", identifier: "", reportId: "" } as ReportResult;
    });
  }

  private async applyBeforeSend(report: PreparedReport): Promise<PreparedReport | null> {
    const hook = this.options.beforeSend;
    if (hook === undefined) return report;
    const edited = await hook(report);
    if (edited === null) return null;
    return {
      ...edited,
      title: this.cleanTitle(edited.title),
      document: { ...edited.document, text: this.cleanBody(edited.document.text) },
    };
  }

  /** Validates the input and builds the report. Synchronous and free of I/O beyond one package.json read. */
  prepare(input: ReportInput): PreparedReport {
    if (typeof input !== "object" || input === null) {
      throw new InvalidOptionError("report", input, "an object like { title, body, repo, identifier }");
    }
    const repo = input.repo ?? this.options.repo;
    if (repo === undefined) {
      throw new InvalidOptionError("repo", repo, 'the repository to report to, as "owner/name": pass { repo } here or to getHelper()');
    }
    this.checkTarget(repo);
    if (typeof input.title !== "string" || input.title.trim() === "") {
      throw new InvalidOptionError("title", input.title, "a non-empty string");
    }
    if (input.body !== undefined && typeof input.body !== "string") {
      throw new InvalidOptionError("body", input.body, "a string (Markdown) or undefined");
    }
    const labels = uniqueLabels([...(this.helperLabels() ?? []), ...validateLabels(input.labels, "labels")]);
    const identifier = resolveIdentifier(input.identifier, input.generateMd5 ?? this.options.generateMd5 ?? true);
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
    const title = this.cleanTitle(`${this.titlePrefix()}${input.title}`);
    return { repo, title, document, labels };
  }

  /** Cut to what a title can hold (plus a margin), then redacted, then fitted. */
  private cleanTitle(title: string): string {
    return fitTitle(this.redact(cutTitleForScan(String(title), GITHUB_TITLE_LIMIT)));
  }

  /** Cut to what a body can hold, then redacted: the cost of redaction is bounded whatever was thrown. */
  private cleanBody(text: string): string {
    return this.redact(cutBodyForScan(String(text), GITHUB_BODY_LIMIT));
  }

  protected titlePrefix(): string {
    return "";
  }

  protected helperLabels(): string[] | undefined {
    return undefined;
  }

  /** Throws a typed error when `repo` is not a target this backend can send to. */
  protected abstract checkTarget(repo: unknown): void;
  /** Checks made before any prompt or network (for example, a required token). */
  protected abstract preflight(report: PreparedReport): Promise<void>;
  /** Sends the report. */
  protected abstract deliver(report: PreparedReport, context?: DeliveryContext): Promise<ReportResult>;

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
    const { runReportFlow } = await import("./prompts/report-flow.js");
    const { title, ...rest } = base;
    return runReportFlow(this.flowHost(), title === "" ? rest : { ...rest, title });
  }

  /** The issue body exactly as `deliver` would send it (shown in previews). */
  protected renderBody(report: PreparedReport): string {
    return renderIssueBody(report.document).body;
  }

  /** Whether `deliver` sends through an API right now (else it falls back to a URL or similar). */
  protected canSubmit(): boolean {
    return true;
  }

  /** A page where the person can file the report themselves, if the backend has one. */
  protected manualUrl(_report: PreparedReport): string | undefined {
    return undefined;
  }

  /** Whether a browser may be opened here. */
  protected async mayOpenBrowser(): Promise<boolean> {
    return false;
  }

  /** Opens a URL in the browser; false when it could not. */
  protected async openUrl(_url: string): Promise<boolean> {
    return false;
  }

  private describeThrown(error: unknown) {
    const limit = this.options.breadcrumbs ?? globalTrail.limit;
    const crumbs = limit > 0 ? globalTrail.list().slice(-limit) : [];
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
      renderBody: (report) => this.renderBody(report),
      whileAnswering,
    };
  }

  private flowHost(): FlowHost {
    return {
      ...this.promptHost(),
      prepare: (input) => this.prepare(input),
      preflight: (report) => this.preflight(report),
      finalize: (report) => this.applyBeforeSend(report),
      canSubmit: () => this.canSubmit(),
      deliver: (report) => this.deliver(report),
      manualUrl: (report) => this.manualUrl(report),
      mayOpenBrowser: () => this.mayOpenBrowser(),
      openUrl: (url) => this.openUrl(url),
    };
  }
}

function validateCommonOptions(options: HelperOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError("options", options, "an object");
  }
  for (const key of ["disabled", "confirm", "generateMd5", "quiet"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "boolean") throw new InvalidOptionError(key, v, "true or false");
  }
  if (options.redactPatterns !== undefined) {
    if (!Array.isArray(options.redactPatterns) || !options.redactPatterns.every((p) => typeof p === "string" || p instanceof RegExp)) {
      throw new InvalidOptionError("redactPatterns", options.redactPatterns, "an array of RegExp or strings");
    }
  }
  for (const key of ["beforeSend", "identify"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "function") throw new InvalidOptionError(key, v, "a function");
  }
  if (options.confirmTimeoutMs !== undefined && !(Number.isInteger(options.confirmTimeoutMs) && options.confirmTimeoutMs >= 0)) {
    throw new InvalidOptionError("confirmTimeoutMs", options.confirmTimeoutMs, "a whole number of milliseconds (0 waits as long as it takes)");
  }
  if (options.breadcrumbs !== undefined && !(Number.isInteger(options.breadcrumbs) && options.breadcrumbs >= 0)) {
    throw new InvalidOptionError("breadcrumbs", options.breadcrumbs, "a whole number of breadcrumbs to keep (0 turns them off)");
  }
  if (options.app !== undefined && (typeof options.app !== "object" || options.app === null)) {
    throw new InvalidOptionError("app", options.app, "an object like { name, version }");
  }
}

/** Checks a labels option: GitHub label names are 1-50 characters. */
export function validateLabels(labels: unknown, option: string): string[] {
  if (labels === undefined) return [];
  if (!Array.isArray(labels)) throw new InvalidOptionError(option, labels, "an array of label names");
  for (const label of labels) {
    if (typeof label !== "string" || label.trim() === "" || label.length > 50) {
      throw new InvalidOptionError(`${option} entry`, label, "a label name of 1 to 50 characters");
    }
  }
  return labels as string[];
}

function uniqueLabels(labels: string[]): string[] {
  return [...new Set(labels.map((l) => l.trim()))];
}

