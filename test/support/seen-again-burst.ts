/** Bursts of one bug from several processes sharing a spool folder (one machine), and their counts. */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { parseIssueBody } from "../../src/format.js";
import type { FakeGitHub } from "./fake-github/index.js";
import { runNode } from "./run-node.js";
import { appEnv, writeApp } from "./write-ahead-trials.js";

const root = new URL("../..", import.meta.url).pathname;
export const TOKEN = "ghp_seenagaintokenseenagaintoken1234567";
export const REPO = "octo/app";

/** Report ids counted locally in a spool folder. */
export function countedIds(spoolDir: string): string[] {
  const dir = join(spoolDir, "seen-again");
  const ids = new Set<string>();
  for (const n of readdirSync(dir).filter((f) => f.includes(".counted"))) {
    for (const line of readFileSync(join(dir, n), "utf8").split("\n").filter(Boolean)) ids.add(line.split(" ")[0]!);
  }
  return [...ids];
}

export function deliveredIds(f: FakeGitHub): string[] {
  return f.issues(REPO).flatMap((i) => [i.body, ...i.comments.map((c) => c.body)].map((b) => parseIssueBody(b ?? "")?.metadata?.reportId).filter((x): x is string => x !== undefined));
}

/** `processes` processes at once, each capturing the same bug `each` times into one spool folder (one machine). */
export async function burst(f: FakeGitHub, spoolDir: string, processes: number, each: number): Promise<string[]> {
  const script = `
    import { getHelper } from "bugbeacon";
    const h = getHelper("github", { repo: "${REPO}", confirm: false, quiet: true, pacingMs: 0, identify: () => "the same bug" });
    const ids = [];
    for (let i = 0; i < ${each}; i++) {
      const r = await h.captureException(new TypeError("the same bug"), {});
      ids.push(r.reportId);
    }
    console.log(JSON.stringify(ids));`;
  const runs = await Promise.all(
    Array.from({ length: processes }, () =>
      runNode(["--input-type=module", "-e", script], { cwd: root, timeoutMs: 120_000, env: appEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: f.url, BUGBEACON_SPOOL_DIR: spoolDir }) }),
    ),
  );
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
  return runs.flatMap((r) => JSON.parse(r.stdout) as string[]);
}

/** Moves this machine's "last sent" time for every identifier back by `ms`: the period has passed. */
export function agePeriod(spoolDir: string, ms: number): void {
  const dir = join(spoolDir, "seen-again");
  for (const n of readdirSync(dir).filter((f) => f.endsWith(".last"))) {
    const t = Date.parse(readFileSync(join(dir, n), "utf8"));
    writeFileSync(join(dir, n), new Date(t - ms).toISOString());
  }
}

/** An app that installs the crash handlers and crashes with the same bug every time. */
const SAME_BUG_CRASH = `import { installHandlers } from "bugbeacon";
installHandlers({ repo: "${REPO}", confirm: false, open: false, identify: () => "the same bug" });
setTimeout(() => { throw new TypeError("the same bug"); }, 0);
`;

/**
 * `total` real crashes of one bug on one machine (one spool folder), `concurrency` processes at a time:
 * each app crashes, reports through its crash handlers and exits 1 as Node would.
 */
export async function crashBurst(f: FakeGitHub, spoolDir: string, total: number, concurrency: number): Promise<void> {
  const app = writeApp(SAME_BUG_CRASH);
  try {
    let started = 0;
    const worker = async (): Promise<void> => {
      while (started < total) {
        started += 1;
        const r = await runNode([app.file], { cwd: app.dir, timeoutMs: 60_000, env: appEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: f.url, BUGBEACON_SPOOL_DIR: spoolDir, BUGBEACON_PACING_MS: "0" }) });
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toContain("TypeError: the same bug");
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    app.cleanup();
  }
}
