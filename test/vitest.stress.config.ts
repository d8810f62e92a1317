import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * `npm run test:stress`: the heavy versions of tests that keep a smaller copy in the default suite
 * (hundreds of reports under faults, 20 triage processes at once, kill loops). Same setup otherwise,
 * including the temp-folder check.
 */
export default defineConfig({
  ...base,
  // Two workers: the stress tests keep both cores busy on their own.
  test: { ...base.test, include: ["test/stress/**/*.stress.test.ts"], exclude: ["**/node_modules/**"], testTimeout: 300_000, poolOptions: { forks: { maxForks: 2, minForks: 2 } } },
});
