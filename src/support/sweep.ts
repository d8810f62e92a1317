/**
 * `bugbeacon sweep`, on a schedule: files every report issue the event workflow missed (it was broken,
 * disabled, or not installed yet), with the triage engine itself (one engine, the same decisions, idempotent),
 * notes issues that are gone, and runs the time-based rules.
 *
 * Listing, inside the API budget: the repository's issues newest-updated first (`sort=updated&direction=desc`),
 * 100 a page, read until the cursor (the newest `updated_at` the last complete pass started from). Every change
 * to an issue moves it to page 1, so page 1 unchanged means nothing changed: it is asked with the ETag of the
 * last complete pass (`If-None-Match`), and GitHub answers 304, which costs no rate limit. A pass cut off (an
 * error, a page budget) keeps the page it reached in `sweep/state.json`; the next run resumes there (new
 * updates only push issues to later pages, so nothing is skipped; a page seen twice is harmless).
 *
 * Only issues missing from the number index reach triage: a filed issue costs nothing.
 */
import type { Octokit } from "@octokit/rest";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseIssueBody } from "../format/report-format.js";
import { botMarker } from "./bot-text.js";
import { parseDuration, type SupportConfig, type TimedRule } from "./config.js";
import { Database } from "./database.js";
import type { IssuesEvent } from "./event.js";
import { githubFailure } from "./github-failure.js";
import { land } from "./git-sync.js";
import { loadRecords } from "./layout.js";
import type { ReportRecord } from "./record.js";
import { fillTemplate } from "./rules.js";
import { MONITOR_LABEL } from "../sdk/monitor/options.js";
import { markerIdentifier } from "../sdk/monitor/state.js";
import { triage, type TriageOutcome } from "./triage.js";
import { TriageGitHub } from "./triage-github.js";

export const SWEEP_STATE = join("sweep", "state.json");

export interface SweepState {
  schema: 1;
  /** Issues updated before this were all seen by a complete pass (ISO time), or null before the first. */
  cursor: string | null;
  /** ETag of page 1 as the last complete pass read it. */
  etag: string | null;
  /** A pass cut off: where it started (its new cursor), the next page to read, and (a full pass) the numbers it listed. */
  pass: { startedAt: string | null; nextPage: number; seen?: number[] } | null;
  /** Issue numbers filed in the database that GitHub no longer lists (deleted or transferred). */
  gone: number[];
  lastRun: string | null;
  /**
   * Monitors' issues (src/sdk/monitor) the listing has seen: they carry no report, so they are not filed in
   * the database, but the timed rules apply to them like to any other issue. Only an issue labelled
   * `bugbeacon-monitor` (a label only someone who may write issues can set) whose body holds a monitor's
   * marker counts; a copied marker alone does not.
   */
  monitors: MonitorIssueEntry[];
}

export interface MonitorIssueEntry {
  number: number;
  /** `monitor.<md5>`, what a timed rule's `when.identifier` is matched against. */
  identifier: string;
  title: string;
  /** When the issue was opened (ISO): timed rules count from it, as from a report's filing. */
  createdAt: string;
}

/** Monitor issues remembered at most (the oldest are forgotten first). */
const MAX_MONITORS = 1000;

const EMPTY_STATE: SweepState = { schema: 1, cursor: null, etag: null, pass: null, gone: [], lastRun: null, monitors: [] };

export interface SweepContext {
  config: SupportConfig;
  dbRoot: string;
  repo: string;
  octokit: () => Promise<Octokit>;
  log: (line: string) => void;
  /** The clock (ms), injected by tests. @default Date.now() */
  now?: number;
  /** Push the database after writing. @default true */
  push?: boolean;
  gitConfig?: string[];
  botLogin?: string;
  pushAttempts?: number;
  pushBackoffMs?: number;
  /** Most list pages this run may read; the pass resumes next run. @default 1000 */
  maxPages?: number;
}

export interface SweepResult {
  /** List requests made, and how many of them were answered 304. */
  pages: number;
  notModified: number;
  /** Issues read from the list (pull requests excluded). */
  listed: number;
  filed: number;
  duplicates: number;
  refused: number;
  /** Issues newly noted as gone (a full pass only). */
  gone: number[];
  /** Time-based steps fired: `#n rule/step`. */
  timed: string[];
  /** False when the pass was cut off (it resumes next run). */
  complete: boolean;
  /** Every request the sweep made, list pages included. */
  requests: number;
}

