/**
 * The spool module loaded synchronously, for the crash path (which has no event loop to await an import):
 * the CommonJS build of the spool (`spool.cjs`, beside the report path's file in dist/) is required, from
 * either build. Undefined where that file is not beside this module (bugbeacon bundled into an app, or run
 * from its sources): the crash's sending process then writes the report to the spool itself.
 */
type SpoolModule = typeof import("./spool.js");
type BuiltinLoader = <T>(id: string) => T;

export function loadSpoolSync(): SpoolModule | undefined {
  try {
    const load = (process as unknown as { getBuiltinModule: BuiltinLoader }).getBuiltinModule;
    const { fileURLToPath } = load<typeof import("node:url")>("node:url");
    const { existsSync } = load<typeof import("node:fs")>("node:fs");
    const { createRequire } = load<typeof import("node:module")>("node:module");
    const file = fileURLToPath(new URL("./spool.cjs", import.meta.url));
    if (!existsSync(file)) return undefined;
    return createRequire(import.meta.url)(file) as SpoolModule;
  } catch {
    return undefined;
  }
}
