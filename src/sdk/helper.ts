/**
 * The `Helper`: what `getHelper` returns. It is on bugbeacon's import path, so it holds only what an app
 * needs at start-up: the options, checked once when the helper is made (a bad value throws there), and the
 * crash handlers. Everything a report needs (building, redaction, the backend's requests, the spool, the
 * prompts) is the report path (./report-path.ts), loaded on the first report, flush or close; the crash
 * path awaits anyway, so the load costs nothing an app would notice, and an app that never reports never
 * pays for it.
 */
import { envFlag } from "../_internal/env-flag.js";
import { InvalidOptionError } from "../errors.js";
import { createLogger, type Logger } from "../_internal/logger.js";
import { recordConsole } from "./capture/breadcrumbs.js";
import { installProcessHandlers, type InstallHandlersOptions } from "./capture/handlers.js";
import { resolveAllowlist } from "./env-allowlist.js";
import { registerClosable } from "../delivery/close.js";
import type { CaptureOptions, DeliveryContext, HelperOptions, PreparedReport, ReportInput, ReportResult, RunInput } from "../types.js";
import type { Backend, BackendName } from "../delivery/backend.js";
import type { DeliveryOptions, ResolvedDelivery } from "../delivery/options.js";
import type { FlushSummary } from "../delivery/pipeline.js";
import type { ReportPath } from "./report-path.js";
import { validateCommonOptions } from "../_internal/validate-options.js";

/**
 * What a helper knows of its backend before the first report, made from the checked options: enough to
 * check a target and to decide on a background flush. The full `Backend` loads with the report path.
 */
export interface BackendSummary {
  readonly name: BackendName;
  /** What `repo` means here, for messages: "repository", "project", "category". */
  readonly targetNoun: string;
  /** Throws a typed error (a `BugbeaconError`) when `target` is not something this backend can send to. */
  checkTarget(target: unknown): void;
  /** True when credentials are there to create reports through the API. */
  canSubmit(): boolean;
}

/** What a helper is made of; getHelper (the composition root) builds it. */
export interface HelperParts {
  /** The backend's name and checks (its options were validated when it was made). */
  backend: BackendSummary;
  /** Makes the full backend; its module loads with the report path, on first use. */
  loadBackend: () => Promise<Backend>;
  /** The delivery options, validated and read from the environment once. */
  delivery: ResolvedDelivery;
  /** Footer style for "seen again" messages. */
  footer?: "bugbeacon" | "helpme";
}

/**
 * The one report pipeline's handle: build (input checked, identifier, allow-listed environment), redact,
 * ask when a person is there, then persist, deliver through the backend and confirm. The same class for
 * every backend: what differs is the backend it is made with (see getHelper).
 */
export class Helper<Options extends HelperOptions & DeliveryOptions = HelperOptions & DeliveryOptions> {
  /** The backend's name: "github", "gitlab" or "discourse". */
  readonly name: string;
  private readonly options: Options;
  private readonly env: NodeJS.ProcessEnv;
  private readonly logger: Logger;
  private readonly allowlist: string[];
  private readonly parts: HelperParts;
  /** The report path once loaded (then `assert` answers synchronously, as it always did). */
  private path: ReportPath<Options> | undefined;
  private loading: Promise<ReportPath<Options>> | undefined;

  /** Made by getHelper, which validates the options and the environment once. */
  constructor(options: Options, parts: HelperParts) {
    validateCommonOptions(options);
    this.options = options;
    this.env = options.env ?? process.env;
    this.logger = createLogger({ quiet: options.quiet ?? false });
    this.allowlist = resolveAllowlist(options.envAllowlist, this.env);
    this.parts = parts;
    this.name = parts.backend.name;
    if (parts.delivery.testTarget !== undefined) {
      // Checked by the backend's rules, the error naming where the value came from.
      const source = options.testRepo !== undefined ? "testRepo" : "BUGBEACON_TEST_REPO";
      try {
        parts.backend.checkTarget(parts.delivery.testTarget);
      } catch (error) {
        if (!(error instanceof InvalidOptionError)) throw error;
        throw new InvalidOptionError(source, parts.delivery.testTarget, `${error.expected}, to send every report to`, { code: error.code, cause: error });
      }
    }
    // close() waits for this helper's reports, including one whose report path is still loading.
    registerClosable(this);
    if (options.captureConsole === true) recordConsole();
    if (options.flushOnStart !== false && !this.disabled && options.dryRun !== true && parts.backend.canSubmit()) {
      // On an unref'd timer, as the flush itself runs: it never delays the app's start or exit.
      setTimeout(() => {
        this.reportPath().then(
          (path) => path.startBackgroundFlush(),
          (error: unknown) => this.logger.info(`background flush stopped: ${error instanceof Error ? error.message : String(error)}`),
        );
      }, 0).unref();
    }
  }

