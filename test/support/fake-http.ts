/**
 * The small HTTP server under the fake GitLab and the fake Discourse: 127.0.0.1 on a random port, JSON
 * bodies, a log of every request, contract violations collected (a request the real service would refuse
 * or that bugbeacon should not make), and faults: a status for the next n matching requests, or a lost
 * response (the write is performed, then the client gets a 502).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoggedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface Fault {
  method?: string;
  path: RegExp;
  kind: "status" | "lost-response";
  status?: number;
  times: number;
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: LoggedRequest, violation: (text: string) => void) => Answer;

export interface FakeHttp {
  url: string;
  requests: LoggedRequest[];
  contractViolations: string[];
  fault(fault: Omit<Fault, "times"> & { times?: number }): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export async function startFakeHttp(handle: Handler): Promise<FakeHttp> {
  const requests: LoggedRequest[] = [];
  const contractViolations: string[] = [];
  let faults: Fault[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = undefined;
      if (text !== "") {
        if (!String(req.headers["content-type"] ?? "").includes("application/json")) contractViolations.push(`${req.method} ${url.pathname}: a body without content-type application/json`);
        try {
          body = JSON.parse(text);
        } catch {
          contractViolations.push(`${req.method} ${url.pathname}: a body that is not JSON`);
        }
      }
      // The raw path (still percent-encoded): GitLab tells "group%2Fproject" from "group/project".
      const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
      const request: LoggedRequest = { method: req.method ?? "GET", path: rawPath, query: url.searchParams, headers: req.headers, body };
      requests.push(request);
      const fault = faults.find((f) => f.times > 0 && (f.method === undefined || f.method === request.method) && f.path.test(rawPath));
      if (fault !== undefined) fault.times -= 1;
      if (fault?.kind === "status") {
        res.writeHead(fault.status ?? 502, { "content-type": "application/json" }).end(JSON.stringify({ message: "fault" }));
        return;
      }
      const answer = handle(request, (v) => contractViolations.push(`${request.method} ${rawPath}: ${v}`));
      if (fault?.kind === "lost-response") {
        res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ message: "bad gateway" }));
        return;
      }
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    contractViolations,
    fault: (f) => faults.push({ ...f, times: f.times ?? 1 }),
    clearFaults: () => (faults = []),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
