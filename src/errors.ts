/**
 * Every error bugbeacon throws or rejects with is a `BugbeaconError`, so an app can tell
 * "the reporter failed" from its own errors. Messages name the bad value and say what to do.
 */

const BRAND = Symbol.for("bugbeacon.error");

/**
 * Every `code` a `BugbeaconError` can carry, stable across versions (new codes may be added).
 * SDK: options, token, backend, spool, files, report text. Support side (CLI, triage, database): the rest.
 */
export type BugbeaconErrorCode =
  | "ERR_BUGBEACON"
  | "ERR_INVALID_OPTION"
  | "ERR_INVALID_REPO"
  | "ERR_INVALID_TARGET"
  | "ERR_MISSING_TOKEN"
  | "ERR_UNKNOWN_BACKEND"
  | "ERR_SPOOL"
  | "ERR_FILE_EXISTS"
  | "ERR_REPORT_FORMAT"
  | "ERR_CLI_USAGE"
  | "ERR_INVALID_CONFIG"
  | "ERR_INVALID_EVENT"
  | "ERR_INVALID_RECORD"
  | "ERR_UNSAFE_NAME"
  | "ERR_LOCKFILE"
  | "ERR_GIT"
  | "ERR_GIT_TEMPORARY"
  | "ERR_TRIAGE_REFUSED"
  | "ERR_TRIAGE_TEMPORARY"
  | "ERR_GITHUB_UNAUTHORIZED"
  | "ERR_GITHUB_FORBIDDEN"
  | "ERR_GITHUB_NOT_FOUND"
  | "ERR_GITHUB_RATE_LIMIT"
  | "ERR_GITHUB_REFUSED"
  | "ERR_GITHUB_TEMPORARY"
  | "ERR_LEGACY_DATABASE"
  | "ERR_SERVE_LOCKED"
  | "ERR_RELAY_REFUSED";

export class BugbeaconError extends Error {
  override name = "BugbeaconError";
  /** A stable, machine-readable code, e.g. `"ERR_INVALID_REPO"`. */
  readonly code: BugbeaconErrorCode;

