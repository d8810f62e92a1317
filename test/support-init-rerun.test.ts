/**
 * `bugbeacon init` writes all its files or none, and can be run again: a failed step (the lockfile's npm
 * install, offline or before bugbeacon is on the registry) leaves the repository as it was; the next run
 * completes what is missing without touching what the maintainer edited; only --force overwrites.
 * Real git repositories; npm is real where it must fail (its registry a closed port on 127.0.0.1), and
 * recorded where it must succeed (tests reach no registry).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_FILE } from "../src/support/config.js";
import { INSTALL_DIR, LockfileError, SWEEP_WORKFLOW_PATH, WORKFLOW_PATH, initSupportRepository, type NpmRunner } from "../src/support/init.js";
import { gitSync } from "./support/git-fixtures.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";
import { closedPort } from "./support/closed-port.js";

const cli = join(new URL("..", import.meta.url).pathname, "dist/cli.js");
const LOCK = `${INSTALL_DIR}/package-lock.json`;
const MANIFEST = `${INSTALL_DIR}/package.json`;

/** A support repository with a README and a CI workflow of its own, committed. */
function repository(): string {
  const dir = tempDir("bugbeacon-init-rerun-");
  gitSync(["init", "--quiet", "--initial-branch=main", dir], dir);
  mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
  writeFileSync(join(dir, "README.md"), "support\n");
  writeFileSync(join(dir, ".github", "workflows", "ci.yml"), "on: push\njobs: {}\n");
  gitSync(["add", "-A"], dir);
  gitSync(["commit", "--quiet", "-m", "start"], dir);
  return dir;
}

/** What git sees changed or added (untracked files listed one by one). */
const status = (dir: string) => gitSync(["status", "--porcelain", "--untracked-files=all"], dir);
const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");

/** npm as it answers when the registry has the package: writes the lockfile for the manifest. */
function workingNpm(): NpmRunner & { calls: number } {
  const fn = (async (_args: string[], dir: string) => {
    fn.calls += 1;
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; dependencies: Record<string, string> };
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ name: manifest.name, lockfileVersion: 3, requires: true, packages: { "": { dependencies: manifest.dependencies } } }));
  }) as NpmRunner & { calls: number };
  fn.calls = 0;
  return fn;
}

/** npm as it answers while bugbeacon is not on the registry. */
const npm404: NpmRunner = async () => {
  throw new LockfileError("npm error 404 Not Found - GET https://registry.npmjs.org/bugbeacon - Not found");
};


