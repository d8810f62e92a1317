/**
 * No floods: a burst of one bug from several processes on one machine gives one issue and no comment
 * within the period; the occurrences are counted and the count arrives with the next comment. `react`
 * adds a +1 reaction instead. (A bigger burst: test/stress/write-ahead.stress.test.ts.)
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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

  it("an occurrence counted while a send failed is not lost when the next send creates the issue: it arrives with the next comment", async () => {
    const spool = newSpool();
    const opts = { baseUrl: fake.url, repo: REPO, confirm: false, quiet: true, spoolDir: spool, pacingMs: 0, flushOnStart: false, env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } } as const;
    const bug = { identifier: "one bug", title: "One bug" };
    const b = getHelper("github", opts);
    let during: Promise<{ kind: string; reportId: string }> | undefined;
    // A's create is on its way (A holds the bug's slot) when B reports the same bug: B is counted. Then
    // A's create finds the connection refused (a port nothing listens on): never sent, nothing arrived.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const refused = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    const a = getHelper("github", {
      ...opts,
      fetch: async (input, init) => {
        if (init?.method === "POST" && String(input).endsWith("/issues") && during === undefined) {
          during = b.runHeadless(bug);
          await during;
          return fetch(String(input).replace(fake.url, refused), init);
        }
        return fetch(input, init);
      },
    });
    expect((await a.runHeadless(bug)).kind).toBe("queued");
    const counted = await during!;
    expect(counted.kind).toBe("counted");
    // The next report of the bug creates the issue: B's occurrence must still be on its way, not dropped.
    const c = await b.runHeadless(bug);
    expect(c.kind).toBe("created");
    expect(countedIds(spool)).toEqual([counted.reportId]);
    // After the period, the next message carries it (and A's queued report arrives as itself).
    agePeriod(spool, 25 * 60 * 60_000);
    expect((await b.runHeadless(bug)).kind).toBe("duplicate");
    const comments = fake.issues(REPO)[0]?.comments ?? [];
    expect(comments.at(-1)?.body).toContain("Seen 1 more time on this machine since ");
    expect(countedIds(spool)).toEqual([]);
  });
});
