import { browserRequired, findChromium, HOW_TO_ENABLE } from "./chromium.js";

/** Vitest globalSetup: one visible line when the browser test will be skipped, and how to run it. */
export default function setup(): void {
  if (findChromium() === undefined && !browserRequired()) {
    process.stderr.write(`note: no Chromium found, so the HTML stats browser test is skipped; to run it, ${HOW_TO_ENABLE}.\n`);
  }
}
