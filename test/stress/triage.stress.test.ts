import { describe, it } from "vitest";
import { useFakeGitHub } from "../support/fake-github/use.js";
import { concurrentTriage } from "../support/scenarios.js";

// The large version of test/support-triage.test.ts's concurrency test (there: 4 processes, 2 problems).
const TOKEN = "ghs_triagetokentriagetokentriagetoken";
const REPO = "octo/support";
const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN] });

describe("20 triage processes at once", () => {
  it("all push to one bare repository; every report is in the final tree and each problem has one first issue", async () => {
    await concurrentTriage(fake, { repo: REPO, token: TOKEN, processes: 20, problems: 10 });
  });
});
