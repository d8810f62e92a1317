/**
 * Without a token, a repeated error prints one URL per identifier per process, the repeats are summed up
 * in one line at exit, and the browser opens once (a fake xdg-open on PATH records each opening).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appFrom } from "./support/app-fixture.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

/** A desktop: DISPLAY set and an xdg-open that appends each URL it is given to a file. */
function desktop(): { env: NodeJS.ProcessEnv; opened: string } {
  const bin = tempDir("bugbeacon-xdg-");
  const opened = join(bin, "opened.txt");
  writeFileSync(join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
  chmodSync(join(bin, "xdg-open"), 0o755);
  return { env: baseEnv({ DISPLAY: ":0", PATH: `${bin}:${process.env.PATH ?? ""}` }), opened };
}

async function openedLines(path: string): Promise<string[]> {
  // The opener runs detached: wait for its line (the app has exited, so no more can come from it).
  const deadline = Date.now() + 5000;
  while (!existsSync(path) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];
}

describe("URL mode without a token", () => {
  it("five identical captures: one URL, one count line at exit, the browser opened once", async () => {
    const { env, opened } = desktop();
    const app = appFrom(`import { captureException } from "bugbeacon";
const failure = () => { try { JSON.parse("{oops"); } catch (error) { return error; } };
const results = await Promise.all([1, 2, 3, 4, 5].map(() => captureException(failure(), { repo: "octo/app" })));
console.log(JSON.stringify(results.map((r) => [r.kind, r.opened])));
`);
    const run = await runNode([join(app, "app.mjs")], { env, cwd: app });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([["url", true], ["url", false], ["url", false], ["url", false], ["url", false]]);
    expect(run.stderr.match(/To report this problem, open:/g)).toHaveLength(1);
    expect(run.stderr.match(/^https:\/\/github\.com\/octo\/app\/issues\/new\?/gm)).toHaveLength(1);
    expect(run.stderr.match(/^bugbeacon: seen .*$/gm)).toEqual([
      "bugbeacon: seen 4 more times in this run: SyntaxError: Expected property name or '}' in JSON at position 1 (the URL above reports it once).",
    ]);
    expect(run.stderr.length).toBeLessThan(4000);
    const lines = await openedLines(opened);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^https:\/\/github\.com\/octo\/app\/issues\/new\?title=SyntaxError/);
  });

  it("the same for assert: one URL and one count line for five failures of one assertion", async () => {
    const app = appFrom(`import { getHelper } from "bugbeacon";
const helper = getHelper("github", { repo: "octo/app", open: false });
for (let i = 0; i < 5; i++) await helper.assert(i < 0, "the cache is never negative");
`);
    const run = await runNode([join(app, "app.mjs")], { env: baseEnv(), cwd: app });
    expect(run.code).toBe(0);
    expect(run.stderr.match(/To report this problem, open:/g)).toHaveLength(1);
    expect(run.stderr.match(/^bugbeacon: seen .*$/gm)).toEqual([
      "bugbeacon: seen 4 more times in this run: AssertionFailed: the cache is never negative (the URL above reports it once).",
    ]);
  });

  it("a crash on a desktop: the URL printed once and opened once, then Node's own crash output", async () => {
    const { env, opened } = desktop();
    const app = appFrom(`import { installHandlers } from "bugbeacon";
installHandlers({ repo: "octo/app" });
setTimeout(() => { throw new RangeError("out of range on a desktop"); }, 5);
`);
    const run = await runNode([join(app, "app.mjs")], { env, cwd: app });
    expect(run.code).toBe(1);
    expect(run.stderr.match(/To report this problem, open:/g)).toHaveLength(1);
    const line = `setTimeout(() => { throw new RangeError("out of range on a desktop"); }, 5);`;
    expect(run.stderr).toContain(`app.mjs:3\n${line}\n${" ".repeat(line.indexOf("throw"))}^\n\nRangeError: out of range on a desktop\n`);
    const lines = await openedLines(opened);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^https:\/\/github\.com\/octo\/app\/issues\/new\?title=RangeError/);
  });

  it("different errors each get their URL; nothing is summed up when nothing came again", async () => {
    const app = appFrom(`import { captureException } from "bugbeacon";
await captureException(new Error("first"), { repo: "octo/app", open: false });
await captureException(new RangeError("second"), { repo: "octo/app", open: false });
`);
    const run = await runNode([join(app, "app.mjs")], { env: baseEnv(), cwd: app });
    expect(run.stderr.match(/To report this problem, open:/g)).toHaveLength(2);
    expect(run.stderr).not.toContain("more time");
  });
});
