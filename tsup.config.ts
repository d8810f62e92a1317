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

export default defineConfig([
  // The library as ES modules; rarely used parts (prompts) split into chunks loaded on demand.
  { ...shared, entry: { index: "src/index.ts", redact: "src/redact.ts", format: "src/format.ts" }, format: ["esm"], dts: true, splitting: true },
  // CommonJS split the same way (tsup's CJS splitting): as one file, require() compiled the prompts and
  // delivery code too (85 KB), costing about 0.8 ms and 0.4 MiB more at start-up. Lazy parts load through
  // import(), which CommonJS has; Octokit and open are ES modules and load that way already.
  // `shims`: import.meta.url in CommonJS (the crash path finds crash-send.js beside the bundle with it).
  { ...shared, entry: { index: "src/index.ts", redact: "src/redact.ts", format: "src/format.ts" }, format: ["cjs"], dts: true, splitting: true, shims: true },
  // The CLI is a program, not an import: ESM only. crash-send: the crash path's sending process (see
  // src/sdk/capture/send-now.ts), a program too, sharing the CLI's chunks.
  { ...shared, entry: { cli: "src/cli/main.ts", "crash-send": "src/sdk/capture/crash-send.ts" }, format: ["esm"], splitting: true, banner: { js: "#!/usr/bin/env node" } },
]);
