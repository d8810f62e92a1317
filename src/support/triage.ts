/**
 * `bugbeacon triage`: one run per `issues` event in GitHub Actions. Any event may be processed any number
 * of times and in any order: the database and GitHub end in the same state (docs/support-repository.md, "Triage: events and
 * outcomes" has the table, tested row by row).
 *
 * 1. Parse the issue body with the report format module (bugbeacon's metadata, its visible identifier
 *    line, or Python helpme's line). Other issues are left alone, quietly.
 * 2. Refuse identifiers that break the report format's identifier rule (`isReportIdentifier`: `md5.<32 hex>` or a
 *    folder-safe verbatim identifier, as the SDK and helpme produce); they never reach a path.
 * 3. File the report, write-ahead, on the newest state of the database (redone on a fresh copy whenever
 *    another run pushed first). The run that first files an issue fixes its identity in the number index:
 *    an edit can move it nowhere and file it nowhere else.
 * 4. Decide "first or duplicate" from what landed: the first report of an identifier is the one filed
 *    earliest on GitHub (issue creation, or the edit/reopen that first carried the report), whatever order
 *    the runs happened in. A duplicate is labelled, closed and told where the first is; the first gets a
 *    compact "seen again". Only a rerun of the event that filed an issue acts on GitHub; only an `opened`
 *    run may close another issue (one opened earlier that a racing run had believed later).
 * 5. Apply the maintainers' rules. Every GitHub write is idempotent (see triage-github.ts).
 */
import type { Octokit } from "@octokit/rest";
import { IDENTIFIER_RULE_TEXT, parseIssueBody, type ParsedReport } from "../format/report-format.js";
import { neutralise, botMarker } from "./bot-text.js";
import type { SupportConfig } from "./config.js";
import { Database, type StoredRecord } from "./database.js";
import type { IssuesEvent } from "./event.js";
import { LegacyDatabaseError } from "./layout.js";
import { TriageStepError } from "../errors.js";
import { gitFailure } from "./github-failure.js";
import { land } from "./git-sync.js";
import type { ReportRecord } from "./record.js";
import { evaluateRules, type FiredRule } from "./rules.js";
import { isSafeIdentifier, showUntrusted } from "./safe-names.js";
import { TriageGitHub } from "./triage-github.js";

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
  /** Makes database folders present before they are read (a sparse checkout widens; a full one has them). */
  include?: (folders: string[]) => Promise<void>;
  /** A login whose comments count as the bot's besides bot accounts (when triage runs with a person's token). */
  botLogin?: string;
  /** Push attempts and first backoff (tests shorten them). */
  pushAttempts?: number;
  pushBackoffMs?: number;
}

/** Events that can file a report. Others (closed, deleted, transferred, labeled, …) change nothing. */
const FILING_ACTIONS = new Set(["opened", "edited", "reopened"]);
type FilingAction = "opened" | "edited" | "reopened";

/** The order of reports: filed earliest on GitHub first, the issue number breaking ties. */
function filedKey(r: ReportRecord): [number, number] {
  const t = Date.parse(r.filed_at ?? r.created_at);
  return [Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t, r.number];
}
function earlier(a: ReportRecord, b: ReportRecord): boolean {
  const [ta, na] = filedKey(a);
  const [tb, nb] = filedKey(b);
  return ta < tb || (ta === tb && na < nb);
}

interface Filing {
  /** The identifier the issue is filed under (fixed by the run that first filed it). */
  identifier: string;
  path: string;
  /** The identifier the body carries now, when it differs (or undefined when the report is gone). */
  changedTo?: string | "none";
  fired: FiredRule[];
}

