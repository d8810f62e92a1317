/**
 * Triage under repeated, reordered and hostile events: the table "Triage: events and outcomes" in docs/support-repository.md,
 * row by row, against the fake GitHub (real Octokit over HTTP) and a real bare git remote.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { cloneOf, filesOnMain, gitSync, issuesEvent, makeLocalDb, makeRemote, writeEvent } from "./support/git-fixtures.js";
import { FAKE_OPTIONS, REPO, TOKEN, later, triageHarness, type Step } from "./support/triage-harness.js";

const fake = useFakeGitHub(FAKE_OPTIONS);
const { A, B, run, kind, snapshot } = triageHarness(fake);

interface Row {
  name: string;
  steps: Step[];
  filed: Record<number, string>;
  closed?: number[];
  comments?: Record<number, string[]>;
  labels?: Record<number, string[]>;
  log?: string;
}

const dup12 = { closed: [2], comments: { 1: ["seen-2"], 2: ["dup-of-1"] }, labels: { 2: ["duplicate"] } };

/** The table "Triage: events and outcomes" (docs/support-repository.md), one entry per row. */
const table: Row[] = [
  { name: "opened", steps: [["opened", 1, "A"]], filed: { 1: "A" } },
  { name: "opened, run again", steps: [["opened", 1, "A"], ["opened", 1, "A"]], filed: { 1: "A" } },
  { name: "two reports of one problem", steps: [["opened", 1, "A"], ["opened", 2, "A"]], filed: { 1: "A", 2: "A" }, ...dup12 },
  { name: "two reports, every run repeated", steps: [["opened", 1, "A"], ["opened", 2, "A"], ["opened", 2, "A"], ["opened", 1, "A"], ["opened", 2, "A"]], filed: { 1: "A", 2: "A" }, ...dup12 },
  { name: "two reports, the later one processed first", steps: [["opened", 2, "A"], ["opened", 1, "A"]], filed: { 1: "A", 2: "A" }, ...dup12, log: "was filed after #1 but landed first" },
  { name: "edited to another identifier", steps: [["opened", 1, "A"], ["edited", 1, "B", later(1)]], filed: { 1: "A" }, log: "stays filed under" },
  {
    name: "impostor: edited to carry another report's identifier, then reopened",
    steps: [["opened", 1, "A"], ["opened", 2, "B"], ["edited", 2, "A", later(1)], ["maintainer-close", 2], ["maintainer-reopen", 2], ["reopened", 2, "A", later(2)]],
    filed: { 1: "A", 2: "B" },
  },
  {
    name: "an old issue edited to carry a report: first means first filed",
    steps: [["opened", 3, "none"], ["opened", 5, "A"], ["edited", 3, "A", later(1)]],
    filed: { 3: "A", 5: "A" },
    closed: [3],
    comments: { 3: ["dup-of-5"], 5: ["seen-3"] },
    labels: { 3: ["duplicate"] },
  },
  {
    name: "a duplicate reopened by a maintainer stays open, also after edits",
    steps: [["opened", 1, "A"], ["opened", 2, "A"], ["maintainer-reopen", 2], ["reopened", 2, "A", later(1)], ["edited", 2, "A", later(2)], ["opened", 2, "A"]],
    filed: { 1: "A", 2: "A" },
    closed: [],
    comments: dup12.comments,
    labels: dup12.labels,
  },
  {
    name: "a first report closed by a maintainer stays closed",
    steps: [["opened", 1, "A"], ["maintainer-close", 1], ["closed", 1, "A", later(1)], ["opened", 2, "A"]],
    filed: { 1: "A", 2: "A" },
    closed: [1, 2],
    comments: dup12.comments,
    labels: dup12.labels,
  },
  { name: "deleted after filing: the record stays", steps: [["opened", 1, "A"], ["deleted", 1, "A", later(1)]], filed: { 1: "A" } },
  { name: "transferred: nothing filed", steps: [["transferred", 1, "A", later(1)]], filed: {} },
  { name: "closed: nothing filed", steps: [["closed", 1, "A", later(1)]], filed: {} },
  { name: "a report added by an edit is filed then", steps: [["opened", 1, "none"], ["edited", 1, "A", later(1)], ["edited", 1, "A", later(1)]], filed: { 1: "A" } },
  { name: "the report removed by an edit: stays filed", steps: [["opened", 1, "A"], ["edited", 1, "none", later(1)]], filed: { 1: "A" }, log: "now carries no report" },
  {
    name: "an edit-filed report, then an earlier opened one processed late",
    steps: [["edited", 2, "A", later(1)], ["opened", 1, "A"]],
    filed: { 1: "A", 2: "A" },
    ...dup12,
  },
  {
    name: "the first reopened, the duplicate edited: nothing more happens",
    steps: [["opened", 1, "A"], ["opened", 2, "A"], ["maintainer-close", 1], ["maintainer-reopen", 1], ["reopened", 1, "A", later(1)], ["edited", 2, "A", later(2)]],
    filed: { 1: "A", 2: "A" },
    ...dup12,
  },
];

