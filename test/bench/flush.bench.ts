/**
 * Flush 500 spooled reports into a fake GitHub that enforces a content-creation limit scaled down for the
 * bench (20 a second, 403 secondary rate limit with Retry-After beyond it), with the client paced to
 * match (52 ms: the limit's 50 ms plus a 5% margin). Prints the wall time against the minimum the limit allows, and duplicates; then the
 * same with a 20% fault rate.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const REPORTS = 500;
const PER_SECOND = 20;
const TOKEN = "ghp_benchtokenbenchtokenbenchtokenbench";

export async function run(log: (line: string) => void): Promise<void> {
  const { startFakeGitHub } = await import("../support/fake-github/index.js");
  const { getHelper } = (await import(join(root, "dist/index.js"))) as typeof import("../../src/index.js");
  const { parseIssueBody } = (await import(join(root, "dist/format.js"))) as typeof import("../../src/format.js");

  for (const faultRate of [0, 0.2]) {
    const fake = await startFakeGitHub({ repos: ["bench/app"], tokens: [TOKEN], creationLimit: { perSecond: PER_SECOND }, searchRateLimit: false });
    const spoolDir = mkdtempSync(join(tmpdir(), "bugbeacon-bench-spool-"));
    try {
      // Queue 500 reports: the API is unreachable while they are made (fetch refuses port 9 before
      // connecting: certainly unsent, so not marked uncertain).
      const offline = getHelper("github", { baseUrl: "http://127.0.0.1:9", confirm: false, open: false, quiet: true, spoolDir, dedupe: false, timeoutMs: 200, pacingMs: 0, env: { BUGBEACON_GITHUB_TOKEN: TOKEN } });
      for (let i = 0; i < REPORTS; i++) {
        const r = await offline.runHeadless({ identifier: `bench ${i}`, title: `Bench report ${i}`, body: "x".repeat(500), repo: "bench/app" });
        if (r.kind !== "queued") throw new Error(`expected queued, got ${r.kind}`);
      }
      if (faultRate > 0) {
        // Spread over the kinds delivery must survive; each kind a share of the rate.
        const kinds = [{ status: 500 as const }, { status: 502 as const }, { status: 503 as const }, { kind: "reset" as const }, { kind: "lost-response" as const }];
        for (const k of kinds) fake.faults.add({ ...k, rate: 1 - Math.pow(1 - faultRate, 1 / kinds.length) });
      }
      // Paced to the limit with a 5% margin: at exactly the limit, timing jitter puts a 21st creation into
      // some one-second window, and each rejection costs a whole second of Retry-After.
      const online = getHelper("github", { baseUrl: fake.url, confirm: false, open: false, quiet: true, spoolDir, pacingMs: Math.ceil((1000 / PER_SECOND) * 1.05), timeoutMs: 5000, env: { BUGBEACON_GITHUB_TOKEN: TOKEN } });
      const t0 = performance.now();
      let rounds = 0;
      let summary = await online.flush();
      rounds += 1;
      while (summary.queued > 0 && rounds < 20) {
        summary = await online.flush();
        rounds += 1;
      }
      const seconds = (performance.now() - t0) / 1000;
      fake.faults.clear();
      const issues = fake.issues("bench/app");
      const ids = issues.map((i) => parseIssueBody(i.body)?.metadata?.reportId);
      const duplicates = ids.length - new Set(ids).size;
      const minimum = REPORTS / PER_SECOND;
      log(
        `${faultRate === 0 ? "no faults " : `${Math.round(faultRate * 100)}% faults`}: ${REPORTS} reports in ${seconds.toFixed(1)} s; the limit allows no less than ${minimum.toFixed(1)} s ` +
          `(x${(seconds / minimum).toFixed(2)}, target within 15%: ${seconds / minimum <= 1.15 ? "met" : "NOT met"}); ` +
          `${issues.length} issues, ${duplicates} duplicates, ${summary.queued} still queued, ${rounds} flush round(s), ` +
          `${fake.stats.creationsRejected} creations rejected by the limit, ${fake.stats.faultsInjected} faults injected`,
      );
    } finally {
      await fake.close();
      rmSync(spoolDir, { recursive: true, force: true });
    }
  }
}
