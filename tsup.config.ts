import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Options } from "tsup";
import { buildSync, type Plugin } from "esbuild";

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
 * The library is built as a few single files, each a build of its own, because every further file costs
 * node's ES module loader about as much as 10 KB of code (with esbuild's chunk splitting the root was 13
 * files and the first report loaded 15 more; a second root file alone cost 0.6 ms):
 * - `index` (src/_root.ts): the root entry, what an app needs at start-up, and the modules with
 *   process-wide state or identity (src/_shared.ts: error classes, breadcrumbs, prompt activity, the close
 *   registry, the backend records and their registry) under the export "bugbeacon:shared", which no code
 *   can spell as an identifier;
 * - `backend` (src/_backend.ts): the subpath `bugbeacon/backend`, the port for an app's own backend, and
 *   the port's modules with identity (src/_port.ts: DeliveryFailure, HttpStatusError, defineBackend) under
 *   the export "bugbeacon:port": an app's own backend throws these classes and the pipeline in the report
 *   path must recognise them, so the report path and the adapters import them from this file;
 * - `report-path` (src/sdk/lazy.ts): the report path and every backend's adapter, loaded by the root with
 *   import() on the first report; the delivery modules it imports lazily are bundled into it (still run
 *   only when needed);
 * - `prompts`, `browser`, `spool`, `seen-again`: loaded by the report path only when a person is asked, a
 *   browser opened, or a report written to the spool;
 * - `redact`, `format`: the subpath entries `bugbeacon/redact` and `bugbeacon/format`.
 * The plugin below makes the links: outside a carrier, an import of a carried module becomes the carrier's
 * copy (`import { "bugbeacon:shared" as shared } from "./index.js"`), and a dynamic import of a module that
 * is a file of its own becomes an import of that file. The root entry may not import the port at all, and
 * any other dynamic import in it fails the build (it would be bundled into what every app loads at
 * start-up); elsewhere it is bundled in. Stateless modules are copied into each file that uses them.
 * test/root-import-budget.test.ts holds the root to its files and bytes.
 */
interface Carrier {
  /** The entry file (in dist/) that carries the modules. */
  file: string;
  /** The export that carries them (not an API). */
  exportName: string;
  /** The file that re-exports them (src/_shared.ts, src/_port.ts). */
  list: string;
  /** The entry that builds the plain object of them, checked against `list`. */
  entry: string;
  modules: string[];
  names: string[];
}
const root = fileURLToPath(new URL(".", import.meta.url));

/** The names a module exports, read with esbuild. */
const exportsOf = (file: string): string[] => {
  const out = buildSync({ entryPoints: [join(root, file)], bundle: true, write: false, metafile: true, format: "esm", platform: "node", outdir: "/", logLevel: "silent" });
  return Object.values(out.metafile.outputs).flatMap((o) => o.exports);
};

const carrier = (c: Omit<Carrier, "names">): Carrier => {
  const names = exportsOf(c.list);
  // The entry lists the names by hand (a plain object is cheaper to build at every import than a module
  // namespace, which is an object of one getter per name): it must name each once.
  const text = readFileSync(join(root, c.entry), "utf8");
  const listed = /const \w+ = \{([^}]*)\}/.exec(text)?.[1]?.split(",").map((n) => n.trim()).filter(Boolean) ?? [];
  const missing = names.filter((n) => !listed.includes(n));
  const extra = listed.filter((n) => !names.includes(n));
  if (missing.length > 0 || extra.length > 0 || new Set(listed).size !== listed.length) {
    throw new Error(`${c.entry}: the object it exports as "${c.exportName}" must list exactly what ${c.list} exports; missing: ${missing.join(", ") || "none"}; not exported: ${extra.join(", ") || "none"}`);
  }
  return { ...c, names };
};

const SHARED = carrier({
  file: "index",
  exportName: "bugbeacon:shared",
  list: "src/_shared.ts",
  entry: "src/_root.ts",
  modules: ["src/errors.ts", "src/sdk/capture/breadcrumbs.ts", "src/sdk/prompts/activity.ts", "src/delivery/close.ts", "src/backends/brand.ts", "src/backends/registry.ts"],
});
const PORT = carrier({
  file: "backend",
  exportName: "bugbeacon:port",
  list: "src/_port.ts",
  entry: "src/_backend.ts",
  modules: ["src/delivery/backend.ts", "src/backends/rest-errors.ts"],
});

