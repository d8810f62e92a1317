// `npm test`: the JavaScript build the tests run against, then the type check, ESLint and the import-cycle
// check side by side with the tests themselves. The tests wait on child processes, servers and timers for
// about a third of their time, and the checks fill that idle CPU (at a lower priority, so the tests'
// timing is not starved); one after the other they cost about 18 s more on two cores.
// Any failing gate fails the run: its output is printed as soon as it ends and the tests are stopped then.
// `node test/support/gates.mjs --gates-only` runs the gates alone (for a quick check before committing).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { setPriority, tmpdir } from "node:os";
import { join } from "node:path";

const gatesOnly = process.argv.includes("--gates-only");
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);

/** Runs `npm run -s <script>` with its output captured; resolves with its exit code and output. */
function gate(name, { nice = false } = {}) {
  const done = new Promise((resolve) => {
    const child = spawn("npm", ["run", "-s", name], { stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32" });
    if (nice && child.pid !== undefined) {
      try {
        setPriority(child.pid, 10);
      } catch {
        // Not allowed here: run at the same priority.
      }
    }
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (error) => resolve({ name, code: 1, output: `${output}${error.message}\n` }));
    child.on("close", (code) => resolve({ name, code: code ?? 1, output }));
  });
  return { name, done };
}

function report({ name, code, output }) {
  const shown = output.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("npm warn")).join("\n");
  console.log(`== ${name}: ${code === 0 ? "ok" : `FAILED (exit ${code})`} (${seconds()} s)`);
  if (code !== 0) console.log(shown);
}

// The tests import the built CLI and package: the build comes first. A failed build still gets the other
// checks (their messages usually say why), but no tests.
const build = await gate("build:test").done;
report(build);
const runTests = !gatesOnly && build.code === 0;
const checks = ["typecheck", "lint", "cycles"].map((name) => gate(name, { nice: runTests }));
let tests;
const failed = build.code === 0 ? [] : ["build:test"];
const checked = Promise.all(
  checks.map((c) =>
    c.done.then((result) => {
      report(result);
      if (result.code !== 0) {
        failed.push(result.name);
        // No point finishing the tests: the run has failed.
        tests?.kill("SIGTERM");
      }
    }),
  ),
);
if (runTests) {
  // The tests' temp folder (test/support/temp-check.ts checks what is left in it) lives in one of ours,
  // removed whatever happens: a run stopped by a failing gate leaves nothing either.
  const temp = mkdtempSync(join(tmpdir(), "bugbeacon-npm-test-"));
  const env = { ...process.env, TMPDIR: temp, TMP: temp, TEMP: temp };
  try {
    tests = spawn("npx", ["vitest", "run", "--config", "test/vitest.config.ts", ...process.argv.slice(2)], { stdio: "inherit", env, shell: process.platform === "win32" });
    const code = await new Promise((resolve) => tests.on("close", (c, signal) => resolve(c ?? (signal ? 1 : 0))));
    if (code !== 0 && failed.length === 0) failed.push("tests");
  } finally {
    rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
  }
}
await checked;
console.log(`== ${gatesOnly ? "gates" : "npm test"} ${failed.length === 0 ? "passed" : `failed: ${failed.join(", ")}`} in ${seconds()} s`);
process.exitCode = failed.length === 0 ? 0 : 1;
