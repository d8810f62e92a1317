// `npm test`'s gates before the tests, side by side (two cores do them in about half the time): the type
// check, ESLint, the import-cycle check and the JavaScript build the tests run against. Each gate's output
// is printed when it ends; any failing gate fails the run before a single test starts.
import { spawn } from "node:child_process";

const gates = [
  ["typecheck", "npm", ["run", "-s", "typecheck"]],
  ["lint", "npm", ["run", "-s", "lint"]],
  ["cycles", "npm", ["run", "-s", "cycles"]],
  ["build:test", "npm", ["run", "-s", "build:test"]],
];

const started = Date.now();
const results = await Promise.all(
  gates.map(
    ([name, command, args]) =>
      new Promise((resolve) => {
        const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32" });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("error", (error) => resolve({ name, code: 1, output: `${output}${error.message}\n` }));
        child.on("close", (code) => resolve({ name, code: code ?? 1, output }));
      }),
  ),
);
for (const { name, code, output } of results) {
  const shown = output.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("npm warn")).join("\n");
  console.log(`== ${name}: ${code === 0 ? "ok" : `FAILED (exit ${code})`}`);
  if (code !== 0) console.log(shown);
}
const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
console.log(`== gates ${failed.length === 0 ? "passed" : `failed: ${failed.join(", ")}`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exitCode = failed.length === 0 ? 0 : 1;
