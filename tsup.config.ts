import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string;
};

// The library (ESM + CJS + types) and the CLI (ESM only, it is a program, not an import).
// Dependencies stay external: they are installed next to us and loaded lazily, on first use.
export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm"],
    dts: true,
    sourcemap: true,
    target: "node20",
    platform: "node",
    splitting: true,
    treeshake: true,
    define: { __BUGBEACON_VERSION__: JSON.stringify(pkg.version) },
  },
  {
    // CommonJS in one file: each extra file costs a resolve and a compile at require time.
    entry: { index: "src/index.ts" },
    format: ["cjs"],
    dts: true,
    sourcemap: true,
    target: "node20",
    platform: "node",
    splitting: false,
    treeshake: true,
    define: { __BUGBEACON_VERSION__: JSON.stringify(pkg.version) },
  },
  {
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    platform: "node",
    splitting: true,
    banner: { js: "#!/usr/bin/env node" },
    define: { __BUGBEACON_VERSION__: JSON.stringify(pkg.version) },
  },
]);
