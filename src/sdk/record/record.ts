/**
 * Runs a command the way a person would see it, in a pseudo-terminal, without a native addon: through
 * util-linux's `script(1)` (Linux), else Python's standard `pty` module, else plain pipes (the command then
 * sees no terminal, and may print differently: the result says so). What it prints is shown live and kept
 * with its timing, for an asciicast v2 file (./asciicast.ts).
 */
import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { findOnPath } from "../find-on-path.js";

export type RecordMethod = "script" | "python3" | "pipes";

export interface Recording {
  /** The command as given (program and arguments). */
  argv: string[];
  method: RecordMethod;
  width: number;
  height: number;
  /** When it started (seconds since the epoch). */
  startedAt: number;
  /** Output events: seconds since the start, and the text printed. */
  events: Array<[number, string]>;
  /** The command's exit code; 128 + n when signal n ended it. */
  exitCode: number;
  durationSeconds: number;
  /** True when output beyond the recording limit was shown but not kept. */
  truncated: boolean;
}

export interface RecordOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Where the output is shown live. */
  live: (text: string) => void;
  /** The terminal's size; defaults to the user's terminal, else 80 x 24. */
  width?: number;
  height?: number;
  /** Let the person type into the command (their stdin is a terminal). @default process.stdin.isTTY */
  interactive?: boolean;
  /** Force a method (tests). @default the best available */
  method?: RecordMethod;
}

/** Output kept for the recording (what is shown live is not limited). */
export const MAX_RECORDED_CHARS = 5 * 1024 * 1024;

/** A word for the shell, quoted so the shell passes it through unchanged. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The best way to get a pseudo-terminal here. */
export function recordMethod(env: NodeJS.ProcessEnv): RecordMethod {
  if (process.platform === "linux" && findOnPath("script", env) !== undefined) return "script";
  if (process.platform !== "win32" && (findOnPath("python3", env) !== undefined)) return "python3";
  return "pipes";
}

/** Python's pty.spawn, exiting with the command's code (128 + signal when one ended it). */
const PYTHON_PTY = [
  "import os, pty, sys",
  "status = pty.spawn(sys.argv[1:])",
  "sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))",
].join("\n");

/** Inside the pseudo-terminal: its size set to the one the cast declares, then the command. */
const SIZED = 'stty cols "$BUGBEACON_REC_COLS" rows "$BUGBEACON_REC_ROWS" 2>/dev/null; exec "$@"';

export function recordCommand(argv: string[], options: RecordOptions): Promise<Recording> {
  const method = options.method ?? recordMethod(options.env);
  const interactive = options.interactive ?? process.stdin.isTTY === true;
  const width = options.width ?? (process.stdout.isTTY ? process.stdout.columns : 80) ?? 80;
  const height = options.height ?? (process.stdout.isTTY ? process.stdout.rows : 24) ?? 24;
  const env = { ...options.env, TERM: options.env.TERM ?? "xterm-256color", BUGBEACON_REC_COLS: String(width), BUGBEACON_REC_ROWS: String(height) };
  let file: string;
  let args: string[];
  if (method === "script") {
    // -q quiet, -e the command's exit code, -f flush as it prints; /dev/null: no typescript file of its own.
    // Without a terminal on stdin, script's pty has no size: stty sets the one the cast declares.
    const line = argv.map(shellQuote).join(" ");
    const command = interactive ? `exec ${line}` : `stty cols ${width} rows ${height} 2>/dev/null; exec ${line}`;
    file = "script";
    args = ["-q", "-e", "-f", "-c", command, "/dev/null"];
  } else if (method === "python3") {
    file = "python3";
    args = ["-c", PYTHON_PTY, ...(interactive ? argv : ["/bin/sh", "-c", SIZED, "sh", ...argv])];
  } else {
    file = argv[0] ?? "";
    args = argv.slice(1);
  }
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const startedAt = Math.floor(Date.now() / 1000);
    const events: Array<[number, string]> = [];
    let kept = 0;
    let truncated = false;
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: method === "script" ? { ...env, SHELL: "/bin/sh" } : env,
      stdio: [interactive ? "inherit" : "ignore", "pipe", method === "pipes" ? "pipe" : "inherit"],
    });
    const take = (decoder: StringDecoder) => (chunk: Buffer) => {
      const text = decoder.write(chunk);
      if (text === "") return;
      options.live(text);
      if (kept + text.length > MAX_RECORDED_CHARS) {
        truncated = true;
        return;
      }
      kept += text.length;
      events.push([Math.round(performance.now() - started) / 1000, text]);
    };
    // With pipes, stderr is recorded too, in order of arrival, as a terminal would show it.
    child.stdout?.on("data", take(new StringDecoder("utf8")));
    child.stderr?.on("data", take(new StringDecoder("utf8")));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const exitCode = code ?? (signal !== null ? 128 + (signalNumber(signal) ?? 0) : 1);
      resolve({ argv, method, width, height, startedAt, events, exitCode, durationSeconds: Math.round(performance.now() - started) / 1000, truncated });
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };
  return table[signal];
}
