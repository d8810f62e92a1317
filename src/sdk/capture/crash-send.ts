/**
 * The child process of the synchronous crash path (send-now.ts): reads one built report from stdin and
 * delivers it as every report is delivered (spool first, one attempt, by the crash's deadline), then exits.
 * Its lines go to the crashing app's stderr.
 */
import { readFileSync } from "node:fs";
import { getHelper, type HelperRegistry } from "../get-helper.js";
import type { CrashPayload } from "./send-now.js";

/** A sender whose app is gone (killed) stops too: its claim is taken back by the next flush, as the app's would be. */
function stopWithParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 20).unref();
}

async function main(): Promise<void> {
  stopWithParent();
  const payload = JSON.parse(readFileSync(0, "utf8")) as CrashPayload & { options: Record<string, unknown> };
  const options: Record<string, unknown> = { ...payload.options, env: payload.env, flushOnStart: false, confirm: false };
  if (Array.isArray(options.redactPatterns)) {
    options.redactPatterns = options.redactPatterns.map((p: unknown) =>
      typeof p === "object" && p !== null && "regexp" in p ? new RegExp(String((p as { regexp: string }).regexp), String((p as { flags?: string }).flags ?? "")) : p,
    );
  }
  const name = payload.backend as keyof HelperRegistry;
  const helper = getHelper(name, options as HelperRegistry[typeof name]["options"]);
  // The crash's limit, but at least a short window for one real attempt now that the sender is loaded.
  const sendBy = Math.max(payload.sendBy, Date.now() + payload.minWindowMs);
  if (payload.claimed !== undefined) await helper.deliverClaimed(payload.claimed, payload.report, sendBy);
  else await helper.deliverPrepared(payload.report, sendBy);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    try {
      process.stderr.write(`bugbeacon: warning: could not report the crash: ${error instanceof Error ? error.message : String(error)}\n`);
    } finally {
      process.exit(1);
    }
  },
);
