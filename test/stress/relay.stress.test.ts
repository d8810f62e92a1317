/**
 * The relay at the issue's sizes (the default suite runs the same scenarios smaller): the same bug from
 * 200 app processes on 50 installs gives one issue and counts adding up to exactly 200 occurrences on 50
 * machines; a relay SIGKILLed mid-burst of 1,000 reports loses and doubles nothing; three replicas give the
 * same totals.
 */
import { describe, expect, it } from "vitest";
import { useFakeGitHub } from "../support/fake-github/use.js";
import { makeRemote } from "../support/git-fixtures.js";
import { RELAY_TEST_ENV, crashBurst, crashingApp, killMidBurst, threeRelays, totalsOnGitHub } from "../support/relay-scenarios.js";
import { APP_ID, INSTALLATION, startServe } from "../support/serve-harness.js";

const REPO = "octo/tool";
const fake = useFakeGitHub({ repos: [REPO], appId: APP_ID, appInstallations: [{ id: INSTALLATION, account: "octo" }] });

describe("relay at scale", () => {
  it("200 crashing processes on 50 installs: one issue, 200 occurrences on 50 machines", { timeout: 900_000 }, async () => {
    const s = await startServe(fake.url, makeRemote(), { args: ["--relay-repo", REPO], env: RELAY_TEST_ENV });
    try {
      const runs = await crashBurst(crashingApp(REPO), s.url, { processes: 200, installs: 50, parallel: 4 });
      expect(runs.filter((r) => r.code !== 1)).toEqual([]);
      const end = Date.now() + 120_000;
      const total = () => [...totalsOnGitHub(fake.issues(REPO)).values()][0];
      while ((total()?.occurrences ?? 0) < 200 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      const t = total()!;
      expect(fake.issues(REPO)).toHaveLength(1);
      expect(t.occurrences).toBe(200);
      expect([...t.machinesByReplica.values()]).toEqual([50]);
    } finally {
      s.child.kill("SIGTERM");
      await s.exited;
    }
  });

  it("SIGKILLed mid-burst of 1,000 reports and restarted: nothing lost or doubled", { timeout: 900_000 }, async () => {
    const r = await killMidBurst(fake, makeRemote(), REPO, { reports: 1000, idents: 5, installs: 50, killAfter: 400 });
    expect(r.totals).toEqual(r.expected);
  });

  it("three replicas, 1,500 reports: the same totals", { timeout: 900_000 }, async () => {
    const r = await threeRelays(fake, makeRemote(), REPO, { reports: 1500, idents: 5, installs: 50 });
    expect(r.occurrences).toEqual(r.expected.occurrences);
  });
});
