// `npm run check:package` (after the full build): pack the package as npm would publish it, install the
// tarball into a fresh project, and check what a consumer gets. Prints the install size and package count
// (the README quotes them); fails on any @octokit package installed in more than one version (the exact
// pins in package.json keep Octokit's packages on one release train, see README "Install"), and checks that
// the shipped source maps turn a bugbeacon frame into its src/ line, for import and for require. The entries
// (`bugbeacon`, `bugbeacon/backend`, `bugbeacon/redact`, `bugbeacon/format`) are checked by @arethetypeswrong/cli on the packed
// tarball (types for import and require under node10, node16 and bundler resolution; it works offline on a
// file) and loaded from the consumer's install with import and with require.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "bugbeacon-pack-"));
const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const problems = [];
try {
  // --ignore-scripts: `npm run check:package` built the full package just before (prepack would build it again
  // and print the build's output into the JSON).
  const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], root));
  const files = packed.files.map((f) => f.path);
  const entries = ["index", "backend", "redact", "format"].flatMap((e) => [`dist/${e}.js`, `dist/${e}.cjs`, `dist/${e}.d.ts`, `dist/${e}.d.cts`]);
  for (const need of ["LICENSE", "README.md", "CHANGELOG.md", "package.json", ...entries, "dist/cli.js", "dist/crash-send.js"]) {
    if (!files.includes(need)) problems.push(`the package lacks ${need}`);
  }
  const maps = packed.files.filter((f) => f.path.endsWith(".map")).reduce((a, f) => a + f.size, 0);
  console.log(`packed: ${packed.files.length} files, ${(packed.size / 1024).toFixed(0)} KB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KB unpacked (source maps ${(maps / 1024).toFixed(0)} KB)`);

  // Are the types wrong? Every entry, for import and require, under every resolution mode.
  try {
    const attw = execFileSync("npx", ["--no-install", "attw", "--format", "table-flipped", join(work, packed.filename)], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    console.log(`attw: ${/No problems found/.test(attw) ? "no problems found" : attw}`);
  } catch (error) {
    problems.push(`@arethetypeswrong/cli found problems:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }

  const app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  npm(["install", "--no-audit", "--no-fund", "--omit=dev", join(work, packed.filename)], app);
  const tree = JSON.parse(npm(["ls", "--all", "--json"], app));
  const versions = new Map();
  const walk = (deps = {}) => {
    for (const [name, info] of Object.entries(deps)) {
      if (!versions.has(name)) versions.set(name, new Set());
      if (info.version) versions.get(name).add(info.version);
      walk(info.dependencies);
    }
  };
  walk(tree.dependencies);
  const modules = join(app, "node_modules");
  const count = [...versions.values()].reduce((a, v) => a + v.size, 0);
  const du = execFileSync("du", ["-sk", modules], { encoding: "utf8" }).split("\t")[0];
  console.log(`a consumer's install: ${(Number(du) / 1024).toFixed(1)} MB in node_modules, ${count} packages (bugbeacon included)`);
  const duplicated = [...versions].filter(([name, v]) => name.startsWith("@octokit/") && v.size > 1);
  for (const [name, v] of duplicated) console.log(`  more than one copy: ${name} ${[...v].join(", ")}`);
  if (duplicated.length > 0) problems.push(`${duplicated.length} @octokit packages are installed in more than one version: align the pins in package.json`);
  statSync(join(modules, "bugbeacon", "dist", "cli.js"));

  // An error thrown inside bugbeacon, with node --enable-source-maps: its frame names the source line.
  const probes = {
    "esm.mjs": `import { getHelper } from "bugbeacon";\ntry { getHelper("nope"); } catch (e) { console.log(e.stack); }\n`,
    "cjs.cjs": `const { getHelper } = require("bugbeacon");\ntry { getHelper("nope"); } catch (e) { console.log(e.stack); }\n`,
  };
  // Each subpath from the consumer's install, with import and with require.
  const subpaths = {
    "subpaths.mjs": `import { createRedactor } from "bugbeacon/redact";\nimport { parseIssueBody } from "bugbeacon/format";\nimport { defineBackend } from "bugbeacon/backend";\nconsole.log(typeof createRedactor, typeof parseIssueBody, typeof defineBackend);\n`,
    "subpaths.cjs": `const { createRedactor } = require("bugbeacon/redact");\nconst { parseIssueBody } = require("bugbeacon/format");\nconst { defineBackend } = require("bugbeacon/backend");\nconsole.log(typeof createRedactor, typeof parseIssueBody, typeof defineBackend);\n`,
  };
  for (const [file, code] of Object.entries(subpaths)) {
    writeFileSync(join(app, file), code);
    const out = execFileSync(process.execPath, [file], { cwd: app, encoding: "utf8" }).trim();
    if (out !== "function function function") problems.push(`${file}: the subpath entries did not load: ${out}`);
    else console.log(`subpaths (${file}): bugbeacon/redact, bugbeacon/format and bugbeacon/backend load`);
  }
  for (const [file, code] of Object.entries(probes)) {
    writeFileSync(join(app, file), code);
    const stack = execFileSync(process.execPath, ["--enable-source-maps", file], { cwd: app, encoding: "utf8" });
    const frame = /node_modules\/bugbeacon\/src\/sdk\/get-helper\.ts:\d+:\d+/.exec(stack);
    if (frame === null) problems.push(`${file}: with --enable-source-maps a bugbeacon frame does not name its source line:\n${stack}`);
    else console.log(`source maps (${file}): ${frame[0]}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (problems.length > 0) {
  for (const p of problems) console.error(`check:package: ${p}`);
  process.exit(1);
}
console.log("check:package: ok");
