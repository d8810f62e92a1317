/**
 * Deadlines that hold (src/backends/deadline.ts). `fetch` follows a request's signal weakly, and
 * `AbortSignal.any` holds its sources weakly: after a garbage collection at the wrong moment the abort never
 * reaches the request (nodejs/node#55428). Our crash path's sender then waited until the app killed it,
 * and `npm run bench -- exit` measured a hanging GitHub at 5.9 s instead of 2.8 s. These run real `fetch`
 * against a local server that never answers, with garbage collections forced every few milliseconds.
 */
import { createServer, type Server, type Socket } from "node:net";
import { getEventListeners } from "node:events";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadlineSignal, withDeadline } from "../src/backends/deadline.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let server: Server;
let url: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on("data", () => {}).on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

/** Runs `work` while collecting garbage every 5 ms; resolves how it ended and after how long. */
async function underGc(work: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const loop = setInterval(gc, 5);
  const started = Date.now();
  try {
    await work();
    return { ms: Date.now() - started, error: undefined };
  } catch (error) {
    return { ms: Date.now() - started, error };
  } finally {
    clearInterval(loop);
  }
}

describe("withDeadline", () => {
  it("ends a request to a server that never answers at its deadline, with garbage collected meanwhile", async () => {
    const outer = new AbortController();
    const { ms, error } = await underGc(() => withDeadline(300, [outer.signal], (signal) => fetch(url, { signal })));
    expect((error as Error).name).toBe("TimeoutError");
    expect(ms).toBeGreaterThanOrEqual(290);
    // Far from the 10 s a lost abort would cost (the bound is loose for a busy machine, not a timing claim).
    expect(ms).toBeLessThan(5000);
    expect(getEventListeners(outer.signal, "abort"), "the outer signal keeps no listener of ours").toHaveLength(0);
  });

  it("ends work that ignores its signal, and an outer abort ends it at once with the outer reason", async () => {
    await expect(withDeadline(50, [], () => new Promise(() => {}))).rejects.toMatchObject({ name: "TimeoutError" });
    const outer = new AbortController();
    const pending = withDeadline(60_000, [outer.signal], () => new Promise(() => {}));
    outer.abort(new Error("closing"));
    await expect(pending).rejects.toThrow("closing");
    const already = new AbortController();
    already.abort(new Error("closed before"));
    await expect(withDeadline(60_000, [already.signal, undefined, null], () => new Promise(() => {}))).rejects.toThrow("closed before");
  });

  it("returns what the work returns, and leaves no listener behind", async () => {
    const outer = new AbortController();
    await expect(withDeadline(1000, [outer.signal], async () => 42)).resolves.toBe(42);
    expect(getEventListeners(outer.signal, "abort")).toHaveLength(0);
  });
});

describe("deadlineSignal", () => {
  it("aborts a request at its deadline although nothing else holds the signal, with garbage collected meanwhile", async () => {
    const { ms, error } = await underGc(() => fetch(url, { signal: deadlineSignal(300) }));
    expect((error as Error).name).toBe("TimeoutError");
    expect(ms).toBeLessThan(5000);
  });
});