describe("triage: events and outcomes (docs/support-repository.md table)", () => {
  it.each(table.map((r) => [r.name, r] as const))("%s", async (_name, row) => {
    for (let n = 1; n <= 5; n++) fake.seedIssue(REPO, { title: `issue ${n}` });
    const db = makeLocalDb();
    let log = "";
    for (const step of row.steps) {
      const r = await run(db, {}, step);
      expect(r.code, r.stderr).toBe(0);
      log += r.stderr;
    }
    const s = snapshot(join(db, ".git"));
    expect(s.filed).toEqual(row.filed);
    expect(s.closed.sort()).toEqual(row.closed ?? []);
    expect(s.comments).toEqual(row.comments ?? {});
    expect(s.labels).toEqual(row.labels ?? {});
    if (row.log !== undefined) expect(log).toContain(row.log);
  });
});

describe("identity", () => {
  it("labels an edit that changes the identifier when identity.changedLabel is set, and files nothing new", async () => {
    for (let n = 1; n <= 2; n++) fake.seedIssue(REPO, { title: `issue ${n}` });
    const db = makeLocalDb({ version: 1, identity: { changedLabel: "identifier-changed" } });
    const bare = join(db, ".git");
    await run(db, {}, ["opened", 1, "A"]);
    const r = await run(db, {}, ["edited", 1, "B", later(1)]);
    expect(r.stderr).toContain(`issue #1: its body now carries identifier "${B.identifier}"; it stays filed under ${A.identifier}`);
    expect(fake.issues(REPO)[0]?.labels).toEqual(["identifier-changed"]);
    expect(filesOnMain(bare).filter((f) => f.startsWith("issues/"))).toEqual([`issues/${A.identifier}/1.json`]);
    const index = JSON.parse(gitSync(["--git-dir", bare, "show", "main:numbers/0/1.json"], bare));
    expect(index).toEqual({ schema: 1, number: 1, identifier: A.identifier, folder: null });
  });

  it("ignores markers in comments a person wrote: pasting one cannot silence the bot", async () => {
    fake.seedIssue(REPO, { title: "issue 1" });
    fake.seedIssue(REPO, {
      title: "issue 2",
      user: "mallory",
      comments: [`I am not a bot <!-- bugbeacon:bot v1 what=duplicate issue=2 identifier=${A.identifier} about=1 -->`],
    });
    const db = makeLocalDb();
    await run(db, {}, ["opened", 1, "A"]);
    await run(db, {}, ["opened", 2, "A"]);
    const two = fake.issues(REPO)[1]!;
    expect(two.state).toBe("closed");
    expect(two.comments.map((c) => kind(c.body))).toContain("dup-of-1");
  });
});

