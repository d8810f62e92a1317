import { execFile } from "node:child_process";
import { readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { computeStats, renderTable } from "../src/support/stats.js";
import type { ReportRecord } from "../src/support/record.js";
import { browserRequired, findChromium, HOW_TO_ENABLE } from "./support/chromium.js";
import { trackWork } from "./support/cleanup.js";
import { tempDir } from "./support/temp.js";

const run = async (args: string[], cwd: string) => {
  let stdout = "";
  let stderr = "";
  const code = await trackWork(runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: {}, cwd }));
  return { code, stdout, stderr };
};

describe("bugbeacon init", () => {
  it("writes a least-privilege, pinned, injection-free workflow and a valid starter config", async () => {
    const dir = tempDir("bugbeacon-init-");
    const result = await run(["init", "--no-lockfile"], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("wrote .github/workflows/bugbeacon-triage.yml");
    const workflow = readFileSync(join(dir, ".github/workflows/bugbeacon-triage.yml"), "utf8");
    const code = workflow.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n");
    // Issue text never inside a run: script; the CLI reads the event file.
    expect(code).not.toMatch(/\$\{\{\s*github\.event/);
    const runLines = code.split("\n").filter((l) => /^\s+(- )?run:/.test(l));
    expect(runLines.length).toBeGreaterThan(0);
    for (const line of runLines) expect(line).not.toContain("${{");
    expect(code).toMatch(/^permissions:\n {2}contents: write\n {2}issues: write\n/m);
    expect(code).not.toMatch(/^concurrency:/m);
    const uses = [...code.matchAll(/uses: (\S+)/g)].map((m) => m[1]);
    expect(uses.length).toBe(2);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    expect(workflow).toContain("do not start new workflow runs");
    expect(code).toContain("types: [opened, edited, reopened]");

    const check = await run(["db", "check"], dir);
    expect(check.code).toBe(0);
    // Run again: every file is there, nothing is written; --force rewrites them.
    const again = await run(["init", "--no-lockfile"], dir);
    expect(again).toMatchObject({ code: 0, stderr: "" });
    expect(again.stdout).toContain("bugbeacon.config.json is already there\n");
    expect(again.stdout).toContain("Nothing to write: every file is there.\n");
    writeFileSync(join(dir, "bugbeacon.config.json"), '{ "version": 1 }\n');
    const forced = await run(["init", "--force", "--no-lockfile"], dir);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("wrote bugbeacon.config.json\n");
  });
});

function records(): ReportRecord[] {
  const now = Date.parse("2026-11-22T12:00:00Z");
  const out: ReportRecord[] = [];
  let n = 1;
  const add = (id: string, title: string, daysAgo: number, version: string) =>
    out.push({
      schema: 1, identifier: id, number: n++, title, created_at: new Date(now - daysAgo * 86_400_000).toISOString(), reporter: "r",
      app_version: version, platform: null, environment: {}, report_id: null, labels: [], source: "metadata", url: "",
    });
  const a = `md5.${"a".repeat(32)}`;
  const b = `md5.${"b".repeat(32)}`;
  const c = `md5.${"c".repeat(32)}`;
  for (let i = 0; i < 5; i++) add(a, "TypeError: Cannot read properties of undefined (reading 'rows') in the summarizer of everything", 40 - i, i < 3 ? "1.9.0" : "2.0.0");
  for (let i = 0; i < 3; i++) add(b, "RangeError: <script>alert(1)</script> | pipes", 10 - i, "2.0.0");
  add(c, "Error: new today", 0, "2.1.0");
  return out;
}

function writeDb(recs: ReportRecord[]): string {
  const dir = tempDir("bugbeacon-stats-");
  for (const r of recs) {
    mkdirSync(join(dir, "issues", r.identifier), { recursive: true });
    writeFileSync(join(dir, "issues", r.identifier, `${r.number}.json`), JSON.stringify(r));
  }
  return dir;
}

describe("bugbeacon stats", () => {
  const now = Date.parse("2026-11-22T12:00:00Z");

  it("computes top problems, versions, new problems and the daily trend", () => {
    const s = computeStats(records(), { now, trendDays: 30 });
    expect(s.reports).toBe(9);
    expect(s.identifiers).toBe(3);
    expect(s.top.map((t) => [t.count, t.firstIssue, t.versions])).toEqual([[5, 1, ["1.9.0", "2.0.0"]], [3, 6, ["2.0.0"]], [1, 9, ["2.1.0"]]]);
    expect(s.newIdentifiers).toEqual({ last7Days: 1, last30Days: 2 });
    expect(s.perVersion).toEqual([{ version: "2.1.0", reports: 1, identifiers: 1 }, { version: "2.0.0", reports: 5, identifiers: 2 }, { version: "1.9.0", reports: 3, identifiers: 1 }]);
    expect(s.trend).toHaveLength(30);
    expect(s.trend.reduce((a, d) => a + d.reports, 0)).toBe(4);
    expect(s.trend[29]).toEqual({ day: "2026-11-22", reports: 1 });
  });

  it("fits the table in 80 columns", () => {
    const table = renderTable(computeStats(records(), { now }));
    for (const line of table.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(table).toContain("9 reports, 3 distinct problems");
  });

  it("prints json and markdown from a database folder", async () => {
    const db = writeDb(records());
    const json = await run(["stats", "--format", "json", "--top", "2"], db);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ reports: 9, identifiers: 3, top: [{ count: 5 }, { count: 3 }] });
    const markdown = await run(["stats", "--format", "markdown"], db);
    expect(markdown.stdout).toContain("| 3 | #6 |");
    expect(markdown.stdout).toContain("RangeError: \\<script\\>alert(1)\\</script\\> \\| pipes");
    expect((await run(["stats", "--top", "0"], db)).stderr).toContain('bugbeacon stats: --top must be a whole number from 1 to 10000, not "0".');
  });

  // Runs where a Chromium is found; skipped elsewhere (with a note at the start of the run), and a
  // failure instead of a skip when BUGBEACON_REQUIRE_BROWSER=1 (CI).
  const chromium = findChromium();
  it.skipIf(chromium === undefined && !browserRequired())("renders the HTML page in headless Chromium: the chart has data, and a screenshot is taken", async () => {
    if (chromium === undefined) throw new Error(`BUGBEACON_REQUIRE_BROWSER=1 but no Chromium was found: ${HOW_TO_ENABLE}.`);
    const recent = records().map((r, i) => ({ ...r, created_at: new Date(Date.now() - (i % 5) * 86_400_000).toISOString() }));
    const db = writeDb(recent);
    const page = join(db, "stats.html");
    expect((await run(["stats", "--format", "html", "--output", page], db)).code).toBe(0);
    const html = readFileSync(page, "utf8");
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3)/);
    const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${tempDir("chromium-")}`];
    const exec = promisify(execFile);
    const dom = (await exec(chromium, [...flags, "--dump-dom", `file://${page}`], { timeout: 60_000 })).stdout;
    const bars = [...dom.matchAll(/class="bar" data-day="([\d-]+)" data-reports="(\d+)"/g)].map((m) => Number(m[2]));
    expect(bars).toHaveLength(30);
    expect(bars.reduce((a, b) => a + b, 0)).toBe(9);
    // The title rendered as text, not as an element.
    expect(dom).toContain("RangeError: &lt;script&gt;alert(1)&lt;/script&gt; | pipes");
    expect(dom).not.toMatch(/<script/i);
    const shot = join(db, "stats.png");
    await exec(chromium, [...flags, `--screenshot=${shot}`, "--window-size=1000,800", `file://${page}`], { timeout: 60_000 });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe("PNG");
    if (process.env.BUGBEACON_KEEP_SCREENSHOT) writeFileSync(process.env.BUGBEACON_KEEP_SCREENSHOT, readFileSync(shot));
  }, 120_000);
});
