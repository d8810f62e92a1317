/**
 * The heavy versions of test/write-ahead.test.ts and test/seen-again.test.ts (`npm run test:stress`):
 * 24 apps killed with SIGKILL at random points of the crash path, then one flush: every report exactly
 * once; a burst of 200 reports of one bug from 10 processes, and 200 real crashes of one bug, 10 apps
 * at a time: one issue, no comment within the period, and the count arrives with the next comment.
 */

import { describe, expect, it } from "vitest";
import { getHelper } from "../../src/index.js";
import { parseIssueBody } from "../../src/format.js";
import { useFakeGitHub } from "../support/fake-github/use.js";
import { runKillTrials } from "../support/write-ahead-trials.js";
import { agePeriod, burst, countedIds, crashBurst, deliveredIds } from "../support/seen-again-burst.js";

import { TOKEN } from "../support/seen-again-burst.js";
import { tempDir } from "../support/temp.js";
const REPO = "octo/app";
const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN], searchRateLimit: false });
const newSpool = () => tempDir("bugbeacon-spool-");

describe("write-ahead under SIGKILL (stress)", () => {
  it("24 apps killed at random points after their report reached the disk: one flush, every report exactly once", async () => {
    const spool = newSpool();
    const outcomes = await runKillTrials(fake, spool, TOKEN, 24, 20_251, 800);
    const killed = outcomes.filter((o) => o.signal === "SIGKILL").length;
    console.log(`write-ahead stress: ${killed} of ${outcomes.length} apps killed, ${outcomes.length - killed} ended first`);
    const summary = await getHelper("github", { baseUrl: fake.url, quiet: true, spoolDir: spool, pacingMs: 0, flushOnStart: false, env: { BUGBEACON_GITHUB_TOKEN: TOKEN } }).flush();
    expect(summary.failed).toEqual([]);
    expect(summary.queued).toBe(0);
    for (const { trial } of outcomes) expect(fake.issues(REPO).filter((i) => i.title === `TypeError: boom in ${trial}`), trial).toHaveLength(1);
    expect(fake.issues(REPO)).toHaveLength(24);
  }, 300_000);
});

describe("no floods (stress)", () => {
  it("200 reports of one bug from 10 processes: one issue, no comment in the period; the count arrives", async () => {
    const spool = newSpool();
    const ids = await burst(fake, spool, 10, 20);
    expect(new Set(ids).size).toBe(200);
    expect(fake.issues(REPO)).toHaveLength(1);
    expect(fake.issues(REPO)[0]?.comments).toEqual([]);
    const delivered = fake.issues(REPO).map((i) => parseIssueBody(i.body ?? "")?.metadata?.reportId);
    const counted = countedIds(spool);
    expect([...delivered, ...counted].sort()).toEqual([...ids].sort());
    agePeriod(spool, 25 * 60 * 60_000);
    const h = getHelper("github", { baseUrl: fake.url, repo: REPO, confirm: false, quiet: true, spoolDir: spool, pacingMs: 0, flushOnStart: false, identify: () => "the same bug", env: { BUGBEACON_GITHUB_TOKEN: TOKEN } });
    expect((await h.captureException(new TypeError("the same bug"))).kind).toBe("duplicate");
    expect(fake.issues(REPO)[0]?.comments).toHaveLength(1);
    expect(fake.issues(REPO)[0]?.comments[0]?.body).toContain("Seen 199 more times on this machine since ");
  }, 300_000);
});

describe("no floods from real crashes (stress)", () => {
  it("200 apps crash with the same bug, 10 at a time, on one machine: one issue, no comment in the period; a flush leaves nothing; the count arrives", async () => {
    const spool = newSpool();
    await crashBurst(fake, spool, 200, 10);
    // A crash that ran out of time left its report in the spool: the next flush sends or counts it.
    const summary = await getHelper("github", { baseUrl: fake.url, quiet: true, spoolDir: spool, pacingMs: 0, flushOnStart: false, env: { BUGBEACON_GITHUB_TOKEN: TOKEN } }).flush();
    expect(summary.queued).toBe(0);
    expect(fake.issues(REPO)).toHaveLength(1);
    expect(fake.issues(REPO)[0]?.comments).toEqual([]);
    const delivered = deliveredIds(fake);
    const counted = countedIds(spool);
    expect(delivered).toHaveLength(1);
    expect(new Set([...delivered, ...counted]).size).toBe(200);
    console.log(`crash burst: 200 crashes, ${delivered.length} issue, ${counted.length} counted on this machine, flush sent ${summary.sent} and counted ${summary.counted}`);
    agePeriod(spool, 25 * 60 * 60_000);
    const h = getHelper("github", { baseUrl: fake.url, repo: REPO, confirm: false, quiet: true, spoolDir: spool, pacingMs: 0, flushOnStart: false, identify: () => "the same bug", env: { BUGBEACON_GITHUB_TOKEN: TOKEN } });
    expect((await h.captureException(new TypeError("the same bug"))).kind).toBe("duplicate");
    expect(fake.issues(REPO)[0]?.comments).toHaveLength(1);
    expect(fake.issues(REPO)[0]?.comments[0]?.body).toContain("Seen 199 more times on this machine since ");
  }, 600_000);
});
