/**
 * Node built-ins, loaded on first use rather than on import. Importing `node:crypto` alone costs about
 * 3 ms and fs/os/path another 1.5 ms as ES modules; bugbeacon's import budget is 3 ms in all, and an app
 * that never crashes should not pay for the reporter. `process.getBuiltinModule` (Node >= 20.16) hands
 * out the already-compiled built-in synchronously.
 */
type BuiltinLoader = <T>(id: string) => T;

const load = (process as unknown as { getBuiltinModule: BuiltinLoader }).getBuiltinModule;

export const nodeCrypto = (): typeof import("node:crypto") => load("node:crypto");
export const nodeFs = (): typeof import("node:fs") => load("node:fs");
export const nodeOs = (): typeof import("node:os") => load("node:os");
export const nodePath = (): typeof import("node:path") => load("node:path");
export const nodeVm = (): typeof import("node:vm") => load("node:vm");
