/**
 * Whether a person can answer a prompt here. Tiny (one flag helper): the helper imports it
 * statically to decide whether to load the prompts at all.
 */
import { envFlag } from "../../_internal/env-flag.js";

/** The streams a prompt reads and writes. */
export interface TerminalStreams {
  stdin: NodeJS.ReadStream | (NodeJS.ReadableStream & { isTTY?: boolean });
  stdout: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean; columns?: number });
}

/**
 * Why no prompt can be shown here, or `undefined` when a person can answer: stdin and stdout are both
 * terminals and `CI` is not set.
 */
export function whyNotInteractive(
  env: NodeJS.ProcessEnv,
  streams: TerminalStreams = { stdin: process.stdin, stdout: process.stdout },
): string | undefined {
  if (streams.stdin.isTTY !== true) return "stdin is not a terminal";
  if (streams.stdout.isTTY !== true) return "stdout is not a terminal";
  if (envFlag(env, "CI")) return "running in CI";
  return undefined;
}
