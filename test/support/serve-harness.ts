/**
 * Shared by the serve tests, their stress version and the serve bench: a GitHub App (a real RSA key made
 * here), real `issues` payloads signed as GitHub signs them, and `bugbeacon serve` as a real child process
 * of the built CLI.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { trackChild } from "./cleanup.js";
import type { FakeGitHub } from "./fake-github/index.js";
import { filesOnMain, issuesEvent, makeRemote, reportBody } from "./git-fixtures.js";

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

/** Starts `node dist/cli.js serve --port 0` and resolves once it listens. */
export function startServe(apiUrl: string, dbRemote: string, options: { env?: Record<string, string>; args?: string[] } = {}): Promise<ServeProcess> {
  const child = trackChild(
    spawn(process.execPath, [CLI, "serve", "--port", "0", "--host", "127.0.0.1", "--db-remote", dbRemote, ...(options.args ?? [])], {
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
      if (listening !== undefined) resolveStart({ child, url: `http://127.0.0.1:${String(listening.port)}`, lines, stdout: () => out, stderr: () => err, exited });
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
    void exited.then(({ code }) => reject(new Error(`serve exited (${code}) before listening: ${err}`)));
  });
}

/** `count` random byte strings posted as deliveries (half signed over their bytes): each answered 400 or 401. */
export async function randomDeliveries(url: string, count: number, seed = 7): Promise<void> {
  let state = seed;
  const rand = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const statuses = new Set<number>();
  for (let i = 0; i < count; i++) {
    const bytes = Buffer.from(Array.from({ length: Math.floor(rand() * 2000) }, () => Math.floor(rand() * 256)));
    const signed = i % 2 === 0 ? { "x-hub-signature-256": sign(bytes) } : {};
    const answer = await post(`${url}/webhook/github`, bytes, { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": `rnd-${i}`, ...signed });
    statuses.add(answer.status);
    expect([400, 401], `random body ${i}`).toContain(answer.status);
  }
  // Unsigned ones are refused for the signature; signed ones too unless their bytes are UTF-8 (GitHub's
  // payloads are): the signature is checked on the text.
  expect(statuses.has(401)).toBe(true);
}

/**
 * Three `serve` processes, one database, one fake GitHub. Issues are opened with the problems in `letters`
 * (the first of each letter is the first report); each delivery reaches all three replicas at once and one
 * of them twice. Deliveries of one problem come in the order GitHub sends them, two issues at a time, so
 * the problems interleave. Then: each issue filed once, each duplicate closed with one comment, each first
 * told once per duplicate, every replica stopped cleanly by SIGTERM.
 */
export async function threeReplicas(fake: FakeGitHub, letters: string[], repo = "octo/support"): Promise<void> {
  const bare = makeRemote();
  const servers = await Promise.all([0, 1, 2].map(() => startServe(fake.url, bare)));
  const reports = new Map([...new Set(letters)].map((l) => [l, reportBody(`replica problem ${l}`)]));
  const at = (i: number) => Date.parse("2026-11-20T10:00:00Z") + i * 60_000;
  letters.forEach((l, i) => fake.seedIssue(repo, { title: `issue ${i + 1}`, body: reports.get(l)!.body, createdAt: at(i) }));
  for (let w = 0; w < letters.length; w += 2) {
    const wave = [w, w + 1].filter((i) => i < letters.length);
    const sends = wave.flatMap((i) => {
      const payload = delivery("opened", { number: i + 1, body: reports.get(letters[i]!)!.body, repo, createdAt: new Date(at(i)).toISOString() });
      return [...servers, servers[i % 3]!].map((server) => send(server.url, `r-${i}`, payload));
    });
    for (const answer of await Promise.all(sends)) expect(answer.status, answer.body).toBe(200);
  }
  const stopped = await Promise.all(servers.map((s) => (s.child.kill("SIGTERM"), s.exited)));
  expect(stopped).toEqual(servers.map(() => ({ code: 0, signal: null })));

  const number = (i: number) => i + 1;
  expect(filesOnMain(bare).filter((f) => f.startsWith("issues/"))).toEqual(letters.map((l, i) => `issues/${reports.get(l)!.identifier}/${number(i)}.json`).sort());
  const issues = fake.issues(repo);
  const firstOf = new Map<string, number>();
  letters.forEach((l, i) => firstOf.has(l) || firstOf.set(l, number(i)));
  letters.forEach((l, i) => {
    const n = number(i);
    const issue = issues.find((x) => x.number === n)!;
    const comments = issue.comments.map((c) => c.body.slice(0, 200));
    if (firstOf.get(l) === n) {
      const seen = comments.map((c) => /^Seen again in #(\d+)/.exec(c)?.[1]);
      const dupes = letters.flatMap((m, j) => (m === l && number(j) !== n ? [String(number(j))] : []));
      expect(seen.sort(), `issue ${n}: ${JSON.stringify(comments)}`).toEqual(dupes.sort());
      expect(issue.state).toBe("open");
    } else {
      expect(comments, `issue ${n}: ${JSON.stringify(comments)}`).toHaveLength(1);
      expect(comments[0]).toContain(`reported first in #${firstOf.get(l)}`);
      expect(issue.state).toBe("closed");
    }
  });
  const decisions = servers.flatMap((s) => s.lines().filter((l) => l.msg === "delivery").map((l) => l.decision));
  // Each replica triaged each delivery once (in turn with the others) and remembered it the second time.
  expect(decisions.filter((d) => d === "duplicate delivery")).toHaveLength(letters.length);
  expect(decisions.filter((d) => d === "first" || d === "duplicate")).toHaveLength(3 * letters.length);
  expect(fake.contractViolations).toEqual([]);
}
