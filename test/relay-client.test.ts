/**
 * The relay from the app's side: real app processes with only a relay URL (no token) crash; the built
 * `bugbeacon serve --relay-repo` files and counts; the fake GitHub (checked against GitHub's OpenAPI
 * description) shows what the App wrote. Small sizes here; test/stress/relay.stress.test.ts has the issue's.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseIssueBody } from "../src/format/report-format.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { makeRemote } from "./support/git-fixtures.js";
import { countLines } from "./support/relay-harness.js";
import { crashBurst, crashingApp } from "./support/relay-scenarios.js";
import { appFrom } from "./support/app-fixture.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { APP_ID, INSTALLATION, startServe, type ServeProcess } from "./support/serve-harness.js";
import { tempDir } from "./support/temp.js";

const REPO = "octo/tool";
const fake = useFakeGitHub({ repos: [REPO], appId: APP_ID, appInstallations: [{ id: INSTALLATION, account: "octo" }] });

async function stop(s: ServeProcess) {
  s.child.kill("SIGTERM");
  return s.exited;
}

async function until(what: string, check: () => boolean, ms = 60_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const relayEnv = { BUGBEACON_RELAY_PERIOD_MS: "200", BUGBEACON_RELAY_WRITES_PER_HOUR: "450", BUGBEACON_RELAY_REPORTS_PER_MINUTE: "100000" };

/** Occurrences in the issue (its own report) plus every count message, and the machines the last one names. */
function counted(issue: { comments: Array<{ body: string | null }> }) {
  const lines = countLines(issue.comments);
  return { occurrences: 1 + lines.reduce((n, l) => n + l.occurrences, 0), machines: lines.at(-1)?.totalMachines ?? 1, messages: lines.length };
}

