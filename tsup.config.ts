import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Options } from "tsup";
import type { Plugin } from "esbuild";

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

/**
 * The library is three builds, so that `import "bugbeacon"` loads two files (each further file costs node's
 * ES module loader about as much as 10 KB of code; with esbuild's chunk splitting the root was 13):
 * - the root entry, one file (`dist/index.js`): what an app needs at start-up;
 * - the report path and the subpaths, split into chunks: the report path (src/sdk/report-path.ts) and each
 *   backend's adapter under fixed names, loaded by the root with import() on the first report, and the
 *   subpath entries `bugbeacon/redact` and `bugbeacon/format`;
 * - `dist/_shared.js` (src/_shared.ts): the modules with process-wide state or identity (error classes,
 *   breadcrumbs, prompt activity, the close registry), which both other builds import from that one file.
 * The plugin below makes those links: an import of a shared module becomes an import of `./_shared.js`
 * (outside src/_shared.ts), and in the root a dynamic import of a lazy entry becomes an import of its file.
 * A dynamic import in the root of anything else fails the build: it would be bundled into the root.
 * test/root-import-budget.test.ts holds the root to its files and bytes.
 */
const SHARED = ["src/errors.ts", "src/sdk/capture/breadcrumbs.ts", "src/sdk/prompts/activity.ts", "src/delivery/close.ts"];
const LAZY: Record<string, string> = {
  "report-path": "src/sdk/report-path.ts",
  "backend-github": "src/backends/github/backend.ts",
  "backend-gitlab": "src/backends/gitlab/backend.ts",
  "backend-discourse": "src/backends/discourse/backend.ts",
};
const SUBPATHS = { redact: "src/redact.ts", format: "src/format.ts" };
const root = fileURLToPath(new URL(".", import.meta.url));

function links(format: "esm" | "cjs", part: "root" | "lazy"): Plugin {
  const ext = format === "esm" ? "js" : "cjs";
  const lazyByFile = new Map(Object.entries(LAZY).map(([name, file]) => [file, name]));
  return {
    name: "bugbeacon-links",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const file = relative(root, resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts")));
        if (SHARED.includes(file) && !args.importer.endsWith(join("src", "_shared.ts"))) return { path: `./_shared.${ext}`, external: true };
        if (part === "root" && args.kind === "dynamic-import") {
          const name = lazyByFile.get(file);
          if (name === undefined) return { errors: [{ text: `${relative(root, args.importer)} imports ${args.path} lazily: add it to LAZY in tsup.config.ts, or it is bundled into the root entry` }] };
          return { path: `./${name}.${ext}`, external: true };
        }
        return undefined;
      });
    },
  };
}

const library = (format: "esm" | "cjs"): Options[] => [
  // The root entry: one file. Its declarations are the package's types.
  { ...shared, entry: { index: "src/index.ts" }, format: [format], dts: true, splitting: false, esbuildPlugins: [links(format, "root")] },
  // What the root loads on the first report, and the subpaths; split into chunks that share code.
  {
    ...shared,
    entry: { ...LAZY, ...SUBPATHS },
    format: [format],
    dts: { entry: SUBPATHS },
    // CommonJS split the same way (tsup's CJS splitting); lazy parts load through import(), which CommonJS has.
    splitting: true,
    esbuildPlugins: [links(format, "lazy")],
  },
  // The shared state, one file.
  { ...shared, entry: { _shared: "src/_shared.ts" }, format: [format], splitting: false },
];

export default defineConfig([
  ...library("esm"),
  ...library("cjs"),
  // The CLI is a program, not an import: ESM only.
  { ...shared, entry: { cli: "src/cli/main.ts" }, format: ["esm"], splitting: true, banner: { js: "#!/usr/bin/env node" } },
]);
