/** What a CLI command may touch: injected, so tests can call commands directly and as child processes. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * A subcommand: `bugbeacon <name> ...`. Its module is loaded only when it runs. Its one-line summary is
 * in commands/index.ts (the main help lists it without loading the command); help is
 * `bugbeacon <name>: <summary>` followed by `usage`.
 */
export interface CliCommand {
  /** Full help after the summary line: what it does, `Usage:`, every flag (no exit codes: see `exits`). */
  usage: string;
  /**
   * The exit codes this command can end with and what each means here, in order: the help's one "Exit
   * codes" section. A test makes each of them happen with a real failure of that kind.
   */
  exits: ReadonlyArray<readonly [code: number, meaning: string]>;
  /** Runs the command; resolves the exit code. Errors are printed by runCli (never with a stack). */
  run(args: string[], io: CliIO): Promise<number>;
}

/** Exit codes of every command. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The command ran and failed (GitHub refused, a record is invalid, no token, ...). */
  failed: 1,
  /** Bad arguments: unknown flag, missing or bad value, extra argument, a path that does not exist. */
  usage: 2,
  /**
   * A temporary failure (EX_TEMPFAIL from sysexits.h): the host name did not resolve, the connection was
   * refused or reset, no answer in time, GitHub answered 5xx or rate-limited after the retries, git could
   * not push or fetch. Nothing was done twice: run the command (the job) again.
   */
  tempfail: 75,
  /** The person cancelled (Escape or Ctrl-C at a question). */
  cancelled: 130,
} as const;
