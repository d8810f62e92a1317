/**
 * A report the relay refuses for good (400, 403, 413: its content, never the moment) is not sent again and
 * again: a flush sets it aside in the spool's `refused/` folder with the reason, names it, goes on with the
 * next report, and a second flush sends nothing. A local relay stand-in answers as `POST /v1/reports` does
 * (src/support/relay: 202 { status, url } or a 4xx with { error }).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { flush, getHelper } from "../src/index.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const cli = join(new URL("..", import.meta.url).pathname, "dist/cli.js");

const servers: Array<{ close: () => void }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function relayStandIn(answer: (title: string) => { status: number; body: object }) {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const title = String((JSON.parse(raw) as { title?: unknown }).title);
      seen.push(title);
      const { status, body } = answer(title);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push({ close: () => server.close() });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

describe("relay client: a report refused for good", () => {
  it("is set aside with its reason, the next report still goes, and a second flush sends nothing", async () => {
    const spoolDir = tempDir("bugbeacon-relay-refused-");
    const relay = await relayStandIn((title) =>
      title.includes("too big") ? { status: 413, body: { error: "the report is larger than 64 kB" } } : { status: 202, body: { status: "created", url: "https://github.com/octo/tool/issues/7" } },
    );
    const options = { relay: relay.url, spoolDir, flushOnStart: false, confirm: false, open: false, quiet: true, env: { PATH: process.env.PATH } } as const;
    // Both wait in the spool: the relay cannot be reached yet (a closed port: refused, never sent).
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const closedUrl = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    const helper = getHelper("github", { ...options, relay: closedUrl });
    for (const title of ["Crash: too big", "Crash: fine"]) {
      const result = await helper.runHeadless({ identifier: title, title, body: "details", repo: "octo/tool" });
      expect(result.kind).toBe("queued");
    }
    await helper.close();

    const first = await flush(options);
    expect(first.refused.map((r) => [r.title, r.reason])).toEqual([["Crash: too big", "the relay refused the report (413: the report is larger than 64 kB)"]]);
    expect(first.delivered.map((d) => d.title)).toEqual(["Crash: fine"]);
    expect(first.failed).toEqual([]);
    const refusedDir = join(spoolDir, "refused");
    const kept = readdirSync(refusedDir).filter((n) => !n.endsWith(".why.txt"));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(refusedDir, `${kept[0]}.why.txt`), "utf8")).toContain("413");
    expect(existsSync(join(spoolDir, "queue")) ? readdirSync(join(spoolDir, "queue")) : []).toEqual([]);

    const asked = relay.seen.length;
    const second = await flush(options);
    expect(relay.seen.length).toBe(asked);
    expect(second.refused).toEqual([]);
    expect(second.delivered).toEqual([]);
  });

  it("bugbeacon flush needs no token with BUGBEACON_RELAY_URL: it sends the spool to the relay", async () => {
    const spoolDir = tempDir("bugbeacon-relay-cli-");
    const relay = await relayStandIn(() => ({ status: 202, body: { status: "created", url: "https://github.com/octo/tool/issues/9" } }));
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const closedUrl = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    const helper = getHelper("github", { relay: closedUrl, spoolDir, flushOnStart: false, confirm: false, open: false, quiet: true, env: { PATH: process.env.PATH } });
    expect((await helper.runHeadless({ identifier: "cli relay", title: "Crash: queued", body: "details", repo: "octo/tool" })).kind).toBe("queued");
    await helper.close();
    const run = await runNode([cli, "flush"], { env: baseEnv({ BUGBEACON_RELAY_URL: relay.url, BUGBEACON_SPOOL_DIR: spoolDir }) });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("delivered 1: created 1");
    expect(relay.seen).toEqual(["Crash: queued"]);
  });
});
