/**
 * Triage under repeated, reordered and hostile events: the README's table "Triage: events and outcomes",
 * row by row, against the fake GitHub (real Octokit over HTTP) and a real bare git remote.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { cloneOf, filesOnMain, gitSync, issuesEvent, makeRemote, removeFixtures, reportBody, writeEvent } from "./support/git-fixtures.js";

const TOKEN = "ghs_eventstokeneventstokeneventstoken";
const REPO = "octo/support";
const fake = useFakeGitHub({ repos: [REPO], tokens: [{ token: TOKEN, login: "github-actions[bot]" }] });
afterAll(removeFixtures);

const A = reportBody("problem A");
const B = reportBody("problem B");
const letter = (id: string) => (id === A.identifier ? "A" : id === B.identifier ? "B" : id);
const bodyOf = (k: "A" | "B" | "none") => (k === "A" ? A.body : k === "B" ? B.body : "Just a question, no report.");
const createdAt = (n: number) => new Date(Date.parse("2026-11-20T10:00:00Z") + n * 60_000).toISOString();

type Step =
  | [action: "opened" | "edited" | "reopened" | "closed" | "deleted" | "transferred", issue: number, body: "A" | "B" | "none", updatedAt?: string]
  | [action: "maintainer-close" | "maintainer-reopen", issue: number];

async function run(db: string, env: Record<string, string> = {}, step: Step, extra: string[] = []) {
  const [action, n] = step;
  if (action === "maintainer-close" || action === "maintainer-reopen") {
    const res = await fetch(`${fake.url}/repos/${REPO}/issues/${n}`, {
      method: "PATCH",
      headers: { authorization: `token ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ state: action === "maintainer-close" ? "closed" : "open" }),
    });
    expect(res.status).toBe(200);
    return { code: 0, stderr: "" };
  }
  const [, , kind, updatedAt] = step;
  const event = issuesEvent(action, { number: n, title: `issue ${n}`, body: bodyOf(kind ?? "none"), createdAt: createdAt(n), updatedAt: updatedAt ?? createdAt(n) });
  let stderr = "";
  const code = await runCli(["triage", "--event", writeEvent(event), "--db", db, ...extra], {
    stdout: () => {},
    stderr: (s) => (stderr += s),
    env: { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: fake.url, BUGBEACON_RETRY_BASE_MS: "1", ...env },
    cwd: db,
  });
  return { code, stderr };
}

/** What a comment is, in the table's words: `dup-of-N`, `seen-N`, or its text. */
function kind(body: string): string {
  const dup = /^Thank you for the report! .* reported first in #(\d+),/.exec(body);
  if (dup) return `dup-of-${dup[1]}`;
  const seen = /^Seen again in #(\d+)/.exec(body);
  if (seen) return `seen-${seen[1]}`;
  return body;
}

function snapshot(bare: string) {
  const filed: Record<number, string> = {};
  for (const f of filesOnMain(bare).filter((p) => p.startsWith("issues/"))) {
    const [, id, file] = f.split("/");
    filed[Number(file!.replace(".json", ""))] = letter(id!);
  }
  const closed = fake.issues(REPO).filter((i) => i.state === "closed").map((i) => i.number);
  const comments: Record<number, string[]> = {};
  const labels: Record<number, string[]> = {};
  for (const i of fake.issues(REPO)) {
    if (i.comments.length > 0) comments[i.number] = i.comments.map((c) => kind(c.body));
    if (i.labels.length > 0) labels[i.number] = [...i.labels].sort();
  }
  return { filed, closed, comments, labels };
}

interface Row {
  name: string;
  steps: Step[];
  filed: Record<number, string>;
  closed?: number[];
  comments?: Record<number, string[]>;
  labels?: Record<number, string[]>;
  log?: string;
}

const later = (minutes: number) => new Date(Date.parse("2026-11-20T12:00:00Z") + minutes * 60_000).toISOString();
const dup12 = { closed: [2], comments: { 1: ["seen-2"], 2: ["dup-of-1"] }, labels: { 2: ["duplicate"] } };

/** The README table "Triage: events and outcomes", one entry per row. */
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

