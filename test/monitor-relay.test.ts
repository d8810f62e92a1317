/**
 * Monitors through the relay, the quick cases: apps with a relay URL and no token send only failures; the
 * relay (`bugbeacon serve --relay-repo`, the built CLI as a child process) checks them at its door and keeps
 * the monitor's issue on the fake GitHub (every request checked against GitHub's OpenAPI description). The
 * scenarios that wait out the relay's quiet window (open, close, reopen, the checklist, a kill, replicas)
 * are in test/stress/monitor-relay.stress.test.ts; the rules themselves, on a virtual clock, in
 * test/relay-monitors.test.ts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getHelper } from "../src/index.js";
import { monitorIdentifier } from "../src/sdk/monitor/state.js";
import { appFrom } from "./support/app-fixture.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { FAKE_OPTIONS, monitorRelayHarness, REPO } from "./support/monitor-relay-harness.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { post } from "./support/serve-harness.js";
import { tempDir } from "./support/temp.js";
import { wireFailure } from "./support/relay-harness.js";

const fake = useFakeGitHub(FAKE_OPTIONS);
const { relay, stop, until, monitorIssue } = monitorRelayHarness(fake);

describe("a monitor through the relay (app and relay in real processes)", () => {
  it("bugbeacon check through a relay: a failing check is sent; a re-run of the same schedule slot is counted once", { timeout: 60_000 }, async () => {
    const s = await relay();
    try {
      const dir = tempDir("bugbeacon-checks-");
      writeFileSync(join(dir, "checks.mjs"), `export const backups = () => ({ ok: false, details: "no backup since yesterday" });\n`);
      const cli = join(process.cwd(), "dist/cli.js");
      // One machine: one spool folder, so one install id across the two runs.
      const env = baseEnv({ BUGBEACON_RELAY_URL: s.url });
      const check = () => runNode([cli, "check", "checks.mjs", "--repo", REPO, "--every", "24h"], { env, cwd: dir });
      const slot = () => Math.floor(Date.now() / 86_400_000);
      const slotBefore = slot();
      const first = await check();
      expect(first.stdout, first.stderr).toBe("backups: failing: no backup since yesterday; failure sent to the relay\n");
      expect(first.code).toBe(0);
      await until("the issue opened", () => monitorIssue().length === 1);
      const second = await check();
      // Two slots only when the runs straddle midnight UTC (the schedule's slot changes there).
      const slots = slot() === slotBefore ? 1 : 2;
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/^backups: failing: no backup since yesterday; failure sent to the relay https?:\/\/\S+\/issues\/1\n$/);
      // The same install, monitor and slot: the same report id, one failure in the relay's journal.
      const kept = readFileSync(join(s.stateDir, "relay", "monitors", "journal.jsonl"), "utf8");
      expect(kept.split("\n").filter((l) => l.includes('"k":"fail"'))).toHaveLength(slots);
      expect(kept).not.toContain("install-");
      expect(s.lines().filter((l) => l.msg === "monitor failure" && l.status === 202)).toHaveLength(2);
    } finally {
      await stop(s);
    }
  });

  it("control characters in a record's key are sent as spaces; a name with one is not sent (it gives the identifier), and says so", { timeout: 60_000 }, async () => {
    const s = await relay();
    try {
      const h = getHelper("github", { repo: REPO, relay: s.url, confirm: false, quiet: true, flushOnStart: false, spoolDir: tempDir("bugbeacon-spool-"), env: {} });
      const run = await h.monitorOnce("colours", () => ({ ok: false, failures: [{ key: "user\u001b[31m 7", details: "bell\u0007 rang" }] }));
      expect(run).toMatchObject({ action: "sent", failing: ["user\u001b[31m 7"] });
      await until("the issue opened", () => monitorIssue().length === 1);
      expect(monitorIssue()[0]!.body).toContain("- [ ] `user [31m 7` bell  rang");
      const tabbed = await h.monitorOnce("tab\there", () => false);
      expect(tabbed.action).toBe("skipped");
      expect(tabbed.problem).toMatch(/control characters/);
      expect(s.lines().filter((l) => l.msg === "monitor failure")).toHaveLength(1);
    } finally {
      await stop(s);
    }
  });

  it("refuses bad fields with 400 naming the field, and other repositories with 403", { timeout: 60_000 }, async () => {
    const s = await relay();
    try {
      const send = (body: unknown) => post(`${s.url}/v1/monitor-failures`, JSON.stringify(body), { "content-type": "application/json" });
      for (const [body, field] of [
        [{ ...wireFailure(REPO), monitor: { ...(wireFailure(REPO).monitor as object), identifier: monitorIdentifier("someone else's") } }, "monitor.identifier"],
        [{ ...wireFailure(REPO), failures: [{ key: 42 }] }, "failures.0.key"],
        [{ ...wireFailure(REPO), install: "" }, "install"],
        [{ ...wireFailure(REPO), monitor: { ...(wireFailure(REPO).monitor as object), every: 86_400_001 } }, "monitor.every"],
      ] as const) {
        const a = await send(body);
        expect(a.status, a.body).toBe(400);
        expect(JSON.parse(a.body)).toMatchObject({ field });
      }
      const other = await send({ ...wireFailure(REPO), repo: "octo/elsewhere" });
      expect(other.status).toBe(403);
      expect(fake.issues(REPO)).toEqual([]);
    } finally {
      await stop(s);
    }
  });

  it("never keeps the app alive: an app that ends while its failure is being sent to a relay that never answers, ends", { timeout: 30_000 }, async () => {
    let seen = 0;
    const hanging = createServer((req) => {
      // Takes the request and never answers.
      seen++;
      req.resume();
    });
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
      const app = appFrom(`import { getHelper } from "bugbeacon";
getHelper("github", { repo: "octo/tool", relay: ${JSON.stringify(url)}, confirm: false }).monitor("never", () => false, { every: 60000 });
// The first run starts at once; the app ends a moment after its request went out.
setTimeout(() => console.log("done"), 1500);
`);
      const started = Date.now();
      const run = await runNode([join(app, "app.mjs")], { env: baseEnv(), cwd: app });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe("done\n");
      expect(seen).toBe(1);
      // The send's deadline is 10 s: the app did not wait for it.
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((r) => hanging.close(() => r()));
    }
  });

  it("with a token the relay is not used and a monitor is declared as usual", () => {
    const h = getHelper("github", { repo: "octo/app", relay: "http://127.0.0.1:9", confirm: false, quiet: true, flushOnStart: false, spoolDir: tempDir("bugbeacon-spool-"), env: { BUGBEACON_GITHUB_TOKEN: "ghp_notusednotusednotusednotused1234", BUGBEACON_GITHUB_API_URL: "http://127.0.0.1:9" } });
    const m = h.monitor("queue drains", () => true, { every: 60_000 });
    m.stop();
    expect(m.name).toBe("queue drains");
  });
});
