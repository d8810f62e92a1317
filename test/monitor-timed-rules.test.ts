/**
 * Maintainers' timed rules apply to monitor issues like any other: `bugbeacon sweep`'s rules (escalate after
 * 24 h…) fire on the issue a monitor opened, once per step, with a real git database repository and the fake
 * GitHub; a closed monitor issue gets none; a reopened one gets the steps still due. An issue that merely
 * copies a monitor's marker (without the `bugbeacon-monitor` label, which only someone who may write issues
 * can set) gets no rule as a monitor.
 */
import { describe, expect, it } from "vitest";
import { getHelper } from "../src/index.js";
import { createOctokit } from "../src/backends/github/octokit-client.js";
import { parseConfig } from "../src/support/config.js";
import { sweep } from "../src/support/sweep.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { cloneOf, filesOnMain, makeRemote } from "./support/git-fixtures.js";
import { tempDir } from "./support/temp.js";

const TOKEN = "ghs_monitortimedmonitortimedmonitor1";
const REPO = "octo/support";
const fake = useFakeGitHub({ repos: [REPO], tokens: [{ token: TOKEN, login: "github-actions[bot]" }] });
const HOUR = 3_600_000;

describe("timed rules on monitor issues", () => {
  // The rule names monitors by their identifier: the label is not in the rule, so only the sweep's own test of
  // it keeps the stranger's copy (#2) out.
  it("escalate after 24 h fires on a monitor's issue once; resolved, nothing more; reopened, the step still due fires", async () => {
    const config = await parseConfig({
      version: 1,
      timed: [{ id: "escalate", when: { openFor: "24h", identifier: "^monitor\\." }, then: [{ labels: ["needs-attention"], mention: "@octo/oncall" }, { after: "48h", assign: ["octocat"] }] }],
    });
    const helper = getHelper("github", { baseUrl: fake.url, repo: REPO, confirm: false, quiet: true, flushOnStart: false, retryAfterBaseMs: 10, spoolDir: tempDir("bugbeacon-spool-"), env: { BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_PACING_MS: "0" } });
    const once = (ok: boolean) => helper.monitorOnce("nightly export", () => ({ ok, details: "export is 3 days old" }));
    expect((await once(false)).action).toBe("opened");
    const opened = Date.parse(fake.issues(REPO)[0]!.createdAt);
    // Someone copies the monitor's body into an issue of their own: no label, so not a monitor issue.
    fake.seedIssue(REPO, { title: "Monitor failing: nightly export", body: fake.issues(REPO)[0]!.body ?? "", user: "stranger" });

    const bare = makeRemote();
    const db = cloneOf(bare);
    const octokit = createOctokit({ token: TOKEN, baseUrl: fake.url, timeoutMs: 10_000, pacingMs: 0, retryAfterBaseMs: 1 });
    const at = async (hours: number) => (await sweep({ config, dbRoot: db, repo: REPO, octokit: () => octokit, log: () => {}, now: opened + hours * HOUR, pushBackoffMs: 1 })).timed;
    const issue = () => fake.issues(REPO).find((i) => i.number === 1)!;

    expect(await at(1)).toEqual([]);
    expect(await at(25)).toEqual(["#1 escalate/0"]);
    expect(issue().labels).toEqual(["bugbeacon-monitor", "needs-attention"]);
    expect(issue().comments.map((c) => c.body.split("\n")[0])).toEqual(["@octo/oncall"]);
    expect(fake.issues(REPO).find((i) => i.number === 2)!.comments).toEqual([]);
    expect(await at(26)).toEqual([]);
    // The monitor goes on with its issue (the rule's label and comment do not disturb it), then resolves it.
    expect((await once(true)).action).toBe("updated");
    expect((await once(true)).action).toBe("closed");
    expect(issue().state).toBe("closed");
    expect(await at(80)).toEqual([]);
    expect(issue().assignees).toEqual([]);
    // Failing again reopens it: the step still due fires; the one that fired does not fire again.
    expect((await once(false)).action).toBe("reopened");
    expect(await at(81)).toEqual(["#1 escalate/1"]);
    expect(issue().assignees).toEqual(["octocat"]);
    expect(issue().comments.filter((c) => c.body.startsWith("@octo/oncall"))).toHaveLength(1);
    // Remembered in the database: another checkout fires nothing again.
    expect(filesOnMain(bare)).toContain("timers/0/1.json");
    expect((await sweep({ config, dbRoot: cloneOf(bare), repo: REPO, octokit: () => octokit, log: () => {}, now: opened + 200 * HOUR })).timed).toEqual([]);
    expect(fake.issues(REPO).find((i) => i.number === 2)!.comments).toEqual([]);
  });
});
