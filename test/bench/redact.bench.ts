/**
 * Redaction cost: throughput on a realistic 64 kB report (target < 2 ms), the time for each hostile
 * 200 kB input (target < 50 ms each), and a crash whose message is hostile exiting within the crash
 * handler's budget. Baselines in the same run: a native linear pass over the same text
 * (`JSON.stringify`), and Node crashing on the same error without bugbeacon.
 */
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

function best(fn: () => unknown, rounds = 7): number {
  let min = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return min;
}

/** A 64 kB report body as bugbeacon writes it: stacks, causes, fields, breadcrumbs, some secrets. */
function realisticReport(describeError: (e: unknown, o: object) => { body: string }): string {
  const recurse = (n: number): Error => (n === 0 ? new TypeError("Cannot read properties of undefined (reading 'rows')") : recurse(n - 1));
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const error = recurse(40) as Error & Record<string, unknown>;
  Error.stackTraceLimit = saved;
  error.cause = new Error("connect ECONNREFUSED postgres://app:s3cr3t-pw@db.internal:5432/prod");
  error.request = { url: "https://api.internal/v1/items?page=2&token=abcdef0123456789abcdef", headers: { "content-type": "application/json" } };
  error.code = "E_ROWS";
  const crumbs = Array.from({ length: 50 }, (_, i) => ({
    at: new Date().toISOString(),
    message: `GET /api/items/${i} 200 in ${i * 3} ms (user 42, request ${randomBytes(8).toString("hex")})`,
    data: JSON.stringify({ route: "/api/items/:id", status: 200, bytes: 1024 + i }),
    source: "app" as const,
  }));
  const one = describeError(error, { appRoot: root, breadcrumbs: crumbs, argv: ["node", "server.js", "--port", "8080"] }).body;
  let body = one;
  while (body.length < 64 * 1024) body += `\n\n${one}`;
  return body.slice(0, 64 * 1024);
}

const HOSTILE: Array<[string, (n: number) => string]> = [
  ["'a-' x 100k + ' token'", (n) => `${"a-".repeat(n / 2)} token`],
  ["base64 (random bytes)", (n) => randomBytes(n).toString("base64").slice(0, n)],
  ["base64 of text with a password", (n) => Buffer.from("password=hunter2 ".repeat(n / 20)).toString("base64").slice(0, n)],
  ["dotted number list", (n) => Array.from({ length: n / 4 }, (_, i) => i % 1000).join(".").slice(0, n)],
  ["nested brackets after a sensitive name", (n) => `password: ${"[".repeat(n / 2)}${"]".repeat(n / 2)}`],
  ["'{' x 200k", (n) => "{".repeat(n)],
  ["repeated 'password='", (n) => "password=".repeat(n / 9)],
  ["repeated PEM headers without end", (n) => "-----BEGIN A-----".repeat(n / 17)],
  ["repeated '%41 '", (n) => "%41 ".repeat(n / 4)],
  ["repeated 'token '", (n) => "token ".repeat(n / 6)],
];

export async function run(log: (line: string) => void): Promise<void> {
  const { createRedactor } = (await import(join(root, "dist/redact.js"))) as typeof import("../../src/redact.js");
  const { describeError } = (await import(join(root, "dist/format.js"))) as typeof import("../../src/format.js");
  const redact = createRedactor({ home: "/home/bench", username: "benchuser" });

  const report = realisticReport(describeError);
  const ours = best(() => redact(report), 21);
  const floor = best(() => JSON.stringify(report), 21);
  log(`realistic ${(report.length / 1024).toFixed(0)} kB report: ${ours.toFixed(2)} ms (${((report.length / 1024 / 1024) / (ours / 1000)).toFixed(0)} MB/s; target < 2 ms: ${ours < 2 ? "met" : "NOT met"})`);
  log(`  baseline JSON.stringify of the same text: ${floor.toFixed(3)} ms; ratio ${(ours / floor).toFixed(1)}`);

  log("hostile inputs, 200 kB each (best of 7; target < 50 ms each), and 4x-input time ratio (linear ≈ 4, quadratic ≈ 16):");
  for (const [name, make] of HOSTILE) {
    const large = make(200_000);
    const small = make(50_000);
    best(() => redact(small), 2);
    const t = best(() => redact(large));
    const ratio = t / Math.max(best(() => redact(small)), 0.01);
    log(`  ${name.padEnd(40)} ${t.toFixed(1).padStart(6)} ms  ratio ${ratio.toFixed(1).padStart(4)}  ${t < 50 ? "met" : "NOT met"}`);
  }

  // A crash on a hostile message: with handlers installed (no token: the URL path, nothing on the
  // network) against Node alone on the same error.
  const dir = mkdtempSync(join(tmpdir(), "bugbeacon-bench-redact-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules/bugbeacon"), "dir");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "bench-app", version: "1.0.0", type: "module" }));
    const crash = `throw new Error("a-".repeat(100_000) + " token " + "QUFB".repeat(64_000) + " " + Array.from({ length: 50_000 }, (_, i) => i).join("."));`;
    writeFileSync(join(dir, "with.mjs"), `import { installHandlers } from "bugbeacon";\ninstallHandlers({ repo: "octo/app", confirm: false, open: false, quiet: true });\n${crash}\n`);
    writeFileSync(join(dir, "alone.mjs"), `${crash}\n`);
    const env = { PATH: process.env.PATH, HOME: dir, BUGBEACON_SPOOL_DIR: join(dir, "spool") };
    const wall = (file: string) => {
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [join(dir, file)], { env, cwd: dir, encoding: "utf8", timeout: 60_000 });
      return { ms: Date.now() - t0, code: r.status };
    };
    let withMs = Infinity;
    let aloneMs = Infinity;
    let code: number | null = null;
    for (let i = 0; i < 3; i++) {
      const w = wall("with.mjs");
      withMs = Math.min(withMs, w.ms);
      code = w.code;
      aloneMs = Math.min(aloneMs, wall("alone.mjs").ms);
    }
    log(`crash on a ${(200_000 + 256_000 + 238_000) / 1000 | 0} kB hostile message, handlers installed: exits in ${withMs} ms (code ${code}); Node alone: ${aloneMs} ms; budget 5000 ms: ${withMs < 5000 ? "met" : "NOT met"}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
