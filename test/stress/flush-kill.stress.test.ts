import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getHelper } from "../../src/index.js";
import { trackChild } from "../support/cleanup.js";
import { useFakeGitHub } from "../support/fake-github/use.js";
import { baseEnv, runNode } from "../support/run-node.js";
import { deliveredReportIds } from "../support/scenarios.js";
import { tempDir } from "../support/temp.js";

// The large version of test/delivery.test.ts's SIGKILL test (there: one kill): a kill loop.
const TOKEN = "ghp_deliverytokendeliverytokendelivery1";
const REPO = "octo/app";
const root = new URL("../..", import.meta.url).pathname;
const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN], searchRateLimit: false }, { checkContract: false });

describe("flush killed again and again", () => {
  it("150 queued reports, a flush SIGKILLed 8 times mid-way, then one to the end: every report exactly once, no corrupt spool file", async () => {
    const dir = tempDir("bugbeacon-spool-");
    const offline = getHelper("github", { baseUrl: "http://127.0.0.1:9", confirm: false, open: false, quiet: true, spoolDir: dir, timeoutMs: 300, dedupe: false, pacingMs: 0, env: { BUGBEACON_GITHUB_TOKEN: TOKEN } });
    const queued: string[] = [];
    for (let i = 0; i < 150; i++) {
      const r = await offline.runHeadless({ identifier: `k${i}`, title: `Killed ${i}`, repo: REPO });
      expect(r.kind).toBe("queued");
      queued.push(r.reportId);
    }
    const env = baseEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url, BUGBEACON_SPOOL_DIR: dir, BUGBEACON_PACING_MS: "20" });
    for (let kill = 0; kill < 8; kill++) {
      const before = fake.issues(REPO).length;
      const child = trackChild(spawn(process.execPath, [join(root, "dist/cli.js"), "flush"], { env, stdio: "ignore" }));
      const exited = new Promise((r) => child.once("exit", r));
      // Kill once it has sent a few (or when it is done early).
      let done = false;
      void exited.then(() => (done = true));
      while (!done && fake.issues(REPO).length < before + 8) await new Promise((r) => setTimeout(r, 10));
      child.kill("SIGKILL");
      await exited;
    }
    const killedAt = fake.issues(REPO).length;
    expect(killedAt).toBeGreaterThan(0);
    const rerun = await runNode([join(root, "dist/cli.js"), "flush"], { cwd: root, env, timeoutMs: 120_000 });
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    // Nothing waiting, nothing failed, nothing unreadable (an unreadable file adds "; unreadable N").
    expect(rerun.stdout).toMatch(/^delivered \d+: created \d+, already there \d+, merged 0, counted 0; waiting 0; failed 0$/m);
    expect(deliveredReportIds(fake, REPO).sort()).toEqual([...queued].sort());
    expect(readdirSync(dir).includes("quarantine")).toBe(false);
    console.log(`kill loop: ${killedAt} of 150 sent before the last flush`);
  });
});
