/**
 * Every exit code a command documents in its help ("Exit codes"), made to happen by a real failure of that
 * kind, through the built CLI as a child process: a closed port on 127.0.0.1 for a refused connection, a
 * host name under `.invalid` for an unresolvable one (RFC 6761: never resolves, answered locally), the
 * fake GitHub answering 503, 429 or resetting the connection, a real git repository, a real pty for 130.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commands } from "../src/cli/commands/index.js";
import { SPOOL_VERSION, type SpooledReport } from "../src/delivery/spool.js";
import { trackChild } from "./support/cleanup.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { gitSync, issuesEvent, makeLocalDb, reportBody, writeEvent } from "./support/git-fixtures.js";
import { legacyMarkdown } from "./support/github-support-fixture.js";
import { KEY, spawnPty } from "./support/pty.js";
import { baseEnv, runNode, type RunResult } from "./support/run-node.js";
import { serveEnv } from "./support/serve-harness.js";
import { tempDir } from "./support/temp.js";
import { closedPort } from "./support/closed-port.js";

const cli = join(new URL("..", import.meta.url).pathname, "dist/cli.js");
const TOKEN = "ghp_exitcodestokenexitcodestoken0000";
const REPO = "octo/support";
const fake = useFakeGitHub({ repos: [REPO], tokens: [{ token: TOKEN, login: "github-actions[bot]" }] });

const bugbeacon = (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<RunResult> =>
  runNode([cli, ...args], { env: baseEnv(env), ...(cwd !== undefined ? { cwd } : {}), timeoutMs: 60_000 });


/** A spool with one report queued for REPO. */
function spoolWithReport(): string {
  const dir = tempDir("bugbeacon-exit-spool-");
  const { body, identifier } = reportBody("exit codes: a queued report");
  const report: SpooledReport = {
    version: SPOOL_VERSION,
    repo: REPO,
    backend: "github",
    title: "TypeError: exit codes",
    body,
    labels: [],
    assignees: [],
    identifier,
    reportId: "0b9d7c52-7a43-4d55-9a1c-1f4c2b1a0e01",
    queuedAt: new Date().toISOString(),
    attempts: 0,
    uncertain: false,
  };
  mkdirSync(join(dir, "queue"), { recursive: true });
  writeFileSync(join(dir, "queue", `${report.queuedAt.replace(/[:.]/g, "-")}-${report.reportId}.json`), JSON.stringify(report));
  return dir;
}

/** A database with a config, and a github-support .md record to import. */
function dbWithLegacy(): string {
  const db = makeLocalDb({ version: 1, layout: "flat" });
  const { identifier } = reportBody("exit codes: legacy");
  mkdirSync(join(db, "issues", identifier), { recursive: true });
  writeFileSync(join(db, "issues", identifier, "1.md"), legacyMarkdown("[helpme] report 1", "vsoch", "CONTRIBUTOR", "It crashed."));
  gitSync(["add", "-A"], db);
  gitSync(["commit", "--quiet", "-m", "legacy"], db);
  return db;
}

/** The commands that reach GitHub, each against `apiUrl` (and `token`). */
function networkRuns(apiUrl: string, token = TOKEN): Record<"flush" | "sweep" | "triage" | "db", () => Promise<RunResult>> {
  return {
    flush: () => bugbeacon(["flush", "--api-url", apiUrl], { BUGBEACON_GITHUB_TOKEN: token, BUGBEACON_SPOOL_DIR: spoolWithReport() }),
    sweep: () => bugbeacon(["sweep", "--repo", REPO, "--api-url", apiUrl, "--token", token, "--db", makeLocalDb({ version: 1, layout: "flat" }), "--no-push"]),
    triage: async () => {
      // The second report of a problem: triage closes it as a duplicate, through GitHub (a first one is only stored).
      const { body } = reportBody("exit codes: triage");
      const db = makeLocalDb({ version: 1, layout: "flat" });
      const triage = (n: number, url: string) =>
        bugbeacon(["triage", "--event", writeEvent(issuesEvent("opened", { number: n, title: "TypeError: triage", body, repo: REPO })), "--repo", REPO, "--api-url", url, "--token", token, "--db", db, "--no-push"]);
      const first = await triage(1, apiUrl);
      expect(first.code, first.stderr).toBe(0);
      return triage(2, apiUrl);
    },
    db: () => bugbeacon(["db", "import", "--from", "github-support", "--db", dbWithLegacy(), "--repo", REPO, "--api-url", apiUrl, "--token", token]),
  };
}

