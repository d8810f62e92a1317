/**
 * `bugbeacon serve` under load, loopback only: 1,000 signed issues.opened deliveries (100 problems, ten
 * issues each, so 900 are duplicates that close, label and comment through the fake GitHub) from 50
 * concurrent clients to one built `serve` process. Every delivery must be answered 200 and every issue
 * filed exactly once in the database. Prints p50/p99 latency against GET /healthz measured the same way in
 * the same run, throughput, and the server's resident memory before and after. Bounded: gives up after
 * BUGBEACON_BENCH_SERVE_S seconds (default 900). BUGBEACON_BENCH_SERVE_N changes the count.
 */
import { startFakeGitHub } from "../support/fake-github/index.js";
import { filesOnMain, makeRemote, reportBody } from "../support/git-fixtures.js";
import { APP_ID, INSTALLATION, delivery, send, startServe } from "../support/serve-harness.js";
import { removeTempDirs } from "../support/temp.js";
import { percentile, rssMiB } from "./process-figures.js";

const REPO = "octo/support";
const N = Number(process.env.BUGBEACON_BENCH_SERVE_N ?? 1000);
const CLIENTS = 50;
const PROBLEMS = Math.max(1, Math.floor(N / 10));

async function pool<T>(items: T[], clients: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < items.length) await each(items[next++]!);
  }));
}

export async function run(log: (line: string) => void): Promise<void> {
  const fake = await startFakeGitHub({ repos: [REPO], appId: APP_ID, appInstallations: [{ id: INSTALLATION, account: "octo" }], coreRateLimit: 1_000_000, searchRateLimit: false });
  const bare = makeRemote();
  // The product default for answers (2 s), not the tests' (which wait for the decision).
  const server = await startServe(fake.url, bare, { args: ["--concurrency", "8", "--answer-within", "2000"] });
  const deadline = Date.now() + Number(process.env.BUGBEACON_BENCH_SERVE_S ?? 900) * 1000;
  try {
    const reports = Array.from({ length: PROBLEMS }, (_, p) => reportBody(`bench problem ${p}`));
    const payloads: Array<{ id: string; body: string }> = [];
    for (let i = 0; i < N; i++) {
      const report = reports[i % PROBLEMS]!;
      const createdAt = new Date(Date.parse("2026-11-20T10:00:00Z") + i * 1000);
      fake.seedIssue(REPO, { title: `issue ${i + 1}`, body: report.body, createdAt: createdAt.getTime() });
      payloads.push({ id: `bench-${i}`, body: delivery("opened", { number: i + 1, body: report.body, repo: REPO, createdAt: createdAt.toISOString() }) });
    }
    // Baseline: the same clients and connections for the cheapest answer the server gives.
    const base: number[] = [];
    await pool(payloads, CLIENTS, async () => {
      const t = performance.now();
      await fetch(`${server.url}/healthz`, { headers: { connection: "close" } }).then((r) => r.arrayBuffer());
      base.push(performance.now() - t);
    });
    const memBefore = rssMiB(server.child.pid!);
    const latencies: number[] = [];
    const failures: string[] = [];
    const started = performance.now();
    await pool(payloads, CLIENTS, async (p) => {
      if (Date.now() > deadline) throw new Error(`serve bench: gave up after its time bound, ${latencies.length} of ${N} answered`);
      const t = performance.now();
      const answer = await send(server.url, p.id, p.body);
      latencies.push(performance.now() - t);
      // 200: triaged before the answer; 202: accepted on disk, triaged after it.
      if (answer.status !== 200 && answer.status !== 202) failures.push(`${p.id}: ${answer.status} ${answer.body.slice(0, 200)}`);
    });
    const answeredIn = (performance.now() - started) / 1000;
    const done = () => server.lines().filter((l) => (l.msg === "delivery" && (l.decision === "first" || l.decision === "duplicate")) || l.msg === "triaged").length;
    while (done() < N - failures.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const seconds = (performance.now() - started) / 1000;
    const memAfter = rssMiB(server.child.pid!);
    const filed = filesOnMain(bare).filter((f) => f.startsWith("issues/"));
    const numbers = filed.map((f) => Number(f.split("/").at(-1)!.replace(".json", "")));
    const once = new Set(numbers).size === N && numbers.length === N;
    const lines = server.lines();
    const inAnswer = lines.filter((l) => l.msg === "delivery" && (l.decision === "first" || l.decision === "duplicate"));
    const afterAnswer = lines.filter((l) => l.msg === "triaged");
    const triaged = inAnswer.length + afterAnswer.length;
    const toTriaged = [...inAnswer, ...afterAnswer].map((l) => Number(l.ms));
    const closed = fake.issues(REPO).filter((i) => i.state === "closed").length;
    log(`${N} deliveries from ${CLIENTS} clients (${PROBLEMS} problems): ${latencies.length} answered, ${failures.length} neither 200 nor 202${failures.length ? ` (first: ${failures[0]})` : ""}`);
    log(`each issue filed exactly once: ${once ? "yes" : "NO"} (${numbers.length} records, ${new Set(numbers).size} issues); ${triaged} triage runs; ${closed} duplicates closed (expected ${N - PROBLEMS})`);
    log(`answered: ${inAnswer.length} after their triage (200), ${afterAnswer.length} before it (202 queued), all within ${answeredIn.toFixed(1)} s`);
    log(`time to triaged (server side, from receipt) p50 ${percentile(toTriaged, 50).toFixed(0)} ms, p99 ${percentile(toTriaged, 99).toFixed(0)} ms`);
    log(`answer latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms; GET /healthz baseline p50 ${percentile(base, 50).toFixed(1)} ms (x${(percentile(latencies, 50) / percentile(base, 50)).toFixed(0)}), p99 ${percentile(base, 99).toFixed(1)} ms`);
    log(`throughput ${(N / seconds).toFixed(1)} deliveries/s over ${seconds.toFixed(1)} s; server RSS ${memBefore.toFixed(0)} MiB before, ${memAfter.toFixed(0)} MiB after`);
    if (failures.length > 0 || !once || triaged !== N || fake.contractViolations.length > 0) {
      throw new Error(`serve bench: not every delivery was triaged exactly once (${fake.contractViolations.length} contract violations)`);
    }
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    await fake.close();
    removeTempDirs();
  }
}
