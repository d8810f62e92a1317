import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { parseLegacyMarkdown } from "../src/support/db-import.js";
import type { ReportRecord } from "../src/support/record.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { cloneOf, filesOnMain, gitSync, issuesEvent, writeEvent } from "./support/git-fixtures.js";
import { GS_REPO, githubSupportFixture, helpmeBody, legacyMarkdown } from "./support/github-support-fixture.js";

const TOKEN = "ghs_importtokenimporttokenimporttok";
const fake = useFakeGitHub({ repos: [GS_REPO], tokens: [{ token: TOKEN, login: "github-actions[bot]" }] });

async function cli(args: string[], cwd: string) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    env: { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: GS_REPO, GITHUB_API_URL: fake.url, BUGBEACON_RETRY_BASE_MS: "1", BUGBEACON_PACING_MS: "0" },
    cwd,
  });
  return { code, stdout, stderr, out: stdout + stderr };
}

const listCalls = () => fake.requests.filter((r) => r.method === "GET" && r.path === `/repos/${GS_REPO}/issues`);

describe("github-support's .md format", () => {
  it("reads parse_issue.py's file back: title, reporter, body", () => {
    const body = helpmeBody("md5.5fddcd18252717a7a11c494d24b16d4e");
    expect(parseLegacyMarkdown(legacyMarkdown("[helpme] No module", "vsoch", "CONTRIBUTOR", body))).toEqual({ title: "[helpme] No module", reporter: "vsoch", body });
    expect(parseLegacyMarkdown("no heading\n")).toBeUndefined();
  });
});