export async function readSweepState(dbRoot: string): Promise<SweepState> {
  try {
    const value = JSON.parse(await readFile(join(dbRoot, SWEEP_STATE), "utf8")) as Partial<SweepState>;
    return {
      schema: 1,
      cursor: typeof value.cursor === "string" ? value.cursor : null,
      etag: typeof value.etag === "string" ? value.etag : null,
      pass:
        value.pass && typeof value.pass.nextPage === "number" && value.pass.nextPage >= 1
          ? {
              startedAt: typeof value.pass.startedAt === "string" ? value.pass.startedAt : null,
              nextPage: Math.floor(value.pass.nextPage),
              ...(Array.isArray(value.pass.seen) ? { seen: value.pass.seen.filter((n): n is number => Number.isSafeInteger(n)) } : {}),
            }
          : null,
      gone: Array.isArray(value.gone) ? value.gone.filter((n): n is number => Number.isSafeInteger(n)) : [],
      lastRun: typeof value.lastRun === "string" ? value.lastRun : null,
      monitors: Array.isArray(value.monitors) ? value.monitors.filter(isMonitorEntry) : [],
    };
  } catch {
    return { ...EMPTY_STATE, monitors: [] };
  }
}

function isMonitorEntry(v: unknown): v is MonitorIssueEntry {
  const e = v as Partial<MonitorIssueEntry> | null;
  return (
    typeof e === "object" && e !== null && Number.isSafeInteger(e.number) && (e.number ?? 0) > 0 &&
    typeof e.identifier === "string" && /^monitor\.[0-9a-f]{32}$/.test(e.identifier) &&
    typeof e.title === "string" && e.title.length <= 1000 && typeof e.createdAt === "string" && !Number.isNaN(Date.parse(e.createdAt))
  );
}

/** Remembers (or forgets) a listed issue as a monitor's: labelled `bugbeacon-monitor` and carrying a monitor's marker. */
function noteMonitor(state: SweepState, issue: ListedIssue): void {
  const identifier = labelNames(issue.labels).includes(MONITOR_LABEL) ? markerIdentifier(issue.body ?? "") : undefined;
  const others = state.monitors.filter((m) => m.number !== issue.number);
  state.monitors = identifier === undefined ? others : [...others, { number: issue.number, identifier, title: issue.title, createdAt: issue.created_at }].sort((a, b) => a.number - b.number).slice(-MAX_MONITORS);
}

