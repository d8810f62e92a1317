import { execFileSync } from "node:child_process";
import { mkdtempSync as mkdtempSyncRaw, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { renderIssueBody, type ReportMetadata } from "../../src/format/report-format.js";
import { hashIdentifier } from "../../src/sdk/identifier.js";

const created: string[] = [];
/** Every temp folder these helpers made is remembered; `removeFixtures()` (in afterAll) removes them. */
function mkdtempSync(prefix: string): string {
  const dir = mkdtempSyncRaw(prefix);
  created.push(dir);
  return dir;
}
export function removeFixtures(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function gitSync(args: string[], cwd: string): string {
  return execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd, encoding: "utf8" });
}

/** A bare repository as the remote, with one commit on main (optionally a config file). */
export function makeRemote(config?: unknown): string {
  const bare = mkdtempSync(join(tmpdir(), "bugbeacon-remote-"));
  gitSync(["init", "--quiet", "--bare", "--initial-branch=main", bare], bare);
  // As GitHub does: partial (blob-less) clones of the database.
  gitSync(["config", "uploadpack.allowFilter", "true"], bare);
  gitSync(["config", "uploadpack.allowAnySHA1InWant", "true"], bare);
  const seed = mkdtempSync(join(tmpdir(), "bugbeacon-seed-"));
  gitSync(["clone", "--quiet", bare, seed], seed);
  gitSync(["checkout", "--quiet", "-b", "main"], seed);
  writeFileSync(join(seed, "README.md"), "support repository\n");
  if (config !== undefined) writeFileSync(join(seed, "bugbeacon.config.json"), JSON.stringify(config, null, 2));
  gitSync(["add", "-A"], seed);
  gitSync(["commit", "--quiet", "-m", "start"], seed);
  gitSync(["push", "--quiet", "origin", "main"], seed);
  return bare;
}

export function cloneOf(bare: string): string {
  const dir = mkdtempSync(join(tmpdir(), "bugbeacon-db-"));
  gitSync(["clone", "--quiet", bare, dir], dir);
  return dir;
}

export function filesOnMain(bare: string): string[] {
  return gitSync(["--git-dir", bare, "ls-tree", "-r", "--name-only", "main"], bare).split("\n").filter(Boolean).sort();
}

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as Array<{ name: string; examples: Array<Record<string, unknown>> }>;

/** A real `issues` webhook payload (from @octokit/webhooks-examples) with our issue put in it. */
export function issuesEvent(
  action: "opened" | "edited" | "reopened" | "closed" | "deleted" | "transferred",
  issue: { number: number; title: string; body: string | null; createdAt?: string; updatedAt?: string; repo?: string; labels?: unknown[] },
): Record<string, unknown> {
  const all = examples.find((e) => e.name === "issues")?.examples ?? [];
  // webhooks-examples has no issues.closed payload: an opened one with the action and state changed.
  const example = all.find((e) => e.action === action) ?? all.find((e) => e.action === "opened");
  if (example === undefined) throw new Error(`no issues.${action} example`);
  const payload = structuredClone(example) as { action: string; issue: Record<string, unknown>; repository: Record<string, unknown> };
  payload.action = action;
  if (action === "closed") payload.issue.state = "closed";
  const repo = issue.repo ?? "octo/support";
  payload.issue.number = issue.number;
  payload.issue.title = issue.title;
  payload.issue.body = issue.body;
  payload.issue.created_at = issue.createdAt ?? "2026-11-20T10:00:00Z";
  payload.issue.updated_at = issue.updatedAt ?? payload.issue.created_at;
  if (issue.labels !== undefined) payload.issue.labels = issue.labels;
  payload.issue.html_url = `https://github.com/${repo}/issues/${issue.number}`;
  payload.repository.full_name = repo;
  return payload;
}

export function writeEvent(payload: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "bugbeacon-event-"));
  const file = join(dir, "event.json");
  writeFileSync(file, JSON.stringify(payload));
  return file;
}

/** A bugbeacon report body for an identifier text, as the SDK renders it. */
export function reportBody(identifierText: string, extra: Partial<ReportMetadata> = {}, text = "It crashed."): { body: string; identifier: string } {
  const identifier = hashIdentifier(identifierText);
  const metadata: ReportMetadata = {
    schema: 1,
    identifier,
    reportId: `r-${Math.random().toString(16).slice(2)}`,
    createdAt: "2026-11-20T10:00:00.000Z",
    kind: "exception",
    app: { name: "demo", version: "1.4.0" },
    platform: { node: "v20.20.2", os: "linux", osRelease: "6.1.0", arch: "x64" },
    bugbeacon: "0.1.0",
    environment: { LANG: "C.UTF-8" },
    ...extra,
  };
  return { body: renderIssueBody({ text, metadata }).body, identifier };
}
