/**
 * The report path loaded synchronously, for a crash that happens before it was loaded: Node prints an
 * uncaught error and exits as soon as the crash handler returns, so there is no awaiting an import(). The
 * CommonJS build of the report path (`report-path.cjs`, beside the root entry's file in dist/) is required
 * instead, from either build of the root. Undefined where that file is not beside this module (bugbeacon
 * bundled into an app, or run from its sources): the crash handler then holds the crash while the report
 * path loads, and raises it again.
 */
export type LazyModule = typeof import("./lazy.js");

type BuiltinLoader = <T>(id: string) => T;

export function loadLazySync(): LazyModule | undefined {
  try {
    const load = (process as unknown as { getBuiltinModule: BuiltinLoader }).getBuiltinModule;
    const { fileURLToPath } = load<typeof import("node:url")>("node:url");
    const { existsSync } = load<typeof import("node:fs")>("node:fs");
    const { createRequire } = load<typeof import("node:module")>("node:module");
    // This file's URL in either build. The CommonJS build has no `import.meta`, and is built without the
    // bundler's shim for it, which would parse a URL at every import of bugbeacon.
    const here = typeof __filename === "string" ? load<typeof import("node:url")>("node:url").pathToFileURL(__filename).href : import.meta.url;
    const file = fileURLToPath(new URL("./report-path.cjs", here));
    if (!existsSync(file)) return undefined;
    return createRequire(here)(file) as LazyModule;
  } catch {
    return undefined;
  }
}
