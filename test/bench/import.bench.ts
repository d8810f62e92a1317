/**
 * Import cost of the built package against the floor: an empty package imported the same way, in
 * alternating fresh processes; the figure is the median of the per-pair differences. Also for scale:
 * @octokit/rest, and the time to build one report (hash, env, render) in microseconds.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const PAIRS = 25;

interface Sample {
  ms: number;
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
    const m0 = process.memoryUsage().rss; const t0 = performance.now();
    ${load}
    const ms = performance.now() - t0; const rss = process.memoryUsage().rss - m0;
    process.stdout.write(JSON.stringify({ ms, rssMiB: rss / 1048576 }));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8" });
  return JSON.parse(out) as Sample;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function compare(cwd: string, specifier: string, mode: "import" | "require", floor = "empty-package") {
  const dt: number[] = [];
  const dm: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    // Alternate the order so drift on a shared machine hits both sides alike.
    const [a, b] =
      i % 2 === 0
        ? [measure(cwd, floor, mode), measure(cwd, specifier, mode)]
        : (() => {
            const y = measure(cwd, specifier, mode);
            return [measure(cwd, floor, mode), y];
          })();
    dt.push(b.ms - a.ms);
    dm.push(b.rssMiB - a.rssMiB);
    base.push(a.ms);
  }
  return { ms: median(dt), rssMiB: median(dm), emptyMs: median(base) };
}

export async function run(log: (line: string) => void): Promise<void> {
  const cwd = mkdtempSync(join(tmpdir(), "bugbeacon-import-bench-"));
  try {
    const modules = join(cwd, "node_modules");
    mkdirSync(join(modules, "empty-package"), { recursive: true });
    writeFileSync(join(modules, "empty-package/package.json"), JSON.stringify({ name: "empty-package", version: "1.0.0", main: "index.js" }));
    writeFileSync(join(modules, "empty-package/index.js"), "module.exports = {};\n");
    // The same, with an exports map like ours: Node's exports resolver has a first-use cost of its own.
    mkdirSync(join(modules, "empty-exports-package"), { recursive: true });
    writeFileSync(join(modules, "empty-exports-package/package.json"), JSON.stringify({ name: "empty-exports-package", version: "1.0.0", exports: { ".": { import: "./index.mjs", require: "./index.js" } } }));
    writeFileSync(join(modules, "empty-exports-package/index.js"), "module.exports = {};\n");
    writeFileSync(join(modules, "empty-exports-package/index.mjs"), "export {};\n");
    symlinkSync(root, join(modules, "bugbeacon"), "dir");
    mkdirSync(join(modules, "@octokit"));
    symlinkSync(join(root, "node_modules/@octokit/rest"), join(modules, "@octokit/rest"), "dir");

    log(`import cost over an empty package (median of ${PAIRS} alternating pairs of fresh processes)`);
    log(`  empty package itself: ${compare(cwd, "empty-package", "import").emptyMs.toFixed(2)} ms to import`);
    for (const [name, mode] of [["bugbeacon", "import"], ["bugbeacon", "require"], ["@octokit/rest", "import"]] as const) {
      const r = compare(cwd, name, mode);
      const target = name === "bugbeacon" ? `  (target <= 3 ms and <= 2 MiB: ${r.ms <= 3 && r.rssMiB <= 2 ? "met" : "NOT met"})` : "  (for scale)";
      log(`  ${mode === "import" ? "import " : "require"} ${name.padEnd(14)} +${r.ms.toFixed(2)} ms  +${r.rssMiB.toFixed(2)} MiB${target}`);
    }
    log(`  over an empty package that also has an exports map (the resolver's own first-use cost removed):`);
    for (const mode of ["import", "require"] as const) {
      const r = compare(cwd, "bugbeacon", mode, "empty-exports-package");
      log(`  ${mode === "import" ? "import " : "require"} bugbeacon      +${r.ms.toFixed(2)} ms  +${r.rssMiB.toFixed(2)} MiB`);
    }
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
  const timeIt = (fn: () => void) => {
    for (let i = 0; i < 2000; i++) fn();
    const n = 20_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    return Number(process.hrtime.bigint() - t0) / 1000 / n;
  };
  const md5Only = timeIt(() => createHash("md5").update(input.identifier).digest("hex"));
  const build = timeIt(() => {
    const prepared = helper.prepare(input);
    renderIssueBody(prepared.document);
  });
  log(`build one report (hash, env, redact, render): ${build.toFixed(1)} µs; a bare md5 of the identifier: ${md5Only.toFixed(2)} µs (x${(build / md5Only).toFixed(0)})`);
}