describe("triage: events and outcomes (README table)", () => {
  it.each(table.map((r) => [r.name, r] as const))("%s", async (_name, row) => {
    for (let n = 1; n <= 5; n++) fake.seedIssue(REPO, { title: `issue ${n}` });
    const bare = makeRemote();
    const db = cloneOf(bare);
    let log = "";
    for (const step of row.steps) {
      const r = await run(db, {}, step);
      expect(r.code, r.stderr).toBe(0);
      log += r.stderr;
    }
    const s = snapshot(bare);
    expect(s.filed).toEqual(row.filed);
    expect(s.closed.sort()).toEqual(row.closed ?? []);
    expect(s.comments).toEqual(row.comments ?? {});
    expect(s.labels).toEqual(row.labels ?? {});
    if (row.log !== undefined) expect(log).toContain(row.log);
  });
});

/** mulberry32, seeded: the same shuffles every run, a different one per seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("the same events any number of times, in any order", () => {
  const events: Step[] = [
    ["opened", 1, "A"],
    ["opened", 2, "A"],
    ["opened", 3, "B"],
    ["edited", 2, "B", later(1)],
    ["opened", 4, "none"],
    ["edited", 4, "A", later(2)],
  ];

  async function final(steps: Step[]) {
    fake.reset();
    for (let n = 1; n <= 4; n++) fake.seedIssue(REPO, { title: `issue ${n}` });
    const bare = makeRemote();
    const db = cloneOf(bare);
    for (const step of steps) {
      const r = await run(db, {}, step);
      expect(r.code, r.stderr).toBe(0);
    }
    const files = filesOnMain(bare).filter((f) => f !== "README.md");
    const contents = Object.fromEntries(files.map((f) => [f, gitSync(["--git-dir", bare, "show", `main:${f}`], bare)]));
    return { contents, github: fake.issues(REPO).map((i) => ({ n: i.number, state: i.state, labels: [...i.labels].sort(), comments: i.comments.map((c) => c.body) })) };
  }

  it("repeated runs (Re-run jobs) leave exactly the same database and GitHub state", async () => {
    const canonical = await final(events);
    expect(Object.keys(canonical.contents).filter((f) => f.startsWith("issues/")).length).toBe(4);
    const random = rng(13);
    const repeated: Step[] = [];
    for (const e of events) {
      repeated.push(e);
      while (random() < 0.6) repeated.push(events[Math.floor(random() * (repeated.length > 0 ? events.indexOf(e) + 1 : 1))]!);
    }
    expect(repeated.length).toBeGreaterThan(events.length);
    expect(await final(repeated)).toEqual(canonical);
  }, 60_000);

  it("shuffled orders leave the same database, the same open and closed issues and labels", async () => {
    const canonical = await final(events);
    // More seeds: BUGBEACON_ORDER_SEEDS="1,2,3,…" (each adds a few seconds).
    const seeds = (process.env.BUGBEACON_ORDER_SEEDS ?? "7").split(",").map(Number);
    for (const seed of seeds) {
      const random = rng(seed);
      const shuffled = [...events, ...events.slice(0, 2)];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const result = await final(shuffled);
      expect(result.contents, `order ${JSON.stringify(shuffled)}`).toEqual(canonical.contents);
      expect(result.github.map(({ n, state, labels }) => ({ n, state, labels }))).toEqual(canonical.github.map(({ n, state, labels }) => ({ n, state, labels })));
    }
  }, 90_000);
});

describe("identity", () => {
  it("labels an edit that changes the identifier when identity.changedLabel is set, and files nothing new", async () => {
    for (let n = 1; n <= 2; n++) fake.seedIssue(REPO, { title: `issue ${n}` });
    const bare = makeRemote({ version: 1, identity: { changedLabel: "identifier-changed" } });
    const db = cloneOf(bare);
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
    const bare = makeRemote();
    const db = cloneOf(bare);
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
    const bare = makeRemote();
    const db = cloneOf(bare);
    expect((await run(db, {}, ["opened", 1, "A"])).code).toBe(0);
    return { bare, db };
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
    expect(oneLine(r.stderr)).toMatch(/^bugbeacon triage: GitHub did not complete posting a comment on issue #1 \(HTTP 503\) after retries: temporary; re-run the job/);
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
      env: { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: fake.url },
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
