/**
 * Hostile inputs to the relay: 1,000 random and adversarial bodies against the built `bugbeacon serve`
 * get the documented 4xx (never a 5xx), and nothing they carry reaches an issue unneutralised.
 */
import { describe, expect, it } from "vitest";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { makeRemote } from "./support/git-fixtures.js";
import { postReport } from "./support/relay-harness.js";
import { hostileBodies, renderProblems, renderedOutsideFences } from "./support/relay-hostile.js";
import { APP_ID, INSTALLATION, startServe } from "./support/serve-harness.js";

const REPO = "octo/tool";
const OTHER = "octo/private";
const fake = useFakeGitHub({ repos: [REPO, OTHER], appId: APP_ID, appInstallations: [{ id: INSTALLATION, account: "octo" }] });

describe("relay: hostile inputs", () => {
  it("1,000 random and adversarial bodies: each gets its documented answer, never a 5xx; nothing reaches an issue unneutralised", { timeout: 300_000 }, async () => {
    const s = await startServe(fake.url, makeRemote(), {
      args: ["--relay-repo", REPO, "--answer-within", "0"],
      env: { BUGBEACON_RELAY_PERIOD_MS: "100", BUGBEACON_RELAY_WRITES_PER_HOUR: "450", BUGBEACON_RELAY_REPORTS_PER_MINUTE: "1000000" },
    });
    try {
      const bodies = hostileBodies(REPO, OTHER, 1000, 26);
      const wrong: string[] = [];
      const statuses = new Map<number, number>();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < bodies.length) {
            const h = bodies[next++]!;
            const a = await postReport(s.url, h.body, h.headers);
            statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
            if (a.status !== h.expect) wrong.push(`${h.kind}: ${a.status} (expected ${h.expect}) ${a.body.slice(0, 160)}`);
          }
        }),
      );
      expect(wrong).toEqual([]);
      expect([...statuses.keys()].every((st) => st < 500)).toBe(true);
      expect(statuses.get(202)).toBeGreaterThan(100);
      // The four identifiers of the valid ones got issues, and their counts went out.
      await s.idle();
      const deadline = Date.now() + 60_000;
      while (fake.issues(REPO).filter((i) => i.comments.length > 0).length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const issues = fake.issues(REPO);
      expect(issues).toHaveLength(4);
      for (const issue of issues) {
        expect(renderProblems(issue.title), issue.title).toEqual([]);
        expect(renderProblems(renderedOutsideFences(issue.body ?? "")), issue.body ?? "").toEqual([]);
        for (const c of issue.comments) expect(renderProblems(renderedOutsideFences(c.body ?? "")), c.body ?? "").toEqual([]);
      }
      expect(issues.every((i) => i.comments.length > 0)).toBe(true);
      expect(fake.issues(OTHER)).toEqual([]);
      expect(fake.contractViolations).toEqual([]);
      expect(s.stderr()).toBe("");
    } finally {
      s.child.kill("SIGTERM");
      await s.exited;
    }
  });
});
