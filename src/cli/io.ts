/** What a CLI command may touch: injected, so tests can call commands directly and as child processes. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A subcommand: `bugbeacon <name> ...`. Its module is loaded only when it runs. */
export interface CliCommand {
  name: string;
  /** One line for `bugbeacon --help`. */
  summary: string;
  /** Full help for `bugbeacon <name> --help`: every flag. */
  usage: string;
  /** Runs the command; resolves the exit code. Known errors are printed by the caller. */
  run(args: string[], io: CliIO): Promise<number>;
}
