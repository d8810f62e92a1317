/**
 * Time to turn an Error with a 30-frame stack into a ready report (capture, redact, hash, render), in
 * microseconds per report, side by side in the same run with @sentry/node's captureException using a
 * transport that sends nothing.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

function errorWith30Frames(): Error {
  const recurse = (n: number): Error => (n === 0 ? new TypeError("Cannot read properties of undefined (reading 'rows')") : recurse(n - 1));
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  try {
    return recurse(40);
  } finally {
    Error.stackTraceLimit = saved;
  }
}

async function perOp(fn: () => unknown, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - t0) / 1000 / n;
}

export async function run(log: (line: string) => void): Promise<void> {
  const { getHelper } = (await import(join(root, "dist/index.js"))) as typeof import("../../src/index.js");
  const { describeError, renderIssueBody } = (await import(join(root, "dist/format.js"))) as typeof import("../../src/format.js");
  const sample = errorWith30Frames();
  const frames = (sample.stack ?? "").split("\n").filter((l) => l.trimStart().startsWith("at ")).length;

  const helper = getHelper("github", { confirm: false, quiet: true, repo: "octo/app", env: { SHELL: "/bin/bash", LANG: "C.UTF-8" }, app: { name: "bench", version: "1.0.0" } });
  // The whole path up to the network: describe, identify (hash), environment, redact, render.
  const N = 5000;
  // Fresh error objects for both sides: Sentry skips an object it has already captured.
  const errors = Array.from({ length: N }, () => errorWith30Frames());
  let next = 0;
  // helper.prepare is async (the report path loads on first use; here it is loaded by the warm-up below).
  const bugbeacon = async () => {
    const d = describeError(errors[next++ % N], { appRoot: root });
    const prepared = await helper.prepare({ identifier: d.identifierSource, title: d.title, body: d.body, kind: "exception" });
    return renderIssueBody(prepared.document).body;
  };

  const Sentry = await import("@sentry/node");
  let sentEvents = 0;
  Sentry.init({
    dsn: "https://public@127.0.0.1/1",
    defaultIntegrations: false,
    integrations: [],
    transport: () => ({
      send: async () => {
        sentEvents += 1;
        return {};
      },
      flush: async () => true,
    }),
  });
  const client = Sentry.getClient();
  // Sentry processes events asynchronously: time N captures until all of them reached the transport.
  const sentryRound = async (): Promise<number> => {
    const fresh = Array.from({ length: N }, () => errorWith30Frames());
    const before = sentEvents;
    const t0 = process.hrtime.bigint();
    for (const e of fresh) Sentry.captureException(e);
    await client?.flush(30_000);
    const us = Number(process.hrtime.bigint() - t0) / 1000 / N;
    if (sentEvents - before !== N) throw new Error(`only ${sentEvents - before} of ${N} Sentry events reached the transport`);
    return us;
  };

  await bugbeacon(); // the warm-up: loads the report path once, as an app's first report does
  // Interleave rounds so machine noise hits both alike; keep the best round of each.
  const rounds = 3;
  let ours = Infinity;
  let theirs = Infinity;
  for (let r = 0; r < rounds; r++) {
    next = 0;
    ours = Math.min(ours, await perOp(bugbeacon, N));
    theirs = Math.min(theirs, await sentryRound());
  }
  log(`error with a ${frames}-frame stack → ready report (best of ${rounds} rounds of ${N})`);
  log(`  bugbeacon (capture, redact, hash, render): ${ours.toFixed(1)} µs per report  (target < 100 µs: ${ours < 100 ? "met" : "NOT met"})`);
  log(`  @sentry/node captureException, no-op transport: ${theirs.toFixed(1)} µs per event (${sentEvents} events reached the transport)`);
  log(`  ratio bugbeacon / sentry: ${(ours / theirs).toFixed(2)}  (${ours < theirs ? "bugbeacon faster" : "sentry faster"})`);
  await Sentry.close(0);
}