async function writeJson(abs: string, value: unknown): Promise<void> {
  await mkdir(join(abs, ".."), { recursive: true });
  await writeFile(`${abs}.${process.pid}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  await rename(`${abs}.${process.pid}.tmp`, abs);
}

interface ListedIssue {
  number: number;
  title: string;
  body?: string | null;
  created_at: string;
  updated_at: string;
  html_url: string;
  state: string;
  user: { login: string } | null;
  labels: Array<string | { name?: string }>;
  pull_request?: unknown;
}

export async function sweep(ctx: SweepContext): Promise<SweepResult> {
  const { config, log } = ctx;
  const now = ctx.now ?? Date.now();
  const db = new Database(ctx.dbRoot, config.layout);
  const state = await readSweepState(ctx.dbRoot);
  const result: SweepResult = { pages: 0, notModified: 0, listed: 0, filed: 0, duplicates: 0, refused: 0, gone: [], timed: [], complete: false, requests: 0 };
  const [owner, name] = ctx.repo.split("/") as [string, string];
  const octokit = await ctx.octokit();
  let requests = 0;
  octokit.hook.before("request", () => {
    requests += 1;
  });
  const maxPages = ctx.maxPages ?? 1000;
  const full = state.cursor === null;
  // A full pass cut off keeps the numbers it listed, so the run that finishes it can tell what is gone.
  const seen = new Set<number>(full ? (state.pass?.seen ?? []) : []);
  let page = state.pass?.nextPage ?? 1;
  let startedAt = state.pass?.startedAt ?? null;
  let newEtag: string | null = null;
  const cursorMs = state.cursor === null ? -Infinity : Date.parse(state.cursor);
  const openState = new Map<number, ListedIssue>();
  const timers = new Map<string, TimerFile>();

  try {
    for (;;) {
      if (result.pages >= maxPages) {
        log(`stopping after ${result.pages} pages (the page budget); the next sweep resumes at page ${page}`);
        break;
      }
      const conditional = page === 1 && state.pass === null && state.etag !== null;
      let data: ListedIssue[];
      let link = "";
      let etag: string | null = null;
      try {
        const res = await octokit.rest.issues.listForRepo({
          owner,
          repo: name,
          state: "all",
          sort: "updated",
          direction: "desc",
          per_page: 100,
          page,
          // A 304 is an answer, not a failure: the client's global retry count would repeat it.
          ...(conditional ? { headers: { "if-none-match": state.etag! }, request: { retries: 0 } } : {}),
        });
        data = res.data as ListedIssue[];
        link = res.headers.link ?? "";
        etag = typeof res.headers.etag === "string" ? res.headers.etag : null;
      } catch (error) {
        if ((error as { status?: number }).status === 304) {
          result.pages += 1;
          result.notModified += 1;
          result.complete = true;
          log("nothing changed since the last sweep (page 1: 304 Not Modified)");
          break;
        }
        throw githubFailure(error, `listing the issues (page ${page})`);
      }
      result.pages += 1;
      if (page === 1) {
        newEtag = etag;
        startedAt ??= data[0]?.updated_at ?? state.cursor;
      }
      let reachedCursor = false;
      const fresh: ListedIssue[] = [];
      for (const issue of data) {
        if (Date.parse(issue.updated_at) < cursorMs) {
          reachedCursor = true;
          break;
        }
        if (issue.pull_request !== undefined && issue.pull_request !== null) continue;
        if (seen.has(issue.number)) continue;
        seen.add(issue.number);
        result.listed += 1;
        openState.set(issue.number, issue);
        noteMonitor(state, issue);
        fresh.push(issue);
      }
      // Oldest first within a page: the first report is filed first (triage would reach the same end anyway).
      for (const issue of fresh.sort((a, b) => a.number - b.number)) await fileIfMissing(ctx, db, issue, now, result);
      page += 1;
      state.pass = { startedAt, nextPage: page, ...(full ? { seen: [...seen] } : {}) };
      if (reachedCursor || !/rel="next"/.test(link)) {
        result.complete = true;
        break;
      }
    }
    if (result.complete && result.notModified === 0) {
      if (full) {
        // A full pass saw every issue: numbers filed in the database and not listed are gone.
        const index = await listIndexed(db);
        result.gone = index.filter((n) => !seen.has(n) && !state.gone.includes(n));
        for (const n of result.gone) log(`issue #${n} is filed in the database but GitHub no longer lists it (deleted or transferred)`);
        state.gone = [...state.gone, ...result.gone].sort((a, b) => a - b);
      }
      state.cursor = startedAt ?? state.cursor;
      state.etag = newEtag;
      state.pass = null;
    }
    if (result.complete) await runTimed(ctx, db, state, octokit, openState, now, result, timers);
  } finally {
    state.lastRun = new Date(now).toISOString();
    try {
      // Written inside prepare: after a lost push race they are written again on what landed.
      await land(async () => {
        await writeJson(join(ctx.dbRoot, SWEEP_STATE), state);
        for (const [rel, timer] of timers) await writeJson(join(ctx.dbRoot, rel), timer);
        return [SWEEP_STATE, ...timers.keys()];
      }, `bugbeacon: sweep (${result.filed} filed, ${result.pages} pages)`, {
        cwd: ctx.dbRoot,
        config: ctx.gitConfig ?? [],
        log,
        push: ctx.push !== false,
        ...(ctx.pushAttempts !== undefined ? { attempts: ctx.pushAttempts } : {}),
        ...(ctx.pushBackoffMs !== undefined ? { backoffMs: ctx.pushBackoffMs } : {}),
      });
    } catch (error) {
      log(`could not store the sweep state: ${(error as Error).message}`);
    }
    result.requests = requests;
  }
  return result;
}

async function listIndexed(db: Database): Promise<number[]> {
  const { readdirSync } = await import("node:fs");
  const out: number[] = [];
  let groups: string[];
  try {
    groups = readdirSync(join(db.root, "numbers"));
  } catch {
    return out;
  }
  for (const g of groups) {
    let names: string[];
    try {
      names = readdirSync(join(db.root, "numbers", g));
    } catch {
      continue;
    }
    for (const name of names) {
      const m = /^([1-9]\d{0,15})\.json$/.exec(name);
      if (m?.[1]) out.push(Number(m[1]));
    }
  }
  return out.sort((a, b) => a - b);
}

