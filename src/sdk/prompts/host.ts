import type { PreparedReport } from "../../types.js";
import type { Logger } from "../../_internal/logger.js";
import type { ReportInput, ReportResult } from "../../types.js";

/** What the prompts need from a helper; the helper builds it (see `BaseHelper.run`). */
export interface PromptHost {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Folder a saved report goes to by default. */
  cwd: string;
  redact(text: string): string;
  /** The issue body exactly as the backend would send it. */
  renderBody(report: PreparedReport): string;
  /** Runs `work` marked as "a person is answering" (see activity.ts). */
  whileAnswering<T>(work: () => Promise<T>): Promise<T>;
}

/** What the full `run()` flow needs besides. */
export interface FlowHost extends PromptHost {
  /** Validates and builds the report (redacted, identified). Throws typed errors for bad input. */
  prepare(input: ReportInput): PreparedReport;
  /** Backend checks before anything is sent (for example a required token). */
  preflight(report: PreparedReport): Promise<void>;
  /** The app's `beforeSend`, then redaction again; `null` when it dropped the report. */
  finalize(report: PreparedReport): Promise<PreparedReport | null>;
  /** True when `deliver` would send through the API (a token is there). */
  canSubmit(): boolean;
  /** Sends the report (no more questions). */
  deliver(report: PreparedReport): Promise<ReportResult>;
  /** The prefilled page where the person can file the report themselves, if the backend has one. */
  manualUrl(report: PreparedReport): string | undefined;
  /** Whether a browser can be opened here. */
  mayOpenBrowser(): Promise<boolean>;
  /** Opens the URL in a browser; false when that failed (never throws). */
  openUrl(url: string): Promise<boolean>;
}