/** Files of their own that others load with import(): name -> source. */
const LAZY: Record<string, string> = {
  "report-path": "src/sdk/lazy.ts",
  prompts: "src/sdk/prompts/lazy.ts",
  browser: "src/sdk/browser.ts",
  // The spool and the "seen again" store import node:fs, node:os and node:path as ES modules: files of
  // their own, so that a report without a token (which touches neither) does not load those either.
  spool: "src/delivery/spool.ts",
  "seen-again": "src/delivery/seen-again.ts",
  // createRest (bugbeacon/backend) loads the REST client on first use; the client loads its transport
  // (undici) the same way.
  rest: "src/backends/rest.ts",
  http: "src/backends/http.ts",
};

function links(format: "esm" | "cjs", part: "root" | "port" | "other"): Plugin {
  const ext = format === "esm" ? "js" : "cjs";
  const lazyByFile = new Map(Object.entries(LAZY).map(([name, file]) => [file, name]));
  const carried = (file: string): Carrier | undefined => {
    if (SHARED.modules.includes(file)) return part === "root" ? undefined : SHARED;
    if (PORT.modules.includes(file)) return part === "port" ? undefined : PORT;
    return undefined;
  };
  return {
    name: "bugbeacon-links",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.namespace === "bugbeacon-carried") return { path: args.path.replace(/\.js$/, `.${ext}`), external: true };
        const file = relative(root, resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts")));
        if (part === "root" && PORT.modules.includes(file)) {
          return { errors: [{ text: `${relative(root, args.importer)} imports ${args.path}: the backend port is not on the root entry's import path (it is bugbeacon/backend); import its types only` }] };
        }
        const via = carried(file);
        if (via !== undefined) return { path: via.file, namespace: "bugbeacon-carried" };
        if (args.kind !== "dynamic-import") return undefined;
        const name = lazyByFile.get(file);
        if (name !== undefined) return { path: `./${name}.${ext}`, external: true };
        if (part === "root") return { errors: [{ text: `${relative(root, args.importer)} imports ${args.path} lazily: add it to LAZY in tsup.config.ts, or it is bundled into the root entry` }] };
        return undefined;
      });
      build.onLoad({ filter: /.*/, namespace: "bugbeacon-carried" }, (args) => {
        const c = args.path === SHARED.file ? SHARED : PORT;
        return {
          contents: `import { ${JSON.stringify(c.exportName)} as carried } from "./${c.file}.js";\nexport const { ${c.names.join(", ")} } = carried;\n`,
          resolveDir: root,
          loader: "js",
        };
      });
    },
  };
}

const library = (format: "esm" | "cjs"): Options[] => {
  const one = (entry: Record<string, string>, extra: Options = {}): Options => ({
    ...shared,
    entry,
    format: [format],
    splitting: false,
    // import.meta.url in CommonJS: the crash path finds crash-send.js beside the root entry's file with it.
    shims: format === "cjs",
    esbuildPlugins: [links(format, entry.index !== undefined ? "root" : entry.backend !== undefined ? "port" : "other")],
    ...extra,
  });
  return [
    // The root entry (src/_root.ts: the API of src/index.ts, and the shared modules for the other files);
    // its declarations, made from src/index.ts, are the package's types.
    // Its local names are shortened too (its exports keep theirs): 58 KB became 44 KB, 0.2 to 0.4 ms less
    // at every start of every app (docs/performance.md). The source maps carry the names for stack traces.
    // No `import.meta.url` shim in its CommonJS build (src/sdk/lazy-sync.ts finds its file without it).
    one({ index: "src/_root.ts" }, { dts: { entry: { index: "src/index.ts" } }, minifyIdentifiers: true, shims: false }),
    // bugbeacon/backend (src/_backend.ts: the API of src/backend.ts, and the port's modules for the others).
    one({ backend: "src/_backend.ts" }, { dts: { entry: { backend: "src/backend.ts" } } }),
    one({ redact: "src/redact.ts" }, { dts: true }),
    one({ format: "src/format.ts" }, { dts: true }),
    ...Object.entries(LAZY).map(([name, file]) => one({ [name]: file })),
  ];
};

export default defineConfig([
  ...library("esm"),
  ...library("cjs"),
  // The CLI is a program, not an import: ESM only. crash-send: the crash path's sending process (see
  // src/sdk/capture/send-now.ts, which finds it beside the root entry's file), a program too, sharing the
  // CLI's chunks.
  { ...shared, entry: { cli: "src/cli/main.ts", "crash-send": "src/sdk/capture/crash-send.ts" }, format: ["esm"], splitting: true, banner: { js: "#!/usr/bin/env node" } },
]);
