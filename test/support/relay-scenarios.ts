/**
 * Relay scenarios shared by the default suite (small sizes) and the stress suite (the sizes): real
 * app processes that crash with only a relay URL (no token), each install with its own spool folder (where
 * the SDK keeps its random install id), against `bugbeacon serve --relay-repo` and the fake GitHub.
 */
import { join } from "node:path";
import { appFrom } from "./app-fixture.js";
import { baseEnv, runNode, type RunResult } from "./run-node.js";
import { tempDir } from "./temp.js";

/** An app that crashes with the same bug each run (one identifier), reporting through the relay only. */
export function crashingApp(repo: string): string {
  return appFrom(`import { installHandlers } from "bugbeacon";
installHandlers({ repo: ${JSON.stringify(repo)}, confirm: false, timeoutMs: 8000 });
function parseRow(row) { return row.trim(); }
parseRow(undefined);
`);
}

/** `processes` crashes of `app`, spread over `installs` installs (spool folders), `parallel` at a time. */
export async function crashBurst(app: string, relayUrl: string | (() => string), o: { processes: number; installs: number; parallel: number; extraEnv?: NodeJS.ProcessEnv }): Promise<RunResult[]> {
  const spools = Array.from({ length: o.installs }, () => tempDir("bugbeacon-relay-install-"));
  const results: RunResult[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: o.parallel }, async () => {
      while (next < o.processes) {
        const i = next++;
        const url = typeof relayUrl === "string" ? relayUrl : relayUrl();
        results.push(await runNode([join(app, "app.mjs")], { cwd: app, timeoutMs: 60_000, env: baseEnv({ BUGBEACON_RELAY_URL: url, BUGBEACON_SPOOL_DIR: spools[i % o.installs]!, ...o.extraEnv }) }));
      }
    }),
  );
  return results;
}
