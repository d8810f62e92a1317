/**
 * Support-repository figures on generated databases of 1k, 10k and 100k reports over 5,000 identifiers:
 * the triage decision for one new issue (is it a duplicate, which is first), and `bugbeacon stats`
 * at 100k as a child process, against a bare `node -e ''` start in the same run.
 */
import { execFileSync } from "node:child_process";
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

export async function run(log: (line: string) => void): Promise<void> {
  const { Database } = await import("../../src/support/database.js");
  log(`triage decision for one new issue (numbersFor + first), median of 200 lookups of random identifiers`);
  const dirs: string[] = [];
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
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
