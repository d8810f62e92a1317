import type { ReportDocument, ReportKind } from "./format/report-format.js";
import type { Environment } from "./_internal/globals.js";

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
 * One report on its way to a backend, the same record everywhere: created as the service's draft, written
 * to the spool while it waits, delivered by the pipeline.
 */
export interface OutgoingReport {
  /** Where it goes: a GitHub repository, a GitLab project, a Discourse category, a Gitea repository… */
  repo: string;
  title: string;
  /** The body exactly as the service gets it (rendered by the backend). */
  body: string;
  labels: string[];
  assignees: string[];
  identifier: string;
  reportId: string;
}

/** What `runHeadless` is asked to report. */
export interface ReportInput {
  /**
   * What makes two reports "the same problem". Hashed to `md5.<hex>` (unless `generateMd5: false`);
   * when missing, a random `run.<uuid>` is used and the report is never deduplicated.
   * @example `${error.name}: ${error.message}`
   */
  identifier?: string;
  /** The issue title. Must not be empty; cut to GitHub's 256 characters. */
  title: string;
  /** The issue text, Markdown. Environment facts and metadata are appended to it. @default "" */
  body?: string;
  /** `owner/name` of the repository that receives the report. @default the helper's `repo` option */
  repo?: string;
  /** Labels for this report, added to the helper's `labels`. */
  labels?: string[];
  /** Overrides the helper's `generateMd5` for this report. */
  generateMd5?: boolean;
  /** What produced the report. @default "manual" */
  kind?: ReportKind;
}

/** How a report ended. Every send resolves one of these; none of them is an error. */
export type ReportResult =
  /**
   * The issue was created through the API. `reference` is the service's name for it ("12", "PROJ-123");
   * `number` is that number (NaN when the reference is not a number: a backend of your own).
   */
  | { kind: "created"; number: number; reference: string; url: string; identifier: string; reportId: string }
  /** No token: the prefilled new-issue URL was printed (and opened in a browser when allowed). */
  | { kind: "url"; url: string; identifier: string; reportId: string; opened: boolean }
  /**
   * Sent, and held by the service for a moderator's approval (a Discourse forum that reviews new topics), or
   * accepted by a relay that files its issue later (no issue to link yet).
   */
  | { kind: "pending"; reason: string; identifier: string; reportId: string }
  /** An open issue already had this identifier; the report was added to it (or counted on it by a relay). */
  | { kind: "duplicate"; number: number; reference: string; url: string; identifier: string; reportId: string }
  /**
   * An open issue has this identifier and this machine already sent a message about it within
   * `seenAgainEvery`: the occurrence was counted locally and the count goes into the next comment.
   * `number` is the issue when this machine knows it.
   */
  | { kind: "counted"; number: number | undefined; reference: string | undefined; identifier: string; reportId: string }
  /** Sending failed for now; the report waits in the spool for `flush()`. */
  | { kind: "queued"; path: string; identifier: string; reportId: string; reason: string }
  /** The person saved the report to a file (interactive `run()`); nothing was sent. */
  | { kind: "saved"; path: string; identifier: string; reportId: string }
  /** Nothing was sent, on purpose (opt-out, `beforeSend` dropped it, the user cancelled, dry run). */
  | { kind: "skipped"; reason: SkipReason; identifier: string; reportId: string };

export type SkipReason = "disabled" | "dropped" | "cancelled" | "unanswered" | "dry-run" | "duplicate-assertion";

/** What `captureException` takes besides the error. */
export interface CaptureOptions {
  /** `owner/name`. @default the helper's `repo` option */
  repo?: string;
  /** @default `<ErrorType>: <message>` */
  title?: string;
  /** Markdown put before the captured stack and details. */
  body?: string;
  labels?: string[];
  /** @default "exception" */
  kind?: ReportKind;
}