describe("a github-support database: detected, imported, then triaged", () => {
  it("is refused by triage, db check and stats until imported, each naming the command", async () => {
    const fx = githubSupportFixture(fake);
    const db = cloneOf(fx.bare);
    const check = await cli(["db", "check"], db);
    expect(check.code).toBe(1);
    expect(check.out).toContain(`issues/${fx.A}/8.md: a github-support (helpme) record, not yet imported`);
    expect(check.out).toContain('7 github-support .md records are not imported: run "bugbeacon db import --from github-support"');
    const stats = await cli(["stats"], db);
    expect(stats.code).toBe(1);
    expect(stats.out).toContain("holds 7 github-support (helpme) records");
    expect(stats.out).toContain("bugbeacon db import --from github-support");

    const n = fake.seedIssue(GS_REPO, { title: "[helpme] again", body: helpmeBody(fx.A) }).number;
    const event = issuesEvent("opened", { number: n, title: "[helpme] again", body: helpmeBody(fx.A), repo: GS_REPO, createdAt: "2026-11-20T10:00:00Z" });
    const run = await cli(["triage", "--event", writeEvent(event), "--db", db], db);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`The database folder of ${fx.A} holds 6 github-support (helpme) records`);
    expect(run.out).toContain("bugbeacon db import --from github-support");
    expect(filesOnMain(fx.bare).filter((f) => f.endsWith(".json"))).toEqual([]);
    expect(fake.issues(GS_REPO).find((i) => i.number === n)?.comments).toEqual([]);
  });

  it("imports with one list call, is a dry run by default, idempotent, and the next report is a duplicate of the first", async () => {
    const fx = githubSupportFixture(fake);
    const db = cloneOf(fx.bare);
    const head = gitSync(["rev-parse", "HEAD"], db);

    const dry = await cli(["db", "import", "--from", "github-support", "--remove-legacy"], db);
    expect(dry.code, dry.out).toBe(0);
    expect(dry.stdout).toBe(
      [
        "github-support import (dry run): 7 .md records found",
        "  7 to import (6 completed from the GitHub issue list in 1 requests, 1 no longer on GitHub: dated from git)",
        "  0 already imported, 0 refused",
        "  would remove 7 .md files in the same commit",
        "Nothing was changed. Run again with --write to apply (add --remove-legacy to delete the .md files in the same commit).",
        "",
      ].join("\n"),
    );
    expect(gitSync(["status", "--porcelain"], db)).toBe("");
    expect(gitSync(["rev-parse", "HEAD"], db)).toBe(head);
    expect(listCalls()).toHaveLength(1);
    expect(listCalls()[0]?.query).toMatchObject({ state: "all", per_page: "100" });

    const write = await cli(["db", "import", "--from", "github-support", "--write", "--remove-legacy"], db);
    expect(write.code, write.out).toBe(0);
    expect(write.stdout).toMatch(/Committed [0-9a-f]{12}: 7 records imported, 7 \.md files removed\. Push it to publish\./);
    // One commit: records, index entries, and the .md files gone.
    expect(gitSync(["rev-list", "--count", `${head.trim()}..HEAD`], db).trim()).toBe("1");
    const changed = gitSync(["show", "--name-status", "--format=", "HEAD"], db).trim().split("\n").sort();
    expect(changed.filter((l) => l.startsWith("D\t"))).toHaveLength(7);
    expect(changed.filter((l) => l.startsWith("A\t"))).toHaveLength(14);
    expect(gitSync(["status", "--porcelain"], db)).toBe("");

    const record = (n: number, id: string) => JSON.parse(readFileSync(join(db, "issues", id, `${n}.json`), "utf8")) as ReportRecord;
    const issue8 = fake.issues(GS_REPO).find((i) => i.number === 8)!;
    expect(record(8, fx.A)).toMatchObject({
      identifier: fx.A,
      number: 8,
      title: "[helpme] report 8",
      created_at: new Date(Date.parse(issue8.createdAt)).toISOString(),
      reporter: "vsoch",
      labels: ["bug"],
      source: "helpme-line",
      url: `https://github.com/${GS_REPO}/issues/8`,
      filed_by: "opened",
      environment: {},
    });
    // Gone from GitHub: what the .md says, dated by the commit that stored it.
    expect(record(15, fx.A)).toMatchObject({ reporter: "reporter-b", created_at: "2019-11-21T09:00:00.000Z", labels: [], url: `https://github.com/${GS_REPO}/issues/15` });
    expect(record(11, fx.B).identifier).toBe(fx.B);

    const checked = await cli(["db", "check"], db);
    expect(checked.code, checked.out).toBe(0);
    expect(checked.stdout).toBe("7 records checked, 0 with problems (layout flat)\n");
    const stats = await cli(["stats", "--format", "json"], db);
    expect(stats.code, stats.out).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ reports: 7, identifiers: 2, top: [{ identifier: fx.A, count: 6, firstIssue: 8 }, { identifier: fx.B, count: 1, firstIssue: 11 }] });

    // Again: nothing to do, no commit.
    const again = await cli(["db", "import", "--from", "github-support", "--write", "--remove-legacy"], db);
    expect(again.code, again.out).toBe(0);
    expect(again.stdout).toContain("github-support import: 0 .md records found");
    expect(again.stdout).toContain("Nothing to change: the database is already imported.");
    expect(gitSync(["rev-list", "--count", `${head.trim()}..HEAD`], db).trim()).toBe("1");
    gitSync(["push", "--quiet", "origin", "HEAD:main"], db);

    // The next report of A, through triage: a duplicate of #8, closed and told so.
    const n = fake.seedIssue(GS_REPO, { title: "[helpme] again", body: helpmeBody(fx.A) }).number;
    const created = fake.issues(GS_REPO).find((i) => i.number === n)!.createdAt;
    const event = issuesEvent("opened", { number: n, title: "[helpme] again", body: helpmeBody(fx.A), repo: GS_REPO, createdAt: created });
    const triaged = await cli(["triage", "--event", writeEvent(event), "--db", cloneOf(fx.bare)], db);
    expect(triaged.code, triaged.out).toBe(0);
    expect(triaged.out).toContain(`duplicate of #8 (7 reports)`);
    const dup = fake.issues(GS_REPO).find((i) => i.number === n)!;
    expect(dup.state).toBe("closed");
    expect(dup.comments.map((c) => c.body).join("\n")).toContain("reported first in #8");
    expect(filesOnMain(fx.bare)).toContain(`issues/${fx.A}/${n}.json`);
    expect(filesOnMain(fx.bare).filter((f) => f.endsWith(".md") && f.startsWith("issues/"))).toEqual([]);
  });

  it("imports without removing the .md files, then removes them on a second run", async () => {
    const fx = githubSupportFixture(fake);
    const db = cloneOf(fx.bare);
    const write = await cli(["db", "import", "--from", "github-support", "--write"], db);
    expect(write.code, write.out).toBe(0);
    expect(write.stdout).toMatch(/Committed [0-9a-f]{12}: 7 records imported, 0 \.md files removed\. Push it to publish\.\n/);
    expect(write.stdout).toContain('The 7 .md files stay beside their records; every command reads the records. Remove them when you like: "bugbeacon db import --from github-support --write --remove-legacy".\n');
    expect(write.stdout).toContain('Next: "bugbeacon db check"');
    // The .md files stay, each beside its record: the database is imported, and every command takes it.
    const check = await cli(["db", "check"], db);
    expect(check.code, check.out).toBe(0);
    expect(check.stdout).toBe(
      "7 records checked, 0 with problems (layout flat)\n" +
        '7 github-support .md records are imported (their records are what is read); remove the .md files when you like: "bugbeacon db import --from github-support --write --remove-legacy"\n',
    );
    const stats = await cli(["stats", "--format", "json"], db);
    expect(stats.code, stats.out).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ reports: 7, identifiers: 2 });
    const sweep = await cli(["sweep", "--no-push"], db);
    expect(sweep.code, sweep.out).toBe(0);
    expect(sweep.out).not.toContain("not yet imported");
    // Triage too: the next report of A is a duplicate of #8, with the .md files still there.
    const n = fake.seedIssue(GS_REPO, { title: "[helpme] again", body: helpmeBody(fx.A) }).number;
    const created = fake.issues(GS_REPO).find((i) => i.number === n)!.createdAt;
    const event = issuesEvent("opened", { number: n, title: "[helpme] again", body: helpmeBody(fx.A), repo: GS_REPO, createdAt: created });
    const triaged = await cli(["triage", "--event", writeEvent(event), "--db", db, "--no-push"], db);
    expect(triaged.code, triaged.out).toBe(0);
    expect(triaged.out).toContain("duplicate of #8 (7 reports)");
    // A record whose .md was never imported still stops every command.
    const { rmSync, writeFileSync } = await import("node:fs");
    writeFileSync(join(db, "issues", fx.B, "99.md"), legacyMarkdown("[helpme] late", "vsoch", "CONTRIBUTOR", helpmeBody(fx.B)));
    const late = await cli(["db", "check"], db);
    expect(late.code).toBe(1);
    expect(late.out).toContain(`issues/${fx.B}/99.md: a github-support (helpme) record, not yet imported`);
    rmSync(join(db, "issues", fx.B, "99.md"));
    const second = await cli(["db", "import", "--from", "github-support", "--write", "--remove-legacy"], db);
    expect(second.code, second.out).toBe(0);
    expect(second.stdout).toContain("0 to import");
    expect(second.stdout).toContain("7 already imported");
    expect(second.stdout).toMatch(/Committed [0-9a-f]{12}: 0 records imported, 7 \.md files removed/);
    expect((await cli(["db", "check"], db)).code).toBe(0);
  });
});
