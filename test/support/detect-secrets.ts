/**
 * detect-secrets (Yelp) as a second outside judge. Neither npm nor Debian packages it (npm's
 * `detect-secrets` is an unrelated wrapper; PyPI is not reachable here), so it runs from its source:
 * set DETECT_SECRETS to a command that runs it, for example a script holding
 * `PYTHONPATH=/path/to/detect-secrets exec python3 -m detect_secrets "$@"` (its dependencies, pyyaml
 * and requests, come from Debian's python3-yaml and python3-requests). Unset: the tests that need it
 * say they were skipped.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./temp.js";

export const DETECT_SECRETS = process.env.DETECT_SECRETS?.trim() || undefined;

interface Finding {
  type: string;
  line_number: number;
}

/** Each finding as `type, line N: <the line>`; the file is scanned by its relative name (detect-secrets skips absolute paths outside its working folder). */
export function detectSecretsFindings(content: string, name = "output"): string[] {
  if (DETECT_SECRETS === undefined) throw new Error("DETECT_SECRETS is not set");
  const dir = tempDir("bugbeacon-detect-secrets-");
  const file = `${name.replace(/[^a-z0-9-]/gi, "_")}.txt`;
  writeFileSync(join(dir, file), content);
  const out = execFileSync("sh", ["-c", `${DETECT_SECRETS} scan --all-files "$1"`, "sh", file], { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  const results = (JSON.parse(out) as { results: Record<string, Finding[]> }).results;
  const lines = content.split("\n");
  return Object.values(results)
    .flat()
    .map((f) => `${f.type}, line ${f.line_number}: ${(lines[f.line_number - 1] ?? "").slice(0, 300)}`);
}
