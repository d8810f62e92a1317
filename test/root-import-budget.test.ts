/**
 * The root entry stays free until used (issue 23): the files node loads for `import "bugbeacon"` and
 * `require("bugbeacon")` from the build are held to a byte budget, and none of the modules a report needs
 * may be among them. The files are what a fresh node process reports (a resolve hook, `require.cache`);
 * their bytes are attributed to source modules through the source maps the package ships, so a failure
 * names the module that pushed the graph over.
 *
 * The budget: before the report path became lazy the root loaded 7 files, 104 KB (ESM), and `npm run bench
 * -- import` measured +4.6 ms (ESM) and +5.8 ms (CJS) over an empty package. Files cost more than bytes:
 * node's ES module loader spends about as much on each further file as on 10 KB of code (split into 13
 * chunks, 33 KB cost more than 104 KB in 7 files; a second file cost 0.6 ms), so the root is built as one
 * file (tsup.config.ts). At 31 KB it measured under the 3 ms target. The crash handler's registry, the
 * option-name checks, the backend port and the monitor's option checks brought it to 58.5 KB (+3.4 ms
 * ESM); shortening local names (tsup.config.ts) brought it to 44 KB, and moving the backend port to
 * `bugbeacon/backend` to 41 KB (docs/performance.md has the figures).
 * The budgets leave about 1.5 KB of room, not room for a report-path module: raise them only with a
 * bench run, and record it in docs/performance.md.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { GLUE, loadedGraph, type LoadedGraph, type LoadMode } from "./support/root-graph.js";

/** Bytes of the files `import "bugbeacon"` / `require("bugbeacon")` loads (CommonJS carries interop helpers). */
const BUDGET: Record<LoadMode, number> = { import: 43 * 1024, require: 43.5 * 1024 };

/** The files it may load: the entry, built as one file (tsup.config.ts). */
const FILES: Record<LoadMode, string[]> = { import: ["dist/index.js"], require: ["dist/index.cjs"] };

/**
 * Modules that load with the report path (on the first report), never on import. A static import that
 * brings one of them into the root graph fails here, naming it, whatever the budget says.
 */
const REPORT_PATH_ONLY = [
  "src/sdk/report-path.ts",
  "src/sdk/redact.ts",
  "src/sdk/redact/scan.ts",
  "src/sdk/redact/prefixes.ts",
  "src/sdk/redact/assignments.ts",
  "src/format/report-format.ts",
  "src/sdk/capture/describe-error.ts",
  "src/sdk/capture/fingerprint.ts",
  "src/sdk/environment.ts",
  "src/sdk/identifier.ts",
  "src/sdk/app-info.ts",
  "src/delivery/pipeline.ts",
  "src/delivery/deliver.ts",
  "src/delivery/spool.ts",
  "src/backends/github/backend.ts",
  "src/backends/gitlab/backend.ts",
  "src/backends/discourse/backend.ts",
  "src/backends/rest.ts",
  "src/backends/prefilled-url.ts",
  // The backend port is bugbeacon/backend: an app that only reports never loads it.
  "src/delivery/backend.ts",
  "src/backends/rest-errors.ts",
  "src/backends/rest-port.ts",
  "src/backends/network-errors.ts",
];

/**
 * The root graph's modules and their bytes [import, require] when the budget was set: not a limit (the
 * budget is), only what a failure compares against to name the module that pushed the graph over. Update it
 * with the budget (the failure message prints the new figures).
 */
const WHEN_SET: Record<string, [number, number]> = {
  "(bundler glue)": [571, 833],
  "src/_builtins.ts": [57, 57],
  "src/_internal/env-flag.ts": [400, 400],
  "src/_internal/logger.ts": [178, 178],
  "src/_internal/validate-options.ts": [2329, 2329],
  "src/_root.ts": [654, 654],
  "src/backends/brand.ts": [270, 270],
  "src/backends/builtins.ts": [1371, 1371],
  "src/backends/discourse/options.ts": [817, 817],
  "src/backends/gitea/options.ts": [1013, 1013],
  "src/backends/github/options.ts": [2105, 2105],
  "src/backends/github/repo.ts": [289, 289],
  "src/backends/gitlab/options.ts": [954, 954],
  "src/backends/registry.ts": [576, 576],
  "src/backends/relay/options.ts": [505, 505],
  "src/delivery/close.ts": [496, 496],
  "src/delivery/options.ts": [1886, 1886],
  "src/errors.ts": [2772, 2772],
  "src/sdk/capture-exception.ts": [1093, 1093],
  "src/sdk/capture/breadcrumbs.ts": [994, 994],
  "src/sdk/capture/handlers.ts": [6696, 6696],
  "src/sdk/capture/safe-serialize.ts": [1505, 1505],
  "src/sdk/env-allowlist.ts": [776, 776],
  "src/sdk/flush.ts": [386, 386],
  "src/sdk/get-helper.ts": [2291, 2291],
  "src/sdk/hash-identifier.ts": [85, 85],
  "src/sdk/helper.ts": [4670, 4671],
  "src/sdk/install-handlers.ts": [514, 514],
  "src/sdk/lazy-sync.ts": [312, 548],
  "src/sdk/monitor/options.ts": [2013, 2013],
  "src/sdk/prompts/activity.ts": [141, 141],
  "src/sdk/redact/cut.ts": [359, 359],
  "src/sdk/redact/marker.ts": [20, 20],
  "src/sdk/redact/names.ts": [2827, 2827],
  "src/version.ts": [15, 15],
};

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function describeGraph(g: LoadedGraph): string {
  const rows = g.sources.map((s) => `    ${String(s.bytes).padStart(6)} B  ${s.source}`).join("\n");
  return `${g.files.length} files, ${g.bytes} B (${kb(g.bytes)}):\n${rows}`;
}

