import { describe, it } from "vitest";
import { useFakeGitHub } from "../support/fake-github/use.js";
import { exactlyOnceUnderFaults } from "../support/scenarios.js";

// The large version of test/delivery.test.ts's exactly-once test (there: 30 reports from 2 processes).
const TOKEN = "ghp_deliverytokendeliverytokendelivery1";
const REPO = "octo/app";
const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN], searchRateLimit: false }, { checkContract: false });

describe("exactly once under faults, at scale", () => {
  it("300 reports from 4 concurrent processes under a 30% fault rate: each delivered exactly once, nothing left queued", async () => {
    await exactlyOnceUnderFaults(fake, { repo: REPO, token: TOKEN, processes: 4, perProcess: 75 });
  });
});