/** Issues #1 and #2 on the fake, for triage to close #2 as a duplicate of #1. */
function seedTriageIssues(): void {
  const { body } = reportBody("exit codes: triage");
  fake.seedIssue(REPO, { title: "TypeError: triage", body });
  fake.seedIssue(REPO, { title: "TypeError: triage", body });
}

/** What each command documents, read from the command itself. */
async function documented(name: string): Promise<number[]> {
  const command = await commands[name]!.load();
  return command.exits.map(([code]) => code);
}

/** Which (command, code) pairs the tests below made happen. */
const seen = new Map<string, Set<number>>();
function saw(name: string, run: RunResult, code: number, label: string): void {
  expect(run.code, `${label}\n${run.stdout}\n${run.stderr}`).toBe(code);
  // Whatever the failure: never a stack, at most three lines on stderr.
  expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  expect(run.stderr.split("\n").filter(Boolean).length, `${label}: ${run.stderr}`).toBeLessThanOrEqual(3);
  if (!seen.has(name)) seen.set(name, new Set());
  seen.get(name)!.add(code);
}

describe("every documented exit code, from a real failure of its kind", () => {
  it("75 for each temporary failure: refused connection, unresolvable host, 503, 429, reset", async () => {
    const port = await closedPort();
    const kinds: Array<[string, string, RegExp, () => void]> = [
      ["refused", `http://127.0.0.1:${port}`, /connection refused \(ECONNREFUSED\)|ECONNREFUSED/, () => {}],
      ["dns", "http://bugbeacon-exit-codes.invalid", /host name not found \(ENOTFOUND\)|EAI_AGAIN|ENOTFOUND/, () => {}],
      ["503", fake.url, /503/, () => fake.faults.add({ status: 503 })],
      ["429", fake.url, /rate limit/i, () => fake.faults.add({ kind: "rate-limit", status: 429, retryAfterSeconds: 1 })],
      ["reset", fake.url, /ECONNRESET|connection reset|socket|other side closed|no answer/i, () => fake.faults.add({ kind: "reset" })],
    ];
    seedTriageIssues();
    for (const [kind, url, words, arm] of kinds) {
      fake.faults.clear();
      arm();
      const runs = networkRuns(url);
      const names = Object.keys(runs) as Array<keyof typeof runs>;
      const results = await Promise.all(names.map((n) => runs[n]()));
      names.forEach((name, i) => {
        const run = results[i]!;
        saw(name, run, 75, `${name} (${kind})`);
        expect(run.stdout + run.stderr, `${name} (${kind})`).toMatch(words);
        // A refused connection is called one: never "HTTP 500".
        expect(run.stdout + run.stderr, `${name} (${kind})`).not.toContain("HTTP 500");
      });
    }
    fake.faults.clear();
  }, 240_000);

  it("a request with no answer in time is a temporary failure too (the commands' own 30 s limit, shortened here)", async () => {
    const { createOctokit } = await import("../src/backends/github/octokit-client.js");
    const { temporaryFailure } = await import("../src/_internal/temporary-failure.js");
    const { githubFailure } = await import("../src/support/github-failure.js");
    fake.faults.add({ kind: "slow", delayMs: 2000, method: "GET" });
    const octokit = await createOctokit({ token: TOKEN, baseUrl: fake.url, timeoutMs: 200, retryAfterBaseMs: 1 });
    const error = await octokit.rest.issues.listForRepo({ owner: "octo", repo: "support" }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeDefined();
    expect(temporaryFailure(error)).toBe("no answer in time (timeout)");
    const failure = githubFailure(error, "listing the issues");
    expect(failure.transient).toBe(true);
    expect(failure.message).toContain("(no answer in time (timeout))");
    fake.faults.clear();
  });

  it("0 when GitHub answers, 1 when it refuses the token", async () => {
    seedTriageIssues();
    const ok = networkRuns(fake.url);
    const refused = networkRuns(fake.url, "ghp_notavalidtokennotavalidtoken00000");
    const names = Object.keys(ok) as Array<keyof typeof ok>;
    const good = await Promise.all(names.map((n) => ok[n]()));
    const bad = await Promise.all(names.map((n) => refused[n]()));
    names.forEach((name, i) => {
      saw(name, good[i]!, 0, `${name} (healthy)`);
      saw(name, bad[i]!, 1, `${name} (401)`);
      expect(bad[i]!.stdout + bad[i]!.stderr, name).toMatch(/401|token was refused|refused the token/);
    });
  }, 120_000);

  it("2 for a bad flag in the commands that reach GitHub", async () => {
    const [flush, sweep, triage] = await Promise.all([
      bugbeacon(["flush", "--pacing-ms", "soon"], { BUGBEACON_GITHUB_TOKEN: TOKEN }),
      bugbeacon(["sweep", "--repo", REPO, "--token", TOKEN, "--max-pages", "0"]),
      bugbeacon(["triage", "--event"]),
    ]);
    saw("flush", flush, 2, "flush --pacing-ms soon");
    saw("sweep", sweep, 2, "sweep --max-pages 0");
    saw("triage", triage, 2, "triage --event");
  });

  it("check: 0 when every check ran (failing included), 1 when an issue could not be updated (no token), 2 on a bad flag", async () => {
    const dir = tempDir("bugbeacon-exit-check-");
    const checks = join(dir, "checks.mjs");
    writeFileSync(checks, "export const queueDrains = () => ({ ok: false, details: 'queue is 3 days old' });\n");
    const [ran, noToken, bad] = await Promise.all([
      bugbeacon(["check", checks, "--repo", REPO, "--api-url", fake.url], { BUGBEACON_GITHUB_TOKEN: TOKEN }),
      bugbeacon(["check", checks, "--repo", REPO, "--api-url", fake.url]),
      bugbeacon(["check", checks, "--repo", REPO, "--every", "soon"]),
    ]);
    saw("check", ran, 0, "check with a failing check");
    expect(fake.issues(REPO).filter((i) => i.title.includes("queueDrains"))).toHaveLength(1);
    saw("check", noToken, 1, "check without a token");
    saw("check", bad, 2, "check --every soon");
  });

  it("db check and stats: 0 on a database, 1 on a folder with none (and on an invalid record), 2 on a bad flag", async () => {
    const db = makeLocalDb({ version: 1, layout: "flat" });
    const empty = tempDir("bugbeacon-no-db-");
    const broken = makeLocalDb({ version: 1, layout: "flat" });
    mkdirSync(join(broken, "issues", "md5.0123456789abcdef0123456789abcdef"), { recursive: true });
    writeFileSync(join(broken, "issues", "md5.0123456789abcdef0123456789abcdef", "3.json"), "{ not json");
    const [check, stats, checkNone, statsNone, checkBroken, checkBad, statsBad] = await Promise.all([
      bugbeacon(["db", "check", "--db", db]),
      bugbeacon(["stats", "--db", db]),
      bugbeacon(["db", "check"], {}, empty),
      bugbeacon(["stats"], {}, empty),
      bugbeacon(["db", "check", "--db", broken]),
      bugbeacon(["db", "check", "--layout"]),
      bugbeacon(["stats", "--days", "0"]),
    ]);
    saw("db", check, 0, "db check");
    saw("stats", stats, 0, "stats");
    for (const [name, run] of [["db", checkNone], ["stats", statsNone]] as const) {
      saw(name, run, 1, `${name} in an empty folder`);
      expect(run.stderr).toBe(`bugbeacon ${name}: no bugbeacon database here: run \`bugbeacon init\` (or pass --db <folder>); ${JSON.stringify(empty)} has no bugbeacon.config.json and no issues/ folder.\n`);
      expect(run.stdout).toBe("");
    }
    saw("db", checkBroken, 1, "db check on a broken record");
    expect(checkBroken.stdout).toContain("3.json: not JSON");
    saw("db", checkBad, 2, "db check --layout");
    saw("stats", statsBad, 2, "stats --days 0");
  });

  it("init: 0 written, 1 when the lockfile's npm install fails (registry refused), 2 on a bad flag", async () => {
    const port = await closedPort();
    const repo = () => {
      const dir = tempDir("bugbeacon-init-exit-");
      gitSync(["init", "--quiet", dir], dir);
      return dir;
    };
    const npmOffline = { npm_config_registry: `http://127.0.0.1:${port}/`, npm_config_fetch_retries: "0", npm_config_cache: tempDir("bugbeacon-npm-cache-") };
    const [written, failed, bad] = await Promise.all([
      bugbeacon(["init", "--no-lockfile", "--dir", repo()]),
      bugbeacon(["init", "--dir", repo()], npmOffline),
      bugbeacon(["init", "--upgrade", "--force"]),
    ]);
    saw("init", written, 0, "init --no-lockfile");
    saw("init", failed, 1, "init with the registry refused");
    expect(failed.stderr).toMatch(/^bugbeacon init: Could not make \.github\/bugbeacon\/package-lock\.json/);
    saw("init", bad, 2, "init --upgrade --force");
  }, 120_000);

  it("report: 0 with the issue's URL, 1 when it can neither send nor queue, 2 on a bad flag, 130 when cancelled", async () => {
    const port = await closedPort();
    const notAFolder = join(tempDir("bugbeacon-exit-"), "spool-is-a-file");
    writeFileSync(notAFolder, "");
    const [url, failed, bad] = await Promise.all([
      bugbeacon(["report", "--repo", REPO, "--title", "Export fails"]),
      bugbeacon(["report", "--repo", REPO, "--title", "Export fails", "--api-url", `http://127.0.0.1:${port}`], { BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_SPOOL_DIR: notAFolder }),
      bugbeacon(["report", "--repo", "not a repo"]),
    ]);
    saw("report", url, 0, "report (URL)");
    expect(url.stdout).toMatch(/^file the issue at https:\/\/github\.com\/octo\/support\/issues\/new\?/);
    saw("report", failed, 1, "report with nowhere to go");
    saw("report", bad, 2, "report --repo 'not a repo'");
    const session = spawnPty([process.execPath, cli, "report", "--repo", REPO], { env: baseEnv({ TERM: "xterm-256color" }), cwd: tempDir("bugbeacon-exit-") });
    await session.answer("Title of the issue", KEY.escape);
    const code = await session.exit;
    saw("report", { code, signal: null, stdout: "", stderr: "" }, 130, "report cancelled");
  }, 60_000);

  it("serve: 0 after SIGTERM; 2 on a bad flag, a state folder that is a file, or one another live serve uses", async () => {
    const notAFolder = join(tempDir("bugbeacon-exit-"), "state");
    writeFileSync(notAFolder, "");
    const remote = `${tempDir("bugbeacon-exit-")}/{owner}/{repo}.git`;
    const args = ["serve", "--port", "0", "--host", "127.0.0.1", "--db-remote", remote];
    const stateDir = tempDir("bugbeacon-exit-state-");
    const child = trackChild(spawn(process.execPath, [cli, ...args, "--state-dir", stateDir], { env: serveEnv(fake.url), stdio: ["ignore", "pipe", "pipe"] }));
    let out = "";
    let err = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
    const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    await new Promise<void>((listening, failedToStart) => {
      child.stdout!.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        if (out.includes('"msg":"listening"')) listening();
      });
      void exited.then((c) => failedToStart(new Error(`serve exited ${c}: ${err}`)));
    });
    const [fileState, inUse, bad] = await Promise.all([
      runNode([cli, ...args, "--state-dir", notAFolder], { env: serveEnv(fake.url) }),
      runNode([cli, ...args, "--state-dir", stateDir], { env: serveEnv(fake.url) }),
      runNode([cli, ...args, "--concurrency", "0"], { env: serveEnv(fake.url) }),
    ]);
    saw("serve", fileState, 2, "serve with a file as its state folder");
    saw("serve", inUse, 2, "serve with a state folder in use");
    expect(inUse.stderr).toContain("is in use by another bugbeacon serve");
    saw("serve", bad, 2, "serve --concurrency 0");
    child.kill("SIGTERM");
    saw("serve", { code: await exited, signal: null, stdout: out, stderr: err }, 0, "serve stopped");
  }, 60_000);

  it("every command's documented codes were each seen above", async () => {
    for (const name of Object.keys(commands)) {
      expect([...(seen.get(name) ?? [])].sort((a, b) => a - b), name).toEqual((await documented(name)).sort((a, b) => a - b));
    }
  });
});
