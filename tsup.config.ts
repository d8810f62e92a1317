import { readFileSync } from "node:fs";
import { defineConfig, type Options } from "tsup";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string;
};

// Dependencies stay external: they are installed next to us and loaded lazily, on first use.
const shared: Options = {
  // Source maps without the sources' text: with `node --enable-source-maps` bugbeacon's own frames read
  // src/<file>.ts:<line> instead of a position on one long minified line, which needs only the mappings
  // (0.7 MB); the text would add 1.1 MB to every install for nothing a stack trace shows.
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  target: "node20",
  platform: "node",
  treeshake: true,
  // Less to parse at import; names are kept so stack traces stay readable, and source maps ship.
  minifyWhitespace: true,
  minifySyntax: true,
  define: { __BUGBEACON_VERSION__: JSON.stringify(pkg.version) },
};

// The library's entries: the root (what an app needs at start-up) and the subpaths with the synchronous
// utilities (`bugbeacon/redact`, `bugbeacon/format`), built together so that they share one copy of each
// module (one BugbeaconError class whichever entry an error comes from).
const library = { index: "src/index.ts", redact: "src/redact.ts", format: "src/format.ts" };

export default defineConfig([
  // The library as ES modules. Everything a report needs is split into chunks loaded on the first report
  // (src/sdk/helper.ts imports the report path with import()); test/root-import-budget.test.ts holds the
  // files `import "bugbeacon"` loads to a byte budget.
  { ...shared, entry: library, format: ["esm"], dts: true, splitting: true },
  // CommonJS split the same way (tsup's CJS splitting): require("bugbeacon") compiles only the root's
  // chunks; the lazy parts load through import(), which CommonJS has (Octokit and open are ES modules).
  { ...shared, entry: library, format: ["cjs"], dts: true, splitting: true },
  // The CLI is a program, not an import: ESM only.
  { ...shared, entry: { cli: "src/cli/main.ts" }, format: ["esm"], splitting: true, banner: { js: "#!/usr/bin/env node" } },
]);