export async function triage(ctx: TriageContext): Promise<TriageOutcome> {
  const { event, config, log } = ctx;
  const issue = event.issue;
  const n = issue.number;
  if (!FILING_ACTIONS.has(event.action)) return { kind: "ignored", reason: `action ${showUntrusted(event.action)} changes nothing in the database` };
  if (issue.pull_request !== undefined && issue.pull_request !== null) return { kind: "ignored", reason: "a pull request" };
  const action = event.action as FilingAction;

  const parsed = parseIssueBody(issue.body);
  const safe = parsed !== undefined && isSafeIdentifier(parsed.identifier) ? parsed : undefined;
  const db = new Database(ctx.dbRoot, config.layout);
  const include = async (wanted: string[]) => {
    try {
      await ctx.include?.(wanted);
    } catch (error) {
      throw gitFailure(error, "checking out the database folders this issue needs");
    }
  };
  const folders = (identifier: string) => [config.layout === "flat" ? `issues/${identifier}` : `issues/*/${identifier}`, `fired/${identifier}`];
  await include([db.indexFolder(n), ...(safe ? folders(safe.identifier) : [])]);

  // Nothing to file and nothing filed: leave quietly (or refuse an unsafe identifier), before any write.
  const indexed = await db.readIndex(n);
  if (indexed === undefined) {
    if (parsed === undefined) return { kind: "ignored", reason: "no bugbeacon report in the issue" };
    if (safe === undefined) {
      log(`refusing issue #${n}: identifier ${showUntrusted(parsed.identifier)} breaks the identifier rule (${IDENTIFIER_RULE_TEXT})`);
      return { kind: "refused", reason: "unsafe identifier" };
    }
  } else {
    await include(folders(indexed.identifier));
  }
  // github-support (helpme) records of this identifier: deciding "first" without them would be wrong.
  const legacyId = indexed?.identifier ?? safe?.identifier;
  if (legacyId !== undefined) {
    const legacy = db.legacyFor(legacyId);
    if (legacy.length > 0) {
      const error = new LegacyDatabaseError(legacy, `The database folder of ${legacyId}`);
      throw new TriageStepError(error.message, { transient: false, code: error.code, cause: error });
    }
  }

  let filing: Filing | undefined;
  const prepare = async (): Promise<string[]> => {
    const result = await file(ctx, db, action, safe, parsed);
    filing = result.filing;
    return result.paths;
  };
  try {
    await land(prepare, `bugbeacon: report #${n} (${action})`, {
      cwd: ctx.dbRoot,
      config: ctx.gitConfig ?? [],
      log,
      push: ctx.push !== false,
      ...(ctx.pushAttempts !== undefined ? { attempts: ctx.pushAttempts } : {}),
      ...(ctx.pushBackoffMs !== undefined ? { backoffMs: ctx.pushBackoffMs } : {}),
    });
  } catch (error) {
    throw gitFailure(error, `storing issue #${n} in the database`);
  }
  if (filing === undefined) {
    if (parsed !== undefined && safe === undefined) {
      log(`refusing issue #${n}: identifier ${showUntrusted(parsed.identifier)} breaks the identifier rule (${IDENTIFIER_RULE_TEXT})`);
      return { kind: "refused", reason: "unsafe identifier" };
    }
    return { kind: "ignored", reason: "no bugbeacon report in the issue" };
  }
  const { identifier, path } = filing;

  // Decide from what landed.
  const records = await db.recordsFor(identifier);
  const self = records.find((r) => r.record.number === n)?.record;
  if (self === undefined) throw gitFailure(new Error(`${path} is missing after it was stored`), `reading issue #${n} back`);
  const first = records.reduce<StoredRecord | undefined>((best, r) => (best === undefined || earlier(r.record, best.record) ? r : best), undefined)!.record;
  const others = records.filter((r) => r.record.number !== n);
  const outcome: TriageOutcome =
    first.number === n ? { kind: "first", identifier, path, count: records.length } : { kind: "duplicate", identifier, path, first: first.number, count: records.length };

  const acts = (self.filed_by ?? "opened") === action;
  const changed = filing.changedTo !== undefined && action === "edited";
  if (filing.changedTo !== undefined) {
    log(
      `issue #${n}: its body now carries ${filing.changedTo === "none" ? "no report" : `identifier ${filing.changedTo}`}; it stays filed under ${identifier} (identity is fixed when an issue is first filed)`,
    );
  }
  const labelChange = changed && config.identity.changedLabel !== null;
  const work = acts && (outcome.kind === "duplicate" || (action === "opened" && others.length > 0) || filing.fired.length > 0);
  if (!work && !labelChange) return outcome;

  const octokit = await ctx.octokit();
  const [owner, name] = ctx.repo.split("/") as [string, string];
  const gh = new TriageGitHub(octokit, { owner, repo: name }, { log, ...(ctx.botLogin !== undefined ? { botLogin: ctx.botLogin } : {}) });

  if (labelChange && config.identity.changedLabel !== null) await gh.addLabels(n, [config.identity.changedLabel]);
  if (!work) return outcome;

  const details = (r: ReportRecord) =>
    [r.app_version ? `app ${neutralise(r.app_version, 40)}` : "", r.platform ? `${neutralise(`${r.platform.os}/${r.platform.arch}`, 40)}, Node ${neutralise(r.platform.node, 24)}` : ""]
      .filter((p) => p !== "")
      .join(", ")
      .replace(/^(.+)$/, " ($1)");

  /** Labels, closes and tells `dupe` it duplicates `of`; tells `of` it was seen again. Done once: the duplicate comment comes last and marks it done. */
  const markDuplicate = async (dupe: number, of: number, dupeRecord: ReportRecord): Promise<boolean> => {
    const doneMarker = botMarker({ what: "duplicate", issue: dupe, identifier, about: of });
    try {
      if (await gh.hasMarker(dupe, doneMarker)) return false;
    } catch (error) {
      // The issue this run is about must exist (a clear failure); another one displaced by it may be gone.
      if (dupe === n || ((error as { status?: number }).status !== 404 && (error as { status?: number }).status !== 410)) throw error;
      log(`issue #${dupe} was deleted or transferred: not marking it as a duplicate of #${of}`);
      return false;
    }
    if (config.duplicates.label !== null) await gh.addLabels(dupe, [config.duplicates.label]);
    if (config.duplicates.close) await gh.setState(dupe, "closed", config.duplicates.stateReason);
    if (config.duplicates.seenAgain === "comment") {
      const seen = botMarker({ what: "seen-again", issue: of, identifier, about: dupe });
      try {
        await gh.comment(of, `Seen again in #${dupe}${details(dupeRecord)}.`, seen);
      } catch (error) {
        if ((error as { status?: number }).status !== 404 && (error as { status?: number }).status !== 410) throw error;
        log(`first issue #${of} was deleted or transferred: no "seen again" comment on it`);
      }
    }
    await gh.comment(
      dupe,
      `Thank you for the report! The same problem (identifier \`${identifier}\`) was reported first in #${of}, ` +
        `so this issue ${config.duplicates.close ? "is closed" : "is marked"} as a duplicate. Please add anything new over there.`,
      doneMarker,
    );
    return true;
  };

  if (outcome.kind === "duplicate") {
    if (records.length > 1 && others.length > 0) await markDuplicate(n, first.number, self);
  } else if (action === "opened" && others.length > 0) {
    // A run that filed a later report believed it was first: only an opened issue, provably earlier, closes it.
    const displaced = others.reduce((best, r) => (earlier(r.record, best.record) ? r : best)).record;
    if (await markDuplicate(displaced.number, n, displaced)) {
      log(`issue #${displaced.number} was filed after #${n} but landed first: closed it as a duplicate of #${n}`);
    }
  }

  for (const f of filing.fired) {
    const target = f.target;
    if (f.actions.labels?.length) await gh.addLabels(target, f.actions.labels);
    if (f.actions.assign?.length) await gh.assign(target, f.actions.assign);
    if (f.comment !== undefined) await gh.comment(target, f.comment, botMarker({ what: `rule:${f.rule.id}`, issue: target, identifier, about: n }));
    if (f.actions.close) await gh.setState(target, "closed");
    if (f.actions.reopen) await gh.setState(target, "open");
    log(`rule ${f.rule.id} fired on #${target}`);
  }
  return outcome;
}

