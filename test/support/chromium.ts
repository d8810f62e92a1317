import { accessSync, constants } from "node:fs";
import { findOnPath } from "../../src/sdk/find-on-path.js";

/** The names Chromium and Chrome go by on PATH (Debian, Ubuntu, Google's packages, Homebrew links). */
export const CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"] as const;

/** `$CHROME_PATH` when set (it must be executable), else the first of CHROMIUM_NAMES on PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.CHROME_PATH;
  if (explicit !== undefined && explicit !== "") {
    try {
      accessSync(explicit, constants.X_OK);
      return explicit;
    } catch {
      return undefined;
    }
  }
  for (const name of CHROMIUM_NAMES) {
    const found = findOnPath(name, env);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** CI sets BUGBEACON_REQUIRE_BROWSER=1: then a missing Chromium fails the browser test instead of skipping it. */
export const browserRequired = (env: NodeJS.ProcessEnv = process.env): boolean => env.BUGBEACON_REQUIRE_BROWSER === "1";

export const HOW_TO_ENABLE = `install Chromium (Debian: apt-get install chromium, or run test/support/support-setup.sh) or set CHROME_PATH to a Chrome or Chromium binary`;
