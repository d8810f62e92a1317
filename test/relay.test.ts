/**
 * The relay (`bugbeacon serve --relay-repo`): real HTTP to the built CLI as a child process, the fake
 * GitHub (every request checked against GitHub's OpenAPI description) minting the App's installation
 * tokens, a bare git repository as the database.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { makeRemote } from "./support/git-fixtures.js";
import { countLines, postReport, wireReport } from "./support/relay-harness.js";
import { runCli } from "../src/cli/run-cli.js";
import { git } from "../src/support/git-sync.js";
import { APP_ID, INSTALLATION, serveEnv, startServe, type ServeProcess } from "./support/serve-harness.js";
import { tempDir } from "./support/temp.js";

const REPO = "octo/tool";
const OTHER = "octo/private";
// A maintainer too, who answers on an issue.
const fake = useFakeGitHub({ repos: [REPO, OTHER], appId: APP_ID, appInstallations: [{ id: INSTALLATION, account: "octo" }], tokens: [{ token: "maintainer-token", login: "maintainer" }, { token: "other-app-token", login: "other-app[bot]" }] });

async function stop(s: ServeProcess) {
  s.child.kill("SIGTERM");
  return s.exited;
}

async function until(what: string, check: () => boolean, ms = 30_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function relay(env: Record<string, string> = {}, stateDir?: string) {
  return startServe(fake.url, makeRemote(), { args: ["--relay-repo", REPO], env: { BUGBEACON_RELAY_PERIOD_MS: "300", BUGBEACON_RELAY_WRITES_PER_HOUR: "450", ...env }, ...(stateDir !== undefined ? { stateDir } : {}) });
}

describe("relay: configuration", () => {
  it("a malformed --relay-repo or relay variable stops the start naming it", { timeout: 60_000 }, async () => {
    for (const [args, env, name] of [
      [["--relay-repo", "not a repo"], {}, "--relay-repo"],
      [["--relay-repo"], {}, "--relay-repo"],
      [["--relay-repo", "octo/tool"], { BUGBEACON_RELAY_WRITES_PER_HOUR: "501" }, "BUGBEACON_RELAY_WRITES_PER_HOUR"],
      [["--relay-repo", "octo/tool"], { BUGBEACON_RELAY_ON_CLOSED: "delete" }, "BUGBEACON_RELAY_ON_CLOSED"],
    ] as const) {
      let stderr = "";
      const code = await runCli(["serve", "--host", "127.0.0.1", ...args], { stdout: () => {}, stderr: (t) => (stderr += t), env: { ...serveEnv("http://127.0.0.1:9"), PORT: "0", ...env }, cwd: process.cwd() });
      expect(code, stderr).toBe(2);
      expect(stderr.split("\n")[0]).toMatch(new RegExp(`^bugbeacon serve: ${name} `));
    }
  });
});

describe("relay: POST /v1/reports", () => {
  it("files the first report of an identifier as an issue by the App, rendered from data, and counts the rest", { timeout: 60_000 }, async () => {
    const s = await relay();
    try {
      const first = wireReport(REPO, { install: "install-aaaaaaaa" });
      const a = await postReport(s.url, JSON.stringify(first));
      expect(a.status, a.body).toBe(202);
      const answer = JSON.parse(a.body) as { status: string; url?: string };
      expect(answer.status).toBe("created");
      const issues = fake.issues(REPO);
      expect(issues).toHaveLength(1);
      expect(answer.url).toMatch(new RegExp(`/${REPO}/issues/${issues[0]!.number}$`));
      expect(issues[0]!.user.login).toBe("bugbeacon[bot]");
      expect(issues[0]!.body).toContain("bugbeacon identifier: `md5.0123456789abcdef0123456789abcdef`");
      // The same report again (a client that lost its answer): the same answer, counted once.
      const again = await postReport(s.url, JSON.stringify(first));
      expect(JSON.parse(again.body)).toMatchObject({ status: "created", duplicate: true });
      // Two more from another machine, one of them gzip.
      const b = wireReport(REPO, { install: "install-bbbbbbbb", version: "1.1.0" });
      expect(JSON.parse((await postReport(s.url, JSON.stringify(b))).body)).toMatchObject({ status: "counted", url: answer.url });
      const c = wireReport(REPO, { install: "install-bbbbbbbb", os: "darwin" });
      const gz = await postReport(s.url, gzipSync(JSON.stringify(c)), { "content-encoding": "gzip" });
      expect(JSON.parse(gz.body)).toMatchObject({ status: "counted" });
      await until("a count message", () => countLines(fake.issues(REPO)[0]!.comments).length > 0);
      const [line] = countLines(fake.issues(REPO)[0]!.comments);
      expect(line).toMatchObject({ occurrences: 2, machines: 1, total: 3, totalMachines: 2 });
      expect(fake.issues(REPO)[0]!.comments[0]!.body).toMatch(/Seen again 2 times on 1 machine/);
      expect(fake.issues(REPO)).toHaveLength(1);
      expect(fake.contractViolations).toEqual([]);
      // No address and no install id in what it logs or keeps.
      const reportLines = s.lines().filter((l) => l.msg === "report");
      expect(reportLines).toHaveLength(4);
      for (const l of reportLines) expect(Object.keys(l).sort()).toEqual(["decision", "ms", "msg", "status", "time"]);
      expect(s.stdout()).not.toContain("install-");
      const kept = readFileSync(join(s.stateDir, "relay", "journal.jsonl"), "utf8");
      expect(kept).toContain(first.reportId);
      expect(kept).not.toContain("install-");
      expect(kept).not.toContain("127.0.0.1");
    } finally {
      await stop(s);
    }
  });

  it("edits its count message in place while it is the issue's latest comment; after someone answers, a new one", { timeout: 90_000 }, async () => {
    const s = await relay();
    try {
      const send = async (install: string, version = "1.0.0") => {
        const a = await postReport(s.url, JSON.stringify(wireReport(REPO, { install, version })));
        expect(a.status, a.body).toBe(202);
      };
      const summed = () => countLines(fake.issues(REPO)[0]?.comments ?? []).reduce((n, l) => n + l.occurrences, 0);
      await send("install-aaaaaaaa");
      await send("install-bbbbbbbb");
      await until("the first count message", () => summed() === 1);
      const [first] = fake.issues(REPO)[0]!.comments;
      // Two more periods: the same comment grows (one message with the figures of both periods).
      await send("install-cccccccc", "1.1.0");
      await until("a second count", () => summed() === 2);
      await send("install-dddddddd", "1.1.0");
      await until("a third count", () => summed() === 3);
      let comments = fake.issues(REPO)[0]!.comments;
      expect(comments).toHaveLength(1);
      expect(comments[0]!.id).toBe(first!.id);
      expect(comments[0]!.body).toMatch(/^Seen again 3 times since /);
      expect(comments[0]!.body).toMatch(/Versions: 1\.1\.0 \(2\), 1\.0\.0 \(1\)\./);
      expect(comments[0]!.body).toContain("Counted by the relay in all: 4 times on 4 machines");
      expect(countLines(comments)[0]).toMatchObject({ occurrences: 3, total: 4, totalMachines: 4 });
      expect(countLines(comments)[0]!.keys).toHaveLength(3);
      // The maintainer answers: the next count is a new comment below the answer.
      const res = await fetch(`${fake.url}/repos/${REPO}/issues/${fake.issues(REPO)[0]!.number}/comments`, {
        method: "POST",
        headers: { authorization: "token maintainer-token", "content-type": "application/json" },
        body: JSON.stringify({ body: "Looking into it." }),
      });
      expect(res.status).toBe(201);
      await send("install-aaaaaaaa");
      await until("a fourth count", () => summed() === 4);
      comments = fake.issues(REPO)[0]!.comments;
      expect(comments.map((c) => c.user.login)).toEqual(["bugbeacon[bot]", "maintainer", "bugbeacon[bot]"]);
      expect(comments[2]!.body).toMatch(/^Seen again once on 1 machine since /);
      expect(countLines(comments).map((l) => l.occurrences)).toEqual([3, 1]);
      expect(countLines(comments)[1]).toMatchObject({ total: 5, totalMachines: 4 });
      expect(fake.contractViolations).toEqual([]);
    } finally {
      await stop(s);
    }
  });

  it("edits in place only a count comment it wrote: another App's comment with the relay's marker is left alone", { timeout: 90_000 }, async () => {
    const s = await relay();
    try {
      const send = async (install: string) => {
        const a = await postReport(s.url, JSON.stringify(wireReport(REPO, { install })));
        expect(a.status, a.body).toBe(202);
      };
      const summed = () => countLines((fake.issues(REPO)[0]?.comments ?? []).filter((c) => c.user.login === "bugbeacon[bot]")).reduce((n, l) => n + l.occurrences, 0);
      await send("install-aaaaaaaa");
      await send("install-bbbbbbbb");
      await until("the first count message", () => summed() === 1);
      const issue = fake.issues(REPO)[0]!;
      // Another App installed on the repository writes a comment that looks like the relay's count message.
      const forged = issue.comments[0]!.body!;
      const res = await fetch(`${fake.url}/repos/${REPO}/issues/${issue.number}/comments`, {
        method: "POST",
        headers: { authorization: "token other-app-token", "content-type": "application/json" },
        body: JSON.stringify({ body: forged }),
      });
      expect(res.status).toBe(201);
      await send("install-cccccccc");
      await until("a second count", () => summed() === 2);
      const comments = fake.issues(REPO)[0]!.comments;
      expect(comments.map((c) => [c.user.login, c.user.type])).toEqual([["bugbeacon[bot]", "Bot"], ["other-app[bot]", "Bot"], ["bugbeacon[bot]", "Bot"]]);
      expect(comments[1]!.body).toBe(forged);
      expect(countLines([comments[2]!])[0]).toMatchObject({ occurrences: 1 });
      expect(fake.contractViolations).toEqual([]);
    } finally {
      await stop(s);
    }
  });

  it("compacts its journal while running, and forgets a machine's hash (journal and database) once its last report is past the age limit", { timeout: 90_000 }, async () => {
    const db = makeRemote();
    const s = await startServe(fake.url, db, {
      args: ["--relay-repo", REPO],
      env: { BUGBEACON_RELAY_PERIOD_MS: "300", BUGBEACON_RELAY_WRITES_PER_HOUR: "450", BUGBEACON_RELAY_COMPACT_EVERY_MS: "500", BUGBEACON_RELAY_MACHINE_MAX_AGE_MS: "8000" },
    });
    try {
      const journal = join(s.stateDir, "relay", "journal.jsonl");
      const lines = () => readFileSync(journal, "utf8").split("\n").filter((l) => l !== "");
      const snapshot = () => {
        const all = lines();
        return all.length === 1 ? (JSON.parse(all[0]!) as { k: string; snap?: { bugs: Array<{ machines: unknown[] }> } }) : undefined;
      };
      const summed = () => countLines(fake.issues(REPO)[0]?.comments ?? []).reduce((n, l) => n + l.occurrences, 0);
      const send = async (install: string) => expect((await postReport(s.url, JSON.stringify(wireReport(REPO, { install })))).status).toBe(202);
      await send("install-aaaaaaaa");
      await send("install-bbbbbbbb");
      await until("the count", () => summed() === 1);
      expect(countLines(fake.issues(REPO)[0]!.comments)[0]).toMatchObject({ total: 2, totalMachines: 2 });
      expect(fake.issues(REPO)[0]!.comments[0]!.body).toContain("(a machine is counted for 8 seconds after its last report)");
      // Compacted while running: one snapshot line, the per-report lines gone, both machines still known.
      await until("a compaction", () => snapshot()?.k === "snap" && snapshot()!.snap!.bugs[0]!.machines.length === 2);
      // Past the age limit (less one compaction interval): no hash in the journal, none in the database.
      await until("the machines forgotten", () => snapshot()?.snap?.bugs[0]?.machines.length === 0, 30_000);
      const blobs = async () => {
        const refs = (await git(["for-each-ref", "--format=%(refname)", "refs/bugbeacon/relay/machines/"], { cwd: db })).split("\n").filter(Boolean);
        expect(refs).toHaveLength(1);
        const names = (await git(["ls-tree", "--name-only", refs[0]!], { cwd: db })).split("\n").filter(Boolean);
        return Promise.all(names.map(async (n) => JSON.parse(await git(["cat-file", "blob", `${refs[0]!}:${n}`], { cwd: db })) as { machines: string[]; total: number }));
      };
      let written: Array<{ machines: string[]; total: number }> = [];
      const end = Date.now() + 30_000;
      while (Date.now() < end && !((written = await blobs()).length === 1 && written[0]!.machines.length === 0)) await new Promise((r) => setTimeout(r, 100));
      expect(written).toEqual([expect.objectContaining({ machines: [], total: 2 })]);
      // A new machine: counted with the ones seen within the limit only; every occurrence still counted.
      await send("install-cccccccc");
      await until("the next count", () => summed() === 2);
      expect(countLines(fake.issues(REPO)[0]!.comments).at(-1)).toMatchObject({ total: 3, totalMachines: 1 });
      expect(fake.contractViolations).toEqual([]);
    } finally {
      await stop(s);
    }
  });

  it("refuses what it does not serve and what is malformed, naming the field", { timeout: 60_000 }, async () => {
    const s = await relay();
    try {
      const forbidden = await postReport(s.url, JSON.stringify(wireReport(OTHER)));
      expect(forbidden.status).toBe(403);
      expect(JSON.parse(forbidden.body)).toMatchObject({ field: "repo" });
      const bad = wireReport(REPO);
      (bad.metadata.platform as Record<string, unknown>).os = 7;
      const r = await postReport(s.url, JSON.stringify(bad));
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ field: "metadata.platform.os" });
      expect((await postReport(s.url, "x".repeat(70_000))).status).toBe(413);
      expect((await postReport(s.url, gzipSync(" ".repeat(400_000)), { "content-encoding": "gzip" })).status).toBe(413);
      expect((await postReport(s.url, "{}", { "content-type": "text/plain" })).status).toBe(415);
      expect(fake.issues(REPO)).toHaveLength(0);
    } finally {
      await stop(s);
    }
  });

  it("answers 429 with Retry-After beyond a client address's budget", { timeout: 60_000 }, async () => {
    const s = await relay({ BUGBEACON_RELAY_REPORTS_PER_MINUTE: "4" });
    try {
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${s.url}/v1/reports`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(wireReport(REPO, { identifier: `md5.${String(i).repeat(32)}` })) });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get("retry-after") ?? undefined;
        await res.arrayBuffer();
      }
      expect(statuses.slice(0, 2)).toEqual([202, 202]);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await stop(s);
    }
  });

  it("keeps its counts across a restart, in one compacted line: the per-report lines are gone", { timeout: 60_000 }, async () => {
    const stateDir = tempDir("bugbeacon-relay-state-");
    const a = await relay({ BUGBEACON_RELAY_PERIOD_MS: "3600000" }, stateDir);
    for (let i = 0; i < 3; i++) expect((await postReport(a.url, JSON.stringify(wireReport(REPO, { install: `install-${i}xxxxxxx` })))).status).toBe(202);
    await stop(a);
    const journal = join(stateDir, "relay", "journal.jsonl");
    expect(readFileSync(journal, "utf8").split("\n").filter(Boolean).length).toBeGreaterThan(3);
    const b = await relay({ BUGBEACON_RELAY_PERIOD_MS: "3600000" }, stateDir);
    try {
      await until("the replay line", () => b.lines().some((l) => l.msg === "relay journal replayed"));
      expect(b.lines().find((l) => l.msg === "relay journal replayed")).toMatchObject({ occurrences: 3, issues: 1, pending: 2 });
      const lines = readFileSync(journal, "utf8").split("\n").filter(Boolean);
      expect(lines.map((l) => (JSON.parse(l) as { k: string }).k)).toEqual(["snap"]);
      // The kept first report (to file the issue) is gone once its issue exists.
      expect(lines[0]).not.toContain("TypeError: boom\\n");
    } finally {
      await stop(b);
    }
  });

  it("a report of an identifier whose issue was closed follows onClosed: reopen (default) or a new issue", { timeout: 60_000 }, async () => {
    const ident = "md5.cccccccccccccccccccccccccccccccc";
    const closed = fake.seedIssue(REPO, { title: "old crash", body: `Fixed once.\n\nbugbeacon identifier: \`${ident}\``, state: "closed", stateReason: "completed" });
    const a = await relay();
    try {
      const answer = await postReport(a.url, JSON.stringify(wireReport(REPO, { identifier: ident })));
      expect(JSON.parse(answer.body)).toMatchObject({ status: "counted", url: expect.stringMatching(new RegExp(`/issues/${closed.number}$`)) as unknown });
      expect(fake.issues(REPO)).toHaveLength(1);
      expect(fake.issues(REPO)[0]).toMatchObject({ number: closed.number, state: "open" });
      // The report that reopened it is counted in the next message (the issue was not written from it).
      await until("its count", () => countLines(fake.issues(REPO)[0]!.comments).length === 1);
      expect(countLines(fake.issues(REPO)[0]!.comments)[0]).toMatchObject({ occurrences: 1, total: 1 });
    } finally {
      await stop(a);
    }
    fake.reset();
    const again = fake.seedIssue(REPO, { title: "old crash", body: `Fixed once.\n\nbugbeacon identifier: \`${ident}\``, state: "closed", stateReason: "completed" });
    const b = await relay({ BUGBEACON_RELAY_ON_CLOSED: "new" });
    try {
      const answer = await postReport(b.url, JSON.stringify(wireReport(REPO, { identifier: ident })));
      expect(JSON.parse(answer.body)).toMatchObject({ status: "created" });
      const issues = fake.issues(REPO);
      expect(issues).toHaveLength(2);
      expect(issues.find((x) => x.number === again.number)).toMatchObject({ state: "closed" });
      expect(issues.find((x) => x.number !== again.number)).toMatchObject({ state: "open", user: { login: "bugbeacon[bot]" } });
    } finally {
      await stop(b);
    }
  });
});
