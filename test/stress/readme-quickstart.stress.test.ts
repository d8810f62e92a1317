/**
 * The README's quick start as a newcomer meets it, run verbatim from a clean clone of this repository (the
 * commands taken from README.md itself; npm answers from its cache, never the network; no token, so
 * nothing is sent anywhere), and the transcript it shows is what the crash prints. In the stress suite
 * (CI runs it): the clean clone's install takes a third of the default suite's time budget.
 */
import { execFileSync, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { trackChild } from "../support/cleanup.js";
import { baseEnv } from "../support/run-node.js";
import { fenced, printed_, readme, root, section } from "../support/readme.js";
import { tempDir } from "../support/temp.js";

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