export interface HelperOptions {
  /**
   * Send nothing; print a note once instead. Also set by env `BUGBEACON_DISABLE=1`.
   * @default false
   */
  disabled?: boolean;
  /**
   * Before a report from `helper.runHeadless` or `helper.captureException`, show the person a preview and
   * ask for a line of detail and whether to send (they may also drop environment values). Only ever asks
   * when stdin and stdout are terminals and `CI` is not set; never prompts otherwise. The crash handlers
   * and the top-level `captureException` never ask unless given `interactive: true`.
   * @default true
   */
  confirm?: boolean;
  /**
   * How long the confirmation before an automatic report waits for a key: nobody at the keyboard means
   * the report is not sent (`{ kind: "skipped", reason: "unanswered" }`) and a crashing app goes on to
   * exit. `0` waits as long as it takes. `helper.run()`, which a person starts, never times out.
   * @default 60000
   */
  confirmTimeoutMs?: number;
  /**
   * Environment variable names to send, added to the built-in allow-list (shell, terminal, locale...).
   * Also env `BUGBEACON_ENV_ALLOWLIST` (comma-separated). A variable on no list never leaves the process.
   * @example ["MYAPP_MODE", "MYAPP_REGION"]
   */
  envAllowlist?: string[];
  /** Hash identifiers into `md5.<hex>`; `false` uses them verbatim (validated as folder-safe). @default true */
  generateMd5?: boolean;
  /** Extra patterns to redact from everything that is sent (strings match literally). */
  redactPatterns?: Array<RegExp | string>;
  /** Print nothing but warnings. @default false */
  quiet?: boolean;
  /** The environment to read (tokens, allow-listed variables). @default process.env */
  env?: Environment;
  /** App name and version for the report. @default read from the app's nearest package.json */
  app?: { name?: string; version?: string };
  /** Default target repository (`owner/name`) for reports that name none. */
  repo?: string;
  /**
   * Last look at every report before it is sent: return it (edited or not), or `null` to drop it.
   * Its title and text are redacted again afterwards.
   * @example beforeSend: (report) => (report.title.includes("ECONNRESET") ? null : report)
   */
  beforeSend?: (report: PreparedReport) => PreparedReport | null | Promise<PreparedReport | null>;
  /**
   * Derives the identifier text for a captured error (it is then md5-hashed).
   * @default error type + templated message + top 3 in-app frames (see docs/api.md, "How the identifier is derived")
   */
  identify?: (error: unknown) => string;
  /** How many breadcrumbs reports keep; `0` turns them off. @default 50 */
  breadcrumbs?: number;
  /** Also keep the last lines written to console.warn / console.error as breadcrumbs. @default false */
  captureConsole?: boolean;
  /** The app's root folder, for relative paths in identifiers. @default folder of the nearest package.json */
  appRoot?: string;
}

/** What `helper.run()` (interactive reporting) starts from. Every field is optional. */
export interface RunInput {
  /** `owner/name`. @default the helper's `repo` option */
  repo?: string;
  /** What makes two reports "the same problem" (hashed, as in `runHeadless`). @default from `error`, else a random `run.<uuid>` */
  identifier?: string;
  /** Pre-fills the title question (the person may change it). @default from `error`, else asked */
  title?: string;
  /** Markdown put after the person's answers (for example a log excerpt). */
  body?: string;
  /** A thrown value: its description (stack, causes, fields) fills the title, body and identifier. */
  error?: unknown;
  /** Labels for this report, added to the helper's. */
  labels?: string[];
}

/** How a report is to be delivered, beyond the report itself (internal). */
export interface DeliveryContext {
  /**
   * The crash path: when sending must be over (ms since the epoch, asked at sending time so that time a
   * person spent answering a prompt does not count). One attempt, no waiting; what does not fit stays spooled.
   */
  sendBy?: () => number;
  /** Overrides the helper's `confirm` (the crash handlers ask only with `interactive: true`). */
  confirm?: boolean;
}
