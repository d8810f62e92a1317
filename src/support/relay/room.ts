/**
 * The relay's room in `bugbeacon serve`: `POST /v1/reports` for the repositories named with `--relay-repo`,
 * and the one writer that turns the counter's decisions into GitHub writes, paced.
 *
 * At the door, in this order: shutting down (503), the client address's budget (429 with Retry-After; the
 * address is hashed with a key made at start and kept only in memory, never stored or logged), content
 * type (415), size (413: 64 kB on the wire, 256 kB inflated), the report's fields (400 naming the field),
 * the repository (403). Then the report is in the journal and synced (write-ahead) before the answer:
 * `202 { status, url? }`, where status is `created` (this report opened the issue), `counted`, `queued`
 * (its issue is being filed) or `held` (the repository's new-issue budget is spent).
 */
import type { Octokit } from "@octokit/rest";
import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { githubClient } from "../../backends/github/client.js";
import { githubMonitorIssues } from "../../backends/github/monitor-issues.js";
import { pickMonitorIssue } from "../../sdk/monitor/issues.js";
import { MONITOR_LABEL } from "../../sdk/monitor/options.js";
import { MAX_DETAILS, MAX_KEY, oneLine as oneLineCut } from "../../sdk/monitor/state.js";
import { parseIssueBody } from "../../format/report-format.js";
import { HttpAnswer, discardRest, header, oneLine, readBody, requirePost, send, type Route } from "../serve/http.js";
import { RelayCounter, type CountMessage, type HeldLine, type Write } from "./counter.js";
import { Journal } from "./journal.js";
import { machineOf } from "./machine.js";
import type { MachineShare } from "./share.js";
import { inline, plain, relayRedactor, renderRelayIssue } from "./render.js";
import { MAX_REPORT_BYTES, RelayRefusedError, decodeBody, parseRelayReport } from "./report.js";
import { parseMonitorFailure } from "./monitor-failure.js";
import { MonitorBook, type MonitorEntry, type MonitorWrite } from "./monitors.js";
import { RESOLVED_MARKER, keptByRelay, monitorBody, monitorTitle, resolvedComment } from "./monitor-render.js";

export interface RelayOptions {
  /** `owner/name` of every repository served. */
  repos: string[];
  /** The serve state folder; the relay keeps `relay/` in it. */
  stateDir: string;
  /** Names this replica in its messages (kept across restarts). */
  replica: string;
  /** The installation client for a repository. */
  octokitForRepo: (repo: string) => Promise<Octokit>;
  webUrl: string;
  note?: (entry: Record<string, unknown>) => void;
  log?: (entry: Record<string, unknown>) => void;
  periodMs?: number;
  writesPerHour?: number;
  writesPerMinute?: number;
  newIssuesPerHour?: number;
  /** Reports one client address may send per minute. @default 60 */
  reportsPerMinute?: number;
  /** How long an answer waits for its issue to be filed. @default 2000 */
  answerWithinMs?: number;
  onClosed?: "reopen" | "new";
  /** Runs a write within the server's limit of work at once. */
  slot?: <T>(work: () => Promise<T>) => Promise<T>;
  /**
   * The figures in all across replicas (share.ts): count messages are made in turn per identifier and say
   * every replica's occurrences and distinct machines. Without it, a message gives this replica's own.
   */
  share?: MachineShare;
  /** A machine's hash is forgotten this long after its last report. @default 30 days */
  machineMaxAgeMs?: number;
  /** The journal is compacted at least this often while running (and after 100,000 lines, or twice the report ids remembered). @default 1 hour */
  compactEveryMs?: number;
  /**
   * Monitors (`POST /v1/monitor-failures`): the shortest time after a monitor's last failure, from any
   * machine, before the relay closes its issue; a client's every × passAfter may only make it longer.
   * @default 3,600,000 (one hour)
   */
  monitorQuietMs?: number;
}

export interface RelayRoom {
  routes: Record<string, Route>;
  resume(): void;
  close(): Promise<void>;
  readonly counter: RelayCounter;
  readonly monitors: MonitorBook;
}

const MARKER = "bugbeacon:relay-count";

