import { nodeFs, nodePath } from "../_builtins.js";
import type { AppFacts } from "../format/report-format.js";

const cache = new Map<string, AppFacts | undefined>();

/**
 * Name and version of the app, from the nearest package.json above its entry script (or the working
 * directory when there is none). Packages inside node_modules are skipped: they are dependencies, and
 * bugbeacon itself is one of them. Read once per start folder.
 */
export function findAppFacts(start: string | undefined = entryDirectory()): AppFacts | undefined {
  if (cache.has(start)) return cache.get(start);
  const found = findUp(start);
  cache.set(start, found);
  return found;
}

/** The folder holding the app's nearest package.json: the app root used for relative paths. */
export function findAppRoot(start: string | undefined = entryDirectory()): string {
  let dir = start;
  for (let i = 0; i < 64; i++) {
    if (!dir.split(/[\\/]/).includes("node_modules") && readPackageJson(dir) !== undefined) return dir;
    const parent = nodePath().dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return start;
}

function findUp(start: string): AppFacts | undefined {
  let dir = start;
  for (let i = 0; i < 64; i++) {
    if (!dir.split(/[\\/]/).includes("node_modules")) {
      const pkg = readPackageJson(dir);
      if (pkg !== undefined) {
        const facts: AppFacts = {};
        if (typeof pkg.name === "string" && pkg.name.length <= 214) facts.name = pkg.name;
        if (typeof pkg.version === "string" && pkg.version.length <= 64) facts.version = pkg.version;
        return facts;
      }
    }
    const parent = nodePath().dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

function readPackageJson(dir: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(nodeFs().readFileSync(nodePath().join(dir, "package.json"), "utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function entryDirectory(): string {
  const entry = process.argv[1];
  return entry !== undefined && entry !== "" ? nodePath().dirname(entry) : process.cwd();
}
