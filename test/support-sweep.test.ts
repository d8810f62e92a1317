import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { parseConfig } from "../src/support/config.js";
import { readSweepState, sweep } from "../src/support/sweep.js";
import { createOctokit } from "../src/backends/github/octokit-client.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { cloneOf, filesOnMain, issuesEvent, makeRemote, reportBody, writeEvent } from "./support/git-fixtures.js";
import { tempDir } from "./support/temp.js";

const TOKEN = "ghs_sweeptokensweeptokensweeptokensw";
const REPO = "octo/support";
const fake = useFakeGitHub({ repos: [REPO], tokens: [{ token: TOKEN, login: "github-actions[bot]" }] });
const env = () => ({ GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: fake.url, BUGBEACON_RETRY_BASE_MS: "1", BUGBEACON_PACING_MS: "0" });
const T0 = Date.parse("2026-11-01T10:00:00Z");

async function cli(args: string[], cwd: string, extraEnv: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: { ...env(), ...extraEnv }, cwd });
  return { code, stdout, stderr, out: stdout + stderr };
}

const listRequests = () => fake.requests.filter((r) => r.method === "GET" && r.path === `/repos/${REPO}/issues`);
const A = reportBody("sweep problem A");
const B = reportBody("sweep problem B");

describe("bugbeacon sweep", () => {
  it("files what the workflow missed with triage's decisions, idempotently; unchanged, it costs one 304", async () => {
    fake.seedIssue(REPO, { title: "crash A", body: A.body, createdAt: T0 });
    fake.seedIssue(REPO, { title: "question", body: "How do I…?", createdAt: T0 + 60_000 });
    fake.seedIssue(REPO, { title: "crash A again", body: A.body, createdAt: T0 + 120_000 });
    fake.seedIssue(REPO, { title: "crash B", body: B.body, createdAt: T0 + 180_000 });
    const bare = makeRemote();
    const db = cloneOf(bare);
    const summary = join(tempDir("bugbeacon-summary-"), "summary.md");

    const first = await cli(["sweep", "--db", db], db, { GITHUB_STEP_SUMMARY: summary });
    expect(first.code, first.out).toBe(0);
    expect(first.stdout).toBe("sweep: 1 list pages (0 not modified), 4 issues read, 3 filed (1 duplicates), 0 refused, 0 gone, 0 timed steps, 8 requests\n");
    expect(filesOnMain(bare).filter((f) => f.startsWith("issues/"))).toEqual([`issues/${A.identifier}/1.json`, `issues/${A.identifier}/3.json`, `issues/${B.identifier}/4.json`].sort());
    const three = fake.issues(REPO).find((i) => i.number === 3)!;
    expect(three.state).toBe("closed");
    expect(three.labels).toEqual(["duplicate"]);
    expect(three.comments.map((c) => c.body).join("\n")).toContain("reported first in #1");
    expect(readFileSync(summary, "utf8")).toMatch(/## bugbeacon sweep\n\n\| List pages .*\n.*\n\| 1 \| 0 \| 4 \| 3 \| 1 \| 0 \| 0 \| 0 \| 8 \|/);
    expect(readFileSync(summary, "utf8")).toContain("**3** reports of **2** distinct problems");

    // The sweep's own writes changed page 1: read once more (nothing to file), then 304 from then on.
    const second = await cli(["sweep", "--db", db], db);
    expect(second.code, second.out).toBe(0);
    expect(second.stdout).toMatch(/^sweep: 1 list pages \(0 not modified\), \d issues read, 0 filed/);
    const before = listRequests().length;
    const third = await cli(["sweep", "--db", db], db);
    expect(third.code, third.out).toBe(0);
    expect(third.stdout).toBe("sweep: 1 list pages (1 not modified), 0 issues read, 0 filed (0 duplicates), 0 refused, 0 gone, 0 timed steps, 1 requests\n");
    expect(listRequests().slice(before).map((r) => r.status)).toEqual([304]);
    expect(fake.stats.notModified).toBe(1);
    expect(fake.issues(REPO).find((i) => i.number === 3)!.comments).toHaveLength(1);
    expect(fake.issues(REPO).find((i) => i.number === 1)!.comments).toHaveLength(1);

    // A new report after that: found on page 1, filed, and only what changed since the cursor is read.
    fake.seedIssue(REPO, { title: "crash B again", body: B.body });
    const fourth = await cli(["sweep", "--db", db], db);
    expect(fourth.stdout).toMatch(/^sweep: 1 list pages \(0 not modified\), [1-3] issues read, 1 filed \(1 duplicates\)/);
    expect(filesOnMain(bare)).toContain(`issues/${B.identifier}/5.json`);
  });

  it("resumes a pass cut off by its page budget, and notes filed issues GitHub no longer lists", async () => {
    fake.seedIssue(REPO, { title: "crash A", body: A.body, createdAt: T0 });
    for (let i = 0; i < 150; i++) fake.seedIssue(REPO, { title: `question ${i}`, body: "no report", createdAt: T0 + (i + 1) * 60_000 });
    fake.seedIssue(REPO, { title: "crash B", body: B.body, createdAt: T0 + 200 * 60_000 });
    fake.seedIssue(REPO, { title: "crash B, later deleted", body: B.body, createdAt: T0 + 201 * 60_000 });
    const bare = makeRemote();
    // #153 was filed by the event workflow, then deleted on GitHub.
    const event = issuesEvent("opened", { number: 153, title: "crash B, later deleted", body: B.body, createdAt: new Date(T0 + 201 * 60_000).toISOString() });
    expect((await cli(["triage", "--event", writeEvent(event), "--db", cloneOf(bare)], bare)).code).toBe(0);
    fake.deleteIssue(REPO, 153);
    const db = cloneOf(bare);

    const cut = await cli(["sweep", "--db", db, "--max-pages", "1"], db);
    expect(cut.code, cut.out).toBe(0);
    expect(cut.stdout).toMatch(/^sweep: 1 list pages .* 100 issues read, 1 filed .*; cut off, resumes next run\n$/);
    expect(cut.stderr).toContain("the next sweep resumes at page 2");
    expect((await readSweepState(db)).pass).toMatchObject({ nextPage: 2 });
    expect(filesOnMain(bare)).toContain(`issues/${B.identifier}/152.json`);
    expect(filesOnMain(bare)).not.toContain(`issues/${A.identifier}/1.json`);

    const rest = await cli(["sweep", "--db", db], db);
    expect(rest.code, rest.out).toBe(0);
    expect(rest.stdout).toMatch(/^sweep: 1 list pages .* 52 issues read, 1 filed \(0 duplicates\), 0 refused, 1 gone/);
    expect(rest.stderr).toContain("issue #153 is filed in the database but GitHub no longer lists it (deleted or transferred)");
    expect(filesOnMain(bare)).toContain(`issues/${A.identifier}/1.json`);
    const state = await readSweepState(db);
    expect(state).toMatchObject({ pass: null, gone: [153] });
    expect(state.cursor).not.toBeNull();
    expect(listRequests().map((r) => r.query.page)).toEqual(["1", "2"]);
  });
});

describe("time-based rules", () => {
  it("fire each step once per issue when due (injected clock): label+mention at 24h, assign at 72h, stale close at 30d", async () => {
    const config = await parseConfig({
      version: 1,
      timed: [
        { id: "escalate", when: { openFor: "24h" }, then: [{ labels: ["needs-attention"], mention: "@octo/maintainers" }, { after: "48h", assign: ["octocat"] }] },
        { id: "stale", when: { openFor: "30d", title: "crash" }, then: [{ comment: "Closing #{number}: no activity for 30 days.", close: true }] },
      ],
    });
    fake.seedIssue(REPO, { title: "crash A", body: A.body, createdAt: T0 });
    const bare = makeRemote();
    const db = cloneOf(bare);
    const octokit = createOctokit({ token: TOKEN, baseUrl: fake.url, timeoutMs: 10_000, pacingMs: 0, retryAfterBaseMs: 1 });
    const logs: string[] = [];
    const at = async (hours: number) => (await sweep({ config, dbRoot: db, repo: REPO, octokit: () => octokit, log: (l) => logs.push(l), now: T0 + hours * 3_600_000, pushBackoffMs: 1 })).timed;
    const issue = () => fake.issues(REPO)[0]!;

    expect(await at(1)).toEqual([]);
    expect(issue().labels).toEqual([]);
    expect(await at(25)).toEqual(["#1 escalate/0"]);
    expect(issue().labels).toEqual(["needs-attention"]);
    expect(issue().comments.map((c) => c.body.split("\n")[0])).toEqual(["@octo/maintainers"]);
    expect(await at(26)).toEqual([]);
    expect(await at(73)).toEqual(["#1 escalate/1"]);
    expect(issue().assignees).toEqual(["octocat"]);
    expect(await at(24 * 31)).toEqual(["#1 stale/0"]);
    expect(issue().state).toBe("closed");
    expect(issue().comments.map((c) => c.body.split("\n")[0])).toEqual(["@octo/maintainers", "Closing #1: no activity for 30 days."]);
    expect(await at(24 * 40)).toEqual([]);
    // Remembered in the database, so another checkout fires nothing again.
    expect(filesOnMain(bare)).toContain("timers/0/1.json");
    const again = await sweep({ config, dbRoot: cloneOf(bare), repo: REPO, octokit: () => octokit, log: () => {}, now: T0 + 24 * 50 * 3_600_000 });
    expect(again.timed).toEqual([]);
    expect(issue().comments).toHaveLength(2);
  });

  it("validation names the field", async () => {
    await expect(parseConfig({ version: 1, timed: [{ id: "x", when: { openFor: "24 hours" }, then: [{ close: true }] }] })).rejects.toThrow(
      /\/timed\/0\/when\/openFor "24 hours" is not a duration/,
    );
    await expect(parseConfig({ version: 1, timed: [{ id: "x", when: { openFor: "1d" }, then: [{ after: "2x", close: true }] }] })).rejects.toThrow(/\/timed\/0\/then\/0\/after "2x" is not a duration/);
    await expect(parseConfig({ version: 1, timed: [{ id: "x", when: { openFor: "1d" }, then: [{ after: "2d" }] }] })).rejects.toThrow(/\/timed\/0\/then\/0 has no action/);
    await expect(parseConfig({ version: 1, timed: [{ id: "x", when: { openFor: "1d" }, then: [{ shout: true }] }] })).rejects.toThrow(/\/timed\/0\/then\/0 must NOT have additional properties \(shout\)/);
  });

  it("a misspelt key is named with the key that was meant, at every level", async () => {
    await expect(parseConfig({ version: 1, rulez: [] })).rejects.toThrow('(top level) must NOT have additional properties (rulez); did you mean "rules"?');
    await expect(parseConfig({ version: 1, rules: [{ id: "a", when: { title: "x" }, then: { labelz: ["bug"] } }] })).rejects.toThrow(
      '/rules/0/then must NOT have additional properties (labelz); did you mean "labels"?',
    );
    await expect(parseConfig({ version: 1, timed: [{ id: "x", when: { openfor: "1d" }, then: [{ close: true }] }] })).rejects.toThrow('(openfor); did you mean "openFor"?');
    await expect(parseConfig({ version: 1, duplicates: { clsoe: true } })).rejects.toThrow(/\/duplicates must NOT have additional properties \(clsoe\); did you mean "(close|comment)"\?/);
  });
});