export function createRelayRoom(o: RelayOptions): RelayRoom {
  const served = new Map(o.repos.map((r) => [r.toLowerCase(), r]));
  const dir = join(o.stateDir, "relay");
  const entries = Journal.read(dir, (line, problem) => o.note?.({ msg: "relay journal line skipped", line, problem }));
  // Opened after the replay and compaction below; the counter appends to it from then on.
  const held: { journal?: Journal } = {};
  const counter = new RelayCounter(
    {
      replica: o.replica,
      ...(o.periodMs !== undefined ? { periodMs: o.periodMs } : {}),
      ...(o.writesPerHour !== undefined ? { writesPerHour: o.writesPerHour } : {}),
      ...(o.writesPerMinute !== undefined ? { writesPerMinute: o.writesPerMinute } : {}),
      ...(o.newIssuesPerHour !== undefined ? { newIssuesPerHour: o.newIssuesPerHour } : {}),
    },
    (e) => held.journal!.append(e),
  );
  const replayed = counter.replay(entries);
  const maxAge = o.machineMaxAgeMs ?? 30 * 86_400_000;
  const compactEvery = Math.min(o.compactEveryMs ?? 3_600_000, maxAge / 2);
  // Compacted at each start: one snapshot line instead of a line per report, without the machines past the age limit.
  const stale = new Set(counter.forgetMachinesBefore(Date.now() - maxAge + compactEvery));
  if (entries.length > 0) Journal.rewrite(dir, [counter.snapshot()]);
  const journal = new Journal(dir);
  held.journal = journal;
  // Monitors keep their own journal (their own entries), beside the counter's, written ahead the same way.
  const mdir = join(dir, "monitors");
  const mentries = Journal.read<MonitorEntry>(mdir, (line, problem) => o.note?.({ msg: "relay monitor journal line skipped", line, problem }));
  const mheld: { journal?: Journal<MonitorEntry> } = {};
  const book = new MonitorBook({ quietMs: o.monitorQuietMs ?? 3_600_000, periodMs: counter.periodMs, onClosed: o.onClosed ?? "reopen" }, (e) => mheld.journal!.append(e));
  const mreplayed = book.replay(mentries);
  if (mentries.length > 0) Journal.rewrite(mdir, [book.snapshot()]);
  const mjournal = new Journal<MonitorEntry>(mdir);
  mheld.journal = mjournal;
  const budget = addressBudget(o.reportsPerMinute ?? 60);
  const answerWithin = o.answerWithinMs ?? 2000;
  const onClosed = o.onClosed ?? "reopen";
  const slot = o.slot ?? (<T>(work: () => Promise<T>) => work());
  // Identifiers whose figures lost machines are written again to the database at the next compaction.
  let compactDue = stale.size > 0;
  // Each compaction forgets the machines whose last report is older than the age limit less the time to
  // the next compaction: no hash is kept longer than the limit, in the journal or the database.
  const compactTimer = setInterval(() => {
    compactDue = true;
    wake();
  }, compactEvery);
  compactTimer.unref();
  let draining = false;
  let timer: NodeJS.Timeout | undefined;
  let pumping: Promise<void> | undefined;
  let again = false;
  /** Answers waiting for an identifier's issue to be filed. */
  const waiters = new Map<string, Array<() => void>>();

  function wake(): void {
    if (draining) return;
    if (pumping !== undefined) {
      again = true;
      return;
    }
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    pumping = pump().finally(() => {
      pumping = undefined;
      if (again) {
        again = false;
        wake();
      }
    });
  }

  async function compact(): Promise<void> {
    compactDue = false;
    for (const key of counter.forgetMachinesBefore(Date.now() - maxAge + compactEvery)) stale.add(key);
    journal.compact([counter.snapshot()]);
    mjournal.compact([book.snapshot()]);
    o.note?.({ msg: "relay journal compacted", figuresToRewrite: stale.size });
    if (o.share === undefined) return;
    // The local copies of earlier figures go; the figures of the identifiers changed are written again.
    await o.share.reset();
    const byRepo = new Map<string, string[]>();
    for (const key of stale) {
      const repo = key.slice(0, key.indexOf(" "));
      byRepo.set(repo, [...(byRepo.get(repo) ?? []), key]);
    }
    for (const [repo, keys] of byRepo) {
      try {
        await o.share.republish(
          repo,
          keys.map((key) => ({ ident: key.slice(repo.length + 1), own: counter.figures(repo, key.slice(repo.length + 1)) })),
        );
        for (const key of keys) stale.delete(key);
      } catch (error) {
        // Tried again at the next compaction.
        o.note?.({ msg: "relay figures not written again", repository: repo, error: oneLine(error instanceof Error ? error.message : String(error)).slice(0, 200) });
      }
    }
  }

  async function pump(): Promise<void> {
    while (!draining) {
      if (compactDue) {
        try {
          await compact();
        } catch (error) {
          // The journal stays as it was (the old file, appends go on); tried again at the next interval.
          o.note?.({ msg: "relay journal compaction failed", error: oneLine(error instanceof Error ? error.message : String(error)).slice(0, 200) });
        }
      }
      const now = Date.now();
      const next = counter.next(now);
      if (next !== undefined && !("waitUntil" in next)) {
        await slot(() => perform(next));
        continue;
      }
      // Monitor issues after the reports' writes, under the same pacing and new-issue budget.
      const mnext = book.next(now, counter.writeAllowedFrom(now), (repo) => counter.takeNewIssue(repo, now));
      if (mnext !== undefined && !("waitUntil" in mnext)) {
        await slot(() => performMonitor(mnext));
        continue;
      }
      const waits = [next, mnext].flatMap((w) => (w !== undefined ? [w.waitUntil] : []));
      if (waits.length === 0) return;
      // The relay's own clock decides when a quiet monitor closes: a timer here (unref'd: the server holds the process).
      timer = setTimeout(wake, Math.max(10, Math.min(...waits) - now));
      timer.unref();
      return;
    }
  }

  /** A monitor issue's write: the issue is read first (its state, or a write that landed before a restart). */
  async function performMonitor(w: MonitorWrite): Promise<void> {
    let writes = 0;
    try {
      const octokit = await o.octokitForRepo(w.repo);
      const issues = githubMonitorIssues(octokit);
      const [owner, repo] = w.repo.split("/") as [string, string];
      const body = monitorBody(w.view);
      const current = async (number: number) => {
        try {
          const { data } = await octokit.rest.issues.get({ owner, repo, issue_number: number });
          return { number: data.number, url: data.html_url, state: data.state === "open" ? ("open" as const) : ("closed" as const), body: data.body ?? "" };
        } catch (error) {
          const status = (error as { status?: number }).status;
          if (status === 404 || status === 410) return undefined;
          throw error;
        }
      };
      const create = async (previous?: number) => {
        const view = previous !== undefined ? { ...w.view, previous } : w.view;
        writes++;
        return issues.create(w.repo, { title: monitorTitle(view), body: monitorBody(view), labels: [MONITOR_LABEL] });
      };
      // Replicas (share.ts): this replica's last failure is published with each write; an open and a close
      // are made holding the monitor's lock, so two replicas open one issue, and a close reads every other
      // replica's last failure first.
      const publish = async (issue: { number: number; url: string } | undefined, read: boolean) =>
        o.share?.publish(w.repo, w.ident, { ...book.figures(w.repo, w.ident), ...(issue !== undefined ? { issue: { number: issue.number, url: issue.url } } : {}) }, read);
      const locked = <T>(work: () => Promise<T>): Promise<T> => (o.share !== undefined ? o.share.withLock(w.repo, w.ident, work) : work());
      if (w.op === "open") return await locked(async () => {
        // Only an issue labelled bugbeacon-monitor (labels need write access) that the relay wrote and whose
        // marker names the monitor is adopted: its own (a create whose answer was lost) or another replica's.
        // A monitor issue kept with a token is not the relay's to edit or close.
        const labelled = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: "all", labels: MONITOR_LABEL, per_page: 100 });
        const found = pickMonitorIssue(
          labelled
            .filter((i) => (i.pull_request === undefined || i.pull_request === null) && keptByRelay(i.body ?? ""))
            .map((i) => ({ number: i.number, url: i.html_url, state: i.state === "open" ? ("open" as const) : ("closed" as const), body: i.body ?? "" })),
          w.ident,
        );
        if (found !== undefined && (found.state === "open" || onClosed === "reopen")) {
          if (found.state === "closed" || found.body !== body) {
            writes++;
            await issues.edit(w.repo, found.number, { body, ...(found.state === "closed" ? { state: "open" as const } : {}) });
          }
          o.note?.({ msg: "relay monitor issue", action: found.state === "closed" ? "reopened" : "adopted", repository: w.repo, identifier: w.ident, issue: found.number });
          await publish(found, false);
          return settleMonitor(w, { ok: true, number: found.number, url: found.url }, writes);
        }
        const made = await create(found?.number);
        o.note?.({ msg: "relay monitor issue", action: "opened", repository: w.repo, identifier: w.ident, issue: made.number });
        // Before the lock is let go: the next replica to open this monitor finds it (the labelled list does too).
        await publish(made, false);
        return settleMonitor(w, { ok: true, ...made }, writes);
      });
      const number = w.issue!.number;
      const cur = await current(number);
      if (w.op === "reopen" || w.op === "edit") {
        if (cur === undefined) {
          // Deleted or transferred: a new issue for the incident.
          const made = await create();
          return settleMonitor(w, { ok: true, ...made }, writes);
        }
        // A failing monitor whose issue someone closed is reopened, as the token path does.
        if (cur.state === "closed" || cur.body !== body) {
          writes++;
          await issues.edit(w.repo, number, { body, ...(cur.state === "closed" ? { state: "open" as const } : {}) });
        }
        if (w.op === "reopen" || cur.state === "closed") o.note?.({ msg: "relay monitor issue", action: "reopened", repository: w.repo, identifier: w.ident, issue: number });
        await publish({ number: cur.number, url: cur.url }, false);
        return settleMonitor(w, { ok: true, number: cur.number, url: cur.url }, writes);
      }
      return await locked(() => closeMonitor(w, octokit, issues, cur, body, publish, writes));
    } catch (error) {
      const status = (error as { status?: number }).status;
      o.note?.({ msg: "relay write failed", kind: `monitor ${w.op}`, repository: w.repo, status: status ?? null, error: oneLine(error instanceof Error ? error.message : String(error)).slice(0, 200) });
      settleMonitor(w, { ok: false }, writes);
    }
  }

  /** Close: the relay's rule only (no failure from any machine, on any replica, for the quiet window). */
  async function closeMonitor(
    w: MonitorWrite,
    octokit: Octokit,
    issues: ReturnType<typeof githubMonitorIssues>,
    cur: { number: number; url: string; state: "open" | "closed" } | undefined,
    body: string,
    publish: (issue: { number: number; url: string } | undefined, read: boolean) => Promise<{ othersLast?: number } | undefined>,
    writesBefore: number,
  ): Promise<void> {
    let writes = writesBefore;
    try {
      const [owner, repo] = w.repo.split("/") as [string, string];
      const number = w.issue!.number;
      const inAll = await publish(cur, true);
      if (!book.closeHolds(w.repo, w.ident, inAll?.othersLast, Date.now())) {
        // Another replica accepted a failure within the window: the issue stays open.
        return settleMonitor(w, { ok: true, elsewhere: inAll!.othersLast! }, writes);
      }
      const key = `${o.replica}:m${w.intent}`;
      if (cur === undefined) return settleMonitor(w, { ok: true }, writes);
      if (cur.state === "closed" && !w.uncertain) return settleMonitor(w, { ok: true }, writes);
      if (w.uncertain) {
        const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 });
        if (comments.some((c) => (c.body ?? "").includes(`${RESOLVED_MARKER} ${JSON.stringify(key)}`))) return settleMonitor(w, { ok: true }, writes);
      }
      if (cur.state === "open") {
        writes++;
        await issues.edit(w.repo, number, { body, state: "closed" });
      }
      writes++;
      await issues.comment(w.repo, number, resolvedComment(w.view, key, onClosed));
      o.note?.({ msg: "relay monitor issue", action: "closed", repository: w.repo, identifier: w.ident, issue: number });
      return settleMonitor(w, { ok: true }, writes);
    } catch (error) {
      const status = (error as { status?: number }).status;
      o.note?.({ msg: "relay write failed", kind: `monitor ${w.op}`, repository: w.repo, status: status ?? null, error: oneLine(error instanceof Error ? error.message : String(error)).slice(0, 200) });
      settleMonitor(w, { ok: false }, writes);
    }
  }

  function settleMonitor(w: MonitorWrite, outcome: Parameters<MonitorBook["settle"]>[1], writes: number): void {
    const now = Date.now();
    counter.wrote(now, writes);
    book.settle(w, outcome, now);
  }

  async function perform(w: Write): Promise<void> {
    let writes = 0;
    try {
      const octokit = await o.octokitForRepo(w.repo);
      const gh = githubClient(octokit, o.webUrl);
      const [owner, repo] = w.repo.split("/") as [string, string];
      if (w.kind === "create") {
        const create = async (): Promise<void> => {
          if (o.share !== undefined) {
            // This replica's first occurrence, published; another replica's issue of this identifier is adopted.
            const inAll = await o.share.publish(w.repo, w.ident, counter.figures(w.repo, w.ident), true);
            if (inAll.issue !== undefined) {
              const theirs = await gh.get(w.repo, String(inAll.issue.number));
              if (theirs !== undefined && (theirs.state === "open" || onClosed === "reopen")) {
                if (theirs.state === "closed") {
                  writes++;
                  await gh.reopen!(w.repo, theirs.ref);
                }
                return settle(w, { ok: true, number: inAll.issue.number, url: inAll.issue.url, adopted: true }, writes);
              }
            }
          }
          // An issue for this identifier may be there already: this relay's own (an answer lost before a
          // kill), another replica's, or one filed by hand from the prefilled page.
          const found = await gh.search(w.repo, w.ident);
          // A create that may have landed (killed before its outcome was journaled) is filed again only
          // after a look: without search (rate limited), it waits for the next try.
          if (w.uncertain && found === undefined) throw new Error("search is unavailable: an issue that may have been filed is looked up before it is filed again");
          const mine = found?.find((r) => parseIssueBody(r.body)?.metadata?.reportId === w.report.reportId);
          let filedNow: { number: number; url: string; adopted?: boolean };
          const other = mine === undefined ? found?.find((r) => parseIssueBody(r.body)?.identifier === w.ident && (r.state === "open" || onClosed === "reopen")) : undefined;
          if (mine !== undefined) filedNow = { number: Number(mine.ref), url: mine.url };
          else if (other !== undefined) {
            if (other.state === "closed") {
              writes++;
              await gh.reopen!(w.repo, other.ref);
            }
            filedNow = { number: Number(other.ref), url: other.url, adopted: true };
          } else {
            const issue = renderRelayIssue(w.report);
            writes++;
            filedNow = filed(await gh.create(w.repo, { title: issue.title, body: issue.body, labels: [], assignees: [] }));
            o.note?.({ msg: "relay issue created", repository: w.repo, identifier: w.ident, issue: filedNow.number });
          }
          // Before the lock is let go: the next replica to file this identifier adopts this issue.
          await o.share?.publish(w.repo, w.ident, { ...counter.figures(w.repo, w.ident), issue: { number: filedNow.number, url: filedNow.url } }, false);
          return settle(w, { ok: true, ...filedNow }, writes);
        };
        if (o.share === undefined) return await create();
        const share = o.share;
        return await share.withLock(w.repo, w.ident, create);
      }
      if (w.kind === "count") {
        const count = async (): Promise<void> => {
          const key = `${w.message.replica}:${w.message.seq}`;
          if (w.uncertain) {
            const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: w.number, per_page: 100 });
            // Its own comment, or a comment it edited in place (which lists every message it carries).
            const tag = `"replica":${JSON.stringify(w.message.replica)},"seq":${w.message.seq},`;
            if (comments.some((c) => (c.body ?? "").includes(MARKER) && ((c.body ?? "").includes(tag) || (c.body ?? "").includes(JSON.stringify(key))))) return settle(w, { ok: true }, writes);
          }
          let number = w.number;
          let moved: { number: number; url: string } | undefined;
          const current = await gh.get(w.repo, String(w.number));
          if (current === undefined || current.state === "closed") {
            // Deleted or transferred: a new issue, as for onClosed "new" (from the latest report).
            if ((onClosed === "new" || current === undefined) && w.draft !== undefined) {
              const issue = renderRelayIssue(w.draft);
              writes++;
              moved = filed(await gh.create(w.repo, { title: issue.title, body: issue.body, labels: [], assignees: [] }));
              number = moved.number;
            } else {
              writes++;
              await gh.reopen!(w.repo, String(w.number));
            }
          }
          writes++;
          const message: CountText = { ...w.message, keys: [key] };
          if (o.share !== undefined) {
            const inAll = await o.share.publish(w.repo, w.ident, counter.figures(w.repo, w.ident), true);
            Object.assign(message, { total: inAll.total, totalMachines: inAll.machines, firstAt: inAll.first });
          }
          // The relay's last count message is the issue's latest comment (nobody answered since): it grows
          // in place instead of a new comment under it (one a day at most: a new one notifies watchers).
          // Only a comment the relay wrote itself: the issue's author (the relay filed it, as the App), not
          // another App's comment that carries the same marker.
          const last = current?.state === "open" ? await latestComment(octokit, owner, repo, number) : undefined;
          let earlier = last !== undefined ? editable(last, Date.now()) : undefined;
          if (earlier !== undefined) {
            const filedBy = (await octokit.rest.issues.get({ owner, repo, issue_number: number })).data.user?.login;
            if (filedBy === undefined || last?.user?.login !== filedBy) earlier = undefined;
          }
          if (last !== undefined && earlier !== undefined) await octokit.rest.issues.updateComment({ owner, repo, comment_id: last.id, body: countBody(mergeCount(earlier, message), maxAge) });
          else await gh.comment(w.repo, String(number), countBody(message, maxAge));
          return settle(w, { ok: true, ...(moved !== undefined ? moved : {}) }, writes);
        };
        // In turn with the other replicas' messages of this identifier, each saying the figures in all.
        if (o.share === undefined) return await count();
        const share = o.share;
        return await share.withLock(w.repo, w.ident, count);
      }
      const body = heldBody(w.held);
      writes++;
      if (w.number === undefined) {
        const created = filed(await gh.create(w.repo, { title: "Reports held back by the bugbeacon relay", body, labels: [], assignees: [] }));
        return settle(w, { ok: true, number: created.number, url: created.url }, writes);
      }
      await gh.comment(w.repo, String(w.number), body);
      return settle(w, { ok: true }, writes);
    } catch (error) {
      const status = (error as { status?: number }).status;
      o.note?.({ msg: "relay write failed", kind: w.kind, repository: w.repo, status: status ?? null, error: oneLine(error instanceof Error ? error.message : String(error)).slice(0, 200) });
      settle(w, { ok: false }, writes);
    }
  }

  function settle(w: Write, outcome: Parameters<RelayCounter["settle"]>[1], writes: number): void {
    const now = Date.now();
    counter.wrote(now, writes);
    counter.settle(w, outcome, now);
    if (w.kind !== "held") {
      const key = `${w.repo} ${w.ident}`;
      for (const resolve of waiters.get(key) ?? []) resolve();
      waiters.delete(key);
    }
  }

  /** The checks at the door every route shares: shutting down, the address's budget, type and size. The body's text, or the answer. */
  async function door(req: IncomingMessage, res: ServerResponse): Promise<string | HttpAnswer> {
    if (draining) {
      req.resume();
      res.setHeader("connection", "close");
      return new HttpAnswer(503, "shutting down", { error: "the relay is shutting down: send again later" }, { "retry-after": "5" });
    }
    const wait = budget.take(req.socket.remoteAddress ?? "", Date.now());
    if (wait > 0) {
      req.resume();
      return new HttpAnswer(429, "refused: budget", { error: "too many reports from this address: send again later" }, { "retry-after": String(Math.ceil(wait / 1000)) });
    }
    const type = (header(req, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") {
      req.resume();
      return new HttpAnswer(415, "refused: content type", { error: "expected content type application/json" });
    }
    if (Number(header(req, "content-length") ?? "0") > MAX_REPORT_BYTES) {
      req.pause();
      return new HttpAnswer(413, "refused: too large", { error: `the body is over ${MAX_REPORT_BYTES} bytes` });
    }
    const body = await readBody(req, MAX_REPORT_BYTES);
    if (body === "too large") return new HttpAnswer(413, "refused: too large", { error: `the body is over ${MAX_REPORT_BYTES} bytes` });
    return decodeBody(body, header(req, "content-encoding"));
  }

  /** A monitor's failure: validated, redacted again, journaled and synced before the answer. */
  async function monitorIntake(req: IncomingMessage, res: ServerResponse): Promise<HttpAnswer> {
    const text = await door(req, res);
    if (text instanceof HttpAnswer) return text;
    const f = parseMonitorFailure(text);
    const repo = served.get(f.repo.toLowerCase());
    if (repo === undefined) throw new RelayRefusedError(403, "repo", "this relay does not file reports for that repository");
    f.repo = repo;
    // Redacted again before anything is kept (the identifier was checked against the name as sent).
    const redact = relayRedactor();
    f.name = oneLineCut(redact(f.name), 200);
    f.details = oneLineCut(redact(f.details), MAX_DETAILS);
    const keys = new Map<string, string>();
    for (const x of f.failures) {
      const k = oneLineCut(redact(x.key), MAX_KEY);
      if (k !== "" && !keys.has(k)) keys.set(k, oneLineCut(redact(x.details), MAX_DETAILS));
    }
    f.failures = [...keys].map(([key, details]) => ({ key, details }));
    if (f.details === "" && f.failures.length === 0) f.details = "the check failed";
    const answer = book.fail(f, machineOf(f.install), Date.now());
    if (mjournal.lines >= Math.max(10_000, 2 * book.rememberedIds)) {
      compactDue = true;
      wake();
    }
    await mjournal.durable();
    if (!answer.duplicate) wake();
    return new HttpAnswer(202, answer.status, { status: answer.status, ...(answer.url !== undefined ? { url: answer.url } : {}), ...(answer.duplicate ? { duplicate: true } : {}) });
  }

  async function intake(req: IncomingMessage, res: ServerResponse): Promise<HttpAnswer> {
    const text = await door(req, res);
    if (text instanceof HttpAnswer) return text;
    const report = parseRelayReport(text);
    const repo = served.get(report.repo.toLowerCase());
    if (repo === undefined) throw new RelayRefusedError(403, "repo", "this relay does not file reports for that repository");
    report.repo = repo;
    // Redacted again before anything is kept: the journal never holds what the redactor would remove.
    const redact = relayRedactor();
    report.title = redact(report.title);
    report.text = redact(report.text);
    report.metadata.environment = Object.fromEntries(Object.entries(report.metadata.environment).map(([k, v]) => [k, redact(v)]));
    const answer = counter.accept(report, machineOf(report.install), Date.now());
    // A snapshot carries every remembered report id: compacting after twice as many lines keeps its cost per report flat.
    if (journal.lines >= Math.max(100_000, 2 * counter.rememberedIds)) {
      compactDue = true;
      wake();
    }
    // On stable storage before the answer: an answered report survives a kill and a power cut.
    await journal.durable();
    if (answer.dueAt !== undefined) wake();
    let status = answer.status;
    let url = answer.url;
    if (status === "queued" && !answer.duplicate && answerWithin > 0) {
      // Its issue is being filed: the answer waits a little for it, so the client can show the URL.
      const key = `${answer.repo} ${answer.ident}`;
      let t: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        const list = waiters.get(key) ?? [];
        list.push(resolve);
        waiters.set(key, list);
        t = setTimeout(resolve, answerWithin);
      });
      clearTimeout(t);
      // "created" when this report opened the issue; "counted" when an existing one was found (and reopened).
      const now = counter.answerNow(answer.repo, answer.ident, report.reportId);
      if (now?.url !== undefined) {
        status = now.status;
        url = now.url;
      }
    }
    return new HttpAnswer(202, status, { status, ...(url !== undefined ? { url } : {}), ...(answer.duplicate ? { duplicate: true } : {}) });
  }

  const route = (what: "reports" | "monitor failures", handle: typeof intake): Route => async (req, res, started) => {
    if (!requirePost(req, res, what)) return;
    let answer: HttpAnswer;
    try {
      answer = await handle(req, res);
    } catch (error) {
      if (error instanceof RelayRefusedError) answer = new HttpAnswer(error.status, `refused: ${error.field}`, { error: error.message, field: error.field });
      else {
        o.note?.({ msg: "relay internal error", error: error instanceof Error ? error.name : "unknown" });
        answer = new HttpAnswer(503, "failed", { error: "the relay could not store the report: send again later" }, { "retry-after": "30" });
      }
    }
    // No address, no install id, no report text: the decision and the time only.
    o.log?.({ msg: what === "reports" ? "report" : "monitor failure", status: answer.status, decision: answer.decision, ms: Math.round(performance.now() - started) });
    send(res, answer.status, answer.body, answer.headers);
    discardRest(req);
  };

  return {
    routes: { "/v1/reports": route("reports", intake), "/v1/monitor-failures": route("monitor failures", monitorIntake) },
    counter,
    monitors: book,
    resume() {
      if (replayed > 0) o.note?.({ msg: "relay journal replayed", entries: replayed, ...counter.totals() });
      if (mreplayed > 0) o.note?.({ msg: "relay monitor journal replayed", entries: mreplayed, ...book.totals() });
      wake();
    },
    async close() {
      draining = true;
      clearInterval(compactTimer);
      if (timer !== undefined) clearTimeout(timer);
      await pumping;
      for (const list of waiters.values()) for (const resolve of list) resolve();
      journal.close();
      mjournal.close();
      await o.share?.dispose();
    },
  };
}

