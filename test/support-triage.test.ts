import { readFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { trackWork } from "./support/cleanup.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { cloneOf, filesOnMain, issuesEvent, makeRemote, reportBody, writeEvent } from "./support/git-fixtures.js";
import { concurrentTriage, FAST_RETRY } from "./support/scenarios.js";

const TOKEN = "ghs_triagetokentriagetokentriagetoken";
const REPO = "octo/support";
// GITHUB_TOKEN's comments are by github-actions[bot]: only a bot's markers count.
const fake = useFakeGitHub({ repos: [REPO], tokens: [{ token: TOKEN, login: "github-actions[bot]" }] });
/** A bot comment without its hidden marker: what a reader sees. */
const visible = (body: string) => body.replace(/\n\n<!-- bugbeacon:bot v1 [^>]* -->$/, "");
const reportFiles = (bare: string) => filesOnMain(bare).filter((f) => f.startsWith("issues/"));

/** Seeds issues 1..n on the fake so triage's API calls have real targets. */
function seed(n: number) {
  for (let i = 1; i <= n; i++) fake.seedIssue(REPO, { title: `issue ${i}` });
}

async function triage(db: string, event: unknown, extra: string[] = []) {
  let stdout = "";
  let stderr = "";
  const code = await trackWork(
    runCli(["triage", "--event", writeEvent(event), "--db", db, ...extra], {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      env: { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: fake.url, ...FAST_RETRY },
      cwd: db,
    }),
  );
  return { code, stdout, stderr };
}

const mutations = () => fake.requests.filter((r) => r.method !== "GET");

describe("bugbeacon triage", () => {
  it("stores the first report and pushes it; a second report of the same problem is closed as a duplicate", async () => {
    seed(2);
    const bare = makeRemote();
    const report = reportBody("TypeError: x\nparse src/a.js");
    const first = await triage(cloneOf(bare), issuesEvent("opened", { number: 1, title: "TypeError: x", body: report.body }));
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`issue #1 stored as issues/${report.identifier}/1.json (first report`);
    expect(mutations()).toEqual([]);
    expect(filesOnMain(bare)).toContain(`issues/${report.identifier}/1.json`);

    const second = await triage(cloneOf(bare), issuesEvent("opened", { number: 2, title: "TypeError: x", body: report.body }));
    expect(second.stderr).toContain("duplicate of #1 (2 reports)");
    const [one, two] = fake.issues(REPO);
    expect(two?.state).toBe("closed");
    expect(two?.stateReason).toBe("not_planned");
    expect(two?.labels).toEqual(["duplicate"]);
    expect(two?.comments.map((c) => visible(c.body))).toEqual([
      `Thank you for the report! The same problem (identifier \`${report.identifier}\`) was reported first in #1, so this issue is closed as a duplicate. Please add anything new over there.`,
    ]);
    expect(one?.state).toBe("open");
    expect(one?.comments.map((c) => visible(c.body))).toEqual(["Seen again in #2 (app `1.4.0`, `linux/x64`, Node `v20.20.2`)."]);
    expect(two?.comments[0]?.body).toContain(`<!-- bugbeacon:bot v1 what=duplicate issue=2 identifier=${report.identifier} about=1 -->`);

    const stored = JSON.parse(readFileSync(join(cloneOf(bare), "issues", report.identifier, "2.json"), "utf8"));
    expect(stored).toMatchObject({ schema: 1, identifier: report.identifier, number: 2, reporter: "Codertocat", app_version: "1.4.0", source: "metadata", environment: { LANG: "C.UTF-8" } });
  });

  it("accepts issues written by Python helpme", async () => {
    seed(1);
    const bare = makeRemote();
    const body = "ImportError: No module named foo\n\nHelpMe Github Issue: md5.0123456789abcdef0123456789abcdef";
    const run = await triage(cloneOf(bare), issuesEvent("opened", { number: 1, title: "[helpme] ImportError", body }));
    expect(run.code).toBe(0);
    const db = cloneOf(bare);
    const stored = JSON.parse(readFileSync(join(db, "issues/md5.0123456789abcdef0123456789abcdef/1.json"), "utf8"));
    expect(stored).toMatchObject({ source: "helpme-line", app_version: null, platform: null });
  });

  it("leaves issues without a report alone, quietly", async () => {
    const bare = makeRemote();
    const run = await triage(cloneOf(bare), issuesEvent("opened", { number: 1, title: "Feature request", body: "Dark mode please" }));
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("bugbeacon triage: issue #1 left alone: no bugbeacon report in the issue\n");
    expect(filesOnMain(bare)).toEqual(["README.md"]);
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ["a traversal in helpme's line", "HelpMe Github Issue: ../../../etc/passwd"],
    ["an absolute path", "bugbeacon identifier: `/etc/passwd`"],
    ["a Windows device name", "HelpMe Github Issue: nul.txt"],
    ["a trailing dot", "bugbeacon identifier: `crash.`"],
    ["a very long identifier", `HelpMe Github Issue: md5.${"a".repeat(190)}`],
    ["a traversal in the metadata block", reportBody("x", { identifier: "../../x" }).body],
    ["a NUL inside the metadata identifier", reportBody("x", { identifier: "md5.0123456789abcdef0123456789abcde\u0000" }).body],
  ])("refuses %s with a log line; nothing reaches a path", async (_kind, body) => {
    const bare = makeRemote();
    const db = cloneOf(bare);
    const run = await triage(db, issuesEvent("opened", { number: 1, title: "hostile", body }));
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/refusing issue #1: identifier ".*" breaks the identifier rule \(1 to 128 characters/);
    expect(existsSync(join(db, "issues"))).toBe(false);
    expect(filesOnMain(bare)).toEqual(["README.md"]);
  });

  it("handles a 1 MB body, and markdown imitating the metadata block", async () => {
    seed(1);
    const bare = makeRemote();
    const real = reportBody("big one", {}, `${"x".repeat(1024 * 1024)}`);
    const fakeBlock = "<!-- bugbeacon:report v1\n" + JSON.stringify({ schema: 1, identifier: "md5.ffffffffffffffffffffffffffffffff" }) + "\n-->";
    const imitated = reportBody("imitated", {}, `look: ${fakeBlock}`);
    expect((await triage(cloneOf(bare), issuesEvent("opened", { number: 1, title: "big", body: real.body }))).code).toBe(0);
    expect((await triage(cloneOf(bare), issuesEvent("opened", { number: 2, title: "imitated", body: imitated.body }))).code).toBe(0);
    expect(reportFiles(bare)).toEqual([`issues/${real.identifier}/1.json`, `issues/${imitated.identifier}/2.json`].sort());
  });

  it("files a report whose metadata was deleted in the browser by its visible identifier line", async () => {
    const bare = makeRemote();
    const { body, identifier } = reportBody("edited away");
    const withoutBlock = body.slice(0, body.indexOf("<!-- bugbeacon:report"));
    await triage(cloneOf(bare), issuesEvent("opened", { number: 1, title: "t", body: withoutBlock }));
    const stored = JSON.parse(readFileSync(join(cloneOf(bare), "issues", identifier, "1.json"), "utf8"));
    expect(stored.source).toBe("identifier-line");
  });

  it("on edited events updates the stored file without commenting again", async () => {
    seed(1);
    const bare = makeRemote();
    const { body, identifier } = reportBody("edit me");
    await triage(cloneOf(bare), issuesEvent("opened", { number: 1, title: "before", body }));
    await triage(cloneOf(bare), issuesEvent("edited", { number: 1, title: "after", body, updatedAt: "2026-11-20T11:00:00Z" }));
    expect(JSON.parse(readFileSync(join(cloneOf(bare), "issues", identifier, "1.json"), "utf8")).title).toBe("after");
    expect(mutations()).toEqual([]);
  });

  it("nests by version with layout by-version, refusing unsafe version names as folders", async () => {
    const bare = makeRemote({ version: 1, layout: "by-version" });
    const good = reportBody("v", { app: { version: "2.1.0" } });
    const evil = reportBody("w", { app: { version: "../../etc" } });
    await triage(cloneOf(bare), issuesEvent("opened", { number: 1, title: "a", body: good.body }));
    const run = await triage(cloneOf(bare), issuesEvent("opened", { number: 2, title: "b", body: evil.body }));
    expect(run.stderr).toContain('version "../../etc" is not a safe folder name; filed under "unknown"');
    expect(reportFiles(bare)).toEqual([`issues/2.1.0/${good.identifier}/1.json`, `issues/unknown/${evil.identifier}/2.json`].sort());
  });

  it("fails with a clear message on a bad event file or a bad config", async () => {
    const bare = makeRemote({ version: 1, rules: [{ id: "x", when: { count: { atLeast: 0 } }, then: { labelz: ["a"] } }] });
    const run = await triage(cloneOf(bare), issuesEvent("opened", { number: 1, title: "t", body: reportBody("c").body }));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("bugbeacon.config.json is not valid:");
    expect(run.stderr).toContain("/rules/0/when/count/atLeast must be >= 1");
    expect(run.stderr).toContain("/rules/0/then must NOT have additional properties (labelz)");
    const bad = await triage(cloneOf(makeRemote()), { action: "opened", issue: { number: "one" } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("is not an issues event: /issue must have required property 'title'");
    expect(bad.stderr).toContain("/issue/number must be integer");
  });
});

describe("a separate database repository", () => {
  it("--db-remote clones the database, stores the report there and pushes it", async () => {
    seed(1);
    const bare = makeRemote();
    const work = cloneOf(makeRemote());
    const { body, identifier } = reportBody("elsewhere");
    const run = await triage(work, issuesEvent("opened", { number: 1, title: "t", body }), ["--db-remote", bare]);
    expect(run.code, run.stderr).toBe(0);
    expect(filesOnMain(bare)).toContain(`issues/${identifier}/1.json`);
    expect(existsSync(join(work, "issues"))).toBe(false);
  });

  it("clones shallow, blob-less and sparse: only the issue's folders are present; the clone is removed after the run", async () => {
    const { sparseClone } = await import("../src/support/db-checkout.js");
    const { readdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const bare = makeRemote();
    // A database of 30 problems, 2 reports each.
    const seedDb = cloneOf(bare);
    const { writeFileSync, mkdirSync } = await import("node:fs");
    const { gitSync } = await import("./support/git-fixtures.js");
    for (let i = 0; i < 30; i++) {
      const id = `md5.${i.toString(16).padStart(32, "0")}`;
      mkdirSync(join(seedDb, "issues", id), { recursive: true });
      for (const n of [i * 2 + 1, i * 2 + 2]) writeFileSync(join(seedDb, "issues", id, `${n}.json`), JSON.stringify({ n }));
    }
    gitSync(["add", "-A"], seedDb);
    gitSync(["commit", "--quiet", "-m", "seed"], seedDb);
    gitSync(["push", "--quiet", "origin", "main"], seedDb);

    const checkout = await sparseClone(bare);
    try {
      await checkout.include(["issues/md5.00000000000000000000000000000003", "numbers/0"]);
      const { gitSync: g } = await import("./support/git-fixtures.js");
      expect(g(["rev-parse", "--is-shallow-repository"], checkout.root).trim()).toBe("true");
      expect(g(["config", "remote.origin.partialclonefilter"], checkout.root).trim()).toBe("blob:none");
      expect(readdirSync(join(checkout.root, "issues"))).toEqual(["md5.00000000000000000000000000000003"]);
      // The other 58 reports' contents were never fetched.
      const missing = g(["rev-list", "--objects", "--missing=print", "HEAD"], checkout.root).split("\n").filter((l) => l.startsWith("?"));
      expect(missing.length).toBe(58);
    } finally {
      await checkout.dispose();
    }
    expect(existsSync(checkout.root)).toBe(false);

    // Through the CLI: no clone is left in the temp folder (a temp folder of its own, so other test files' folders do not count).
    seed(1);
    const { mkdtempSync, rmSync } = await import("node:fs");
    const work = cloneOf(makeRemote());
    const ownTmp = mkdtempSync(join(tmpdir(), "bugbeacon-tmp-"));
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = ownTmp;
    try {
      const run = await triage(work, issuesEvent("opened", { number: 1, title: "t", body: reportBody("sparse").body }), ["--db-remote", bare]);
      expect(run.code, run.stderr).toBe(0);
      // The clone was made here (bugbeacon-db-*) and removed; only the event file's folder remains.
      expect(readdirSync(ownTmp).filter((f) => !f.startsWith("bugbeacon-event-"))).toEqual([]);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      rmSync(ownTmp, { recursive: true, force: true });
    }
  });

  it("passes git settings (such as the auth header) through the environment, never the command line", async () => {
    const { configEnv, git } = await import("../src/support/git-sync.js");
    const secret = "AUTHORIZATION: basic c2VjcmV0LXRva2Vu";
    expect(configEnv([`http.extraheader=${secret}`])).toEqual({ GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.extraheader", GIT_CONFIG_VALUE_0: secret });
    const repo = cloneOf(makeRemote());
    expect((await git(["config", "--get", "http.extraheader"], { cwd: repo, config: [`http.extraheader=${secret}`] })).trim()).toBe(secret);
  });
});

describe("maintainers' rules", () => {
  it("fire in order, once per threshold, with templates", async () => {
    seed(4);
    const config = {
      version: 1,
      duplicates: { seenAgain: "none" },
      rules: [
        { id: "twice", when: { count: { atLeast: 2 } }, then: { labels: ["recurring"], comment: "Seen {count} times; first #{first} ({identifier})", mention: "@octo/maintainers" } },
        { id: "crash-title", when: { title: "^TypeError" }, then: { labels: ["type-error"] } },
        { id: "old-versions", when: { version: "<1.0.0" }, then: { labels: ["old"] } },
      ],
    };
    const bare = makeRemote(config);
    const { body, identifier } = reportBody("rules");
    for (const n of [1, 2, 3]) await triage(cloneOf(bare), issuesEvent("opened", { number: n, title: "TypeError: r", body }));
    const issues = fake.issues(REPO);
    expect(issues[0]?.labels).toEqual(["type-error", "recurring"]);
    expect(issues[0]?.comments.map((c) => visible(c.body))).toEqual([`Seen 2 times; first #1 (\`${identifier}\`)\n\n@octo/maintainers`]);
    expect(issues[1]?.labels).toEqual(["duplicate", "type-error"]);
    expect(issues[2]?.labels).toEqual(["duplicate", "type-error"]);
    expect(filesOnMain(bare)).toContain(`fired/${identifier}/twice.json`);
  });
});

// The large version (20 processes, 10 problems) is in test/stress/triage.stress.test.ts.
describe("triage processes at once", () => {
  it("3 processes push to one bare repository; every report is in the final tree and each problem has one first issue", async () => {
    await concurrentTriage(fake, { repo: REPO, token: TOKEN, processes: 3, problems: 2 });
  }, 60_000);
});

describe("bugbeacon db check", () => {
  it("passes a good database and names each problem in a bad one", async () => {
    seed(1);
    const bare = makeRemote();
    const { body, identifier } = reportBody("check");
    await triage(cloneOf(bare), issuesEvent("opened", { number: 1, title: "t", body }));
    const db = cloneOf(bare);
    let out = "";
    const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (out += s), env: {}, cwd: db };
    expect(await runCli(["db", "check"], io)).toBe(0);
    expect(out).toBe("1 records checked, 0 with problems (layout flat)\n");

    const { writeFileSync, mkdirSync } = await import("node:fs");
    writeFileSync(join(db, "issues", identifier, "2.json"), "{ truncated");
    const wrong = JSON.parse(readFileSync(join(db, "issues", identifier, "1.json"), "utf8"));
    mkdirSync(join(db, "issues", "md5.00000000000000000000000000000000"));
    writeFileSync(join(db, "issues", "md5.00000000000000000000000000000000", "1.json"), JSON.stringify(wrong));
    writeFileSync(join(db, "issues", identifier, "3.json"), JSON.stringify({ ...wrong, number: 3, platform: "linux" }));
    out = "";
    expect(await runCli(["db", "check"], io)).toBe(1);
    expect(out).toContain(`issues/${identifier}/2.json: not JSON`);
    expect(out).toContain("issues/md5.00000000000000000000000000000000/1.json: stored at the wrong place");
    expect(out).toContain(`issues/${identifier}/3.json: /platform must be null`);
    expect(out).toContain("4 records checked, 3 with problems");
    expect(readdirSync(join(db, "issues"))).toHaveLength(2);
  });
});
