import { describe, it, expect } from "vitest";
import { useFakeGitHub } from "../support/fake-github/use.js";
import { makeRemote } from "../support/git-fixtures.js";
import { APP_ID, INSTALLATION, startServe } from "../support/serve-harness.js";
import { randomDeliveries, threeReplicas } from "../support/serve-scenarios.js";

// The large versions of test/serve.test.ts's replica and random-bytes tests (there: 3 issues, 200 strings).
const REPO = "octo/support";
const fake = useFakeGitHub({ repos: [REPO], appId: APP_ID, appInstallations: [{ id: INSTALLATION, account: "octo" }] });

describe("bugbeacon serve at scale", () => {
  it("three replicas, eight issues of three problems, every delivery to all three and one twice", async () => {
    // Every answer before its triage (202, queued): the default suite's version waits for the decisions.
    await threeReplicas(fake, ["A", "B", "A", "C", "B", "A", "C", "A"], "octo/support", ["--answer-within", "0"]);
  }, 300_000);

  it("1,000 random byte strings: every one answered, the server still healthy", async () => {
    const s = await startServe(fake.url, makeRemote());
    await randomDeliveries(s.url, 1000, 11);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    s.child.kill("SIGTERM");
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.stderr()).toBe("");
  }, 120_000);
});