/**
 * What a count comment says. `machines` is absent once the comment carries several messages (edited in
 * place): distinct machines over them are in the "in all" figures. `keys` names every message it carries
 * (`replica:seq`), so a write whose outcome was lost is found in it.
 */
export type CountText = Omit<CountMessage, "machines"> & { machines?: number | undefined; keys: string[] };

/** At most this many messages in one comment, and one comment edited for at most a day: then a new one. */
const MAX_KEYS = 200;
const EDIT_WITHIN_MS = 86_400_000;
/** Versions and platforms kept in a comment's hidden line (the most frequent). */
const MAX_LISTED = 50;

/** The count message: figures in words, and the same figures in a hidden line the relay finds again. */
export function countBody(m: CountText, machineMaxAgeMs = 30 * 86_400_000): string {
  const list = (xs: Array<[string, number]>) =>
    xs
      .slice(0, 10)
      .map(([k, n]) => `${plain(k)} (${n})`)
      .join(", ") + (xs.length > 10 ? `, and ${xs.length - 10} more` : "");
  const times = m.occurrences === 1 ? "once" : `${m.occurrences} times`;
  const on = m.machines === undefined ? "" : m.machines === 1 ? " on 1 machine" : ` on ${m.machines} machines`;
  const meta = JSON.stringify({
    replica: m.replica,
    seq: m.seq,
    identifier: m.identifier,
    occurrences: m.occurrences,
    ...(m.machines !== undefined ? { machines: m.machines } : {}),
    total: m.total,
    totalMachines: m.totalMachines,
    since: m.since,
    firstAt: m.firstAt,
    versions: m.versions.slice(0, MAX_LISTED),
    platforms: m.platforms.slice(0, MAX_LISTED),
    keys: m.keys,
  })
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e");
  return [
    `Seen again ${times}${on} since ${new Date(m.since).toISOString()}.`,
    "",
    `Versions: ${list(m.versions)}. Platforms: ${list(m.platforms)}.`,
    "",
    `Counted by the relay in all: ${m.total} times on ${m.totalMachines} machines since ${new Date(m.firstAt).toISOString()} (a machine is counted for ${duration(machineMaxAgeMs)} after its last report).`,
    ...(m.keys.length > 1 ? ["", `(This message is updated in place while it is the latest comment here; last at ${new Date().toISOString()}.)`] : []),
    "",
    `<!-- ${MARKER} ${meta} -->`,
  ].join("\n");
}

