// Client side of standalone.ts: start a fake GitHub in a child process and
// drive it over its control endpoints.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { FakeGitHubOptions, FakeStats, ContractViolation, SeedIssueInput } from "./server.js";
import type { FaultSpec } from "./faults.js";
import type { StoredIssue } from "./state.js";

export interface RemoteState {
  issues: Record<string, StoredIssue[]>;
  stats: FakeStats;
  contractViolations: ContractViolation[];
  faults: Array<{ id: number; spec: FaultSpec; hits: number }>;
  requests: number;
}

/** Talks to a fake started elsewhere (standalone.ts) through its control endpoints. */
export class RemoteFakeGitHub {
  constructor(readonly url: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { "content-type": "application/json" } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`${this.url}${path}`, init);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  state(): Promise<RemoteState> {
    return this.call("GET", "/__fake/state");
  }

  addFaults(faults: FaultSpec | FaultSpec[]): Promise<{ added: number[] }> {
    return this.call("POST", "/__fake/faults", { add: faults });
  }

  clearFaults(): Promise<unknown> {
    return this.call("POST", "/__fake/faults", { clear: true });
  }

  reset(): Promise<unknown> {
    return this.call("POST", "/__fake/reset");
  }

  seedIssue(repo: string, issue: SeedIssueInput): Promise<StoredIssue> {
    return this.call("POST", "/__fake/seed", { repo, issue });
  }
}

export interface SpawnedFakeGitHub extends RemoteFakeGitHub {
  readonly child: ChildProcess;
  close(): Promise<void>;
}

/** Starts standalone.ts under vite-node in a child process; resolves once it listens. */
export async function spawnFakeGitHub(options: FakeGitHubOptions = {}): Promise<SpawnedFakeGitHub> {
  const script = fileURLToPath(new URL("./standalone.ts", import.meta.url));
  const viteNode = fileURLToPath(new URL("../../../node_modules/vite-node/vite-node.mjs", import.meta.url));
  const child = spawn(process.execPath, [viteNode, script, JSON.stringify(options)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error("fake GitHub child did not start in 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`fake GitHub child exited with ${code}`)));
    lines.on("line", (line) => {
      try {
        const parsed = JSON.parse(line) as { url?: string };
        if (parsed.url) {
          clearTimeout(timer);
          resolve(parsed.url);
        }
      } catch {
        // not our line
      }
    });
  });
  const remote = new RemoteFakeGitHub(url);
  return Object.assign(remote, {
    child,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  });
}
