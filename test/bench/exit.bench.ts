/**
 * Exit latency of a crashing app, with bugbeacon's crash handlers, against the same app without them, in
 * the same run: no token; a token and a healthy fake GitHub; a fake that answers after 10 s; a refused
 * port; a bad token (401). Median of a few runs each. Also checks the report is on disk in every failing
 * case (write-ahead), and that no case goes over the handler's budget.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appFrom } from "../support/app-fixture.js";
import { startFakeGitHub } from "../support/fake-github/index.js";

const TOKEN = "ghp_benchtokenbenchtokenbenchtoken1234567";
const RUNS = 5;
const BUDGET_MS = 3000; // DEFAULT_HANDLER_TIMEOUT_MS

const source = `import { installHandlers } from "bugbeacon";
installHandlers({ repo: "octo/app", confirm: false, identify: () => "bench crash " + process.env.RUN });
setTimeout(() => { throw new TypeError("bench crash"); }, 0);
`;

/**
 * The same app making the same two requests by hand (a search, then a new issue) before it crashes: the
 * healthy case's "added" minus this one's is bugbeacon's own cost over GitHub's answer time.
 */
const byHandSource = `const api = process.env.BUGBEACON_GITHUB_API_URL;
const headers = { authorization: "token " + process.env.BUGBEACON_GITHUB_TOKEN, "content-type": "application/json", "user-agent": "bench" };
setTimeout(async () => {
  await fetch(api + "/search/issues?q=" + encodeURIComponent("repo:octo/app is:issue in:body x"), { headers }).then((r) => r.text());
  await fetch(api + "/repos/octo/app/issues", { method: "POST", headers, body: JSON.stringify({ title: "bench crash", body: "by hand " + process.env.RUN }) }).then((r) => r.text());
  throw new TypeError("bench crash");
}, 0);
`;

function timeRun(file: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [file], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function run(log: (line: string) => void): Promise<void> {
  const fake = await startFakeGitHub({ repos: ["octo/app"], tokens: [TOKEN], searchRateLimit: false });
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const refusedPort = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const withBugbeacon = appFrom(source);
  const without = appFrom(source.replace(/^installHandlers\(.*\);$/m, ""));
  const byHand = appFrom(byHandSource);
  const spools: string[] = [];
  const cases: Array<{ name: string; env: NodeJS.ProcessEnv; setup?: () => void; failing: boolean }> = [
    { name: "no token", env: {}, failing: false },
    { name: "token, healthy fake", env: { BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url }, failing: false },
    { name: "token, fake answers after 10 s", env: { BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url }, setup: () => void fake.faults.add({ kind: "slow", delayMs: 10_000 }), failing: true },
    { name: "token, refused port", env: { BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: `http://127.0.0.1:${refusedPort}` }, failing: true },
    { name: "bad token (401)", env: { BUGBEACON_GITHUB_TOKEN: "ghp_wrongwrongwrongwrongwrongwrong1234", BUGBEACON_GITHUB_API_URL: fake.url }, failing: true },
  ];
  let healthy: { base: number; ours: number } | undefined;
  try {
    // Warm the fake (its contract validator compiles schemas on first use) and the disk cache.
    const warmSpool = mkdtempSync(join(tmpdir(), "bench-spool-"));
    spools.push(warmSpool);
    await timeRun(join(withBugbeacon, "app.mjs"), { ...cases[1]!.env, BUGBEACON_SPOOL_DIR: warmSpool, RUN: "warm" });
    log(`crash exit latency, median of ${RUNS} runs (ms); budget ${BUDGET_MS} ms`);
    log(`  ${"case".padEnd(32)} ${"without".padStart(8)} ${"with".padStart(8)} ${"added".padStart(8)}  report on disk`);
    for (const c of cases) {
      fake.faults.clear();
      c.setup?.();
      const base: number[] = [];
      const ours: number[] = [];
      let onDisk = 0;
      for (let i = 0; i < RUNS; i++) {
        const spool = mkdtempSync(join(tmpdir(), "bench-spool-"));
        spools.push(spool);
        const env = { ...c.env, BUGBEACON_SPOOL_DIR: spool, RUN: `${c.name} ${i}` };
        base.push(await timeRun(join(without, "app.mjs"), env));
        ours.push(await timeRun(join(withBugbeacon, "app.mjs"), env));
        const files = ["queue", "inflight"].flatMap((sub) => {
          try {
            return readdirSync(join(spool, sub)).filter((n) => n.endsWith(".json"));
          } catch {
            return [];
          }
        });
        if (files.length > 0) onDisk += 1;
      }
      const added = median(ours) - median(base);
      const disk = c.failing ? `${onDisk}/${RUNS}` : "-";
      const over = Math.max(...ours) - median(base) > BUDGET_MS ? "  OVER BUDGET" : "";
      log(`  ${c.name.padEnd(32)} ${median(base).toFixed(0).padStart(8)} ${median(ours).toFixed(0).padStart(8)} ${`+${added.toFixed(0)}`.padStart(8)}  ${disk}${over}`);
      if (c.name === "token, healthy fake") healthy = { base: median(base), ours: median(ours) };
    }
    // GitHub's (here the fake's) answer time, measured the same way: the app making the same two requests
    // by hand. What is left of the healthy case's latency is bugbeacon's own (target: under 300 ms).
    const hand: number[] = [];
    for (let i = 0; i < RUNS; i++) hand.push(await timeRun(join(byHand, "app.mjs"), { ...cases[1]!.env, RUN: `hand ${i}` }));
    if (healthy !== undefined) {
      const answer = median(hand) - healthy.base;
      log(`  the same two requests made by hand: ${median(hand).toFixed(0)} ms, so the fake answers in ~${answer.toFixed(0)} ms;`);
      log(`  bugbeacon's own cost in the healthy case: +${(healthy.ours - median(hand)).toFixed(0)} ms over the fake's answer time (target < 300 ms)`);
    }
  } finally {
    fake.faults.clear();
    await fake.close();
    for (const d of [...spools, withBugbeacon, without, byHand]) rmSync(d, { recursive: true, force: true });
  }
}