describe("clean failures", () => {
  const dupSetup = async () => {
    fake.seedIssue(REPO, { title: "issue 1" });
    fake.seedIssue(REPO, { title: "issue 2" });
    const db = makeLocalDb();
    expect((await run(db, {}, ["opened", 1, "A"])).code).toBe(0);
    return { db };
  };
  const posts = () => fake.requests.filter((r) => r.method === "POST" && r.route === "/repos/{owner}/{repo}/issues/{issue_number}/comments");
  const oneLine = (stderr: string) => {
    const lines = stderr.trim().split("\n");
    const last = lines[lines.length - 1]!;
    expect(stderr).not.toMatch(/\n\s+at /); // no stack
    expect(stderr).not.toMatch(/authorization|request:|headers/i); // no request dump
    return last;
  };

  it("a 500 on a comment post: looks for the marker, posts once more, never four times", async () => {
    const { db } = await dupSetup();
    fake.faults.add({ status: 500, method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", times: 1 });
    const r = await run(db, {}, ["opened", 2, "A"]);
    expect(r.code, r.stderr).toBe(0);
    expect(posts()).toHaveLength(3); // seen-again: 500 then the post after looking; then the duplicate comment
    expect(fake.issues(REPO).flatMap((i) => i.comments)).toHaveLength(2);
  });

  it("a lost answer to a comment post: the marker is found, nothing is posted twice", async () => {
    const { db } = await dupSetup();
    fake.faults.add({ kind: "lost-response", method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", times: 1 });
    const r = await run(db, {}, ["opened", 2, "A"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("checking whether it arrived");
    expect(posts()).toHaveLength(2);
    expect(fake.issues(REPO).map((i) => i.comments.map((c) => kind(c.body)))).toEqual([["seen-2"], ["dup-of-1"]]);
  });

  it("GitHub keeps failing (5xx): one line, exit 75, and a re-run completes without doubles", async () => {
    const { db } = await dupSetup();
    const fault = fake.faults.add({ status: 503, method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments" });
    const r = await run(db, {}, ["opened", 2, "A"]);
    expect(r.code).toBe(75);
    expect(oneLine(r.stderr)).toMatch(/^bugbeacon triage: GitHub did not complete posting a comment on issue #1 \(GitHub answered 503\) after retries: temporary; re-run the job/);
    expect(posts()).toHaveLength(2);
    fault.remove();
    expect((await run(db, {}, ["opened", 2, "A"])).code).toBe(0);
    expect(fake.issues(REPO).map((i) => i.comments.map((c) => kind(c.body)))).toEqual([["seen-2"], ["dup-of-1"]]);
  });

  it("idempotent reads are retried with backoff on 5xx", async () => {
    const { db } = await dupSetup();
    fake.faults.add({ status: 502, method: "GET", times: 2 });
    const r = await run(db, {}, ["opened", 2, "A"]);
    expect(r.code, r.stderr).toBe(0);
    expect(fake.requests.filter((q) => q.status === 502)).toHaveLength(2);
  });

  it("401: names the token", async () => {
    const { db } = await dupSetup();
    const r = await run(db, { GITHUB_TOKEN: "ghs_wrongwrongwrongwrongwrongwrongwrong" }, ["opened", 2, "A"]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^bugbeacon triage: GitHub refused the token while reading the comments of issue #2 \(401 Bad credentials\): pass a valid token/);
  });

  it("404: the issue was deleted or transferred", async () => {
    fake.seedIssue(REPO, { title: "issue 1" }); // issue 2 does not exist on GitHub any more
    const bare = makeRemote();
    const db = cloneOf(bare);
    await run(db, {}, ["opened", 1, "A"]);
    const r = await run(db, {}, ["opened", 2, "A"]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/issue #2 was not found\. It was deleted or transferred to another repository/);
    // The report is filed all the same (write-ahead): the database does not lose it.
    expect(filesOnMain(bare)).toContain(`issues/${A.identifier}/2.json`);
  });

  it("an event with labels: [null] and a broken user is filed, not a TypeError", async () => {
    fake.seedIssue(REPO, { title: "issue 1" });
    const bare = makeRemote();
    const db = cloneOf(bare);
    const event = issuesEvent("opened", { number: 1, title: "t", body: A.body, labels: [null, { name: "bug" }, { name: null }, "x"] });
    (event.issue as Record<string, unknown>).user = null;
    let stderr = "";
    const code = await runCli(["triage", "--event", writeEvent(event), "--db", db], {
      stdout: () => {},
      stderr: (s) => (stderr += s),
      env: { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: fake.url, BUGBEACON_PACING_MS: "0" },
      cwd: db,
    });
    expect(code, stderr).toBe(0);
    const record = JSON.parse(readFileSync(join(cloneOf(bare), "issues", A.identifier, "1.json"), "utf8"));
    expect(record.labels).toEqual(["bug", "x"]);
    expect(record.reporter).toBe("ghost");
  });

  it("a push that never lands: one line, exit 75", async () => {
    const bare = makeRemote();
    const db = cloneOf(bare);
    // A remote that refuses every push, as a busy or broken server would.
    gitSync(["remote", "set-url", "--push", "origin", join(bare, "does-not-exist")], db);
    const r = await run(db, { BUGBEACON_PUSH_ATTEMPTS: "3" }, ["opened", 1, "A"]);
    expect(r.code).toBe(75);
    expect(oneLine(r.stderr)).toMatch(/^bugbeacon triage: git failed while storing issue #1 in the database: Could not push the database after 3 attempts.*temporary; re-run the job/);
  }, 60_000);
});
