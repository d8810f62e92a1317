/**
 * Scenarios run twice: small in the default suite (seconds), large in `npm run test:stress`.
 * Each takes the file's fake GitHub and a size; the assertions are the same at every size.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { parseIssueBody } from "../../src/format.js";
import { Spool } from "../../src/delivery/spool.js";
import type { FakeGitHub } from "./fake-github/index.js";
import { cloneOf, filesOnMain, issuesEvent, makeRemote, reportBody, writeEvent } from "./git-fixtures.js";
import { baseEnv, runNode } from "./run-node.js";
import { tempDir } from "./temp.js";

const root = new URL("../..", import.meta.url).pathname;
/** Retry-After and backoff run at 10 ms a "second": the waits happen, in order, without costing real seconds. */
export const FAST_RETRY = { BUGBEACON_RETRY_BASE_MS: "10", BUGBEACON_PACING_MS: "0" };

/** Every report id that reached the server, in issue bodies and in comments. */
export function deliveredReportIds(fake: FakeGitHub, repo: string): string[] {
  const ids: string[] = [];
  for (const issue of fake.issues(repo)) {
    const id = parseIssueBody(issue.body)?.metadata?.reportId;
    if (id) ids.push(id);
    for (const c of issue.comments) {
      const cid = parseIssueBody(c.body)?.metadata?.reportId;
      if (cid) ids.push(cid);
    }
  }
  return ids;
}

/** Occurrences carried by number in "Seen N more times" comments. */
export function carriedCounts(fake: FakeGitHub, repo: string): number {
  let n = 0;
  for (const issue of fake.issues(repo)) for (const c of issue.comments) n += Number(/Seen (\d+) more times? on this machine/.exec(c.body ?? "")?.[1] ?? 0);
  return n;
}

/** Report ids counted locally (onDuplicate "count") in a spool folder, each once. */
export function countedReportIds(spoolDir: string): string[] {
  const dir = join(spoolDir, "seen-again");
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.includes(".counted"));
  } catch {
    return [];
  }
  const ids = new Set<string>();
  for (const n of names) for (const line of readFileSync(join(dir, n), "utf8").split("\n").filter(Boolean)) ids.add(line.split(" ")[0]!);
  return [...ids];
}

/**
 * `processes` concurrent sender processes (the built package) each send `perProcess` reports under a
 * ~31% fault rate; then two flushers per spool race until nothing is left. Each report must arrive once.
 */
export async function exactlyOnceUnderFaults(fake: FakeGitHub, options: { repo: string; token: string; processes: number; perProcess: number }): Promise<void> {
  const { repo, token } = options;
  const env = (spoolDir: string) => baseEnv({ BUGBEACON_GITHUB_TOKEN: token, BUGBEACON_GITHUB_API_URL: fake.url, BUGBEACON_SPOOL_DIR: spoolDir, ...FAST_RETRY });
  const sender = (spoolDir: string, tag: string) =>
    runNode(
      ["--input-type=module", "-e", `
        import { getHelper } from "bugbeacon";
        const h = getHelper("github", { confirm: false, open: false, quiet: true, timeoutMs: 1500, dedupe: false });
        let queued = 0;
        const results = [];
        for (let i = 0; i < ${options.perProcess}; i++) {
          const r = await h.runHeadless({ identifier: "bug " + (i % 25), title: "Bug " + (i % 25), body: "${tag} report " + i, repo: "${repo}" });
          if (r.kind === "queued") queued++;
          results.push([r.reportId, r.kind]);
        }
        console.log(JSON.stringify({ queued, results }));`],
      { cwd: root, timeoutMs: 240_000, env: env(spoolDir) },
    );
  const flusher = (spoolDir: string) => runNode([join(root, "dist/cli.js"), "flush"], { cwd: root, timeoutMs: 240_000, env: env(spoolDir) });

  for (const fault of [
    { status: 500 as const }, { status: 502 as const }, { status: 503 as const }, { kind: "reset" as const },
    { kind: "lost-response" as const }, { kind: "rate-limit" as const, status: 429 as const, retryAfterSeconds: 1 },
  ]) fake.faults.add({ ...fault, rate: 0.06 }); // six kinds at 6% each: about 31% of requests fail
  const spools = Array.from({ length: options.processes }, () => tempDir("bugbeacon-spool-"));
  const sent = await Promise.all(spools.map((s, i) => sender(s, `p${i}`)));
  for (const r of sent) expect(r.code, r.stderr).toBe(0);
  const outputs = sent.map((r) => JSON.parse(r.stdout) as { queued: number; results: Array<[string, string]> });
  const queuedAtFirst = outputs.reduce((a, o) => a + o.queued, 0);
  // Faults stay on while flushing; two flushers per spool race each other.
  for (let round = 0; round < 8; round++) {
    const left = spools.reduce((a, s) => a + new Spool(s).pending().length, 0);
    if (left === 0) break;
    await Promise.all(spools.flatMap((s) => [flusher(s), flusher(s)]));
  }
  fake.faults.clear();
  for (const s of spools) await flusher(s);
  const total = options.processes * options.perProcess;
  // With the default onDuplicate "count", a repeat of a bug this machine already sent within the period
  // is counted in the spool folder instead of sent: every report is delivered or counted, exactly once.
  // A count that went out in a "Seen N more times" comment leaves the spool and is carried by number, not by
  // id: nothing is lost when delivered + counted + carried reach the total. It may exceed it: a comment
  // whose answer was lost gives its counted lines back (they may be counted again, never dropped).
  const ids = deliveredReportIds(fake, repo);
  const counted = spools.flatMap((s) => countedReportIds(s));
  const carried = carriedCounts(fake, repo);
  expect(new Set(ids).size).toBe(ids.length);
  expect(new Set([...ids, ...counted]).size).toBe(ids.length + counted.length);
  expect(ids.length + counted.length).toBeLessThanOrEqual(total);
  expect(ids.length + counted.length + carried, missingReports(outputs.flatMap((o) => o.results), [...ids, ...counted], spools)).toBeGreaterThanOrEqual(total);
  expect(spools.reduce((a, s) => a + new Spool(s).pending().length, 0)).toBe(0);
  expect(fake.stats.faultsInjected).toBeGreaterThan(0);
  const comments = fake.issues(repo).reduce((a, i) => a + i.comments.length, 0);
  console.log(`exactly-once: ${fake.issues(repo).length} issues + ${comments} comments = ${ids.length} reports, ${counted.length} counted, ${carried} carried as counts; ${queuedAtFirst} were queued at first; faults injected ${fake.stats.faultsInjected}`);
}

