/**
 * Shared by the serve tests, their stress version and the serve bench: a GitHub App (a real RSA key made
 * here), real `issues` payloads signed as GitHub signs them, and `bugbeacon serve` as a real child process
 * of the built CLI. No vitest here: the bench uses it too (the scenarios are in serve-scenarios.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { request } from "node:http";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "./temp.js";
import { trackChild } from "./cleanup.js";
import { issuesEvent } from "./git-fixtures.js";

export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
export const APP_ID = 4242;
export const INSTALLATION = 77;
export const SECRET = "whsec-test-0123456789abcdef";

let key: string | undefined;
/** A real RSA key, as GitHub generates for an app (PKCS#1 PEM). */
export function appKey(): string {
  key ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return key;
}

export function sign(body: string | Buffer, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** A real issues payload (from @octokit/webhooks-examples) from the app's installation. */
export function delivery(action: "opened" | "edited" | "reopened" | "closed", issue: { number: number; body: string; repo: string; createdAt?: string }, installation = INSTALLATION): string {
  const payload = issuesEvent(action, { number: issue.number, title: `issue ${issue.number}`, body: issue.body, repo: issue.repo, ...(issue.createdAt !== undefined ? { createdAt: issue.createdAt } : {}) });
  payload.installation = { id: installation, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };
  return JSON.stringify(payload);
}

export interface Answer {
  status: number;
  body: string;
}

/** One POST over a fresh connection (no keep-alive), answered or failed. */
export function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolvePost, reject) => {
    const req = request(url, { method: "POST", headers: { "content-length": String(Buffer.byteLength(body)), ...headers }, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolvePost({ status: res.statusCode ?? 0, body: text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A delivery as GitHub sends it. */
export function send(base: string, id: string, body: string, event = "issues", extra: Record<string, string> = {}): Promise<Answer> {
  return post(`${base}/webhook/github`, body, {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": id,
    "x-hub-signature-256": sign(body),
    "user-agent": "GitHub-Hookshot/test",
    ...extra,
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Its --state-dir: accepted deliveries wait in `pending/` until triaged. */
  stateDir: string;
  /** Resolves once no accepted delivery waits in its state folder (bounded). */
  idle(timeoutMs?: number): Promise<void>;
  /** Everything it printed on stdout so far, one JSON object per line. */
  lines(): Array<Record<string, unknown>>;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function serveEnv(apiUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    GITHUB_APP_ID: String(APP_ID),
    GITHUB_PRIVATE_KEY: appKey(),
    GITHUB_WEBHOOK_SECRET: SECRET,
    GITHUB_API_URL: apiUrl,
    BUGBEACON_PACING_MS: "0",
    BUGBEACON_RETRY_BASE_MS: "1",
    ...(process.env.BUGBEACON_DEBUG_SERVE ? { BUGBEACON_DEBUG_SERVE: "1" } : {}),
    ...extra,
  };
}

async function idle(stateDir: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  const pending = () => readdirSync(join(stateDir, "pending")).filter((n) => n.endsWith(".json")).length;
  while (pending() > 0) {
    if (Date.now() > end) throw new Error(`${pending()} deliveries still pending in ${stateDir} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `node dist/cli.js serve --port 0` and resolves once it listens. */
export function startServe(apiUrl: string, dbRemote: string, options: { env?: Record<string, string>; args?: string[]; stateDir?: string } = {}): Promise<ServeProcess> {
  // Each process its own state folder (pending deliveries), a temporary one unless the test keeps one across a restart.
  const stateDir = options.stateDir ?? tempDir("bugbeacon-serve-state-");
  const child = trackChild(
    // Answers wait for their triage (9 s at most) unless a test asks otherwise: the tests read the decision in the answer.
    spawn(process.execPath, [CLI, "serve", "--port", "0", "--host", "127.0.0.1", "--db-remote", dbRemote, "--state-dir", stateDir, ...(options.args?.includes("--answer-within") ? [] : ["--answer-within", "9000"]), ...(options.args ?? [])], {
      env: serveEnv(apiUrl, options.env),
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let out = "";
  let err = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));
  return new Promise((resolveStart, reject) => {
    const lines = () => out.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const listening = lines().find((l) => l.msg === "listening");
      if (listening !== undefined) resolveStart({ child, url: `http://127.0.0.1:${String(listening.port)}`, stateDir, idle: (ms) => idle(stateDir, ms), lines, stdout: () => out, stderr: () => err, exited });
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
    void exited.then(({ code }) => reject(new Error(`serve exited (${code}) before listening: ${err}`)));
  });
}
