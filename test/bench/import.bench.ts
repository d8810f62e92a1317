/**
 * Import cost of the built package against the floor: an empty package loaded the same way, in
 * alternating fresh processes (A B, B A, …); each figure is the median of the per-pair differences.
 * ES modules: `import "bugbeacon"` against an empty ES module package; CommonJS: `require("bugbeacon")`
 * against an empty CommonJS package. The target (issue 23): at most +3 ms and +2 MiB each. Also printed:
 * the files and bytes the root entry loads (as the budget test reads them), the same against an empty package
 * with an exports map like ours (Node's exports resolver has a first-use cost of its own), @octokit/rest
 * for scale, and the time to build one report (hash, env, redact, render) in microseconds.
 * The verdict is on wall-clock time, as an app sees it; CPU time (all threads) is printed beside it because it
 * is less disturbed when other work shares the machine. BENCH_PAIRS sets the number of pairs (default 40).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadedGraph } from "../support/root-graph.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const PAIRS = Number(process.env.BENCH_PAIRS ?? 40);
const TARGET_MS = 3;
const TARGET_MIB = 2;

interface Sample {
  /** Wall-clock time of the import. */
  ms: number;
  /** CPU time of the import (user + system, every thread of the process): less disturbed by other load. */
  cpuMs: number;
  rssMiB: number;
}

