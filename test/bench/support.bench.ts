/**
 * Support-repository figures on generated databases of 1k, 10k and 100k reports over 5,000 identifiers:
 * the triage decision for one new issue (is it a duplicate, which is first), and `bugbeacon stats`
 * at 100k as a child process, against a bare `node -e ''` start in the same run. Then the body parser on
 * 1 MB adversarial bodies, and one triage end to end (clone, decide, commit, push) with --db-remote at
 * 1k and 100k records (1M with BUGBEACON_BENCH_1M=1), against a full clone of the same database.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const IDENTIFIERS = 5000;

function identifier(i: number): string {
  return `md5.${i.toString(16).padStart(32, "0")}`;
}

function generate(reports: number): string {
  const dir = mkdtempSync(join(tmpdir(), `bugbeacon-bench-db-${reports}-`));
  const start = Date.parse("2026-01-01T00:00:00Z");
  const made = new Set<string>();
  for (let n = 1; n <= reports; n++) {
    const id = identifier((n * 7919) % IDENTIFIERS);
    const folder = join(dir, "issues", id);
    if (!made.has(id)) {
      mkdirSync(folder, { recursive: true });
      made.add(id);
    }
    const record = {
      schema: 1, identifier: id, number: n, title: `Error ${n % IDENTIFIERS}: something failed`, created_at: new Date(start + n * 60_000).toISOString(),
      reporter: "someone", app_version: `1.${n % 7}.0`, platform: { node: "v20.20.2", os: "linux", arch: "x64" }, environment: { LANG: "C.UTF-8" },
      report_id: `r${n}`, labels: [], source: "metadata", url: `https://github.com/o/r/issues/${n}`,
    };
    writeFileSync(join(folder, `${n}.json`), JSON.stringify(record));
  }
  return dir;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const OPEN = "<!-- bugbeacon:report v";
const ADVERSARIAL: Record<string, string> = {
  "openers with a version line, no closer": `${OPEN}1\n`.repeat(Math.ceil(2 ** 20 / (OPEN.length + 2))),
  "openers without a newline": OPEN.repeat(Math.ceil(2 ** 20 / OPEN.length)),
  "openers then one closer far away": `${`${OPEN}1\n{"a":`.repeat(Math.ceil(2 ** 20 / (OPEN.length + 8)))}-->`,
};

async function parserBench(log: (line: string) => void): Promise<void> {
  const { parseIssueBody } = await import("../../src/format/report-format.js");
  log("body parser on 1 MB adversarial bodies (median of 7), against one regex pass over the same 1 MB");
  for (const [name, body] of Object.entries(ADVERSARIAL)) {
    const times: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < 7; i++) {
      let t0 = performance.now();
      parseIssueBody(body);
      times.push(performance.now() - t0);
      t0 = performance.now();
      body.replace(/\r\n?/g, "\n");
      base.push(performance.now() - t0);
    }
    const t = median(times);
    log(`  ${name.padEnd(40)} ${t.toFixed(1)} ms (x${(t / Math.max(median(base), 0.01)).toFixed(1)} a regex pass; target < 50 ms: ${t < 50 ? "met" : "NOT met"})`);
  }
}

/** A bare repository holding `reports` records (and their index entries) in one commit, made with git fast-import. */
function generateRemote(reports: number): string {
  const bare = mkdtempSync(join(tmpdir(), `bugbeacon-bench-remote-${reports}-`));
  execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", bare]);
  execFileSync("git", ["-C", bare, "config", "uploadpack.allowFilter", "true"]);
  execFileSync("git", ["-C", bare, "config", "uploadpack.allowAnySHA1InWant", "true"]);
  const chunks: string[] = [];
  const now = Math.floor(Date.parse("2026-11-20T10:00:00Z") / 1000);
  chunks.push(`commit refs/heads/main\ncommitter bench <bench@example.com> ${now} +0000\ndata 5\nbench\n`);
  const inline = (path: string, text: string) => chunks.push(`M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`);
  inline("README.md", "support repository\n");
  const start = Date.parse("2026-01-01T00:00:00Z");
  for (let n = 1; n <= reports; n++) {
    const id = identifier((n * 7919) % IDENTIFIERS);
    const record = {
      schema: 1, identifier: id, number: n, title: `Error ${n % IDENTIFIERS}: something failed`, created_at: new Date(start + n * 60_000).toISOString(),
      reporter: "someone", app_version: `1.${n % 7}.0`, platform: { node: "v20.20.2", os: "linux", arch: "x64" }, environment: { LANG: "C.UTF-8" },
      report_id: `r${n}`, labels: [], source: "metadata", url: `https://github.com/o/r/issues/${n}`,
    };
    inline(`issues/${id}/${n}.json`, JSON.stringify(record));
    inline(`numbers/${Math.floor(n / 1000)}/${n}.json`, JSON.stringify({ schema: 1, number: n, identifier: id, folder: null }));
  }
  const r = spawnSync("git", ["-C", bare, "fast-import", "--quiet"], { input: chunks.join(""), maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`fast-import failed: ${r.stderr}`);
  return bare;
}

async function endToEndBench(log: (line: string) => void, dirs: string[]): Promise<void> {
  const { hashIdentifier } = await import("../../src/sdk/identifier.js");
  const { renderIssueBody } = await import("../../src/format/report-format.js");
  const cli = join(root, "dist/cli.js");
  const sizes = [1000, 100_000, ...(process.env.BUGBEACON_BENCH_1M === "1" ? [1_000_000] : [])];
  log("one triage end to end (clone, decide, commit, push) with --db-remote, a new report; median of 3 runs");
  for (const size of sizes) {
    const t0 = performance.now();
    const bare = generateRemote(size);
    dirs.push(bare);
    const made = performance.now() - t0;
    const triageOnce = (k: number) => {
      const n = size + k;
      const metadata = {
        schema: 1 as const, identifier: hashIdentifier(`bench ${size} ${k}`), reportId: `b${k}`, createdAt: "2026-11-20T10:00:00.000Z", kind: "exception" as const,
        platform: { node: "v20.20.2", os: "linux", osRelease: "6", arch: "x64" }, bugbeacon: "0.1.0", environment: {},
      };
      const event = {
        action: "opened",
        issue: { number: n, title: "bench", body: renderIssueBody({ text: "x", metadata }).body, created_at: "2026-11-20T10:00:00Z", html_url: "", user: { login: "b" }, labels: [] },
      };
      const dir = mkdtempSync(join(tmpdir(), "bugbeacon-bench-event-"));
      dirs.push(dir);
      writeFileSync(join(dir, "event.json"), JSON.stringify(event));
      const s = performance.now();
      execFileSync(process.execPath, [cli, "triage", "--event", join(dir, "event.json"), "--db-remote", bare, "--repo", "o/r"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, GITHUB_TOKEN: "" } });
      return performance.now() - s;
    };
    const fullClone = () => {
      const dir = mkdtempSync(join(tmpdir(), "bugbeacon-bench-full-"));
      const s = performance.now();
      execFileSync("git", ["clone", "--quiet", `file://${bare}`, dir]);
      const t = performance.now() - s;
      rmSync(dir, { recursive: true, force: true });
      return t;
    };
    const runs = [triageOnce(1), triageOnce(2), triageOnce(3)];
    const full = fullClone();
    log(`  ${String(size).padStart(7)} records: ${(median(runs) / 1000).toFixed(2)} s per triage (a full clone alone: ${(full / 1000).toFixed(2)} s; database made in ${(made / 1000).toFixed(1)} s)`);
  }
}

