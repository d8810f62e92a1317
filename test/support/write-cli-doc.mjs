// Writes docs/cli.md from the built CLI's own --help (run after `npm run build:test`):
//   node test/support/write-cli-doc.mjs
// test/readme.test.ts fails when docs/cli.md and --help differ, so a new or changed command means running this.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const run = (args) => execFileSync(process.execPath, [`${root}dist/cli.js`, ...args], { encoding: "utf8" });
const main = run(["--help"]);
const names = [...main.matchAll(/^ {2}(\w+)\s{2,}(.+)$/gm)].map((m) => [m[1], m[2]]);
let out = "# The `bugbeacon` command\n\n";
out += "[README](../README.md) · [API](api.md) · [CLI](cli.md) · [Delivery](delivery.md) · [Support repository](support-repository.md) · [serve](serve.md) · [Development](development.md)\n\n";
out +=
  "Each section below is the command's `--help`, word for word (`test/readme.test.ts` compares them; `node test/support/write-cli-doc.mjs` rewrites this page). " +
  'A bad argument prints one line that names the flag and what is expected, then `Run "bugbeacon <command> --help" for usage.`; never a stack ' +
  "(`BUGBEACON_DEBUG=1` shows one for an unexpected failure). Control characters from issue text or file names never reach the terminal.\n\n";
out += `| command | what it does |\n|---|---|\n${names.map(([n, s]) => `| [\`bugbeacon ${n}\`](#bugbeacon-${n}) | ${s} |`).join("\n")}\n\n`;
out += `\`\`\`text\n$ bugbeacon --help\n${main}\`\`\`\n`;
for (const [n] of names) out += `\n## bugbeacon ${n}\n\n\`\`\`text\n$ bugbeacon ${n} --help\n${run([n, "--help"])}\`\`\`\n`;
writeFileSync(`${root}docs/cli.md`, out);
