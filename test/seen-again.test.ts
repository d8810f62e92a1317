/**
 * No floods: a burst of one bug from several processes on one machine gives one issue and no comment
 * within the period; the occurrences are counted and the count arrives with the next comment. `react`
 * adds a +1 reaction instead. (A bigger burst: test/stress/write-ahead.stress.test.ts.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getHelper, parseIssueBody } from "../src/index.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { runNode } from "./support/run-node.js";
import { appEnv } from "./support/write-ahead-trials.js";
import type { FakeGitHub } from "./support/fake-github/index.js";

const TOKEN = "ghp_seenagaintokenseenagaintoken1234567";
const REPO = "octo/app";
const root = new URL("..", import.meta.url).pathname;
const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN], searchRateLimit: false });

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const newSpool = () => {
  const dir = mkdtempSync(join(tmpdir(), "bugbeacon-spool-"));
  made.push(dir);
  return dir;
};

/** Report ids counted locally in a spool folder. */
export function countedIds(spoolDir: string): string[] {
  const dir = join(spoolDir, "seen-again");
  const ids = new Set<string>();
  for (const n of readdirSync(dir).filter((f) => f.includes(".counted"))) {
    for (const line of readFileSync(join(dir, n), "utf8").split("\n").filter(Boolean)) ids.add(line.split(" ")[0]!);
  }
  return [...ids];
}

function deliveredIds(f: FakeGitHub): string[] {
  return f.issues(REPO).flatMap((i) => [i.body, ...i.comments.map((c) => c.body)].map((b) => parseIssueBody(b ?? "")?.metadata?.reportId).filter((x): x is string => x !== undefined));
}

/** `processes` processes at once, each capturing the same bug `each` times into one spool folder (one machine). */
export async function burst(f: FakeGitHub, spoolDir: string, processes: number, each: number): Promise<string[]> {
  const script = `
    import { getHelper } from "bugbeacon";
    const h = getHelper("github", { repo: "${REPO}", confirm: false, quiet: true, pacingMs: 0, identify: () => "the same bug" });
    const ids = [];
    for (let i = 0; i < ${each}; i++) {
      const r = await h.captureException(new TypeError("the same bug"), {});
      ids.push(r.reportId);
    }
    console.log(JSON.stringify(ids));`;
  const runs = await Promise.all(
    Array.from({ length: processes }, () =>
      runNode(["--input-type=module", "-e", script], { cwd: root, timeoutMs: 120_000, env: appEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: f.url, BUGBEACON_SPOOL_DIR: spoolDir }) }),
    ),
  );
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
  return runs.flatMap((r) => JSON.parse(r.stdout) as string[]);
}

/** Moves this machine's "last sent" time for every identifier back by `ms`: the period has passed. */
export function agePeriod(spoolDir: string, ms: number): void {
  const dir = join(spoolDir, "seen-again");
  for (const n of readdirSync(dir).filter((f) => f.endsWith(".last"))) {
    const t = Date.parse(readFileSync(join(dir, n), "utf8"));
    writeFileSync(join(dir, n), new Date(t - ms).toISOString());
  }
}

describe("seenAgainEvery and onDuplicate: count", () => {
  it("15 crashes of one bug from 3 processes: one issue, no comment in the period; the count arrives with the next comment", async () => {
    const spool = newSpool();
    const ids = await burst(fake, spool, 3, 5);
    expect(new Set(ids).size).toBe(15);
    expect(fake.issues(REPO)).toHaveLength(1);
    expect(fake.issues(REPO)[0]?.comments).toEqual([]);
    const delivered = deliveredIds(fake);
    const counted = countedIds(spool);
    expect([...delivered, ...counted].sort()).toEqual([...ids].sort());

    agePeriod(spool, 25 * 60 * 60_000);
    const h = getHelper("github", { baseUrl: fake.url, repo: REPO, confirm: false, quiet: true, spoolDir: spool, pacingMs: 0, flushOnStart: false, identify: () => "the same bug", env: { BUGBEACON_GITHUB_TOKEN: TOKEN } });
    const next = await h.captureException(new TypeError("the same bug"));
    expect(next.kind).toBe("duplicate");
    const comments = fake.issues(REPO)[0]?.comments ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(`Seen ${counted.length} more times on this machine since `);
    // Counted once: the next one in the period is counted afresh, from zero.
    expect(countedIds(spool)).toEqual([]);
    expect((await h.captureException(new TypeError("the same bug"))).kind).toBe("counted");
    expect(fake.issues(REPO)[0]?.comments).toHaveLength(1);
  }, 60_000);

  it("another machine (its own spool folder) sends its first occurrence as a comment; seenAgainEvery: 0 comments every time", async () => {
    const opts = { baseUrl: fake.url, repo: REPO, confirm: false, quiet: true, pacingMs: 0, flushOnStart: false, env: { BUGBEACON_GITHUB_TOKEN: TOKEN } } as const;
    expect((await getHelper("github", { ...opts, spoolDir: newSpool() }).runHeadless({ identifier: "bug", title: "Bug" })).kind).toBe("created");
    const other = getHelper("github", { ...opts, spoolDir: newSpool(), seenAgainEvery: 0 });
    expect((await other.runHeadless({ identifier: "bug", title: "Bug" })).kind).toBe("duplicate");
    expect((await other.runHeadless({ identifier: "bug", title: "Bug" })).kind).toBe("duplicate");
    expect(fake.issues(REPO)[0]?.comments).toHaveLength(2);
    expect(() => getHelper("github", { seenAgainEvery: -1 })).toThrow("Invalid seenAgainEvery: -1. Expected a whole number of milliseconds (0 or more)");
    expect(() => getHelper("github", { onDuplicate: "shout" as never })).toThrow('Expected "count", "react", "comment", "new" or "skip"');
  });

  it("react: a +1 reaction instead of a comment (notifies no one), once per machine and period; skip sends nothing", async () => {
    const opts = { baseUrl: fake.url, repo: REPO, confirm: false, quiet: true, pacingMs: 0, flushOnStart: false, env: { BUGBEACON_GITHUB_TOKEN: TOKEN } } as const;
    await getHelper("github", { ...opts, spoolDir: newSpool() }).runHeadless({ identifier: "bug", title: "Bug" });
    const reacting = getHelper("github", { ...opts, spoolDir: newSpool(), onDuplicate: "react" });
    expect((await reacting.runHeadless({ identifier: "bug", title: "Bug" })).kind).toBe("duplicate");
    expect((await reacting.runHeadless({ identifier: "bug", title: "Bug" })).kind).toBe("counted");
    const issue = fake.issues(REPO)[0];
    expect(issue?.comments).toEqual([]);
    expect(issue?.reactions.map((r) => r.content)).toEqual(["+1"]);
    expect(fake.requests.filter((r) => r.path.endsWith("/reactions"))).toHaveLength(1);
    const before = fake.requests.filter((r) => r.method === "POST").length;
    expect((await getHelper("github", { ...opts, spoolDir: newSpool(), onDuplicate: "skip" }).runHeadless({ identifier: "bug", title: "Bug" })).kind).toBe("duplicate");
    expect(fake.requests.filter((r) => r.method === "POST").length).toBe(before);
  });
});