/** Files a listed issue the database lacks, through the triage engine (as its `opened` event would have). */
async function fileIfMissing(ctx: SweepContext, db: Database, issue: ListedIssue, now: number, result: SweepResult): Promise<void> {
  if ((await db.readIndex(issue.number)) !== undefined) return;
  if (parseIssueBody(issue.body) === undefined) return;
  const event: IssuesEvent = {
    action: "opened",
    issue: {
      number: issue.number,
      title: issue.title,
      body: issue.body ?? null,
      created_at: issue.created_at,
      updated_at: issue.created_at,
      html_url: issue.html_url,
      user: issue.user,
      labels: issue.labels,
      state: issue.state,
    },
  };
  const outcome: TriageOutcome = await triage({
    event,
    config: ctx.config,
    dbRoot: ctx.dbRoot,
    repo: ctx.repo,
    octokit: ctx.octokit,
    log: ctx.log,
    now,
    ...(ctx.push !== undefined ? { push: ctx.push } : {}),
    ...(ctx.gitConfig !== undefined ? { gitConfig: ctx.gitConfig } : {}),
    ...(ctx.botLogin !== undefined ? { botLogin: ctx.botLogin } : {}),
    ...(ctx.pushAttempts !== undefined ? { pushAttempts: ctx.pushAttempts } : {}),
    ...(ctx.pushBackoffMs !== undefined ? { pushBackoffMs: ctx.pushBackoffMs } : {}),
  });
  if (outcome.kind === "first") result.filed += 1;
  else if (outcome.kind === "duplicate") {
    result.filed += 1;
    result.duplicates += 1;
    // Closed by this run: what the listing said about its state is stale.
    if (ctx.config.duplicates.close) issue.state = "closed";
  } else if (outcome.kind === "refused") result.refused += 1;
  if (outcome.kind === "first" || outcome.kind === "duplicate") ctx.log(`issue #${issue.number} was missing from the database: filed (${outcome.kind})`);
}

/** `timers/<n div 1000>/<n>.json`: which timed steps fired on issue n, and whether it was seen closed. */
interface TimerFile {
  number: number;
  fired: Record<string, string>;
  closedSeen?: string;
}

async function readTimer(root: string, n: number): Promise<TimerFile> {
  try {
    const v = JSON.parse(await readFile(join(root, timerPath(n)), "utf8")) as Partial<TimerFile>;
    return { number: n, fired: v.fired && typeof v.fired === "object" ? v.fired : {}, ...(typeof v.closedSeen === "string" ? { closedSeen: v.closedSeen } : {}) };
  } catch {
    return { number: n, fired: {} };
  }
}

function timerPath(n: number): string {
  return join("timers", String(Math.floor(n / 1000)), `${n}.json`);
}

function ruleMatches(rule: TimedRule, record: Pick<ReportRecord, "identifier" | "title">, labels: string[]): boolean {
  const test = (source: string | undefined, text: string) => source === undefined || new RegExp(source, "i").test(text);
  if (!test(rule.when.identifier, record.identifier) || !test(rule.when.title, record.title)) return false;
  return rule.when.label === undefined || labels.includes(rule.when.label);
}

