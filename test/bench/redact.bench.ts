/**
 * Redaction cost: a realistic 64 kB report against the redactor of the base commit before the rule
 * book (df12072, taken from git into a temp folder and run in the same process; target: within 2x),
 * 30 hostile shapes at 256 kB and 1 MB (target: linear, 4x the input within 5x the time), and a crash
 * whose message is hostile exiting within the crash handler's budget. Baselines in the same run: the
 * old redactor, a native linear pass over the same text (`JSON.stringify`), and Node crashing alone.
 */
import { randomBytes } from "node:crypto";
import { execSync, spawnSync } from "node:child_process";
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

/** CPU time (user + system) of the best of a few runs, in ms: other processes on the machine do not inflate it. */
function bestCpu(fn: () => unknown, rounds: number): number {
  let min = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t0 = process.cpuUsage();
    fn();
    const used = process.cpuUsage(t0);
    min = Math.min(min, (used.user + used.system) / 1000);
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

/** The redactor of the base commit (before the rule book), or undefined when git cannot give it. */
async function baseRedactor(dir: string): Promise<((text: string) => string) | undefined> {
  try {
    execSync(`git archive ${BASE_COMMIT} src/sdk/redact.ts src/sdk/redact src/_builtins.ts | tar -x -C "${dir}"`, { cwd: root, stdio: "ignore" });
    const mod = (await import(join(dir, "src/sdk/redact.ts"))) as { createRedactor(o: object): (t: string) => string };
    return mod.createRedactor({ home: "/home/bench", username: "benchuser" });
  } catch {
    return undefined;
  }
}

const BASE_COMMIT = "df12072";

const rep = (unit: string) => (n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

/** 30 shapes aimed at every scanner: repeated keywords, operators, anchors and half-made tokens. */
const HOSTILE: Array<[string, (n: number) => string]> = [
  ["'a-' run + ' token'", (n) => `${"a-".repeat(n / 2)} token`],
  ["base64 (random bytes)", (n) => randomBytes(n).toString("base64").slice(0, n)],
  ["base64 of text with a password", (n) => Buffer.from("password=hunter2 ".repeat(n / 20)).toString("base64").slice(0, n)],
  ["dotted number list", (n) => Array.from({ length: n / 4 }, (_, i) => i % 1000).join(".").slice(0, n)],
  ["nested brackets after a sensitive name", (n) => `password: ${"[".repeat(n / 2)}${"]".repeat(n / 2)}`],
  ["'{' run", (n) => "{".repeat(n)],
  ["repeated 'password='", rep("password=")],
  ["repeated PEM headers without end", rep("-----BEGIN A-----")],
  ["repeated '%41 '", rep("%41 ")],
  ["repeated 'token '", rep("token ")],
  ["repeated '-ey' (JWT keyword in a run)", rep("-ey")],
  ["repeated 'sk-' (token prefix in a run)", rep("sk-")],
  ["repeated ' -p' (glued password flag)", rep(" -pmysql -u")],
  ["digits and '|' (paired-id keyword)", rep("1234567890123456|")],
  ["repeated 'Private-Lines: 256'", rep("Private-Lines: 256\n")],
  ["repeated SSH2 private headers", rep("---- BEGIN SSH2 PRIVATE KEY ----")],
  ["repeated JWK members", rep('{"kty":"RSA","d":"')],
  ["repeated 'password ' (.netrc/SQL words)", rep("password ")],
  ["repeated ' -u a:' (user flags)", rep(" -u a:")],
  ["repeated ' value=\"' (key/value attributes)", rep(' value="')],
  ["repeated '<password>' (XML elements)", rep("<password>")],
  ["repeated 'Q~' (Azure secret keyword)", rep("abc1Q~")],
  ["repeated '-us' (Mailchimp keyword)", rep("-us")],
  ["repeated 'adafruit=' (named values)", rep("adafruit=")],
  ["repeated escaped '\\n'", rep("\\n")],
  ["repeated '%25'", rep("%25")],
  ["repeated ':= =>'", rep("x := y => ")],
  ["repeated typed declarations", rep("key: string = ")],
  ["URL authorities with '/' and no '@'", rep("a://b:c/")],
  ["repeated call forms", rep('setProperty("password", ')],
];

export async function run(log: (line: string) => void): Promise<void> {
  const { createRedactor } = (await import(join(root, "dist/redact.js"))) as typeof import("../../src/redact.js");
  const { describeError } = (await import(join(root, "dist/format.js"))) as typeof import("../../src/format.js");
  const redact = createRedactor({ home: "/home/bench", username: "benchuser" });

  const report = realisticReport(describeError);
  const floor = best(() => JSON.stringify(report), 21);
  const baseDir = mkdtempSync(join(tmpdir(), "bugbeacon-bench-base-"));
  try {
    const before = await baseRedactor(baseDir);
    // Both from source through the same loader, measured in turns (ABAB…) so that load on the shared
    // machine falls on both alike; the shipped build (dist) is measured too.
    const now = ((await import(join(root, "src/sdk/redact.ts"))) as typeof import("../../src/sdk/redact.js")).createRedactor({ home: "/home/bench", username: "benchuser" });
    let ours = Infinity;
    let base = Infinity;
    for (let round = 0; round < 7; round++) {
      ours = Math.min(ours, best(() => now(report), 3));
      if (before !== undefined) base = Math.min(base, best(() => before(report), 3));
    }
    const shipped = best(() => redact(report), 21);
    log(`realistic ${(report.length / 1024).toFixed(0)} kB report: ${ours.toFixed(2)} ms from source, ${shipped.toFixed(2)} ms from dist (${((report.length / 1024 / 1024) / (shipped / 1000)).toFixed(0)} MB/s)`);
    log(`  baseline JSON.stringify of the same text: ${floor.toFixed(3)} ms; ratio ${(shipped / floor).toFixed(1)}`);
    if (before === undefined) log(`  base commit ${BASE_COMMIT}: not available (no git); on 2026-12-03 it measured 1.64 ms, JSON.stringify ratio 17.2`);
    else log(`  base commit ${BASE_COMMIT} (before the rule book), same text, same loader, in turns: ${base.toFixed(2)} ms; ours/base ${(ours / base).toFixed(2)} (target <= 2: ${ours / base <= 2 ? "met" : "NOT met"})`);
  } finally {
    rmSync(baseDir, { recursive: true, force: true });
  }

  log("hostile shapes: CPU time at 1 MB (best of 3) and the ratio to 256 kB (linear = 4; target < 5 by 4x input; a ratio over 5 is measured again, up to 3 times, since noise only raises it):");
  let worst = { name: "", ratio: 0 };
  for (const [name, make] of HOSTILE) {
    const large = make(1 << 20);
    const small = make(1 << 18);
    bestCpu(() => redact(small), 1);
    let t = Infinity;
    let ratio = Infinity;
    for (let attempt = 0; attempt < 3 && ratio >= 5; attempt++) {
      t = Math.min(t, bestCpu(() => redact(large), 3));
      ratio = Math.min(ratio, t / Math.max(bestCpu(() => redact(small), 5), 0.01));
    }
    if (ratio > worst.ratio) worst = { name, ratio };
    log(`  ${name.padEnd(46)} ${t.toFixed(1).padStart(7)} ms  ratio ${ratio.toFixed(1).padStart(4)}`);
  }
  log(`worst ratio: ${worst.ratio.toFixed(2)} (${worst.name}); target < 5: ${worst.ratio < 5 ? "met" : "NOT met"}`);

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
