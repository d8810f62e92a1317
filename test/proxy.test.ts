/**
 * Proxies and the `fetch` option: every request goes through a real CONNECT proxy on 127.0.0.1 in front of
 * the fake GitHub when HTTP(S)_PROXY is set (either case), and around it when NO_PROXY names the host.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getHelper } from "../src/index.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { tempDir } from "./support/temp.js";

const TOKEN = "ghp_proxytokenproxytokenproxytoken123456";
const REPO = "octo/app";
const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN], searchRateLimit: false });

/** A CONNECT proxy: tunnels each CONNECT to its target and records it; any other request form is recorded and refused. */
let proxy: Server;
let proxyUrl = "";
const tunnels: string[] = [];
const plainRequests: string[] = [];
const sockets = new Set<Socket>();
beforeAll(async () => {
  proxy = createServer((req, res) => {
    plainRequests.push(`${req.method} ${req.url}`);
    res.statusCode = 502;
    res.end("this proxy only tunnels (CONNECT)\n");
  });
  proxy.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host ?? "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => proxy.close(r));
});

afterEach(() => {
  tunnels.length = 0;
  plainRequests.length = 0;
});
const helper = (env: NodeJS.ProcessEnv, extra: { fetch?: typeof fetch } = {}) => {
  const spoolDir = tempDir("bugbeacon-spool-");
  return getHelper("github", { baseUrl: fake.url, confirm: false, quiet: true, spoolDir, pacingMs: 0, flushOnStart: false, env: { BUGBEACON_GITHUB_TOKEN: TOKEN, ...env }, ...extra });
};

describe("proxies", () => {
  it("HTTP_PROXY: every request is tunnelled through the proxy", async () => {
    const result = await helper({ HTTP_PROXY: proxyUrl }).runHeadless({ title: "Through the proxy", repo: REPO });
    expect(result.kind).toBe("created");
    const { port } = new URL(fake.url);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(new Set(tunnels)).toEqual(new Set([`127.0.0.1:${port}`]));
    expect(plainRequests).toEqual([]);
    expect(fake.issues(REPO).map((i) => i.title)).toEqual(["Through the proxy"]);
  });

  it("lower-case http_proxy works too, and NO_PROXY naming the host goes around the proxy", async () => {
    expect((await helper({ http_proxy: proxyUrl }).runHeadless({ title: "lower case", repo: REPO })).kind).toBe("created");
    expect(tunnels.length).toBeGreaterThan(0);
    tunnels.length = 0;
    expect((await helper({ http_proxy: proxyUrl, NO_PROXY: "127.0.0.1" }).runHeadless({ title: "bypass", repo: REPO })).kind).toBe("created");
    expect(tunnels).toEqual([]);
    expect(plainRequests).toEqual([]);
    expect(fake.issues(REPO).map((i) => i.title)).toEqual(["lower case", "bypass"]);
  });

  it("a proxy that cannot be reached: the report is queued with the reason, not lost", async () => {
    const result = await helper({ HTTP_PROXY: "http://127.0.0.1:9" }).runHeadless({ title: "no proxy there", repo: REPO });
    expect(result.kind).toBe("queued");
    expect(fake.issues(REPO)).toEqual([]);
  });
});

describe("the fetch option", () => {
  it("every request goes through the app's own fetch (as Octokit's request.fetch)", async () => {
    const seen: string[] = [];
    const own: typeof fetch = (input, init) => {
      seen.push(`${init?.method ?? "GET"} ${String(input)}`);
      return fetch(input, init);
    };
    const result = await helper({ HTTP_PROXY: proxyUrl }, { fetch: own }).runHeadless({ title: "instrumented", repo: REPO });
    expect(result.kind).toBe("created");
    expect(seen).toContain(`POST ${fake.url}/repos/${REPO}/issues`);
    expect(seen.length).toBe(fake.requests.length);
    // The app's fetch decides the network: the proxy variables are left to it.
    expect(tunnels).toEqual([]);
    expect(() => getHelper("github", { fetch: "no" as never })).toThrow("Invalid fetch");
  });
});
