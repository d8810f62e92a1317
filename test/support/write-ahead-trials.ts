/**
 * Real processes that crash against the fake GitHub, killed with SIGKILL at random points after their
 * report reached the disk; then one flush. Shared by the default test (a few trials) and the stress test.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { appFrom } from "./app-fixture.js";
import { TEST_SETTLE_MS } from "./run-node.js";
import { mulberry32 } from "./fake-github/faults.js";
import type { FakeGitHub } from "./fake-github/index.js";
import { isAlive } from "../../src/_internal/process-alive.js";

/** A clean environment for the apps (no token of the user's, no CI, no display), plus `extra`. */
export function appEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: "C.UTF-8", SHELL: "/bin/bash", BUGBEACON_SETTLE_MS: TEST_SETTLE_MS, ...extra };
}

/** An app that installs the crash handlers and crashes with an error naming `TRIAL` (one bug per trial). */
export const CRASH_APP = `import { installHandlers } from "bugbeacon";
installHandlers({ repo: "octo/app", confirm: false, open: false, identify: () => "trial " + process.env.TRIAL, flushOnStart: process.env.FLUSH_ON_START !== "0", timeoutMs: Number(process.env.BUDGET_MS ?? 3000) });
setTimeout(() => { throw new TypeError("boom in " + process.env.TRIAL); }, 0);
`;

/** A temporary app folder (bugbeacon linked in) with `app.mjs` from `source`; `cleanup` removes it. */
export function writeApp(source: string): { dir: string; file: string; cleanup: () => void } {
  const dir = appFrom(source);
  return { dir, file: join(dir, "app.mjs"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TrialOutcome {
  trial: string;
  /** How long after the report was seen on disk the kill was sent, or undefined when the app ended first. */
  killedAfterMs: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves once no live process holds a claim in `spoolDir/inflight` (each claim names its process). */
export async function claimsReleased(spoolDir: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let names: string[] = [];
    try {
      names = readdirSync(join(spoolDir, "inflight"));
    } catch {
      // No claims folder: nothing claimed.
    }
    const live = names.map((n) => /^(\d+)\./.exec(n)?.[1]).filter((pid): pid is string => pid !== undefined && isAlive(Number(pid)));
    if (live.length === 0) return;
    if (Date.now() > deadline) throw new Error(`processes ${live.join(", ")} still hold claims in ${spoolDir} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether `dir/queue` or `dir/inflight` holds this trial's report. */
function onDisk(spoolDir: string, trial: string): boolean {
  for (const sub of ["inflight", "queue"]) {
    let names: string[];
    try {
      names = readdirSync(join(spoolDir, sub));
    } catch {
      continue;
    }
    for (const n of names) {
      if (!n.endsWith(".json")) continue;
      try {
        if ((JSON.parse(readFileSync(join(spoolDir, sub, n), "utf8")) as { title?: string }).title?.endsWith(`boom in ${trial}`)) return true;
      } catch {
        // Moved meanwhile.
      }
    }
  }
  return false;
}

/**
 * Runs `trials` crashing apps one after the other against `fake`, sharing `spoolDir` (one machine). Each
 * is killed with SIGKILL a random 0-`maxDelayMs` ms after its report is seen on disk; some trials make the
 * fake slow to answer the create, so kills also land while a request is in flight.
 */
export async function runKillTrials(fake: FakeGitHub, spoolDir: string, token: string, trials: number, seed: number, maxDelayMs = 500): Promise<TrialOutcome[]> {
  const random = mulberry32(seed);
  const app = writeApp(CRASH_APP);
  const outcomes: TrialOutcome[] = [];
  try {
    for (let i = 0; i < trials; i++) {
      const trial = `t${seed}-${i}`;
      if (random() < 0.5) fake.faults.add({ kind: "slow", delayMs: Math.floor(random() * 400), method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 });
      const delay = Math.floor(random() * maxDelayMs);
      outcomes.push(await oneTrial(app.file, fake.url, spoolDir, token, trial, delay));
    }
  } finally {
    app.cleanup();
  }
  return outcomes;
}

function oneTrial(file: string, apiUrl: string, spoolDir: string, token: string, trial: string, delay: number): Promise<TrialOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], {
      env: appEnv({ BUGBEACON_GITHUB_TOKEN: token, BUGBEACON_GITHUB_API_URL: apiUrl, BUGBEACON_SPOOL_DIR: spoolDir, TRIAL: trial }),
      cwd: join(file, ".."),
      stdio: "ignore",
    });
    let killedAfterMs: number | undefined;
    let ended = false;
    const poll = setInterval(() => {
      if (ended || killedAfterMs !== undefined) return;
      if (onDisk(spoolDir, trial)) {
        killedAfterMs = delay;
        setTimeout(() => child.kill("SIGKILL"), delay);
      }
    }, 2);
    const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      ended = true;
      clearInterval(poll);
      clearTimeout(guard);
      // The crash path is over when the app's report sender (a child of the app) is gone too.
      void claimsReleased(spoolDir).then(
        () => resolve({ trial, killedAfterMs: signal === "SIGKILL" ? killedAfterMs : undefined, code, signal }),
        reject,
      );
    });
  });
}
