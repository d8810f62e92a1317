import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./temp.js";

const root = new URL("../..", import.meta.url).pathname;

/**
 * A fresh app folder with bugbeacon installed as a dependency (a link to this checkout's build) and
 * `app.mjs` made from an example file name or inline source, optionally without its installHandlers line.
 */
export function appFrom(source: string, options: { withoutBugbeacon?: boolean } = {}): string {
  const dir = tempDir("bugbeacon-app-");
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules/bugbeacon"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "demo-app", version: "3.1.4", type: "module" }));
  let text = source.includes("\n") ? source : readFileSync(join(root, "examples", source), "utf8");
  // Same line numbers, no handlers: what Node prints on its own.
  if (options.withoutBugbeacon) text = text.replace(/^installHandlers\(.*\);$/m, "");
  writeFileSync(join(dir, "app.mjs"), text);
  return dir;
}