describe("bugbeacon init, all or nothing, and again", () => {
  it("the real npm failing (registry refused): exit 1, the repository exactly as it was, no staging folder left", async () => {
    const dir = repository();
    const port = await closedPort();
    const run = await runNode([cli, "init", "--dir", dir], {
      env: baseEnv({ npm_config_registry: `http://127.0.0.1:${port}/`, npm_config_fetch_retries: "0", npm_config_cache: tempDir("bugbeacon-npm-cache-") }),
      timeoutMs: 120_000,
    });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^bugbeacon init: Could not make \.github\/bugbeacon\/package-lock\.json \(.+\)\. It needs the npm registry/);
    expect(run.stdout).toBe("");
    expect(status(dir)).toBe("");
    expect(readdirSync(dir).sort()).toEqual([".git", ".github", "README.md"]);
    expect(readdirSync(join(dir, ".github")).sort()).toEqual(["workflows"]);
  }, 120_000);

  it("after a failed first run, a second completes without --force; an edited file is never touched; a third writes nothing", async () => {
    const dir = repository();
    await expect(initSupportRepository(dir, { npm: npm404 })).rejects.toThrow(LockfileError);
    expect(status(dir)).toBe("");

    // Offline: everything but the lockfile. The maintainer then edits the config.
    expect(await initSupportRepository(dir, { lockfile: false })).toEqual([WORKFLOW_PATH, SWEEP_WORKFLOW_PATH, MANIFEST, CONFIG_FILE]);
    const edited = read(dir, CONFIG_FILE).replace('"layout": "flat"', '"layout": "by-version"');
    writeFileSync(join(dir, CONFIG_FILE), edited);
    gitSync(["add", "-A"], dir);
    gitSync(["commit", "--quiet", "-m", "bugbeacon, edited"], dir);

    // Still offline: fails, and changes nothing.
    await expect(initSupportRepository(dir, { npm: npm404 })).rejects.toThrow(LockfileError);
    expect(status(dir)).toBe("");

    // Online: only the lockfile is added; the edited config is kept and said to be kept.
    const npm = workingNpm();
    const kept: string[] = [];
    expect(await initSupportRepository(dir, { npm, onKept: (path, why) => kept.push(`${path}: ${why}`) })).toEqual([LOCK]);
    expect(npm.calls).toBe(1);
    expect(status(dir)).toBe(`?? ${LOCK}\n`);
    expect(read(dir, CONFIG_FILE)).toBe(edited);
    expect(kept).toEqual([`${WORKFLOW_PATH}: same`, `${SWEEP_WORKFLOW_PATH}: same`, `${MANIFEST}: same`, `${CONFIG_FILE}: edited`]);
    expect(JSON.parse(read(dir, LOCK)).packages[""].dependencies).toEqual(JSON.parse(read(dir, MANIFEST)).dependencies);

    // Again: nothing to write, npm not run.
    gitSync(["add", "-A"], dir);
    gitSync(["commit", "--quiet", "-m", "lockfile"], dir);
    const again = workingNpm();
    expect(await initSupportRepository(dir, { npm: again })).toEqual([]);
    expect(again.calls).toBe(0);
    expect(status(dir)).toBe("");
  });

  it("a staging folder left by a killed init (older than npm's time limit) is removed by the next run; a recent one is not", async () => {
    const dir = repository();
    const { utimesSync } = await import("node:fs");
    mkdirSync(join(dir, ".bugbeacon-init-killed", INSTALL_DIR), { recursive: true });
    writeFileSync(join(dir, ".bugbeacon-init-killed", MANIFEST), "{}");
    const old = new Date(Date.now() - 11 * 60_000);
    utimesSync(join(dir, ".bugbeacon-init-killed"), old, old);
    mkdirSync(join(dir, ".bugbeacon-init-running"));
    await initSupportRepository(dir, { lockfile: false });
    expect(readdirSync(dir).filter((n) => n.startsWith(".bugbeacon-init-"))).toEqual([".bugbeacon-init-running"]);
  });

  it("--force is the only way to overwrite, and a failed --force overwrites nothing", async () => {
    const dir = repository();
    await initSupportRepository(dir, { npm: workingNpm() });
    writeFileSync(join(dir, CONFIG_FILE), '{ "version": 1, "layout": "by-version" }\n');
    writeFileSync(join(dir, WORKFLOW_PATH), `${read(dir, WORKFLOW_PATH)}# the maintainer's note\n`);
    gitSync(["add", "-A"], dir);
    gitSync(["commit", "--quiet", "-m", "edited"], dir);

    await expect(initSupportRepository(dir, { force: true, npm: npm404 })).rejects.toThrow(LockfileError);
    expect(status(dir)).toBe("");
    expect(await initSupportRepository(dir, { npm: workingNpm() })).toEqual([]);
    expect(status(dir)).toBe("");

    expect(await initSupportRepository(dir, { force: true, npm: workingNpm() })).toEqual([WORKFLOW_PATH, CONFIG_FILE, LOCK]);
    expect(status(dir)).toBe(` M ${WORKFLOW_PATH}\n M ${CONFIG_FILE}\n`);
    expect(read(dir, CONFIG_FILE)).toContain('"layout": "flat"');
  });

  it("through the CLI: a second run says what it kept and what it wrote", async () => {
    const dir = repository();
    const first = await runNode([cli, "init", "--no-lockfile", "--dir", dir], { env: baseEnv() });
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(join(dir, CONFIG_FILE), '{ "version": 1 }\n');
    const second = await runNode([cli, "init", "--no-lockfile", "--dir", dir], { env: baseEnv() });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`kept ${CONFIG_FILE}: it differs from what init writes (your edit?); --force replaces it\n`);
    expect(second.stdout).toContain(`${WORKFLOW_PATH} is already there\n`);
    expect(second.stdout).toContain("Nothing to write: every file is there.\n");
    expect(read(dir, CONFIG_FILE)).toBe('{ "version": 1 }\n');
  });
});