  constructor(message: string, options?: { cause?: unknown; code?: BugbeaconErrorCode }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code ?? "ERR_BUGBEACON";
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for any bugbeacon error, even one made by another copy of the package (another realm). */
export function isBugbeaconError(value: unknown): value is BugbeaconError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** An option, argument, flag or environment variable has a value bugbeacon cannot use. */
export class InvalidOptionError extends BugbeaconError {
  override name = "InvalidOptionError";
  /** Which input was wrong, e.g. `"repo"` or `"BUGBEACON_PACING_MS"`. */
  readonly option: string;
  readonly value: unknown;
  /** What would have been accepted, in words (the message's "Expected ..." part). */
  readonly expected: string;

  constructor(option: string, value: unknown, expected: string, options?: { cause?: unknown; code?: BugbeaconErrorCode }) {
    super(`Invalid ${option}: ${describeValue(value)}. Expected ${expected}.`, {
      code: options?.code ?? "ERR_INVALID_OPTION",
      cause: options?.cause,
    });
    this.option = option;
    this.value = value;
    this.expected = expected;
  }
}

/**
 * A command-line argument the `bugbeacon` CLI cannot use: an unknown flag, a missing or bad value, an
 * extra argument, a path that does not exist. The CLI prints the message and the command's usage, and
 * exits with code 2.
 */
export class CliUsageError extends BugbeaconError {
  override name = "CliUsageError";
  /** The flag (e.g. `"--top"`) or argument the message is about. */
  readonly flag: string;

  constructor(flag: string, message: string) {
    super(message, { code: "ERR_CLI_USAGE" });
    this.flag = flag;
  }
}

/** `repo` is not `owner/name` by GitHub's rules. */
export class InvalidRepoError extends InvalidOptionError {
  override name = "InvalidRepoError";
  constructor(value: unknown) {
    super(
      "repo",
      value,
      'a GitHub repository as "owner/name" (owner: letters, digits and single hyphens, at most 39; name: letters, digits, ".", "-" and "_", at most 100, not "." or "..")',
      { code: "ERR_INVALID_REPO" },
    );
  }
}

/** `requireToken` is set (or `flush` runs) and no credentials were found. */
export class MissingTokenError extends BugbeaconError {
  override name = "MissingTokenError";
  /** The backend that needs the token, e.g. `"github"`. */
  readonly backend: string;
  constructor(backend = "github", where?: string) {
    super(
      where ??
        "No GitHub token found, and this helper was created with requireToken: true. " +
          "Set the environment variable BUGBEACON_GITHUB_TOKEN (or HELPME_GITHUB_TOKEN) to a token " +
          "that may create issues in the repository, or pass { token } to getHelper().",
      { code: "ERR_MISSING_TOKEN" },
    );
    this.backend = backend;
  }
}

/** A report target (project, category) that a backend other than GitHub cannot use. */
export class InvalidTargetError extends InvalidOptionError {
  override name = "InvalidTargetError";
  constructor(option: string, value: unknown, expected: string) {
    super(option, value, expected, { code: "ERR_INVALID_TARGET" });
  }
}

/** `getHelper(name)` with a name no backend answers to. */
export class UnknownBackendError extends BugbeaconError {
  override name = "UnknownBackendError";
  constructor(name: unknown, known: readonly string[]) {
    super(`Unknown helper ${describeValue(name)}. Known helpers: ${known.map((k) => `"${k}"`).join(", ")}.`, {
      code: "ERR_UNKNOWN_BACKEND",
    });
  }
}

/** Text that should hold a bugbeacon report does not, or holds a broken one. */
export class ReportFormatError extends BugbeaconError {
  override name = "ReportFormatError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: "ERR_REPORT_FORMAT", cause: options?.cause });
  }
}

/**
 * A file bugbeacon was asked to create already exists; nothing was written. `path` is the file.
 * (Saving a report from the prompt, `bugbeacon init` without `--force`.)
 */
export class FileExistsError extends BugbeaconError {
  override name = "FileExistsError";
  readonly path: string;

  constructor(path: string, options?: { advice?: string; cause?: unknown }) {
    super(`${path} already exists; ${options?.advice ?? "not overwriting it. Choose another name, or move the file away first"}.`, {
      code: "ERR_FILE_EXISTS",
      cause: options?.cause,
    });
    this.path = path;
  }
}

/**
 * The offline spool (where reports wait for `flush()`) cannot be written: its folder is a file, is
 * read-only, or the disk is full. `path` is the spool folder; `cause` is the file system's error.
 */
export class SpoolError extends BugbeaconError {
  override name = "SpoolError";
  readonly path: string;

  constructor(path: string, options: { cause: unknown }) {
    const reason = (options.cause as { code?: unknown } | undefined)?.code;
    super(
      `Cannot write the bugbeacon spool folder ${path}${typeof reason === "string" ? ` (${reason})` : ""}. ` +
        "Point the spoolDir option or BUGBEACON_SPOOL_DIR at a folder this process may write, or fix that folder's permissions.",
      { code: "ERR_SPOOL", cause: options.cause },
    );
    this.path = path;
  }
}

/** Shows a value in an error message: quoted, shortened, control characters escaped. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") {
    const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return JSON.stringify(shown);
  }
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "symbol") return value.toString();
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * A triage step failed: GitHub or git refused or did not answer. The message is one line naming what
 * failed and what to do; `transient` says whether running the job again should pass on its own
 * (5xx, timeouts, a push that kept racing) and selects the exit code (75, EX_TEMPFAIL, when transient).
 */
export class TriageStepError extends BugbeaconError {
  override name = "TriageStepError";
  readonly transient: boolean;
  readonly status: number | undefined;

  constructor(message: string, options: { transient: boolean; status?: number | undefined; code?: BugbeaconErrorCode; cause?: unknown }) {
    super(message, { code: options.code ?? (options.transient ? "ERR_TRIAGE_TEMPORARY" : "ERR_TRIAGE_REFUSED"), cause: options.cause });
    this.transient = options.transient;
    this.status = options.status;
  }
}
