/**
 * The README as a newcomer meets it: its quick start, run verbatim from a clean clone of this repository
 * (the commands taken from README.md itself; npm answers from its cache, never the network; no token, so
 * nothing is sent anywhere), the transcript it shows is what the crash prints, and its command table and
 * docs/cli.md are what `--help` says.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { trackChild } from "./support/cleanup.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const root = new URL("..", import.meta.url).pathname;
const readme = readFileSync(join(root, "README.md"), "utf8");
const cli = join(root, "dist/cli.js");

/** The text of the section under `## <title>`, up to the next `## `. */
function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The fenced blocks of a given language in `text`. */
function fenced(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```$", "gm"))].map((m) => m[1]!);
}

const printed_ = (text: string) => text.split("\n");

/** Runs one shell command line as a newcomer would type it, in `cwd`. */
function shell(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = trackChild(spawn("bash", ["-c", command], { cwd, env, stdio: ["ignore", "pipe", "pipe"] }));
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the README's quick start, from a clean clone", () => {
  it("runs verbatim: install, the demo, and the crash transcript the README shows", async () => {
    const blocks = fenced(section(readme, "Quick start"), "sh");
    expect(blocks).toHaveLength(1);
    const commands = blocks[0]!.split("\n").filter((l) => l.trim() !== "");
    expect(commands).toEqual(["npm ci", "npm run example", "node examples/cli-crash.mjs data.csv"]);

    // A clean clone: only what is committed.
    const clone = tempDir("bugbeacon-newcomer-");
    execFileSync("git", ["clone", "--quiet", root, clone]);
    const env = baseEnv({
      TERM: "xterm-256color",
      // The registry's answers come from npm's cache (the one this checkout was installed from): offline.
      npm_config_offline: "true",
      npm_config_cache: execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim(),
      npm_config_audit: "false",
      npm_config_fund: "false",
      npm_config_update_notifier: "false",
    });
    const results = [];
    for (const command of commands) results.push(await shell(command, clone, env));
    const [install, example, crash] = results;

    expect(install!.code, install!.stderr).toBe(0);
    expect(example!.code, example!.stderr).toBe(0);
    expect(example!.stderr).toContain("bugbeacon: no GitHub token, so nothing was sent. To report this problem, open:\nhttps://github.com/bugbeacon-demo/support/issues/new?title=");
    expect(example!.stdout).toContain("The demo app crashed; bugbeacon's result:");
    expect(example!.stdout).toContain('"kind": "url"');

    // The crash: exit 1, and the lines the README's transcript shows, in that order.
    expect(crash!.code, crash!.stderr).toBe(1);
    const transcript = fenced(section(readme, "What the person who crashed sees"), "text")[0]!;
    // Node's own last line names the Node version that ran it: the README's capture and this run may differ.
    expect(printed_(crash!.stderr)).toContainEqual(expect.stringMatching(/^Node\.js v\d+\.\d+\.\d+$/));
    const shown = transcript.split("\n").filter((l) => l.trim() !== "" && !l.includes("…") && !l.startsWith("Node.js v"));
    const printed = crash!.stderr.split("\n");
    let at = 0;
    for (const line of shown) {
      const found = printed.findIndex((p, i) => i >= at && p === line);
      expect(found, `README line not printed (in order): ${line}\n${crash!.stderr}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
    // The shortened lines are shortened, not made up: each one's text before "…" starts a printed line.
    for (const line of transcript.split("\n").filter((l) => l.includes("…"))) {
      const head = line.slice(0, line.indexOf("…"));
      if (head.trim() !== "") expect(printed.some((p) => p.startsWith(head)), line).toBe(true);
    }
  }, 300_000);
});

describe("the README and docs say what the code does", () => {
  it("the command table is the main --help, and docs/cli.md holds each command's --help word for word", async () => {
    const main = await runNode([cli, "--help"], { env: baseEnv() });
    const listed = [...main.stdout.matchAll(/^ {2}(\w+)\s{2,}(.+)$/gm)].map((m) => `| \`bugbeacon ${m[1]}\` | ${m[2]} |`);
    const table = section(readme, "Commands").split("\n").filter((l) => l.startsWith("| `bugbeacon"));
    expect(table).toEqual(listed);
    const doc = readFileSync(join(root, "docs/cli.md"), "utf8");
    expect(doc).toContain(`$ bugbeacon --help\n${main.stdout}\`\`\``);
    for (const name of [...main.stdout.matchAll(/^ {2}(\w+)\s{2,}/gm)].map((m) => m[1]!)) {
      const help = await runNode([cli, name, "--help"], { env: baseEnv() });
      expect(doc, name).toContain(`## bugbeacon ${name}\n\n\`\`\`text\n$ bugbeacon ${name} --help\n${help.stdout}\`\`\``);
    }
  });

  it("the README quotes no import-cost or test-count figure, and links only to pages that exist or that other work adds", () => {
    expect(readme).not.toMatch(/\d\s*ms\b|\d+ tests\b|\btests? pass/i);
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((m) => m[1]!);
    // Written with this README: each must exist.
    const here = ["docs/api.md", "docs/cli.md", "docs/delivery.md", "docs/development.md", "docs/serve.md", "docs/support-repository.md"];
    for (const page of here) {
      expect(links, page).toContain(page);
      expect(existsSync(join(root, page)), page).toBe(true);
    }
    // Pages other changes write (crash handlers, redaction, performance, backends, relay, monitors).
    const elsewhere = ["docs/crash-handlers.md", "docs/redaction.md", "docs/performance.md", "docs/backends.md", "docs/relay.md", "docs/monitors.md", "docs/recording.md"];
    expect(links.filter((l) => !here.includes(l) && !elsewhere.includes(l))).toEqual([]);
  });

  it("docs/serve.md deploys a pinned bugbeacon on a current Node.js LTS image, never npx at start", () => {
    const serve = readFileSync(join(root, "docs/serve.md"), "utf8");
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(serve).not.toMatch(/npx --yes|node:20|bugbeacon@0\b(?!\.)/);
    expect(serve).toMatch(/^FROM node:(22|24)[-\w.]*$/m);
    expect(serve).toContain(`bugbeacon@${version}`);
    expect(serve).toContain("ExecStart=/usr/local/bin/bugbeacon serve");
  });
});
