import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commands } from "../src/cli/commands/index.js";
import { baseEnv, runNode, type RunResult } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

// The built CLI as a real child process: what a person sees on a bad command line.
const cli = join(new URL("..", import.meta.url).pathname, "dist/cli.js");
const bugbeacon = (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<RunResult> =>
  runNode([cli, ...args], { env: baseEnv(env), ...(cwd !== undefined ? { cwd } : {}) });

/** Never a stack, never "undefined", never the library's words. */
function expectClean(run: RunResult): void {
  const all = run.stdout + run.stderr;
  expect(all).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  expect(all).not.toContain("undefined");
  expect(all).not.toMatch(/requireToken|getHelper|InvalidOptionError|ERR_PARSE_ARGS/);
}

describe("bugbeacon on a bad command line", () => {
  const missing = "/nonexistent/bugbeacon-test";
  const cases: Array<[string, string[], string]> = [
    ["stats", ["--top"], "--top needs a value: a whole number from 1 to 10000."],
    ["stats", ["--top", "-3"], '--top must be a whole number from 1 to 10000, not "-3".'],
    ["stats", ["--top", "2.5"], '--top must be a whole number from 1 to 10000, not "2.5".'],
    ["stats", ["--format", "pdf"], '--format must be one of table, json, markdown, html, not "pdf".'],
    ["stats", ["--db", missing], `--db must be an existing folder; "${missing}" does not exist.`],
    ["stats", ["--output", `${missing}/stats.html`], `--output must be a file in an existing folder; the folder of "${missing}/stats.html" does not exist.`],
    ["stats", ["--top", "3", "--top", "4"], "--top is given twice: give it once."],
    ["report", ["--repo"], '--repo needs a value: the repository to report to, as "owner/name".'],
    ["report", ["--repo", "--title", "x"], '--repo needs a value: the repository to report to, as "owner/name".'],
    ["report", [], '--repo is required: the repository to report to, as "owner/name".'],
    ["report", ["--repo", "octo/app", "--api-url", "ftp://x"], '--api-url must be an http(s) URL such as https://api.github.com, not "ftp://x".'],
    ["init", ["extra"], 'unexpected argument "extra": this command takes flags only.'],
    ["init", ["--force=yes"], '--force takes no value (got "yes"): it is a switch.'],
    ["init", ["--dir", `${missing}/x`], `--dir must be an existing folder; "${missing}/x" does not exist.`],
    ["init", ["--colour"], "unknown flag --colour: expected one of --dir, --force, --upgrade, --no-lockfile, --replace-legacy, --checks, --every, --help."],
    ["init", ["--force", "--upgrade"], "--force and --upgrade do not go together: --force rewrites everything, --upgrade keeps the config."],
    ["flush", ["--pacing-ms", "abc"], '--pacing-ms must be a whole number from 0 to 600000, not "abc".'],
    ["flush", ["--spool-dir", missing], `--spool-dir must be an existing folder; "${missing}" does not exist.`],
    ["db", [], 'a subcommand is required: "check" or "import".'],
    ["db", ["chek"], 'unknown subcommand "chek": expected "check" or "import".'],
    ["db", ["check", "--db", missing], `--db must be an existing folder; "${missing}" does not exist.`],
    ["triage", [], "--event is required: the event JSON file (or GITHUB_EVENT_PATH, which Actions sets)."],
    ["triage", ["--event", `${missing}/event.json`], `--event must be an existing file; "${missing}/event.json" does not exist.`],
    ["sweep", ["--repo", "octo/support", "--token", "t", "--max-pages", "0"], '--max-pages must be a whole number from 1 to 100000, not "0".'],
    ["serve", ["--port", "http"], '--port must be a whole number from 0 to 65535, not "http".'],
    ["check", [], "a module of checks is required, like: bugbeacon check checks.mjs --repo owner/name."],
  ];

  // One test running the cases side by side (children of a test are stopped when it ends, so the cases
  // cannot be concurrent tests of their own).
  it("every command is among the cases", () => {
    expect(new Set(cases.map(([name]) => name))).toEqual(new Set(Object.keys(commands)));
  });

  it("each case: one line naming the flag, then where the help is; exit code 2", async () => {
    const runs = await Promise.all(cases.map(([name, args]) => bugbeacon([name, ...args])));
    cases.forEach(([name, args, message], i) => {
      const run = runs[i]!;
      const label = `bugbeacon ${name} ${args.join(" ")}`;
      expect(run.code, label).toBe(2);
      expect(run.stdout, label).toBe("");
      // At most three lines, whatever the command: the problem, then where the help is.
      expect(run.stderr, label).toBe(`bugbeacon ${name}: ${message}\nRun "bugbeacon ${name} --help" for usage.\n`);
      expectClean(run);
    });
  });

  it("init --dir with a missing folder creates nothing", async () => {
    const parent = tempDir("bugbeacon-cli-");
    const run = await bugbeacon(["init", "--dir", "not-there/x"], {}, parent);
    expect(run.code).toBe(2);
    expect(existsSync(join(parent, "not-there"))).toBe(false);
  });

  it("flush without a token says which variables to set, in the command's words; exit code 1", async () => {
    const run = await bugbeacon(["flush"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "bugbeacon flush: no GitHub token: set BUGBEACON_GITHUB_TOKEN (or HELPME_GITHUB_TOKEN) to a token that may create issues in the repositories of the queued reports, or set BUGBEACON_APP_ID, BUGBEACON_APP_PRIVATE_KEY and BUGBEACON_APP_INSTALLATION_ID, or BUGBEACON_RELAY_URL to a relay. Nothing was sent; the reports stay queued.\n",
    );
    expectClean(run);
  });

  it("an unknown command or a flag before the command: one line and where the help is, exit code 2; no command: the same", async () => {
    for (const args of [["stat"], ["--top"], []]) {
      const run = await bugbeacon(args);
      expect(run.code, args.join(" ")).toBe(2);
      const lines = run.stderr.split("\n");
      expect(lines[0]).toMatch(/^bugbeacon: (unknown command "stat"|unknown flag --top|a command is required): .*init, sweep/);
      expect(lines.slice(1)).toEqual(['Run "bugbeacon --help" for usage.', ""]);
      expectClean(run);
    }
  });

  it("each command's help has one Exit codes section, listing what the command documents", async () => {
    for (const [name, entry] of Object.entries(commands)) {
      const help = await bugbeacon([name, "--help"]);
      expect(help.stdout.match(/exit codes?/gi), name).toEqual(["Exit codes"]);
      const command = await entry.load();
      const section = help.stdout.slice(help.stdout.indexOf("Exit codes:\n"));
      for (const [code] of command.exits) expect(section, `${name} ${code}`).toMatch(new RegExp(`^  ${code} +\\S`, "m"));
    }
  });

  it("each command's summary is written once: the main help lists it, the command's help starts with it", async () => {
    const main = await bugbeacon(["--help"]);
    expect(main.code).toBe(0);
    for (const [name, { summary }] of Object.entries(commands)) {
      expect(main.stdout).toContain(`  ${name.padEnd(8)}  ${summary}\n`);
      const help = await bugbeacon([name, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout.split("\n")[0]).toBe(`bugbeacon ${name}: ${summary}.`);
      expect(help.stdout.split("\n").filter((l) => l.includes(summary))).toHaveLength(1);
    }
  });
});
