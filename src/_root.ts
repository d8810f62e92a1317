/**
 * What the build makes `dist/index.js` / `.cjs` from (tsup.config.ts): the root entry's API (./index.ts,
 * whose declarations are the package's types) and, under a name no code can spell as an identifier, the
 * modules with process-wide state or identity (./_shared.ts), which every other file of the package imports
 * from the root entry so that there is one copy of each and the root is one file. Not an API.
 */
export * from "./index.js";
export * as "bugbeacon:shared" from "./_shared.js";
