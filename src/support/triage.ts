/**
 * `bugbeacon triage`: one run per `issues` event in GitHub Actions.
 *
 * 1. Parse the issue body with the report format module (bugbeacon's metadata, its visible identifier
 *    line, or Python helpme's line). Other issues are left alone, quietly.
 * 2. Refuse identifiers that are not `md5.<32 hex>` (they never reach a path).
 * 3. Store the report as its own JSON file, commit and push (rebasing and retrying on races).
 * 4. Only then decide "duplicate or first" from what landed, so two runs racing for the same identifier
 *    agree on which issue is first. A duplicate gets a comment linking the first, a label, and is closed;
 *    the first gets a compact "seen again" comment.
 * 5. Apply the maintainers' rules.
 */
import type { Octokit } from "@octokit/rest";
import { parseIssueBody } from "../format/report-format.js";
import type { SupportConfig } from "./config.js";
import { Database } from "./database.js";
import type { IssuesEvent } from "./event.js";
import { commitAndPush } from "./git-sync.js";
import type { ReportRecord } from "./record.js";
import { evaluateRules } from "./rules.js";
import { isSafeIdentifier, showUntrusted } from "./safe-names.js";

export type TriageOutcome =
  | { kind: "ignored"; reason: string }
  | { kind: "refused"; reason: string }
  | { kind: "first"; identifier: string; path: string; count: number }
  | { kind: "duplicate"; identifier: string; path: string; first: number; count: number };

export interface TriageContext {
  event: IssuesEvent;
  config: SupportConfig;
  dbRoot: string;
  /** `owner/name` of the repository the issue is in. */
  repo: string;
  /** Created on first use: issues without a report never need the API. */
  octokit: () => Promise<Octokit>;
  /** Push the database after writing. @default true */
  push?: boolean;
  gitConfig?: string[];
  log: (line: string) => void;
  now?: number;
}

const HANDLED_ACTIONS = new Set(["opened", "edited", "reopened"]);

