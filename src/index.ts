/**
 * The root entry, `bugbeacon`: what an app needs at start-up, and nothing a report needs. Everything a
 * report needs (building, redaction, rendering, the backends' requests, the spool, the prompts) loads on the
 * first report. Importing this module costs at most 3 ms over an empty package (`npm run bench -- import`),
 * and test/root-import-budget.test.ts fails when the files it loads grow beyond their byte budget.
 * The synchronous utilities are subpath entries: `bugbeacon/redact` (src/redact.ts) and `bugbeacon/format`
 * (src/format.ts).
 */
export { backendNames, getHelper, helperNames } from "./sdk/get-helper.js";
export type { HelperRegistry } from "./sdk/get-helper.js";
export type { DiscourseHelper, GiteaHelper, GitHubHelper, GitLabHelper } from "./sdk/get-helper.js";
export type { DiscourseHelperOptions } from "./backends/discourse/options.js";
export type { GitLabHelperOptions } from "./backends/gitlab/options.js";
export type { GiteaHelperOptions } from "./backends/gitea/options.js";
export type { GitHubHelperOptions } from "./backends/github/options.js";
export type { Helper } from "./sdk/helper.js";
export type { DeliveryOptions } from "./delivery/options.js";
export type {
  Backend,
  BackendClient,
  BackendContext,
  BackendDefinition,
  BackendLimits,
  BackendName,
  BackendParts,
  ClientMode,
  Draft,
  OccurrenceMessage,
  RegressionMessage,
  RemoteReport,
  RemoteOccurrence,
  ReportRef,
} from "./delivery/backend.js";
// The port for a backend of your own is `bugbeacon/backend` (src/backend.ts; docs/backends.md, "Writing a
// backend"): defineBackend, registerBackend, DeliveryFailure, createRest… The types stay here too (the
// signatures of getHelper name them).
export type { OutgoingReport, PreparedReport } from "./types.js";
export type { CaptureOptions, HelperOptions, ReportInput, ReportResult, SkipReason } from "./types.js";
export { hashIdentifier } from "./sdk/hash-identifier.js";
export type { Redactor, RedactorOptions } from "./sdk/redact.js";
export { DEFAULT_ENV_ALLOWLIST } from "./sdk/env-allowlist.js";
export type { ReportMetadata, ReportDocument, ParsedReport, PlatformFacts, AppFacts } from "./format/report-format.js";
export {
  BugbeaconError,
  FileExistsError,
  InvalidOptionError,
  InvalidRepoError,
  InvalidTargetError,
  MissingTokenError,
  ReportFormatError,
  SpoolError,
  UnknownBackendError,
  isBugbeaconError,
} from "./errors.js";
export type { BugbeaconErrorCode } from "./errors.js";
export { VERSION } from "./version.js";

// Capture: thrown errors become reports (like every report, the top-level captureException loads the report
// path on first use).
export { installHandlers } from "./sdk/install-handlers.js";
export { captureException, type CaptureExceptionOptions } from "./sdk/capture-exception.js";
export type { InstallOptions } from "./sdk/install-handlers.js";
export type { InstallHandlersOptions } from "./sdk/capture/handlers.js";
export { addBreadcrumb, recordConsole } from "./sdk/capture/breadcrumbs.js";
export type { Breadcrumb } from "./sdk/capture/breadcrumbs.js";
export type { ErrorDescription } from "./sdk/capture/describe-error.js";

// Monitors: checks run on a schedule that open and resolve their own issue (docs/monitors.md).
export type { CheckResult, Monitor, MonitorCheck, MonitorFailure, MonitorOptions, MonitorRun } from "./sdk/monitor/options.js";
export type { MonitorIssue, MonitorIssues } from "./sdk/monitor/issues.js";

// Delivery: dedupe, the offline spool, flushing.
export type { FlushSummary } from "./delivery/pipeline.js";
export { flush } from "./sdk/flush.js";
export { close } from "./delivery/close.js";

// Interactive reporting: helper.run() (full flow) and the short confirmation before automatic reports.
export type { RunInput } from "./types.js";
