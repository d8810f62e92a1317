/**
 * What `import "bugbeacon"` and `require("bugbeacon")` load from the build: the files, as node itself
 * reports them (a resolve hook for ES modules, `require.cache` for CommonJS, in a fresh process), and their
 * bytes by source module, read from the source maps the package ships. Used by the root import budget test
 * and the import bench.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export type LoadMode = "import" | "require";

/** Bytes that no source maps to: the bundler's own lines (import statements, CommonJS interop helpers). */
export const GLUE = "(bundler glue)";

export interface LoadedGraph {
  mode: LoadMode;
  /** The files loaded, relative to the package root (dist/…), in the order node reported them. */
  files: Array<{ file: string; bytes: number }>;
  /** Everything loaded that is not one of our files (a dependency or a built-in module); should be empty. */
  outside: string[];
  /** Total bytes of `files`. */
  bytes: number;
  /** Bytes by source module (src/…, or GLUE), largest first. */
  sources: Array<{ source: string; bytes: number }>;
}

/** The files a fresh node process loads for `import`/`require` of `specifier` (default: the root entry). */
export function loadedGraph(mode: LoadMode, specifier = "bugbeacon"): LoadedGraph {
  const dir = mkdtempSync(join(tmpdir(), "bugbeacon-graph-"));
  try {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    let loaded: string[];
    if (mode === "import") {
      writeFileSync(join(dir, "hooks.mjs"), `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("resolved " + r.url + "\\n"); return r; }\n`);
      writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`);
      const script = `await import(${JSON.stringify(specifier)});`;
      const run = spawnSync(process.execPath, ["--import", pathToFileURL(join(dir, "register.mjs")).href, "--input-type=module", "-e", script], { cwd: root, env, encoding: "utf8" });
      if (run.status !== 0) throw new Error(`import ${specifier} failed:\n${run.stderr}`);
      loaded = run.stderr
        .split("\n")
        .filter((l) => l.startsWith("resolved "))
        .map((l) => l.slice("resolved ".length))
        .map((url) => (url.startsWith("file:") ? fileURLToPath(url) : url));
    } else {
      const script = `require(${JSON.stringify(specifier)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
      loaded = (JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: root, env, encoding: "utf8" })) as string[]).filter((p) => p !== "[eval]");
    }
    const ours = loaded.filter((p) => p.startsWith(join(root, "dist") + "/"));
    const outside = loaded.filter((p) => !ours.includes(p) && !p.startsWith(dir));
    const files = [...new Set(ours)].map((p) => ({ file: relative(root, p), bytes: statSync(p).size }));
    const bySource = new Map<string, number>();
    for (const { file } of files) for (const [source, bytes] of bytesBySource(join(root, file))) bySource.set(source, (bySource.get(source) ?? 0) + bytes);
    return {
      mode,
      files,
      outside,
      bytes: files.reduce((a, f) => a + f.bytes, 0),
      sources: [...bySource].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Source-map VLQ: one segment's fields. */
function decodeSegment(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64.indexOf(ch);
    if (digit < 0) throw new Error(`not a source-map digit: ${ch}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/**
 * Bytes of a built file by the source each stretch of it maps to: a segment runs from its column to the
 * next segment's (or the line's end). Columns are UTF-16 units; our build output is ASCII but for string
 * contents, so units and bytes agree within a few bytes.
 */
export function bytesBySource(file: string): Map<string, number> {
  const code = readFileSync(file, "utf8");
  const totals = new Map<string, number>();
  const add = (source: string, n: number) => n > 0 && totals.set(source, (totals.get(source) ?? 0) + n);
  let map: { sources: string[]; mappings: string };
  try {
    map = JSON.parse(readFileSync(`${file}.map`, "utf8")) as { sources: string[]; mappings: string };
  } catch {
    add(GLUE, Buffer.byteLength(code));
    return totals;
  }
  const sources = map.sources.map((s) => relative(root, join(file, "..", s)));
  const lines = code.split("\n");
  const mapLines = map.mappings.split(";");
  let sourceIndex = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const segments = (mapLines[i] ?? "").split(",").filter(Boolean);
    let column = 0;
    let previous: { column: number; source: string | undefined } = { column: 0, source: undefined };
    for (const segment of segments) {
      const fields = decodeSegment(segment);
      column += fields[0]!;
      add(previous.source ?? GLUE, column - previous.column);
      if (fields.length >= 4) sourceIndex += fields[1]!;
      previous = { column, source: fields.length >= 4 ? sources[sourceIndex] : undefined };
      // Line and column in the source are not needed here; they are deltas carried by fields[2], fields[3].
    }
    add(previous.source ?? GLUE, line.length + 1 - previous.column);
  }
  return totals;
}