  /** True when sending is turned off by the option or by `BUGBEACON_DISABLE=1`. */
  get disabled(): boolean {
    return this.options.disabled === true || envFlag(this.env, "BUGBEACON_DISABLE");
  }

  /** Loads the report path once (the backend's module beside it). */
  private reportPath(): Promise<ReportPath<Options>> {
    this.loading ??= Promise.all([import("./lazy.js"), this.parts.loadBackend()]).then(([{ ReportPath }, backend]) => {
      this.path = new ReportPath<Options>(this.options, {
        backend,
        delivery: this.parts.delivery,
        ...(this.parts.footer !== undefined ? { footer: this.parts.footer } : {}),
        env: this.env,
        logger: this.logger,
        allowlist: this.allowlist,
        disabled: () => this.disabled,
      });
      return this.path;
    });
    // A failed load (a file missing from an install) is tried again on the next report.
    this.loading.catch(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /**
   * Sends the reports waiting in the spool, oldest first. Safe to run from several processes at once and
   * after being killed at any point: a report that may already have arrived is looked up before it is
   * sent again. Stops early when the service refuses the token or the target (the rest stay queued).
   */
  async flush(options: { onProgress?: (done: number, total: number) => void } = {}): Promise<FlushSummary> {
    return (await this.reportPath()).flush(options);
  }

  /**
   * Builds the report and delivers it without asking anything beyond the optional environment
   * confirmation. Rejects only for bad input (a typed `BugbeaconError` naming the value).
   */
  async runHeadless(input: ReportInput, context: DeliveryContext = {}): Promise<ReportResult> {
    return (await this.reportPath()).runHeadless(input, context);
  }

  // --- Capture: thrown errors become reports -----------------------------------------------------

  /**
   * Reports a thrown value: title, stack, causes, fields, command line and breadcrumbs are collected,
   * and the identifier is derived so the same bug gives the same one on every machine.
   * @example
   * try { run(); } catch (error) { await helper.captureException(error, { repo: "me/app" }); }
   */
  async captureException(error: unknown, options: CaptureOptions = {}, context: DeliveryContext = {}): Promise<ReportResult> {
    return (await this.reportPath()).captureException(error, options, context);
  }

  /**
   * Waits up to `timeoutMs` for the reports this helper is sending (each is on disk already); what is not
   * confirmed by then stays in the spool for the next flush. For servers on SIGTERM. Never rejects.
   * @example
   * process.on("SIGTERM", async () => { server.close(); await helper.close(2000); process.exit(0); });
   */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.loading === undefined) return;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const path = await Promise.race([
      this.loading.catch(() => undefined),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs).unref())),
    ]);
    clearTimeout(timer);
    if (path !== undefined) await path.close(Math.max(0, timeoutMs - (Date.now() - started)));
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
   * Once the report path is loaded, a repeated identifier returns `undefined`; before that (two failures
   * while the first report is loading) the repeat resolves to `{ kind: "skipped", reason: "duplicate-assertion" }`.
   */
  assert(condition: unknown, message: string, options: Omit<CaptureOptions, "kind"> = {}): Promise<ReportResult> | undefined {
    if (condition) return undefined;
    const failure = new Error(message);
    failure.name = "AssertionFailed";
    Error.captureStackTrace(failure, this.assert);
    if (this.path !== undefined) return this.path.reportAssertion(failure, options);
    return this.reportPath().then(
      (path) => path.reportAssertion(failure, options) ?? { kind: "skipped", reason: "duplicate-assertion", identifier: "", reportId: "" },
      (error: unknown): ReportResult => {
        this.logger.warn(`could not report a failed assertion: ${error instanceof Error ? error.message : String(error)}`);
        return { kind: "skipped", reason: "dropped", identifier: "", reportId: "" };
      },
    );
  }

  /**
   * Validates the input and builds the report as it would be sent (identifier, allow-listed environment,
   * redacted text), without sending it. Async: the report path loads on first use.
   */
  async prepare(input: ReportInput): Promise<PreparedReport> {
    return (await this.reportPath()).prepare(input);
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
    return (await this.reportPath()).run(input);
  }
}
