import { spawn } from "node:child_process";

import { trackChild } from "./cleanup.js";
import { tempDir } from "./temp.js";

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` as a real child process with exactly `env`, and collects its output. */
export function runNode(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = trackChild(spawn(process.execPath, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    }));
    if (child.stdout === null || child.stderr === null) throw new Error("child output is not piped");
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    if (options.input !== undefined) child.stdin?.end(options.input);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`node ${args.join(" ")} did not finish in ${options.timeoutMs ?? 20_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** How long after a lost answer the tests look a report up (BUGBEACON_SETTLE_MS; 10 s for users). */
export const TEST_SETTLE_MS = "1000";

/** A clean environment for children: no tokens, no CI, no display, unless a test adds them; fast retry timing. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: "C.UTF-8",
    SHELL: "/bin/bash",
    // Never the user's real cache: each child gets a spool of its own unless a test shares one.
    BUGBEACON_SPOOL_DIR: tempDir("bugbeacon-spool-"),
    // GitHub's timing rules (Retry-After, backoff, search spacing) at 10 ms a second: no test sleeps real seconds.
    BUGBEACON_RETRY_BASE_MS: "10",
    // No pacing between writes unless a test is about pacing (it sets its own).
    BUGBEACON_PACING_MS: "0",
    // A lost answer is looked up 1 s after the attempt (10 s for users): longer than any slow answer the tests inject.
    BUGBEACON_SETTLE_MS: TEST_SETTLE_MS,
  };
  return { ...env, ...extra };
}