export async function triage(ctx: TriageContext): Promise<TriageOutcome> {
  const { event, config, log } = ctx;
  const issue = event.issue;
  if (!HANDLED_ACTIONS.has(event.action)) return { kind: "ignored", reason: `action ${event.action} is not triaged` };
  if (issue.pull_request !== undefined) return { kind: "ignored", reason: "a pull request" };

  const parsed = parseIssueBody(issue.body);
  if (parsed === undefined) return { kind: "ignored", reason: "no bugbeacon report in the issue" };
  if (!isSafeIdentifier(parsed.identifier)) {
    log(`refusing issue #${issue.number}: identifier ${showUntrusted(parsed.identifier)} is not md5.<32 lowercase hex>`);
    return { kind: "refused", reason: "unsafe identifier" };
  }
  const identifier = parsed.identifier;
  const meta = parsed.metadata;
  const record: ReportRecord = {
    schema: 1,
    identifier,
    number: issue.number,
    title: issue.title.slice(0, 1024),
    created_at: issue.created_at,
    reporter: issue.user?.login ?? "ghost",
    app_version: meta?.app?.version?.slice(0, 64) ?? null,
    platform: meta ? { node: meta.platform.node, os: meta.platform.os, arch: meta.platform.arch } : null,
    environment: meta?.environment ?? {},
    report_id: meta?.reportId ?? null,
    labels: issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter((l) => l !== ""),
    source: parsed.source,
    url: issue.html_url,
  };

  const db = new Database(ctx.dbRoot, config.layout);
  if (config.layout === "by-version" && record.app_version !== null && db.versionFolder(record) !== record.app_version) {
    log(`issue #${issue.number}: version ${showUntrusted(record.app_version)} is not a safe folder name; filed under "unknown"`);
  }
  const path = await db.write(record);
  const numbersBefore = await db.numbersFor(identifier);
  const first = numbersBefore[0] ?? issue.number;
  const isDuplicate = first < issue.number;
  const isNew = event.action === "opened" || event.action === "reopened";

  // Rules see the history as it stands with this report in it.
  const times = await reportTimes(db, identifier, numbersBefore, ctx.dbRoot);
  const fired = isNew
    ? await evaluateRules(config.rules, { record, body: issue.body ?? "", reportTimes: times, first, now: ctx.now ?? Date.now() }, ctx.dbRoot)
    : [];
  const paths = [path, ...fired.map((f) => f.marker).filter((m) => m !== "")];
  if (ctx.push !== false) {
    await commitAndPush(paths, `bugbeacon: report #${issue.number} (${identifier})`, { cwd: ctx.dbRoot, config: ctx.gitConfig ?? [], log });
  }

  // After the push, the checkout holds every report that landed before ours: decide from that.
  // Let m be the smallest number that landed before us. If we are larger, we are a duplicate of m.
  // If we are smaller, m's run believed m was first (nothing smaller had landed then): we are the one
  // run that knows better, so we close m as a duplicate of ours. Each issue is closed by exactly one run.
  const numbers = await db.numbersFor(identifier);
  const landedBefore = numbers.filter((n) => n !== issue.number);
  const previousFirst = landedBefore[0];
  const duplicate = previousFirst !== undefined && previousFirst < issue.number;
  const firstLanded = duplicate ? previousFirst : issue.number;
  const displaced = previousFirst !== undefined && previousFirst > issue.number ? previousFirst : undefined;
  if (duplicate !== isDuplicate) log(`issue #${issue.number}: another run landed #${firstLanded} first`);

  if (isNew) {
    const octokit = await ctx.octokit();
    const [owner, name] = ctx.repo.split("/") as [string, string];
    const base = { owner, repo: name };
    const ownDetails = `${record.app_version ? `; app ${record.app_version}` : ""}${record.platform ? `, ${record.platform.os}/${record.platform.arch}, Node ${record.platform.node}` : ""}`;
    const closeAsDuplicate = async (dupe: number, of: number, details: string) => {
      await octokit.rest.issues.createComment({
        ...base,
        issue_number: dupe,
        body:
          `Thank you for the report! The same problem (identifier \`${identifier}\`) was reported first in #${of}, ` +
          `so this issue is closed as a duplicate. Please add anything new over there.`,
      });
      if (config.duplicates.label !== null) {
        await octokit.rest.issues.addLabels({ ...base, issue_number: dupe, labels: [config.duplicates.label] });
      }
      if (config.duplicates.close) {
        await octokit.rest.issues.update({ ...base, issue_number: dupe, state: "closed", state_reason: config.duplicates.stateReason });
      }
      if (config.duplicates.seenAgain === "comment") {
        await octokit.rest.issues.createComment({
          ...base,
          issue_number: of,
          body: `Seen again in #${dupe} (${numbers.length} reports so far${details}).`,
        });
      }
    };
    if (duplicate) await closeAsDuplicate(issue.number, firstLanded, ownDetails);
    if (displaced !== undefined) {
      log(`issue #${displaced} landed before #${issue.number} but is later: closing it as a duplicate of #${issue.number}`);
      await closeAsDuplicate(displaced, issue.number, "");
    }
    for (const f of fired) {
      const target = { ...base, issue_number: f.target };
      if (f.actions.labels?.length) await octokit.rest.issues.addLabels({ ...target, labels: f.actions.labels });
      if (f.actions.assign?.length) await octokit.rest.issues.addAssignees({ ...target, assignees: f.actions.assign });
      if (f.comment !== undefined) await octokit.rest.issues.createComment({ ...target, body: f.comment });
      if (f.actions.close) await octokit.rest.issues.update({ ...target, state: "closed" });
      if (f.actions.reopen) await octokit.rest.issues.update({ ...target, state: "open" });
      log(`rule ${f.rule.id} fired on #${f.target}`);
    }
  }
  return duplicate
    ? { kind: "duplicate", identifier, path, first: firstLanded, count: numbers.length }
    : { kind: "first", identifier, path, count: numbers.length };
}

async function reportTimes(db: Database, identifier: string, numbers: number[], root: string): Promise<number[]> {
  const { readFile } = await import("node:fs/promises");
  const times: number[] = [];
  for (const n of numbers) {
    try {
      const pathFor = db.layout === "flat" ? db.pathFor({ identifier, number: n, app_version: null }) : undefined;
      const file = pathFor ?? (await findNested(root, identifier, n));
      if (file === undefined) continue;
      const record = JSON.parse(await readFile(file, "utf8")) as ReportRecord;
      const t = Date.parse(record.created_at);
      if (!Number.isNaN(t)) times.push(t);
    } catch {
      // A broken file is `db check`'s business; it does not stop triage.
    }
  }
  return times;
}

async function findNested(root: string, identifier: string, number: number): Promise<string | undefined> {
  const { readdir, access } = await import("node:fs/promises");
  const { join } = await import("node:path");
  for (const version of await readdir(join(root, "issues")).catch(() => [] as string[])) {
    const file = join(root, "issues", version, identifier, `${number}.json`);
    if (await access(file).then(() => true, () => false)) return file;
  }
  return undefined;
}
