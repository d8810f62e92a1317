/**
 * Monitors through the relay, shared by test/monitor-relay.test.ts (the quick cases) and
 * test/stress/monitor-relay.stress.test.ts (the scenarios that wait out the relay's quiet window): the relay
 * is `bugbeacon serve --relay-repo` (the built CLI, a child process) on the fake GitHub, the apps are real
 * child processes with a relay URL and no token. States are waited on, never slept for.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { appFrom } from "./app-fixture.js";
import type { useFakeGitHub } from "./fake-github/use.js";
import { makeRemote } from "./git-fixtures.js";
import { APP_ID, INSTALLATION, startServe, type ServeProcess } from "./serve-harness.js";

export const REPO = "octo/tool";
export const QUIET_MS = 3000;
// A failing monitor's body is edited at most once per period (its last failure's time changes with each
// failure), and the relay makes at most 20 GitHub writes in any minute: a period under 3 s would spend that
// budget while a slow machine's test waits, and hold the check-off or the close a minute behind it.
export const PERIOD_MS = 3500;

/** The fake GitHub's settings: the relay's App, and a maintainer whose own monitor (kept with a token) the relay must leave alone. */
export const FAKE_OPTIONS = { repos: [REPO], appId: APP_ID, appInstallations: [{ id: INSTALLATION, account: "octo" }], tokens: [{ token: "maintainer-token", login: "maintainer" }] };

export function monitorRelayHarness(fake: ReturnType<typeof useFakeGitHub>) {
  function relay(stateDir?: string, env: Record<string, string> = {}) {
    return startServe(fake.url, makeRemote(), {
      args: ["--relay-repo", REPO],
      env: { BUGBEACON_RELAY_PERIOD_MS: String(PERIOD_MS), BUGBEACON_RELAY_WRITES_PER_HOUR: "450", BUGBEACON_RELAY_MONITOR_QUIET_MS: String(QUIET_MS), ...env },
      ...(stateDir !== undefined ? { stateDir } : {}),
    });
  }

  async function stop(s: ServeProcess, signal: NodeJS.Signals = "SIGTERM") {
    s.child.kill(signal);
    return s.exited;
  }

  async function until(what: string, check: () => boolean, ms = 40_000) {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The relay's writes to the fake GitHub: issues created, closed, reopened, plain body edits, comments. */
  function writes() {
    const w = fake.requests.filter((r) => r.method !== "GET" && r.status < 300 && r.path.startsWith(`/repos/${REPO}/`));
    const body = (r: (typeof w)[number]) => (r.body ?? {}) as { state?: string };
    return {
      created: w.filter((r) => r.method === "POST" && r.path === `/repos/${REPO}/issues`).length,
      closed: w.filter((r) => r.method === "PATCH" && body(r).state === "closed").length,
      reopened: w.filter((r) => r.method === "PATCH" && body(r).state === "open").length,
      edited: w.filter((r) => r.method === "PATCH" && body(r).state === undefined).length,
      comments: w.filter((r) => r.method === "POST" && r.path.endsWith("/comments")).length,
    };
  }

  /**
   * An app whose monitor reads its verdict from a file the test writes: "pass", "fail", or a JSON list of
   * failing record keys. It runs until the file says "stop" (its own interval is the only ref'd handle).
   */
  function monitorApp(relayUrl: string, kind: "plain" | "records", failAfter = 1) {
    const app = appFrom(`import { readFileSync } from "node:fs";
  import { getHelper } from "bugbeacon";
  const helper = getHelper("github", { repo: ${JSON.stringify(REPO)}, relay: ${JSON.stringify(relayUrl)}, confirm: false });
  const read = () => readFileSync(new URL("./verdict.txt", import.meta.url), "utf8").trim();
  const monitor = helper.monitor("nightly export", () => {
    const v = read();
    ${kind === "plain" ? 'return { ok: v === "pass", details: "export is 3 days old" };' : "const keys = JSON.parse(v); return { ok: keys.length === 0, failures: keys.map((key) => ({ key, details: `user ${key} has no picture` })) };"}
  }, { every: 1000, passAfter: 2, failAfter: ${failAfter}, onRun(run) { console.log(run.action); } });
  const alive = setInterval(() => { if (read() === "stop") { clearInterval(alive); monitor.stop(); } }, 100);
  `);
    const verdict = (v: string) => writeFileSync(join(app, "verdict.txt"), v);
    return { app, verdict };
  }

  const monitorIssue = () => fake.issues(REPO).filter((i) => i.labels.includes("bugbeacon-monitor"));
  return { relay, stop, until, writes, monitorApp, monitorIssue };
}
