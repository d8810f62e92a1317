import { execFileSync } from "node:child_process";
import { cpSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { renderIssueBody, type ReportMetadata } from "../../src/format/report-format.js";
import { hashIdentifier } from "../../src/sdk/identifier.js";
import { tempDir } from "./temp.js";

export function gitSync(args: string[], cwd: string): string {
  return execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

const templates = new Map<string, string>();

/**
 * A bare repository as the remote, with one commit on main (optionally a config file). The first one for
 * a given config is made with git; later ones are copies of it (five git processes fewer per test).
 */
export function makeRemote(config?: unknown): string {
  const key = JSON.stringify(config ?? null);
  let template = templates.get(key);
  if (template === undefined || !existsSync(template)) {
    template = tempDir("bugbeacon-remote-template-");
    gitSync(["init", "--quiet", "--bare", "--initial-branch=main", template], template);
    // As GitHub does: partial (blob-less) clones of the database.
    gitSync(["config", "uploadpack.allowFilter", "true"], template);
    gitSync(["config", "uploadpack.allowAnySHA1InWant", "true"], template);
    const seed = tempDir("bugbeacon-seed-");
    gitSync(["clone", "--quiet", template, seed], seed);
    gitSync(["checkout", "--quiet", "-b", "main"], seed);
    writeFileSync(join(seed, "README.md"), "support repository\n");
    if (config !== undefined) writeFileSync(join(seed, "bugbeacon.config.json"), JSON.stringify(config, null, 2));
    gitSync(["add", "-A"], seed);
    gitSync(["commit", "--quiet", "-m", "start"], seed);
    gitSync(["push", "--quiet", "origin", "main"], seed);
    templates.set(key, template);
  }
  const bare = tempDir("bugbeacon-remote-");
  cpSync(template, bare, { recursive: true });
  return bare;
}

export function cloneOf(bare: string): string {
  const dir = tempDir("bugbeacon-db-");
  // Through git's transport, not by copying the object files: a push may have started `git gc --auto` in
  // the bare repository (receive.autogc), which packs loose objects while a file copy reads them ("failed
  // to copy file … No such file or directory" in the 20-process stress test).
  gitSync(["clone", "--quiet", "--no-local", bare, dir], dir);
  return dir;
}

const localTemplates = new Map<string, string>();

/**
 * A database checkout without a remote, as `--db` accepts it: triage commits there and pushes nothing.
 * For tests of triage's decisions, where the push adds six git processes a run and nothing to look at
 * (pushes and their races have tests of their own). A copy of a template, like makeRemote's. Read it back
 * with `filesOnMain(join(db, ".git"))`.
 */
export function makeLocalDb(config?: unknown): string {
  const key = JSON.stringify(config ?? null);
  let template = localTemplates.get(key);
  if (template === undefined || !existsSync(template)) {
    template = cloneOf(makeRemote(config));
    gitSync(["remote", "remove", "origin"], template);
    localTemplates.set(key, template);
  }
  const db = tempDir("bugbeacon-db-");
  cpSync(template, db, { recursive: true });
  return db;
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
  const dir = tempDir("bugbeacon-event-");
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
