/**
 * No floods: a burst of one bug from several processes on one machine gives one issue and no comment
 * within the period; the occurrences are counted and the count arrives with the next comment. `react`
 * adds a +1 reaction instead. (A bigger burst: test/stress/write-ahead.stress.test.ts.)
 */

import { describe, expect, it } from "vitest";
import { getHelper } from "../src/index.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { agePeriod, burst, countedIds, deliveredIds, REPO, TOKEN } from "./support/seen-again-burst.js";
import { tempDir } from "./support/temp.js";

const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN], searchRateLimit: false });

const newSpool = () => tempDir("bugbeacon-spool-");

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
    const h = getHelper("github", { baseUrl: fake.url, repo: REPO, confirm: false, quiet: true, spoolDir: spool, pacingMs: 0, flushOnStart: false, identify: () => "the same bug", env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } });
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
    const opts = { baseUrl: fake.url, repo: REPO, confirm: false, quiet: true, pacingMs: 0, flushOnStart: false, env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } } as const;
    expect((await getHelper("github", { ...opts, spoolDir: newSpool() }).runHeadless({ identifier: "bug", title: "Bug" })).kind).toBe("created");
    const other = getHelper("github", { ...opts, spoolDir: newSpool(), seenAgainEvery: 0 });
    expect((await other.runHeadless({ identifier: "bug", title: "Bug" })).kind).toBe("duplicate");
    expect((await other.runHeadless({ identifier: "bug", title: "Bug" })).kind).toBe("duplicate");
    expect(fake.issues(REPO)[0]?.comments).toHaveLength(2);
    expect(() => getHelper("github", { seenAgainEvery: -1 })).toThrow("Invalid seenAgainEvery: -1. Expected a whole number of milliseconds (0 or more)");
    expect(() => getHelper("github", { onDuplicate: "shout" as never })).toThrow('Expected "count", "react", "comment", "new" or "skip"');
  });

  it("react: a +1 reaction instead of a comment (notifies no one), once per machine and period; skip sends nothing", async () => {
    const opts = { baseUrl: fake.url, repo: REPO, confirm: false, quiet: true, pacingMs: 0, flushOnStart: false, env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } } as const;
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
