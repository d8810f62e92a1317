/**
 * The relay, two ways (`npm run bench -- relay`):
 *
 * 1. Scale, by simulation with a virtual clock through the real counting code (src/support/relay/counter.ts):
 *    one day of a tool with 1,000,000 installs sending 1,000,000 reports, a Zipf mix over 1,000 bugs, 1 % of
 *    reports sent twice (a lost answer), 1 % of GitHub writes failing. Prints writes per hour (the most in
 *    any rolling hour), the largest minute, whether every bug has an issue, and the counting error (must
 *    be 0), with the simulation's time and memory.
 * 2. One real `bugbeacon serve --relay-repo` process on loopback: reports per second it accepts with p99
 *    under 250 ms, stepping the number of concurrent clients up, against GET /healthz measured the same way
 *    in the same run, with the server's resident memory. Reports go to 20 identifiers (after the first of
 *    each, they are counted: the path almost every report takes at scale).
 *
 * BUGBEACON_BENCH_RELAY_REPORTS changes the simulated count, BUGBEACON_BENCH_RELAY_INSTALLS the installs.
 */
import { startFakeGitHub } from "../support/fake-github/index.js";
import { makeRemote } from "../support/git-fixtures.js";
import { postReport, wireReport } from "../support/relay-harness.js";
import { simulate } from "../support/relay-sim.js";
import { APP_ID, INSTALLATION, post, startServe } from "../support/serve-harness.js";
import { removeTempDirs } from "../support/temp.js";
import { percentile, rssMiB } from "./process-figures.js";

const REPO = "octo/tool";

async function load(clients: number, n: number, one: (i: number) => Promise<void>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await one(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

export async function run(log: (line: string) => void): Promise<void> {
  // 1. The simulated day.
  const reports = Number(process.env.BUGBEACON_BENCH_RELAY_REPORTS ?? 1_000_000);
  const installs = Number(process.env.BUGBEACON_BENCH_RELAY_INSTALLS ?? 1_000_000);
  const heapBefore = process.memoryUsage().heapUsed;
  const sim = simulate({ installs, bugs: 1000, reports, spanMs: 86_400_000, zipf: 1, retryShare: 0.01, failShare: 0.01, seed: 26 });
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  log(`simulated day: ${sim.generated} reports (+${sim.retried} sent twice) from ${installs} installs over ${sim.bugsSeen} bugs (Zipf s=1)`);
  log(`GitHub writes: ${sim.writes} in all; at most ${sim.maxPerHour} in any rolling hour (limit 100; GitHub allows 500), largest minute ${sim.maxPerMinute}; ${sim.heldWrites} to the held issue`);
  log(`every bug has an issue: ${sim.unfiled === 0 && sim.issues === sim.bugsSeen ? "yes" : "NO"} (${sim.issues} issues for ${sim.bugsSeen} bugs; the last filed ${(sim.lastIssueAt / 3_600_000).toFixed(1)} h into the day)`);
  log(`counting error: ${sim.countingError} (occurrences ${sim.generated} = ${sim.issues} in issues + ${sim.countedInMessages} in count messages + ${sim.waiting} waiting for their next message); machines counted ${sim.machinesCounted} of ${sim.machinesTruth}`);
  log(`simulation: ${(sim.ms / 1000).toFixed(1)} s wall time, about ${heapMiB.toFixed(0)} MiB heap held after it`);
  if (sim.countingError !== 0 || sim.unfiled !== 0 || sim.maxPerHour > 100 || sim.machinesCounted !== sim.machinesTruth) throw new Error("relay bench: the simulated day broke a promise (see above)");

  // 2. One real relay process.
  const fake = await startFakeGitHub({ repos: [REPO], appId: APP_ID, appInstallations: [{ id: INSTALLATION, account: "octo" }], coreRateLimit: 1_000_000, searchRateLimit: false });
  const s = await startServe(fake.url, makeRemote(), { args: ["--relay-repo", REPO, "--answer-within", "0"], env: { BUGBEACON_RELAY_REPORTS_PER_MINUTE: "1000000", BUGBEACON_RELAY_WRITES_PER_HOUR: "450" } });
  try {
    // Warm-up: the 20 identifiers get their issues.
    for (let k = 0; k < 20; k++) await postReport(s.url, JSON.stringify(wireReport(REPO, { identifier: `md5.${k.toString(16).padStart(32, "b")}` })));
    const memBefore = rssMiB(s.child.pid!);
    let best: { clients: number; rate: number; p50: number; p99: number; base50: number; base99: number } | undefined;
    let failures = 0;
    for (const clients of [1, 4, 16, 32, 64, 128]) {
      const n = Math.max(500, clients * 40);
      const bodies = Array.from({ length: n }, (_, i) => JSON.stringify(wireReport(REPO, { identifier: `md5.${(i % 20).toString(16).padStart(32, "b")}`, install: `install-${String(i % 5000).padStart(8, "0")}` })));
      const base = await load(clients, n, async () => {
        await post(`${s.url}/healthz`, "", {}).catch(() => undefined);
      });
      const r = await load(clients, n, async (i) => {
        const a = await postReport(s.url, bodies[i]!);
        if (a.status !== 202) failures++;
      });
      const rate = n / r.seconds;
      const p99 = percentile(r.latencies, 99);
      log(`${String(clients).padStart(3)} clients: ${rate.toFixed(0)} reports/s, p50 ${percentile(r.latencies, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; /healthz p50 ${percentile(base.latencies, 50).toFixed(1)} ms, p99 ${percentile(base.latencies, 99).toFixed(1)} ms`);
      if (p99 < 250 && (best === undefined || rate > best.rate)) best = { clients, rate, p50: percentile(r.latencies, 50), p99, base50: percentile(base.latencies, 50), base99: percentile(base.latencies, 99) };
      if (p99 >= 250) break;
    }
    const memAfter = rssMiB(s.child.pid!);
    if (best !== undefined) log(`sustained: ${best.rate.toFixed(0)} reports/s at p99 ${best.p99.toFixed(0)} ms (< 250 ms) with ${best.clients} clients, each answer written ahead and fsynced; /healthz at the same load p99 ${best.base99.toFixed(1)} ms`);
    log(`server RSS ${memBefore.toFixed(0)} MiB before the load, ${memAfter.toFixed(0)} MiB after; ${failures} answers other than 202; ${fake.issues(REPO).length} issues`);
    if (failures > 0 || best === undefined || fake.contractViolations.length > 0) throw new Error("relay bench: answers other than 202, no step under 250 ms, or contract violations");
  } finally {
    s.child.kill("SIGTERM");
    await s.exited;
    await fake.close();
    removeTempDirs();
  }
}