/**
 * Files (or refreshes) issue n on the current state of the checkout and returns the paths changed.
 * Runs again after every lost push race, on what landed.
 */
async function file(
  ctx: TriageContext,
  db: Database,
  action: FilingAction,
  safe: ParsedReport | undefined,
  parsed: ParsedReport | undefined,
): Promise<{ filing?: Filing; paths: string[] }> {
  const { event, config, log } = ctx;
  const issue = event.issue;
  const n = issue.number;
  let index = await db.readIndex(n);
  // Databases written before the index: a report already stored under the body's identifier is that issue's.
  if (index === undefined && safe !== undefined) {
    const legacy = (await db.recordsFor(safe.identifier)).find((r) => r.record.number === n);
    if (legacy !== undefined) index = { schema: 1, number: n, identifier: safe.identifier, folder: folderOf(db, legacy.path) };
  }
  let stored = index !== undefined ? await db.readRecord(db.entryPath(index)) : undefined;
  const paths: string[] = [];

  // An opened event is GitHub's own record of the issue as it was created: it corrects an identity that an
  // edit, processed earlier out of order, had fixed.
  if (index !== undefined && stored !== undefined && action === "opened" && safe !== undefined && stored.filed_by !== "opened" && stored.filed_by !== undefined) {
    if (safe.identifier !== index.identifier || stored.filed_at !== issue.created_at) {
      log(`issue #${n}: its opened event arrived after a later one; filing it as opened`);
      const old = db.entryPath(index);
      await db.remove(old);
      paths.push(old);
      index = undefined;
      stored = undefined;
    }
  }

  if (index !== undefined && stored !== undefined) {
    const filing: Filing = { identifier: index.identifier, path: db.entryPath(index), fired: [] };
    if (parsed === undefined) filing.changedTo = "none";
    else if (parsed.identifier !== index.identifier) filing.changedTo = showUntrusted(parsed.identifier);
    // Title and labels follow the newest event, whatever order the events are processed in.
    const eventTime = issue.updated_at !== undefined ? Date.parse(issue.updated_at) : NaN;
    const storedTime = stored.updated_at !== undefined ? Date.parse(stored.updated_at) : -Infinity;
    const title = issue.title.slice(0, 1024);
    const labels = eventLabels(event);
    if (!Number.isNaN(eventTime) && eventTime > storedTime && (title !== stored.title || labels.join("\n") !== stored.labels.join("\n") || stored.updated_at !== issue.updated_at)) {
      const updated: ReportRecord = { ...stored, title, labels, updated_at: new Date(eventTime).toISOString() };
      paths.push(await writeRecordAt(db, filing.path, updated));
    }
    if (index !== undefined && (await db.readIndex(n)) === undefined) paths.push(await db.writeIndex(index));
    if ((stored.filed_by ?? "opened") === action) filing.fired = await rulesFor(ctx, db, stored, filing.identifier, paths);
    return { filing, paths };
  }

  if (safe === undefined) return { paths };
  if (index !== undefined && index.identifier !== safe.identifier) {
    log(`issue #${n}: filed under ${index.identifier}, whose record is gone; not filing it under ${safe.identifier}`);
    return { paths };
  }
  const identifier = safe.identifier;
  const record = newRecord(event, action, safe);
  if (config.layout === "by-version" && record.app_version !== null && db.versionFolder(record) !== record.app_version) {
    log(`issue #${n}: version ${showUntrusted(record.app_version)} is not a safe folder name; filed under "unknown"`);
  }
  const path = await db.write(record);
  paths.push(path);
  paths.push(await db.writeIndex({ schema: 1, number: n, identifier, folder: config.layout === "by-version" ? db.versionFolder(record) : null }));
  const fired = await rulesFor(ctx, db, record, identifier, paths);
  return { filing: { identifier, path, fired }, paths };
}

