import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Vitest globalSetup: the run gets a temp folder of its own (TMPDIR, TMP and TEMP point into it, and the
 * test workers and every child process they start inherit that), listed before the first test and after
 * the last. Anything new in it at the end is a leak: the run fails naming each leftover, and the folder
 * is removed either way, so a failing run does not leave litter of its own.
 */
export default function setup(): () => void {
  const names = ["TMPDIR", "TMP", "TEMP"] as const;
  const saved = names.map((n) => process.env[n]);
  const runDir = mkdtempSync(join(tmpdir(), "bugbeacon-test-run-"));
  for (const n of names) process.env[n] = runDir;
  const before = new Set(readdirSync(runDir));
  return () => {
    names.forEach((n, i) => {
      if (saved[i] === undefined) delete process.env[n];
      else process.env[n] = saved[i];
    });
    const left = readdirSync(runDir).filter((name) => !before.has(name)).map((name) => `${name}${inside(join(runDir, name))}`);
    rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
    if (left.length > 0) {
      const shown = left.sort().slice(0, 30).join("\n  ");
      throw new Error(`the tests left ${left.length} new entries in the temp folder (each test must remove what it creates):\n  ${shown}${left.length > 30 ? "\n  ..." : ""}`);
    }
  };
}

/** What a leftover holds (a few paths, with their times), so the test that left it can be found. */
function inside(path: string): string {
  try {
    const files = readdirSync(path, { recursive: true }).map(String).slice(0, 5);
    return files.length === 0 ? "" : ` (${files.map((f) => `${f} @ ${statSync(join(path, f)).mtime.toISOString()}`).join(", ")})`;
  } catch {
    return "";
  }
}