describe("relay client: an app with only a relay URL", () => {
  it("crashes, and its issue appears on GitHub filed by the App; the app is told the issue's URL", { timeout: 60_000 }, async () => {
    const s = await startServe(fake.url, makeRemote(), { args: ["--relay-repo", REPO], env: relayEnv });
    try {
      const [run] = await crashBurst(crashingApp(REPO), s.url, { processes: 1, installs: 1, parallel: 1 });
      expect(run!.code).toBe(1);
      expect(run!.stderr).toContain("TypeError: Cannot read properties of undefined (reading 'trim')");
      const [issue, ...others] = fake.issues(REPO);
      expect(others).toEqual([]);
      expect(issue!.user.login).toBe("bugbeacon[bot]");
      expect(run!.stderr).toContain(`/${REPO}/issues/${issue!.number}`);
      const parsed = parseIssueBody(issue!.body);
      expect(parsed?.metadata?.app).toEqual({ name: "demo-app", version: "3.1.4" });
      // The relay rendered it: the app's text is in a fenced block, not the app's markdown.
      expect(issue!.body).toMatch(/```text\n[\s\S]*at parseRow \(/);
      expect(fake.contractViolations).toEqual([]);
    } finally {
      await stop(s);
    }
  });

  it("the same bug from 20 processes on 5 installs: one issue, counts that add up to 20 occurrences on 5 machines", { timeout: 120_000 }, async () => {
    const s = await startServe(fake.url, makeRemote(), { args: ["--relay-repo", REPO], env: relayEnv });
    try {
      const runs = await crashBurst(crashingApp(REPO), s.url, { processes: 20, installs: 5, parallel: 4 });
      expect(runs.map((r) => r.code)).toEqual(runs.map(() => 1));
      await until("counts adding up to 20", () => fake.issues(REPO).length === 1 && counted(fake.issues(REPO)[0]!).occurrences === 20);
      const issue = fake.issues(REPO)[0]!;
      expect(counted(issue)).toMatchObject({ occurrences: 20, machines: 5 });
      expect(fake.issues(REPO)).toHaveLength(1);
    } finally {
      await stop(s);
    }
  });

  it("relay down: the person gets the prefilled URL, the report waits in the spool, and the next run's flush sends it once the relay is up", { timeout: 60_000 }, async () => {
    const spool = tempDir("bugbeacon-relay-install-");
    const app = crashingApp(REPO);
    // A port nothing listens on.
    const down = await crashBurst(app, "http://127.0.0.1:9", { processes: 1, installs: 1, parallel: 1, extraEnv: { BUGBEACON_SPOOL_DIR: spool } });
    expect(down[0]!.stderr).toMatch(/could not send the report now \(no answer from the relay/);
    expect(down[0]!.stderr).toMatch(/open:\nhttps:\/\/github\.com\/octo\/tool\/issues\/new\?/);
    const queued = () => (existsSync(join(spool, "queue")) ? readdirSync(join(spool, "queue")).filter((n) => n.endsWith(".json")) : []);
    expect(queued()).toHaveLength(1);
    expect(fake.issues(REPO)).toEqual([]);
    const s = await startServe(fake.url, makeRemote(), { args: ["--relay-repo", REPO], env: relayEnv });
    try {
      // The app's next run sends what waits (the SDK's flush, as the background flush at start does).
      const later = appFrom(`import { flush } from "bugbeacon";
const summary = await flush({ confirm: false });
console.log(JSON.stringify(summary));
`);
      const flush = await runNode([join(later, "app.mjs")], { cwd: later, timeoutMs: 60_000, env: baseEnv({ BUGBEACON_RELAY_URL: s.url, BUGBEACON_SPOOL_DIR: spool }) });
      expect(flush.code, flush.stderr).toBe(0);
      expect(JSON.parse(flush.stdout)).toMatchObject({ sent: 1, queued: 0, failed: [] });
      expect(queued()).toEqual([]);
      expect(fake.issues(REPO)).toHaveLength(1);
    } finally {
      await stop(s);
    }
  });

  it("a relay that answers 429: the report waits in the spool with the reason, the person gets the prefilled URL", { timeout: 60_000 }, async () => {
    const s = await startServe(fake.url, makeRemote(), { args: ["--relay-repo", REPO], env: { ...relayEnv, BUGBEACON_RELAY_REPORTS_PER_MINUTE: "1" } });
    try {
      const spool = tempDir("bugbeacon-relay-install-");
      const app = crashingApp(REPO);
      const [first] = await crashBurst(app, s.url, { processes: 1, installs: 1, parallel: 1, extraEnv: { BUGBEACON_SPOOL_DIR: spool } });
      expect(first!.stderr).toContain(`/${REPO}/issues/1`);
      const [second] = await crashBurst(app, s.url, { processes: 1, installs: 1, parallel: 1, extraEnv: { BUGBEACON_SPOOL_DIR: spool } });
      expect(second!.stderr).toMatch(/could not send the report now \(the relay is busy \(429\); it is asked again after \d+ s\)/);
      expect(second!.stderr).toMatch(/open:\nhttps:\/\/github\.com\/octo\/tool\/issues\/new\?/);
      expect(readdirSync(join(spool, "queue")).filter((n) => n.endsWith(".json"))).toHaveLength(1);
    } finally {
      await stop(s);
    }
  });

  it("the app is told what the relay did: the first report created the issue, a second one was added to it (counted), with its URL", { timeout: 60_000 }, async () => {
    const s = await startServe(fake.url, makeRemote(), { args: ["--relay-repo", REPO], env: relayEnv });
    try {
      const app = appFrom(`import { getHelper } from "bugbeacon";
const helper = getHelper("github", { relay: ${JSON.stringify(s.url)} });
const result = await helper.runHeadless({ repo: ${JSON.stringify(REPO)}, title: "disk full", identifier: "disk full on save", body: "ENOSPC while saving" });
console.log(JSON.stringify(result));
`);
      // Two installs (own spool folders): the second is not counted on this machine, it reaches the relay.
      const run = async () => {
        const r = await runNode([join(app, "app.mjs")], { cwd: app, timeoutMs: 60_000, env: baseEnv({ BUGBEACON_SPOOL_DIR: tempDir("bugbeacon-relay-install-") }) });
        expect(r.code, r.stderr).toBe(0);
        return JSON.parse(r.stdout) as Record<string, unknown>;
      };
      const first = await run();
      const [issue, ...others] = fake.issues(REPO);
      expect(others).toEqual([]);
      const url = `https://github.com/${REPO}/issues/${issue!.number}`;
      expect(first).toMatchObject({ kind: "created", number: issue!.number, reference: String(issue!.number), url });
      const second = await run();
      expect(second).toMatchObject({ kind: "duplicate", number: issue!.number, reference: String(issue!.number), url });
      expect(second.reportId).not.toBe(first.reportId);
      expect(fake.issues(REPO)).toHaveLength(1);
    } finally {
      await stop(s);
    }
  });

  it("a long report (60,000 characters) goes gzip and is filed whole", { timeout: 60_000 }, async () => {
    const s = await startServe(fake.url, makeRemote(), { args: ["--relay-repo", REPO], env: relayEnv });
    try {
      const app = appFrom(`import { getHelper } from "bugbeacon";
const helper = getHelper("github", { relay: ${JSON.stringify(s.url)} });
const result = await helper.runHeadless({ repo: ${JSON.stringify(REPO)}, title: "long log", identifier: "long log", body: "log line é ✓\\n".repeat(4600) });
console.log(JSON.stringify(result));
`);
      const run = await runNode([join(app, "app.mjs")], { cwd: app, timeoutMs: 60_000, env: baseEnv() });
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ kind: "created" });
      const [issue] = fake.issues(REPO);
      expect(issue!.body!.split("log line é ✓").length - 1).toBeGreaterThan(4000);
    } finally {
      await stop(s);
    }
  });
});