/** The module that pushed the graph over: one that was not in it when the budget was set, else the one that grew most. */
function culprit(g: LoadedGraph): string {
  const column = g.mode === "import" ? 0 : 1;
  const own = g.sources.filter((s) => s.source !== GLUE);
  const added = own.filter((s) => WHEN_SET[s.source] === undefined);
  if (added.length > 0) return `${added[0]!.source} (${added[0]!.bytes} B), new in the root graph${added.length > 1 ? ` (also new: ${added.slice(1).map((s) => `${s.source} ${s.bytes} B`).join(", ")})` : ""}`;
  const grown = own
    .map((s) => ({ ...s, growth: s.bytes - WHEN_SET[s.source]![column] }))
    .sort((a, b) => b.growth - a.growth)[0];
  return grown === undefined ? "(no module of ours)" : `${grown.source} (${grown.bytes} B, +${grown.growth} B since the budget was set)`;
}

/** Why `g` is over `budget` bytes, naming the module that pushed it over; undefined within the budget. */
function overBudget(g: LoadedGraph, budget: number): string | undefined {
  const over = g.bytes - budget;
  if (over <= 0) return undefined;
  return (
    `${g.mode} "bugbeacon" loads ${g.bytes} B, ${over} B over the budget of ${budget} B; the module that pushed it over: ` +
    `${culprit(g)}. Move what is not needed at start-up behind import(). The graph: ${describeGraph(g)}`
  );
}

describe("the budget check itself", () => {
  const known = Object.entries(WHEN_SET).map(([source, [bytes]]) => ({ source, bytes }));
  const base: LoadedGraph = { mode: "import", files: [], outside: [], bytes: known.reduce((a, s) => a + s.bytes, 0), sources: known };

  it("passes the graph as it was when the budget was set", () => {
    expect(overBudget(base, BUDGET.import)).toBeUndefined();
  });

  it("names a module new in the graph that pushes it over", () => {
    const added = { source: "src/format/report-format.ts", bytes: BUDGET.import - base.bytes + 500 };
    const g = { ...base, bytes: base.bytes + added.bytes, sources: [added, ...base.sources] };
    expect(overBudget(g, BUDGET.import)).toContain(`500 B over the budget of ${BUDGET.import} B; the module that pushed it over: src/format/report-format.ts (${added.bytes} B), new in the root graph`);
  });

  it("names the module that grew when no module is new", () => {
    const sources = base.sources.map((s) => (s.source === "src/errors.ts" ? { ...s, bytes: s.bytes + 20_000 } : s));
    const g = { ...base, bytes: base.bytes + 20_000, sources };
    expect(overBudget(g, BUDGET.import)).toContain("the module that pushed it over: src/errors.ts");
    expect(overBudget(g, BUDGET.import)).toContain("+20000 B since the budget was set");
  });
});

describe.each(["import", "require"] as const)('%s "bugbeacon" (the root entry, from dist/)', (mode) => {
  let graph: LoadedGraph;
  beforeAll(() => {
    graph = loadedGraph(mode);
  });

  it("loads no module of the report path, no dependency and no other file", () => {
    const offending = graph.sources.filter((s) => REPORT_PATH_ONLY.includes(s.source));
    expect(
      offending.map((s) => `${s.source} (${s.bytes} B)`),
      `the root graph holds modules that should load only with the first report; make their import lazy (import()) where they are used. The graph: ${describeGraph(graph)}`,
    ).toEqual([]);
    expect(graph.outside, "the root entry loads something outside dist/ on import").toEqual([]);
  });

  it("loads one file", () => {
    expect(
      graph.files.map((f) => f.file).sort(),
      "each further file costs node's loader about as much as 10 KB of code (0.6 ms measured for a second one): keep the root entry one file (see tsup.config.ts)",
    ).toEqual(FILES[mode]);
  });

  it(`stays within its byte budget (${kb(BUDGET[mode])})`, () => {
    const problem = overBudget(graph, BUDGET[mode]);
    if (problem !== undefined) expect.fail(problem);
    // The attribution covers the files: what the maps do not cover is counted as the bundler's glue.
    const attributed = graph.sources.reduce((a, s) => a + s.bytes, 0);
    expect(Math.abs(attributed - graph.bytes)).toBeLessThan(graph.bytes * 0.02);
  });
});
