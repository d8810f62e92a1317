/**
 * `bugbeacon db import --from github-support`: converts rseng/github-support's helpme records
 * (`issues/[version/]<identifier>/<n>.md`, written by its `.github/parse_issue.py`) into schema records.
 *
 * An `.md` holds `# <title>`, `Submitted by <login> <association>`, then the issue body. What it lacks
 * (creation time, URL, labels) comes from the API: one list call per page of 100 issues, oldest first, stopping
 * once every imported number was seen, never one call per issue. An issue GitHub no longer lists (deleted or
 * transferred) keeps what the `.md` says and takes the time git first stored the file.
 *
 * Plan first (the dry run prints it), then apply: records and number-index entries written, the `.md` files
 * removed with `removeLegacy`, all in one commit. Running it again changes nothing.
 */
import type { Octokit } from "@octokit/rest";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { parseIssueBody } from "../format/report-format.js";
import { Database } from "./database.js";
import { BOT_IDENTITY, git } from "./git-sync.js";
import { legacyFiles, type Layout, type LegacyFile } from "./layout.js";
import { recordProblems, type ReportRecord } from "./record.js";
import { isSafeIdentifier, isSafeVersion, showUntrusted } from "./safe-names.js";

export interface LegacyDocument {
  title: string;
  reporter: string | null;
  body: string;
}

/** Reads parse_issue.py's format: `# <title>\nSubmitted by <login> <association>\n<body>`. */
export function parseLegacyMarkdown(text: string): LegacyDocument | undefined {
  const t = text.replace(/\r\n?/g, "\n");
  const first = t.indexOf("\n");
  if (!t.startsWith("# ") || first < 0) return undefined;
  const second = t.indexOf("\n", first + 1);
  const line2 = t.slice(first + 1, second < 0 ? t.length : second);
  const m = /^Submitted by (\S+)(?: \S+)?$/.exec(line2);
  return { title: t.slice(2, first), reporter: m?.[1] ?? null, body: m ? (second < 0 ? "" : t.slice(second + 1)) : t.slice(first + 1) };
}

export interface ImportItem {
  file: LegacyFile;
  record: ReportRecord;
  /** Where the record comes from besides the `.md`: the API listing, or git (issue gone from GitHub). */
  filledFrom: "github" | "git";
}

export interface ImportPlan {
  legacy: LegacyFile[];
  toWrite: ImportItem[];
  /** `.md` records whose JSON record already exists (imported before). */
  already: LegacyFile[];
  /** `.md` files that cannot become records, with the reason. */
  refused: Array<{ file: LegacyFile; reason: string }>;
  /** API list requests made. */
  requests: number;
}

export interface ImportOptions {
  root: string;
  layout: Layout;
  /** `owner/name` of the support repository (for the API and the issue URLs). */
  repo: string;
  octokit: () => Promise<Octokit>;
  webRoot?: string;
}

export async function planImport(options: ImportOptions): Promise<ImportPlan> {
  const { root, layout, repo } = options;
  const db = new Database(root, layout);
  // Imported ones too: --remove-legacy removes them, and the summary counts them as already imported.
  const legacy = legacyFiles(root, { includeImported: true });
  const plan: ImportPlan = { legacy, toWrite: [], already: [], refused: [], requests: 0 };
  const pending: Array<{ file: LegacyFile; doc: LegacyDocument }> = [];
  for (const file of legacy) {
    if (!isSafeIdentifier(file.identifier)) {
      plan.refused.push({ file, reason: `identifier ${showUntrusted(file.identifier)} breaks the identifier rule` });
      continue;
    }
    if (file.version !== null && !isSafeVersion(file.version)) {
      plan.refused.push({ file, reason: `version folder ${showUntrusted(file.version)} is not a plain version name` });
      continue;
    }
    const index = await db.readIndex(file.number);
    if (index !== undefined) {
      if (index.identifier === file.identifier && (await db.readRecord(db.entryPath(index))) !== undefined) plan.already.push(file);
      else plan.refused.push({ file, reason: `issue #${file.number} is already filed under ${index.identifier}` });
      continue;
    }
    const doc = parseLegacyMarkdown(await readFile(join(root, file.path), "utf8"));
    if (doc === undefined) {
      plan.refused.push({ file, reason: 'not in github-support\'s format ("# <title>" then "Submitted by <login> …")' });
      continue;
    }
    pending.push({ file, doc });
  }
  if (pending.length === 0) return plan;

  // One list call per page, oldest first, until every wanted number was seen.
  const wanted = new Set(pending.map((p) => p.file.number));
  const found = new Map<number, GitHubIssue>();
  const [owner, name] = repo.split("/") as [string, string];
  const octokit = await options.octokit();
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listForRepo, { owner, repo: name, state: "all", sort: "created", direction: "asc", per_page: 100 })) {
    plan.requests += 1;
    for (const issue of page.data as GitHubIssue[]) if (wanted.has(issue.number) && issue.pull_request == null) found.set(issue.number, issue);
    if (found.size === wanted.size) break;
  }

  const webRoot = (options.webRoot ?? "https://github.com").replace(/\/+$/, "");
  for (const { file, doc } of pending) {
    const issue = found.get(file.number);
    const parsed = parseIssueBody(doc.body);
    let createdAt = issue?.created_at;
    if (createdAt === undefined) createdAt = await firstStored(root, file.path);
    const record: ReportRecord = {
      schema: 1,
      identifier: file.identifier,
      number: file.number,
      title: (issue?.title ?? doc.title).slice(0, 1024),
      created_at: new Date(Date.parse(createdAt)).toISOString(),
      reporter: (issue?.user?.login ?? doc.reporter ?? "ghost").slice(0, 100),
      app_version: file.version,
      platform: null,
      // helpme's environment block (HOME, PATH, …) stays in the issue; records keep only allow-listed values.
      environment: {},
      report_id: null,
      labels: (issue?.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter((l) => l !== "").slice(0, 100).map((l) => l.slice(0, 100)),
      source: parsed?.source ?? "helpme-line",
      url: (issue?.html_url ?? `${webRoot}/${repo}/issues/${file.number}`).slice(0, 2000),
      filed_at: new Date(Date.parse(createdAt)).toISOString(),
      filed_by: "opened",
    };
    if (issue?.updated_at) record.updated_at = new Date(Date.parse(issue.updated_at)).toISOString();
    const problems = await recordProblems(record);
    if (problems.length > 0) plan.refused.push({ file, reason: problems.join("; ") });
    else plan.toWrite.push({ file, record, filledFrom: issue !== undefined ? "github" : "git" });
  }
  return plan;
}