function duration(ms: number): string {
  const [n, unit] = ms % 86_400_000 === 0 ? [ms / 86_400_000, "day"] : ms % 3_600_000 === 0 ? [ms / 3_600_000, "hour"] : [Math.round(ms / 1000), "second"];
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** One comment carrying both: the occurrences, versions and platforms add up; the "in all" figures are the newer. */
export function mergeCount(earlier: CountText, m: CountText): CountText {
  const add = (a: Array<[string, number]>, b: Array<[string, number]>) => {
    const sum = new Map(a);
    for (const [k, n] of b) sum.set(k, (sum.get(k) ?? 0) + n);
    return [...sum].sort((x, y) => y[1] - x[1]);
  };
  return {
    ...m,
    occurrences: earlier.occurrences + m.occurrences,
    machines: undefined,
    since: Math.min(earlier.since, m.since),
    versions: add(earlier.versions, m.versions),
    platforms: add(earlier.platforms, m.platforms),
    keys: [...earlier.keys, ...m.keys],
  };
}

/** The figures of a comment the relay may edit in place: its own count message, recent, with room left. */
function editable(c: { body?: string | null | undefined; user: { type?: string; login?: string } | null; created_at: string }, now: number): CountText | undefined {
  if (c.user?.type !== "Bot" || now - Date.parse(c.created_at) > EDIT_WITHIN_MS) return undefined;
  const found = new RegExp(`<!-- ${MARKER} (\\{.*\\}) -->`).exec(c.body ?? "");
  if (found === null) return undefined;
  let v: Partial<CountText>;
  try {
    v = JSON.parse(found[1]!) as Partial<CountText>;
  } catch {
    return undefined;
  }
  const pairs = (x: unknown): x is Array<[string, number]> => Array.isArray(x) && x.every((p) => Array.isArray(p) && typeof p[0] === "string" && Number.isSafeInteger(p[1]));
  const whole = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
  if (!whole(v.occurrences) || !whole(v.since) || !pairs(v.versions) || !pairs(v.platforms) || !Array.isArray(v.keys) || !v.keys.every((k) => typeof k === "string")) return undefined;
  if (v.keys.length >= MAX_KEYS) return undefined;
  return v as CountText;
}

/** The issue's latest comment: the last page of its comments (at most two requests). */
async function latestComment(octokit: Octokit, owner: string, repo: string, number: number) {
  const first = await octokit.rest.issues.listComments({ owner, repo, issue_number: number, per_page: 100 });
  const lastLink = (first.headers.link ?? "").split(",").find((l) => /;\s*rel="last"/.test(l));
  const lastPage = lastLink !== undefined ? new URL(/<([^>]+)>/.exec(lastLink)?.[1] ?? "http://x/").searchParams.get("page") ?? undefined : undefined;
  const page = lastPage !== undefined ? (await octokit.rest.issues.listComments({ owner, repo, issue_number: number, per_page: 100, page: Number(lastPage) })).data : first.data;
  return page.at(-1);
}

/** The held issue's text: identifiers waiting for the repository's new-issue budget, most seen first. */
export function heldBody(lines: HeldLine[]): string {
  if (lines.length === 0) return "Every held report has its own issue now.";
  const rows = lines.slice(0, 200).map((l) => `| \`${l.identifier}\` | ${plain(inline(relayRedactor()(l.title))).slice(0, 200)} | ${l.occurrences} | ${new Date(l.since).toISOString()} |`);
  return [
    "The relay reached this repository's budget of new issues per hour. These problems are counted and get their own issue, most-seen first, as the budget allows:",
    "",
    "| Identifier | Title | Times | Since |",
    "|---|---|---|---|",
    ...rows,
    ...(lines.length > 200 ? ["", `and ${lines.length - 200} more.`] : []),
  ].join("\n");
}

/**
 * Reports per client address per minute (a token bucket). The address is keyed with a secret made at
 * start (HMAC-SHA256): the map holds no address, only this process's keyed hashes, in memory, and forgets
 * a client once its bucket is full again.
 */
export function addressBudget(perMinute: number): { take(address: string, now: number): number } {
  const key = randomBytes(32);
  const buckets = new Map<string, { tokens: number; at: number }>();
  const burst = Math.max(1, Math.ceil(perMinute / 2));
  const rate = perMinute / 60_000;
  let swept = 0;
  return {
    take(address, now) {
      if (now - swept > 60_000) {
        swept = now;
        for (const [k, b] of buckets) if (b.tokens + (now - b.at) * rate >= burst) buckets.delete(k);
      }
      const k = createHmac("sha256", key).update(address).digest("base64url").slice(0, 22);
      const b = buckets.get(k) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + (now - b.at) * rate);
      b.at = now;
      buckets.set(k, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - b.tokens) / rate);
    },
  };
}

/** GitHub files an issue at once (it holds none for moderation): its number and page. */
function filed(created: { ref: string; url: string } | { pending: string }): { number: number; url: string } {
  if ("pending" in created) throw new Error(`GitHub held the issue for moderation (${created.pending}): nothing to count on yet`);
  return { number: Number(created.ref), url: created.url };
}
