/**
 * A program on a real pseudo-terminal (through test/support/pty-driver.py, Python's standard `pty`),
 * driven like a person would: wait for text on the screen, then type keys.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { trackChild } from "./cleanup.js";

const driver = fileURLToPath(new URL("./pty-driver.py", import.meta.url));

/** Keys as a terminal sends them. */
export const KEY = {
  enter: "\r",
  ctrlC: "\u0003",
  escape: "\u001b",
  space: " ",
  down: "\u001b[B",
  up: "\u001b[A",
  /** Ctrl-U: clears the line in an enquirer input. */
  ctrlU: "\u0015",
} as const;

// CSI and OSC sequences, and the lone ESC-prefixed ones enquirer uses (ESC 7 / ESC 8).
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007|\u001b[78=>]/g;

/** Terminal output without escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

export interface PtySession {
  /** Everything the program wrote to the terminal, escape sequences included. */
  readonly raw: string;
  /** The same without escape sequences. */
  readonly text: string;
  /** Resolves once `pattern` appears in the output after the previous match; rejects after `timeoutMs`. */
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Types keys into the terminal. */
  type(keys: string): void;
  /** Waits for `pattern`, then types `keys` (each string in turn, a short pause between them). */
  answer(pattern: string | RegExp, ...keys: string[]): Promise<void>;
  /** The program's exit code (128 + signal when a signal ended it). */
  readonly exit: Promise<number>;
  kill(): void;
}

export function spawnPty(
  command: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; columns?: number; rows?: number; closeStdin?: boolean; timeoutMs?: number },
): PtySession {
  const child = trackChild(spawn("python3", [driver, String(options.columns ?? 100), String(options.rows ?? 40), options.closeStdin ? "1" : "0", "--", ...command], {
    env: options.env,
    cwd: options.cwd,
    stdio: ["pipe", "pipe", "pipe"],
  }));
  let raw = "";
  let cursor = 0;
  let driverErrors = "";
  const listeners = new Set<() => void>();
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    raw += chunk;
    for (const listener of [...listeners]) listener();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (driverErrors += chunk));
  const overall = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const exit = new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(overall);
      for (const listener of [...listeners]) listener();
      if (driverErrors.trim() !== "") process.stderr.write(`pty driver: ${driverErrors}`);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
  let exited = false;
  void exit.then(() => (exited = true), () => (exited = true));

  const waitFor = (pattern: string | RegExp, timeoutMs = 20_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const text = stripAnsi(raw);
        const rest = text.slice(cursor);
        const index = typeof pattern === "string" ? rest.indexOf(pattern) : rest.search(pattern);
        if (index < 0) return false;
        const length = typeof pattern === "string" ? pattern.length : (rest.slice(index).match(pattern)?.[0].length ?? 0);
        cursor += index + length;
        return true;
      };
      if (check()) return resolve();
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`timed out waiting for ${String(pattern)}; the screen so far:\n${stripAnsi(raw).slice(-3000)}`));
      }, timeoutMs);
      const listener = (): void => {
        if (check()) {
          clearTimeout(timer);
          listeners.delete(listener);
          resolve();
        } else if (exited || child.exitCode !== null) {
          clearTimeout(timer);
          listeners.delete(listener);
          reject(new Error(`the program ended before ${String(pattern)} appeared; the screen:\n${stripAnsi(raw).slice(-3000)}`));
        }
      };
      listeners.add(listener);
    });

  const type = (keys: string): void => {
    child.stdin.write(keys);
  };

  return {
    get raw() {
      return raw;
    },
    get text() {
      return stripAnsi(raw);
    },
    waitFor,
    type,
    async answer(pattern, ...keys) {
      await waitFor(pattern);
      // Give the prompt a moment to switch the terminal to raw mode after it is drawn.
      await new Promise((r) => setTimeout(r, 60));
      for (const key of keys) {
        type(key);
        await new Promise((r) => setTimeout(r, key === KEY.escape ? 700 : 40));
      }
    },
    exit,
    kill: () => child.kill("SIGKILL"),
  };
}
