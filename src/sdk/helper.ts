/**
 * The `Helper`: what `getHelper` returns. It is on bugbeacon's import path, so it holds only what an app
 * needs at start-up: the options, checked once when the helper is made (a bad value throws there), and the
 * crash handlers. Everything a report needs (building, redaction, the backend's requests, the spool, the
 * prompts) is the report path (./report-path.ts), loaded on the first report, flush or close; an app that
 * never reports never pays for it. A crash before the report path is loaded loads it synchronously (its
 * CommonJS build, ./lazy-sync.ts), since Node ends the process as soon as the crash handler returns.
 */
import { envFlag } from "../_internal/env-flag.js";
import { InvalidOptionError } from "../errors.js";
import { createLogger, type Logger } from "../_internal/logger.js";
import { recordConsole } from "./capture/breadcrumbs.js";
import { INSTALL_HANDLER_KEYS, installProcessHandlers, type CrashReporter, type CrashSettings, type InstallHandlersOptions } from "./capture/handlers.js";
import { resolveAllowlist } from "./env-allowlist.js";
import { checkCloseTimeout, DEFAULT_CLOSE_TIMEOUT_MS, registerClosable } from "../delivery/close.js";
import type { CaptureOptions, DeliveryContext, HelperOptions, PreparedReport, ReportInput, ReportResult, RunInput } from "../types.js";
import type { Backend, BackendName } from "../delivery/backend.js";
import type { DeliveryOptions, ResolvedDelivery } from "../delivery/options.js";
import type { FlushSummary } from "../delivery/pipeline.js";
import type { ReportPath } from "./report-path.js";
import { globalTrail } from "./capture/breadcrumbs.js";
import { loadLazySync, type LazyModule } from "./lazy-sync.js";
import { checkKnownKeys, validateCommonOptions } from "../_internal/validate-options.js";
import { monitorSpec, type Monitor, type MonitorCheck, type MonitorOptions, type MonitorRun, type MonitorSpec } from "./monitor/options.js";
import type { MonitorState } from "./monitor/state.js";

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
  /** Makes the full backend from the report path's module (./lazy.ts), loaded on first use. */
  makeBackend: (lazy: LazyModule) => Backend;
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
    // The default target is checked now, not at the first report (a crash report would be lost to it).
    if (options.repo !== undefined) {
      if (typeof options.repo !== "string") throw new InvalidOptionError("repo", options.repo, "a string");
      parts.backend.checkTarget(options.repo);
    }
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
    this.loading ??= import("./lazy.js").then((lazy) => this.makePath(lazy));
    // A failed load (a file missing from an install) is tried again on the next report.
    this.loading.catch(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** The report path made from its module (loaded either way). */
  private makePath(lazy: LazyModule): ReportPath<Options> {
    if (this.path !== undefined) return this.path;
    this.path = new lazy.ReportPath<Options>(this.options, {
      backend: this.parts.makeBackend(lazy),
      delivery: this.parts.delivery,
      ...(this.parts.footer !== undefined ? { footer: this.parts.footer } : {}),
      env: this.env,
      logger: this.logger,
      allowlist: this.allowlist,
      disabled: () => this.disabled,
      // This file's trail: the report path loaded synchronously at a crash may be another copy's.
      breadcrumbs: () => globalTrail.list(),
      breadcrumbLimit: () => globalTrail.limit,
    });
    return this.path;
  }

  /**
   * The report path now, for a crash that Node ends as soon as the handler returns: loaded synchronously
   * (the CommonJS build of the report path, beside the root entry's file) when it is not loaded yet.
   * Undefined when it cannot be (bugbeacon bundled into an app, or run from its sources).
   */
  private reportPathNow(): ReportPath<Options> | undefined {
    if (this.path !== undefined) return this.path;
    const lazy = loadLazySync();
    if (lazy === undefined) return undefined;
    try {
      const path = this.makePath(lazy);
      this.loading ??= Promise.resolve(path);
      return path;
    } catch {
      return undefined;
    }
  }

  /**
   * Sends the reports waiting in the spool, oldest first. Safe to run from several processes at once and
   * after being killed at any point: a report that may already have arrived is looked up before it is
   * sent again. Stops early when the service refuses the token or the target (the rest stay queued).
   */
  flush(options: { onProgress?: (done: number, total: number) => void } = {}): Promise<FlushSummary> {
    if (typeof options !== "object" || options === null) throw new InvalidOptionError("options", options, "an object like { onProgress }");
    checkKnownKeys(options, ["onProgress"], "helper.flush");
    if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
      throw new InvalidOptionError("onProgress", options.onProgress, "a function (done, total) => void");
    }
    return this.reportPath().then((path) => path.flush(options));
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
  close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    checkCloseTimeout(timeoutMs);
    return this.closeChecked(timeoutMs);
  }

  private async closeChecked(timeoutMs: number): Promise<void> {
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
    if (typeof options !== "object" || options === null) throw new InvalidOptionError("options", options, "an object like { timeoutMs }");
    checkKnownKeys(options, INSTALL_HANDLER_KEYS, "helper.installHandlers");
    return installProcessHandlers(this.crashReporter(), options);
  }

  /** What the process's one crash handler holds of this helper (see capture/handlers.ts). @internal */
  crashReporter(): CrashReporter {
    return {
      backend: this.parts.backend.name,
      defaultTarget: this.options.repo,
      checkTarget: (target) => this.parts.backend.checkTarget(target),
      reportNow: (error, settings) => this.reportCrashNow(error, settings),
      report: async (error, settings) => {
        await (await this.reportPath()).reportCrash(error, settings);
      },
      capture: (error, options, interactive) => this.captureException(error, options, { confirm: interactive }),
      warn: (message) => this.logger.warn(message),
    };
  }

  /**
   * The crash path with nobody else listening: Node prints the error and exits as soon as this returns.
   * With the report path loaded, the report is built here synchronously and sent by a short child process
   * (capture/send-now.ts); before that, the crash is held while the report path loads (the handler keeps
   * the process for the rest of the work, within the time limit) and then goes the same way.
   */
  private reportCrashNow(error: unknown, settings: CrashSettings): undefined | (() => Promise<void>) {
    const now = this.reportPathNow();
    if (now !== undefined) return now.reportCrashNow(error, settings);
    return async () => {
      const rest = (await this.reportPath()).reportCrashNow(error, settings);
      if (rest !== undefined) await rest();
    };
  }

  /** Delivers a report built by another process's crash path (capture/crash-send.ts). @internal */
  async deliverPrepared(report: PreparedReport, sendBy: number): Promise<ReportResult> {
    return (await this.reportPath()).deliverPrepared(report, sendBy);
  }

  /** Delivers the spool claim the crashing app wrote (capture/crash-send.ts). @internal */
  async deliverClaimed(path: string, report: PreparedReport, sendBy: number): Promise<ReportResult> {
    return (await this.reportPath()).deliverClaimed(path, report, sendBy);
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

  // --- Monitors: checks run on a schedule open, update and resolve their own issue (src/sdk/monitor) ---

  /**
   * Runs `check` now and then every `every` ms on an unref'd timer (it never keeps the process alive).
   * After `failAfter` failing runs in a row the monitor's one issue is opened (or reopened), its body
   * listing the failing records as a checklist edited in place; after `passAfter` passing runs it is
   * closed with a short "resolved" comment. The state is kept in the issue (see docs/monitors.md).
   * The spec is checked here (a bad value throws now); the runner loads with the report path.
   * @example
   * helper.monitor("queue drains", async () => (await queue.size()) < 1000, { every: 60_000, repo: "me/app" });
   */
  monitor(name: string, check: MonitorCheck, options: MonitorOptions): Monitor {
    const spec = monitorSpec(name, check, options, { repo: this.options.repo, scheduled: true });
    this.parts.backend.checkTarget(spec.repo);
    let stopped = false;
    const started = this.reportPath().then(async (path) => {
      const monitor = await path.startMonitor(spec as MonitorSpec & { every: number });
      if (stopped) monitor.stop();
      return monitor;
    });
    // A report path that cannot load is said once; runNow() then rejects with that failure.
    started.catch((error: unknown) => this.logger.warn(`monitor "${spec.name}" could not start: ${error instanceof Error ? error.message : String(error)}`));
    return {
      name: spec.name,
      stop: () => {
        stopped = true;
        void started.then((m) => m.stop(), () => undefined);
      },
      runNow: () => started.then((m) => m.runNow()),
    };
  }

  /**
   * Runs `check` once and applies the monitor rules from the state its issue holds: what
   * `bugbeacon check` does on each scheduled run. Give `every` (the schedule's interval) so that two
   * runs of the same tick count once. Never rejects for the service's failures (see `problem`).
   */
  async monitorOnce(name: string, check: MonitorCheck, options: MonitorOptions = {}, /** @internal the state while no issue holds it (the CLI's --state file) */ memory?: { state: MonitorState }): Promise<MonitorRun> {
    const spec = monitorSpec(name, check, options, { repo: this.options.repo, scheduled: false });
    this.parts.backend.checkTarget(spec.repo);
    const run = await (await this.reportPath()).monitorOnce(spec, memory);
    try {
      spec.onRun?.(run);
    } catch {
      // The caller's callback does not change the result.
    }
    return run;
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
