/**
 * `bugbeacon sweep` over 10,000 issues on the fake GitHub (real HTTP, real Octokit), 1% of them missing from
 * the database (first reports: they are filed, nothing is posted): API requests and time, against listing the
 * same 100 pages with a plain paginate in the same run. Then a second sweep with nothing new: its requests
 * (target: only page 1, answered 304), and a third after one new report.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ISSUES = 10_000;
const MISSING_EVERY = 100;
const REPO = "bench/support";
const TOKEN = "ghs_benchtokenbenchtokenbenchtokenbe";

function git(args: string[], cwd: string): void {
  execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], { cwd, stdio: "ignore" });
}

export async function run(log: (line: string) => void): Promise<void> {
  const { startFakeGitHub } = await import("../support/fake-github/index.js");
  const { renderIssueBody } = await import("../../src/format/report-format.js");
  const { hashIdentifier } = await import("../../src/sdk/identifier.js");
  const { DEFAULT_CONFIG } = await import("../../src/support/config.js");
  const { sweep } = await import("../../src/support/sweep.js");
  const { createOctokit } = await import("../../src/backends/github/octokit-client.js");

  const fake = await startFakeGitHub({ repos: [REPO], tokens: [{ token: TOKEN, login: "github-actions[bot]" }], coreRateLimit: 100_000 });
  const tmp = mkdtempSync(join(tmpdir(), "bugbeacon-bench-sweep-"));
  try {
    const start = Date.parse("2026-01-01T00:00:00Z");
    const bare = join(tmp, "remote.git");
    const work = join(tmp, "db");
    git(["init", "--quiet", "--bare", "--initial-branch=main", bare], tmp);
    git(["clone", "--quiet", bare, work], tmp);
    git(["checkout", "--quiet", "-b", "main"], work);
    for (let n = 1; n <= ISSUES; n++) {
      const identifier = hashIdentifier(`bench problem ${n}`);
      const createdAt = start + n * 60_000;
      const metadata = {
        schema: 1 as const, identifier, reportId: `r${n}`, createdAt: new Date(createdAt).toISOString(), kind: "exception" as const,
        platform: { node: "v20.20.2", os: "linux", osRelease: "6.1", arch: "x64" }, bugbeacon: "0.1.0", environment: {},
      };
      const issue = fake.seedIssue(REPO, { title: `Error ${n}`, body: renderIssueBody({ text: "It crashed.", metadata }).body, createdAt });
      if (n % MISSING_EVERY === 0) continue;
      const created = issue.createdAt;
      const record = {
        schema: 1, identifier, number: n, title: `Error ${n}`, created_at: new Date(Date.parse(created)).toISOString(), reporter: "fake-user", app_version: null,
        platform: null, environment: {}, report_id: `r${n}`, labels: [], source: "metadata", url: `https://github.com/${REPO}/issues/${n}`,
        filed_at: new Date(Date.parse(created)).toISOString(), filed_by: "opened",
      };
      mkdirSync(join(work, "issues", identifier), { recursive: true });
      writeFileSync(join(work, "issues", identifier, `${n}.json`), JSON.stringify(record));
      mkdirSync(join(work, "numbers", String(Math.floor(n / 1000))), { recursive: true });
      writeFileSync(join(work, "numbers", String(Math.floor(n / 1000)), `${n}.json`), JSON.stringify({ schema: 1, number: n, identifier, folder: null }));
    }
    git(["add", "-A"], work);
    git(["commit", "--quiet", "-m", "database"], work);
    git(["push", "--quiet", "origin", "main"], work);

    const octokit = await createOctokit({ token: TOKEN, baseUrl: fake.url, timeoutMs: 30_000, pacingMs: 0, retryAfterBaseMs: 1 });
    // Baseline: the same 100 pages, read with a plain paginate.
    let t = performance.now();
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, { owner: "bench", repo: "support", state: "all", sort: "updated", direction: "desc", per_page: 100 });
    const baseMs = performance.now() - t;
    if (all.length !== ISSUES) throw new Error(`baseline listed ${all.length} issues`);

    const ctx = { config: DEFAULT_CONFIG, dbRoot: work, repo: REPO, octokit: async () => octokit, log: () => {}, pushBackoffMs: 5 };
    const counted = () => fake.requests.length;
    let before = counted();
    t = performance.now();
    const first = await sweep(ctx);
    const firstMs = performance.now() - t;
    log(`sweep 1, ${ISSUES} issues, ${ISSUES / MISSING_EVERY} missing: ${first.requests} requests (${first.pages} list pages), ${first.filed} filed, ` +
      `${(firstMs / 1000).toFixed(1)} s = ${(firstMs / baseMs).toFixed(1)}x listing the same pages (${baseMs.toFixed(0)} ms); fake saw ${counted() - before} requests`);

    before = counted();
    const notModifiedBefore = fake.stats.notModified;
    t = performance.now();
    const second = await sweep(ctx);
    const secondMs = performance.now() - t;
    const statuses = fake.requests.slice(before).map((r) => r.status);
    log(`sweep 2, nothing new: ${second.requests} requests, statuses [${statuses.join(", ")}], ${fake.stats.notModified - notModifiedBefore} not modified (no rate limit), ` +
      `${second.filed} filed, ${secondMs.toFixed(0)} ms`);

    fake.seedIssue(REPO, { title: "one more", body: renderIssueBody({ text: "Again.", metadata: { schema: 1, identifier: hashIdentifier("bench problem 1"), reportId: "late", createdAt: new Date().toISOString(), kind: "exception", platform: { node: "v20.20.2", os: "linux", osRelease: "6.1", arch: "x64" }, bugbeacon: "0.1.0", environment: {} } }).body });
    before = counted();
    const third = await sweep(ctx);
    log(`sweep 3, one new duplicate: ${third.requests} requests (${third.pages} list page), ${third.filed} filed (${third.duplicates} duplicate); fake saw ${counted() - before}`);
  } finally {
    await fake.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