/** Fires the due steps of the time-based rules, each once per issue; a closed or gone issue gets none. */
async function runTimed(
  ctx: SweepContext,
  db: Database,
  state: SweepState,
  octokit: Octokit,
  listed: Map<number, ListedIssue>,
  now: number,
  result: SweepResult,
  timers: Map<string, TimerFile>,
): Promise<void> {
  const rules = ctx.config.timed;
  if (rules.length === 0) return;
  const [owner, name] = ctx.repo.split("/") as [string, string];
  const gh = new TriageGitHub(octokit, { owner, repo: name }, { log: ctx.log, ...(ctx.botLogin !== undefined ? { botLogin: ctx.botLogin } : {}) });
  const { records } = loadRecords(db.root, db.layout);
  // Reports filed in the database, and monitors' issues (not filed: they carry no report) seen by the listing.
  const subjects = [
    ...records.map((r) => ({ number: r.number, identifier: r.identifier, title: r.title, filedAt: r.filed_at ?? r.created_at })),
    ...state.monitors.filter((m) => !records.some((r) => r.number === m.number)).map((m) => ({ number: m.number, identifier: m.identifier, title: m.title, filedAt: m.createdAt })),
  ];
  const gone = new Set(state.gone);
  let reads = 0;
  let deferred = 0;
  for (const record of subjects.sort((a, b) => a.number - b.number)) {
    const n = record.number;
    if (gone.has(n)) continue;
    const filedAt = Date.parse(record.filedAt);
    if (Number.isNaN(filedAt)) continue;
    const timer = await readTimer(db.root, n);
    const seenNow = listed.get(n);
    if (seenNow !== undefined && seenNow.state === "open" && timer.closedSeen !== undefined) {
      // Reopened: its remaining steps count again.
      delete timer.closedSeen;
      timers.set(timerPath(n), timer);
    }
    if (timer.closedSeen !== undefined) continue;
    let changed = false;
    for (const rule of rules) {
      const openFor = parseDuration(rule.when.openFor) ?? Infinity;
      for (const [i, step] of rule.then.entries()) {
        const key = `${rule.id}/${i}`;
        if (timer.fired[key] !== undefined) continue;
        const due = filedAt + openFor + (step.after !== undefined ? (parseDuration(step.after) ?? Infinity) : 0);
        if (now < due) continue;
        // The listing already says whether a changed issue is open; others are read, at most MAX_STATE_READS a run.
        if (seenNow === undefined && reads >= MAX_STATE_READS) {
          deferred += 1;
          break;
        }
        if (seenNow === undefined) reads += 1;
        const current = seenNow !== undefined ? { state: seenNow.state, labels: labelNames(seenNow.labels) } : await gh.issue(n).catch((error: unknown) => {
          const status = (error as { status?: number }).status;
          if (status === 404 || status === 410) return undefined;
          throw error;
        });
        if (current === undefined) {
          ctx.log(`issue #${n} is gone (deleted or transferred): no timed rules`);
          state.gone = [...new Set([...state.gone, n])].sort((a, b) => a - b);
          gone.add(n);
          break;
        }
        if (current.state !== "open") {
          timer.closedSeen = new Date(now).toISOString();
          changed = true;
          break;
        }
        if (!ruleMatches(rule, record, current.labels)) continue;
        if (step.labels?.length) await gh.addLabels(n, step.labels);
        if (step.assign?.length) await gh.assign(n, step.assign);
        const parts = [step.comment !== undefined ? fillTemplate(step.comment, { number: n, identifier: record.identifier, first: n, count: 1 }) : undefined, step.mention].filter(
          (p): p is string => p !== undefined,
        );
        if (parts.length > 0) await gh.comment(n, parts.join("\n\n"), botMarker({ what: `timed:${rule.id}:${i}`, issue: n, identifier: record.identifier, about: n }));
        if (step.close) await gh.setState(n, "closed");
        if (step.reopen) await gh.setState(n, "open");
        timer.fired[key] = new Date(now).toISOString();
        changed = true;
        result.timed.push(`#${n} ${key}`);
        ctx.log(`timed rule ${key} fired on #${n}`);
      }
      if (timer.closedSeen !== undefined || gone.has(n)) break;
    }
    if (changed) timers.set(timerPath(n), timer);
  }
  if (deferred > 0) ctx.log(`${deferred} due timed steps wait for the next sweep (at most ${MAX_STATE_READS} issues are read per run)`);
}

/** Issues whose state a sweep reads for the timed rules, at most, per run (the API budget). */
const MAX_STATE_READS = 200;

function labelNames(labels: Array<string | { name?: string }>): string[] {
  return labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter((l) => l !== "");
}

/** The one line the CLI prints. */
export function sweepLine(r: SweepResult): string {
  return (
    `sweep: ${r.pages} list pages (${r.notModified} not modified), ${r.listed} issues read, ${r.filed} filed (${r.duplicates} duplicates), ` +
    `${r.refused} refused, ${r.gone.length} gone, ${r.timed.length} timed steps, ${r.requests} requests${r.complete ? "" : "; cut off, resumes next run"}`
  );
}

/** The job summary (`$GITHUB_STEP_SUMMARY`): the sweep's figures, then the database's stats. */
export function sweepMarkdown(r: SweepResult, statsMarkdown: string): string {
  return [
    "## bugbeacon sweep",
    "",
    "| List pages | Not modified | Issues read | Filed | Duplicates | Refused | Gone | Timed steps | Requests |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    `| ${r.pages} | ${r.notModified} | ${r.listed} | ${r.filed} | ${r.duplicates} | ${r.refused} | ${r.gone.length} | ${r.timed.length} | ${r.requests} |`,
    "",
    r.complete ? "" : "The pass was cut off; the next sweep resumes where it stopped.\n",
    statsMarkdown,
  ].join("\n");
}