/** Imports `specifier` in a fresh node and reports the time and RSS the import added. */
function measure(cwd: string, specifier: string, mode: "import" | "require"): Sample {
  const load =
    mode === "import"
      ? `await import(${JSON.stringify(specifier)});`
      : `createRequire(process.cwd() + "/x.js")(${JSON.stringify(specifier)});`;
  const script = `
    import { createRequire } from "node:module";
    const m0 = process.memoryUsage().rss; const c0 = process.cpuUsage(); const t0 = performance.now();
    ${load}
    const ms = performance.now() - t0; const c = process.cpuUsage(c0); const rss = process.memoryUsage().rss - m0;
    process.stdout.write(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000, rssMiB: rss / 1048576 }));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8" });
  return JSON.parse(out) as Sample;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function compare(cwd: string, specifier: string, mode: "import" | "require", floor: string, pairs = PAIRS) {
  const dt: number[] = [];
  const dc: number[] = [];
  const dm: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate the order so drift on a shared machine hits both sides alike.
    const [a, b] =
      i % 2 === 0
        ? [measure(cwd, floor, mode), measure(cwd, specifier, mode)]
        : (() => {
            const y = measure(cwd, specifier, mode);
            return [measure(cwd, floor, mode), y];
          })();
    dt.push(b.ms - a.ms);
    dc.push(b.cpuMs - a.cpuMs);
    dm.push(b.rssMiB - a.rssMiB);
    base.push(a.ms);
  }
  const sorted = [...dt].sort((x, y) => x - y);
  // The middle half of the differences, to show how noisy the run was.
  const q1 = sorted[Math.floor(pairs / 4)]!;
  const q3 = sorted[Math.floor((3 * pairs) / 4)]!;
  return { ms: median(dt), cpuMs: median(dc), rssMiB: median(dm), floorMs: median(base), q1, q3 };
}

function emptyPackage(modules: string, name: string, files: Record<string, string>, manifest: Record<string, unknown>): void {
  mkdirSync(join(modules, name), { recursive: true });
  writeFileSync(join(modules, name, "package.json"), JSON.stringify({ name, version: "1.0.0", ...manifest }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(modules, name, file), text);
}

export async function run(log: (line: string) => void): Promise<void> {
  for (const mode of ["import", "require"] as const) {
    const g = loadedGraph(mode);
    log(`${mode === "import" ? "import " : "require"} "bugbeacon" loads ${g.files.length} file${g.files.length === 1 ? "" : "s"}, ${(g.bytes / 1024).toFixed(1)} KB${g.outside.length > 0 ? `, and outside the package: ${g.outside.join(", ")}` : ""}`);
  }
  const cwd = mkdtempSync(join(tmpdir(), "bugbeacon-import-bench-"));
  try {
    const modules = join(cwd, "node_modules");
    // The floors: the smallest package of each kind.
    emptyPackage(modules, "empty-esm-package", { "index.js": "export {};\n" }, { type: "module", main: "index.js" });
    emptyPackage(modules, "empty-cjs-package", { "index.js": "module.exports = {};\n" }, { main: "index.js" });
    // The same, with an exports map like ours: Node's exports resolver has a first-use cost of its own.
    emptyPackage(modules, "empty-exports-package", { "index.js": "export {};\n", "index.cjs": "module.exports = {};\n" }, {
      type: "module",
      exports: { ".": { import: "./index.js", require: "./index.cjs" } },
    });
    symlinkSync(root, join(modules, "bugbeacon"), "dir");
    mkdirSync(join(modules, "@octokit"));
    symlinkSync(join(root, "node_modules/@octokit/rest"), join(modules, "@octokit/rest"), "dir");

    log(`import cost over an empty package: median of ${PAIRS} alternating pairs of fresh processes (middle half of the pairs in brackets)`);
    for (const [mode, floor] of [["import", "empty-esm-package"], ["require", "empty-cjs-package"]] as const) {
      const r = compare(cwd, "bugbeacon", mode, floor);
      const met = r.ms <= TARGET_MS && r.rssMiB <= TARGET_MIB;
      log(
        `  ${mode === "import" ? "import " : "require"} bugbeacon      +${r.ms.toFixed(2)} ms [${r.q1.toFixed(2)}, ${r.q3.toFixed(2)}]  +${r.rssMiB.toFixed(2)} MiB` +
          `  (CPU +${r.cpuMs.toFixed(2)} ms)  over ${floor} (${r.floorMs.toFixed(2)} ms)  (target <= ${TARGET_MS} ms and <= ${TARGET_MIB} MiB: ${met ? "met" : "NOT met"})`,
      );
    }
    const fewer = Math.max(6, Math.round(PAIRS / 3));
    log(`  for comparison (${fewer} pairs each):`);
    for (const mode of ["import", "require"] as const) {
      const r = compare(cwd, "bugbeacon", mode, "empty-exports-package", fewer);
      log(`  ${mode === "import" ? "import " : "require"} bugbeacon      +${r.ms.toFixed(2)} ms  +${r.rssMiB.toFixed(2)} MiB  (CPU +${r.cpuMs.toFixed(2)} ms)  over an empty package with an exports map like ours`);
    }
    // What Node itself charges for the first package with an exports map (its exports resolver), which
    // every package with one pays: the part of the figures above that is not bugbeacon's code.
    for (const [mode, floor] of [["import", "empty-esm-package"], ["require", "empty-cjs-package"]] as const) {
      const r = compare(cwd, "empty-exports-package", mode, floor, fewer);
      log(`  ${mode === "import" ? "import " : "require"} an empty package with an exports map  +${r.ms.toFixed(2)} ms  (CPU +${r.cpuMs.toFixed(2)} ms)  over ${floor}: Node's own cost of an exports map`);
    }
    const octokit = compare(cwd, "@octokit/rest", "import", "empty-esm-package", fewer);
    log(`  import  @octokit/rest  +${octokit.ms.toFixed(2)} ms  +${octokit.rssMiB.toFixed(2)} MiB  (CPU +${octokit.cpuMs.toFixed(2)} ms)  (for scale)`);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }

  // Building one report: identifier hash, allow-listed environment, redaction, render.
  const { getHelper } = (await import(join(root, "dist/index.js"))) as typeof import("../../src/index.js");
  const { renderIssueBody } = (await import(join(root, "dist/format.js"))) as typeof import("../../src/format.js");
  const { createHash } = await import("node:crypto");
  const helper = getHelper("github", { confirm: false, env: { ...process.env }, app: { name: "bench", version: "1.0.0" } });
  const input = {
    identifier: "TypeError: Cannot read properties of undefined (reading 'x')",
    title: "TypeError: Cannot read properties of undefined (reading 'x')",
    body: `\`\`\`\n${new Error("x").stack}\n\`\`\``,
    repo: "octo/app",
  };
  const timeIt = async (fn: () => unknown) => {
    for (let i = 0; i < 2000; i++) await fn();
    const n = 20_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    return Number(process.hrtime.bigint() - t0) / 1000 / n;
  };
  const md5Only = await timeIt(() => createHash("md5").update(input.identifier).digest("hex"));
  // helper.prepare is async: the report path loads on the first call (inside the warm-up).
  const build = await timeIt(async () => {
    const prepared = await helper.prepare(input);
    renderIssueBody(prepared.document);
  });
  log(`build one report (hash, env, redact, render): ${build.toFixed(1)} µs; a bare md5 of the identifier: ${md5Only.toFixed(2)} µs (x${(build / md5Only).toFixed(0)})`);
}