export async function run(log: (line: string) => void): Promise<void> {
  await parserBench(log);
  const { Database } = await import("../../src/support/database.js");
  const dirs: string[] = [];
  log(`triage decision for one new issue (numbersFor + first), median of 200 lookups of random identifiers`);
  try {
    let db100k = "";
    for (const size of [1000, 10_000, 100_000]) {
      const dir = generate(size);
      dirs.push(dir);
      if (size === 100_000) db100k = dir;
      const db = new Database(dir, "flat");
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        const id = identifier((i * 104729) % IDENTIFIERS);
        const t0 = performance.now();
        const numbers = await db.numbersFor(id);
        const first = numbers[0];
        times.push(performance.now() - t0);
        if (first === undefined && size >= IDENTIFIERS) throw new Error(`no reports found for ${id}`);
      }
      log(`  ${String(size).padStart(6)} reports: ${median(times).toFixed(3)} ms per decision (target < 50 ms, flat with size)`);
    }

    const cli = join(root, "dist/cli.js");
    const time = (args: string[]) => {
      const t0 = performance.now();
      execFileSync(process.execPath, args, { cwd: db100k, stdio: ["ignore", "ignore", "inherit"] });
      return performance.now() - t0;
    };
    const baseline: number[] = [];
    const stats: number[] = [];
    for (let i = 0; i < 3; i++) {
      baseline.push(time(["-e", ""]));
      stats.push(time([cli, "stats", "--format", "json"]));
    }
    const s = median(stats);
    log(`bugbeacon stats at 100k reports: ${(s / 1000).toFixed(2)} s (target < 3 s: ${s < 3000 ? "met" : "NOT met"}); a bare node start: ${(median(baseline) / 1000).toFixed(2)} s (x${(s / median(baseline)).toFixed(0)})`);
    await endToEndBench(log, dirs);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
