import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

/** The default suite (`npm test`): everything but the stress tests, in at most 90 s on 2 cores. */
export default defineConfig({
  define: { __BUGBEACON_VERSION__: JSON.stringify(pkg.version) },
  test: {
    root,
    include: ["test/**/*.test.ts"],
    exclude: ["test/stress/**", "**/node_modules/**"],
    globalSetup: ["test/support/temp-check.ts", "test/support/git-env.ts", "test/support/browser-note.ts"],
    setupFiles: ["test/support/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests spawn real child processes and real servers, and wait on them much of the time: three workers
    // on two cores finish sooner (61-65 s against 67 s in all, idle; the same under a busy core).
    // minForks = maxForks: a pool that may shrink terminates an idle worker mid-run, and tinypool reports
    // that as an unhandled "Terminating worker thread" (vitest-dev/vitest#8564), failing the run.
    pool: "forks",
    poolOptions: { forks: { maxForks: 3, minForks: 3 } },
    // One worker runs many files instead of a fresh process per file: about 25 s less of 2 cores' time on
    // the default suite. Files share module state, so each file cleans up after itself (setup.ts: child
    // processes, temp folders) and never sets process.env for good.
    isolate: false,
  },
});
