import { InvalidOptionError } from "../errors.js";
import { fitTitle, type ReportDocument, type ReportMetadata } from "../format/report-format.js";
import { VERSION } from "../version.js";
import { findAppFacts } from "./app-info.js";
import { collectEnvironment, platformFacts, resolveAllowlist } from "./environment.js";
import { newReportId, resolveIdentifier } from "./identifier.js";
import { createLogger, type Logger } from "./logger.js";
import { findAppRoot } from "./app-info.js";
import { globalTrail, recordConsole } from "./capture/breadcrumbs.js";
import { describeError } from "./capture/describe-error.js";
import { installProcessHandlers, type InstallHandlersOptions } from "./capture/handlers.js";
import { isInteractive } from "./prompts/confirm-environment.js";
import { createRedactor, type Redactor } from "./redact.js";
import type { CaptureOptions, HelperOptions, ReportInput, ReportResult } from "./types.js";

/** A report ready for a backend to deliver: redacted, identified, with its metadata. */
export interface PreparedReport {
  /** The target as the caller gave it (validated by the backend). */
  repo: string;
  /** Redacted, prefixed and cut to 256 characters. */
  title: string;
  /** Body text and metadata; render it with `renderIssueBody`. */
  document: ReportDocument;
  /** Labels for this report (helper's, then the call's), without duplicates. */
  labels: string[];
}

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
    const flag = this.env.BUGBEACON_DISABLE;
    return this.options.disabled === true || (flag !== undefined && flag !== "" && flag !== "0" && flag !== "false");
  }

  /**
   * Builds the report and delivers it without asking anything beyond the optional environment
   * confirmation. Rejects only for bad input (a typed `BugbeaconError` naming the value).
   */
  async runHeadless(input: ReportInput): Promise<ReportResult> {
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
    if (this.shouldConfirm()) {
      const { confirmEnvironment } = await import("./prompts/confirm-environment.js");
      const kept = await confirmEnvironment(prepared.document.metadata.environment);
      if (kept === undefined) {
        this.logger.info("report cancelled; nothing was sent.");
        return { kind: "skipped", reason: "cancelled", identifier, reportId };
      }
      prepared.document.metadata.environment = kept;
    }
    const final = await this.applyBeforeSend(prepared);
    if (final === null) return { kind: "skipped", reason: "dropped", identifier, reportId };
    return this.deliver(final);
  }

  // --- Capture: thrown errors become reports -----------------------------------------------------

  /**
   * Reports a thrown value: title, stack, causes, fields, command line and breadcrumbs are collected,
   * and the identifier is derived so the same bug gives the same one on every machine.
   * @example
   * try { run(); } catch (error) { await helper.captureException(error, { repo: "me/app" }); }
   */
  async captureException(error: unknown, options: CaptureOptions = {}): Promise<ReportResult> {
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
    const body = options.body !== undefined && options.body !== "" ? `${options.body}\n\n${described.body}` : described.body;
    return this.runHeadless({
      identifier: identifierSource,
      title: options.title ?? described.title,
      body,
      ...(options.repo !== undefined ? { repo: options.repo } : {}),
      ...(options.labels !== undefined ? { labels: options.labels } : {}),
      generateMd5: true,
      kind: options.kind ?? "exception",
    });
  }

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
      title: fitTitle(this.redact(edited.title)),
      document: { ...edited.document, text: this.redact(edited.document.text) },
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
    const document: ReportDocument = { text: this.redact(input.body ?? ""), metadata };
    const title = fitTitle(this.redact(`${this.titlePrefix()}${input.title}`));
    return { repo, title, document, labels };
  }

  private shouldConfirm(): boolean {
    const asked = this.options.confirm ?? true;
    return asked && isInteractive();
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
  protected abstract deliver(report: PreparedReport): Promise<ReportResult>;
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