interface GitHubIssue {
  number: number;
  title: string;
  created_at: string;
  updated_at?: string;
  html_url: string;
  user?: { login: string } | null;
  labels: Array<string | { name?: string }>;
  pull_request?: unknown;
}

/** The commit time at which git first stored a file (or now, for a file git does not know). */
async function firstStored(root: string, rel: string): Promise<string> {
  const out = await git(["log", "--diff-filter=A", "--follow", "--format=%cI", "--", rel], { cwd: root }).catch(() => "");
  const lines = out.trim().split("\n").filter(Boolean);
  return lines[lines.length - 1] ?? new Date().toISOString();
}

export interface ImportResult {
  written: string[];
  removed: string[];
  commit: string | null;
}

/** Writes the plan's records and index entries (and removes the `.md` files), in one commit. */
export async function applyImport(options: ImportOptions, plan: ImportPlan, settings: { removeLegacy: boolean; gitConfig?: string[] }): Promise<ImportResult> {
  const db = new Database(options.root, options.layout);
  const written: string[] = [];
  for (const item of plan.toWrite) {
    written.push(await db.write(item.record));
    written.push(await db.writeIndex({ schema: 1, number: item.record.number, identifier: item.record.identifier, folder: options.layout === "by-version" ? db.versionFolder(item.record) : null }));
  }
  const removed: string[] = [];
  if (settings.removeLegacy) {
    // Only what is safely converted goes: imported now or before.
    for (const file of [...plan.toWrite.map((i) => i.file), ...plan.already]) {
      await rm(join(options.root, file.path), { force: true });
      removed.push(file.path);
    }
  }
  if (written.length === 0 && removed.length === 0) return { written, removed, commit: null };
  const cwd = options.root;
  const config = [...BOT_IDENTITY, ...(settings.gitConfig ?? [])];
  await git(["add", "--all", "--", ...new Set([...written, ...removed])], { cwd, config });
  const staged = await git(["diff", "--cached", "--name-only"], { cwd, config });
  if (staged.trim() === "") return { written, removed, commit: null };
  const message = `bugbeacon: import ${plan.toWrite.length} github-support records${removed.length > 0 ? `, remove ${removed.length} .md files` : ""}`;
  await git(["commit", "--quiet", "-m", message], { cwd, config });
  const commit = (await git(["rev-parse", "HEAD"], { cwd, config })).trim();
  return { written, removed, commit };
}

/** The dry run's summary (and the first lines after --write). */
export function describePlan(plan: ImportPlan, settings: { write: boolean; removeLegacy: boolean }): string {
  const fromGitHub = plan.toWrite.filter((i) => i.filledFrom === "github").length;
  const lines = [
    `github-support import${settings.write ? "" : " (dry run)"}: ${plan.legacy.length} .md records found`,
    `  ${plan.toWrite.length} to import (${fromGitHub} completed from the GitHub issue list in ${plan.requests} requests, ${plan.toWrite.length - fromGitHub} no longer on GitHub: dated from git)`,
    `  ${plan.already.length} already imported, ${plan.refused.length} refused`,
    ...plan.refused.map((r) => `  refused ${showUntrusted(r.file.path)}: ${r.reason}`),
  ];
  const removable = plan.toWrite.length + plan.already.length;
  if (settings.removeLegacy) lines.push(`  ${settings.write ? "removing" : "would remove"} ${removable} .md files in the same commit`);
  if (!settings.write) lines.push("Nothing was changed. Run again with --write to apply (add --remove-legacy to delete the .md files in the same commit).");
  return `${lines.join("\n")}\n`;
}