async function rulesFor(ctx: TriageContext, db: Database, record: ReportRecord, identifier: string, paths: string[]): Promise<FiredRule[]> {
  if (ctx.config.rules.length === 0) return [];
  const records = await db.recordsFor(identifier);
  const times = records.map((r) => Date.parse(r.record.filed_at ?? r.record.created_at)).filter((t) => !Number.isNaN(t));
  const first = records.reduce<ReportRecord | undefined>((best, r) => (best === undefined || earlier(r.record, best) ? r.record : best), undefined)?.number ?? record.number;
  const fired = await evaluateRules(ctx.config.rules, { record, body: ctx.event.issue.body ?? "", reportTimes: times, first, now: ctx.now ?? Date.now() }, ctx.dbRoot);
  for (const f of fired) if (f.marker !== "") paths.push(f.marker);
  return fired;
}

function eventLabels(event: IssuesEvent): string[] {
  return event.issue.labels.map((l) => (typeof l === "string" ? l : (l?.name ?? ""))).filter((l) => l !== "").slice(0, 100).map((l) => l.slice(0, 100));
}

function newRecord(event: IssuesEvent, action: FilingAction, parsed: ParsedReport): ReportRecord {
  const issue = event.issue;
  const meta = parsed.metadata;
  // Opened: the issue's creation. Edited or reopened: the moment of that change (GitHub's updated_at).
  const filedAt = action === "opened" ? issue.created_at : (issue.updated_at ?? issue.created_at);
  const record: ReportRecord = {
    schema: 1,
    identifier: parsed.identifier,
    number: issue.number,
    title: issue.title.slice(0, 1024),
    created_at: issue.created_at,
    reporter: (issue.user?.login ?? "ghost").slice(0, 100),
    app_version: meta?.app?.version?.slice(0, 64) ?? null,
    platform: meta ? { node: meta.platform.node.slice(0, 64), os: meta.platform.os.slice(0, 64), arch: meta.platform.arch.slice(0, 64) } : null,
    environment: meta?.environment ?? {},
    report_id: meta?.reportId?.slice(0, 200) ?? null,
    labels: eventLabels(event),
    source: parsed.source,
    url: issue.html_url.slice(0, 2000),
    filed_at: new Date(Date.parse(filedAt)).toISOString(),
    filed_by: action,
  };
  if (issue.updated_at !== undefined) record.updated_at = new Date(Date.parse(issue.updated_at)).toISOString();
  return record;
}

function folderOf(db: Database, path: string): string | null {
  if (db.layout === "flat") return null;
  return path.split(/[\\/]/)[1] ?? null;
}

async function writeRecordAt(db: Database, rel: string, record: ReportRecord): Promise<string> {
  const { recordProblems, InvalidRecordError } = await import("./record.js");
  const problems = await recordProblems(record);
  if (problems.length > 0) throw new InvalidRecordError(`Issue #${record.number}`, problems);
  const { writeFile, rename } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const abs = join(db.root, rel);
  await writeFile(`${abs}.${process.pid}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  await rename(`${abs}.${process.pid}.tmp`, abs);
  return rel;
}

