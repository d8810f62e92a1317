/**
 * Monitors and the relay: a relay takes reports from users' machines, which may not open or close issues,
 * so a helper that sends through a relay (no token) refuses a monitor where it is declared, with a typed
 * error that says what to do instead (a token where the monitor runs, or a scheduled `bugbeacon check`).
 * Nothing is sent anywhere.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BugbeaconError, getHelper, MissingTokenError } from "../src/index.js";
import { tempDir } from "./support/temp.js";

let hits = 0;
const relay = createServer((_req, res) => {
  hits++;
  res.writeHead(500).end();
});
let url = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => relay.close(() => resolve())));

const relayed = () => getHelper("github", { repo: "octo/app", relay: url, confirm: false, quiet: true, flushOnStart: false, spoolDir: tempDir("bugbeacon-spool-"), env: {} });

describe("a monitor on a helper that sends through a relay", () => {
  it("helper.monitor throws a typed error at the call, naming the token and bugbeacon check", () => {
    let thrown: unknown;
    try {
      relayed().monitor("queue drains", () => true, { every: 60_000 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MissingTokenError);
    expect(thrown).toBeInstanceOf(BugbeaconError);
    expect((thrown as MissingTokenError).code).toBe("ERR_MISSING_TOKEN");
    const message = (thrown as Error).message;
    expect(message).toContain('monitor "queue drains"');
    expect(message).toContain(url);
    expect(message).toContain("BUGBEACON_GITHUB_TOKEN");
    expect(message).toContain("bugbeacon check");
    expect(message).toContain("docs/monitors.md");
  });

  it("helper.monitorOnce rejects with the same error; nothing reaches the relay", async () => {
    await expect(relayed().monitorOnce("queue drains", () => false)).rejects.toBeInstanceOf(MissingTokenError);
    expect(hits).toBe(0);
  });

  it("with a token the relay is not used and a monitor is declared as usual", () => {
    const h = getHelper("github", { repo: "octo/app", relay: url, confirm: false, quiet: true, flushOnStart: false, spoolDir: tempDir("bugbeacon-spool-"), env: { BUGBEACON_GITHUB_TOKEN: "ghp_notusednotusednotusednotused1234", BUGBEACON_GITHUB_API_URL: "http://127.0.0.1:9" } });
    const m = h.monitor("queue drains", () => true, { every: 60_000 });
    m.stop();
    expect(m.name).toBe("queue drains");
  });
});
