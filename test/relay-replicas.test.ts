/**
 * The relay's counts are exact whatever happens to its processes: a relay SIGKILLed mid-burst and
 * restarted on its state folder loses and doubles nothing; three replicas behind one address (clients
 * spread over them) give the same totals. Real `bugbeacon serve` processes and the fake GitHub; small
 * sizes here, the issue's in test/stress/relay.stress.test.ts.
 */
import { describe, expect, it } from "vitest";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { makeRemote } from "./support/git-fixtures.js";
import { killMidBurst, threeRelays } from "./support/relay-scenarios.js";
import { APP_ID, INSTALLATION } from "./support/serve-harness.js";

const REPO = "octo/tool";
const fake = useFakeGitHub({ repos: [REPO], appId: APP_ID, appInstallations: [{ id: INSTALLATION, account: "octo" }] });

describe("relay: exact counts across kills and replicas", () => {
  it("SIGKILLed mid-burst and restarted: 120 reports from 10 installs are counted exactly once", { timeout: 240_000 }, async () => {
    const r = await killMidBurst(fake, makeRemote(), REPO, { reports: 120, idents: 2, installs: 10, killAfter: 50 });
    expect(r.killedAt).toBeGreaterThanOrEqual(50);
    expect(r.totals).toEqual(r.expected);
    expect(fake.contractViolations).toEqual([]);
  });

  it("three replicas behind one address: 150 reports give the same totals", { timeout: 240_000 }, async () => {
    const r = await threeRelays(fake, makeRemote(), REPO, { reports: 150, idents: 3, installs: 10 });
    expect(r.occurrences).toEqual(r.expected.occurrences);
    // Every identifier reached more than one replica, and its latest count message says how many times and
    // on how many distinct machines in all: exact, not one replica's figures nor their sum.
    expect(r.replicasPerIdent.every((n) => n > 1)).toBe(true);
    expect(r.issuesPerIdent).toEqual([1, 1, 1]);
    expect(r.inAll).toEqual(r.expected.inAll);
    expect(fake.contractViolations).toEqual([]);
  });
});