/** For a failure message: each report sent but neither delivered nor counted, what runHeadless said of it, and every spool file that names it. */
function missingReports(sent: Array<[string, string]>, arrived: string[], spools: string[]): string {
  const seen = new Set(arrived);
  const lines = sent.filter(([id]) => !seen.has(id)).map(([id, kind]) => {
    const files = spools.flatMap((s) =>
      (readdirSync(s, { recursive: true }) as string[])
        .map((f) => join(s, f))
        .filter((f) => {
          try {
            return readFileSync(f, "utf8").includes(id);
          } catch {
            return false; // a folder
          }
        }),
    );
    return `${id} (runHeadless: ${kind}) in ${files.length === 0 ? "no spool file" : files.join(", ")}`;
  });
  return `reports neither delivered nor counted: ${lines.length === 0 ? "none missing (a count is off)" : lines.join("; ")}`;
}

/**
 * `processes` triage processes (the built CLI) at once, for `problems` distinct problems, all pushing to
 * one bare repository: every report ends in the final tree and each problem keeps one first issue.
 */
export async function concurrentTriage(fake: FakeGitHub, options: { repo: string; token: string; processes: number; problems: number }): Promise<void> {
  const { repo, token, processes, problems } = options;
  for (let i = 1; i <= processes; i++) fake.seedIssue(repo, { title: `issue ${i}` });
  const bare = makeRemote();
  const reports = Array.from({ length: problems }, (_, i) => reportBody(`problem ${i}`));
  const runs = Array.from({ length: processes }, (_, i) => {
    const n = i + 1;
    const report = reports[i % problems]!;
    const event = writeEvent(issuesEvent("opened", { number: n, title: `problem ${i % problems}`, body: report.body }));
    return runNode([join(root, "dist/cli.js"), "triage", "--event", event, "--db", cloneOf(bare)], {
      env: baseEnv({ GITHUB_TOKEN: token, GITHUB_REPOSITORY: repo, GITHUB_API_URL: fake.url, ...FAST_RETRY }),
      timeoutMs: 120_000,
    });
  });
  const results = await Promise.all(runs);
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  const files = filesOnMain(bare).filter((f) => f.startsWith("issues/"));
  expect(files).toHaveLength(processes);
  for (let i = 0; i < processes; i++) expect(files).toContain(`issues/${reports[i % problems]!.identifier}/${i + 1}.json`);
  const closed = fake.issues(repo).filter((i) => i.state === "closed").map((i) => i.number).sort((a, b) => a - b);
  // Issues are numbered in order, so the first `problems` are the first reports; every later one is a duplicate.
  expect(closed).toEqual(Array.from({ length: processes - problems }, (_, i) => problems + i + 1));
}
