/**
 * Counting in one place: the relay's state machine, free of I/O and of the clock (the caller passes `now`),
 * so the scale simulation drives exactly this code with a virtual clock.
 *
 * - Every accepted report is an occurrence of its (repository, identifier). The first one of an identifier
 *   the relay has no issue for becomes the issue (a `create` write); every other one is counted, and at
 *   most once per period an identifier's counted occurrences go out as one `count` message: how many, on
 *   how many distinct machines (per-install random ids, hashed), versions, platforms, since when.
 * - Write-ahead: every change is a journal entry written before it is applied (`journal(entry)` must have
 *   stored it when it returns). A restart replays the journal through the same `apply`, so counts survive;
 *   a write whose intent is journaled without its outcome is `uncertain` and is looked up before it is
 *   made again (it may have landed), so nothing is lost or doubled.
 * - The report id is the idempotency key: a report retried within `idempotencyMs` counts once.
 * - The relay paces itself: at most `writesPerHour` and `writesPerMinute` GitHub writes in any rolling
 *   hour and minute, and at most `newIssuesPerHour` new issues per repository; identifiers beyond that are
 *   held (counted, listed in one "held" issue) and filed, most-seen first, when the budget allows.
 */
import { Journaled } from "./journaled.js";
import type { RelayReport } from "./report.js";

export interface CounterOptions {
  /** Names this process in its messages (one journal per replica). */
  replica: string;
  /** @default 3_600_000 (one message per identifier per hour) */
  periodMs?: number;
  /** @default 100 */
  writesPerHour?: number;
  /** @default 20 */
  writesPerMinute?: number;
  /** Per repository. @default 60 */
  newIssuesPerHour?: number;
  /** @default 48 h */
  idempotencyMs?: number;
  /** Report ids remembered at most (the oldest are forgotten first). @default 1,000,000 */
  rememberIds?: number;
}

/** One line of the journal. `seq` grows by one per entry. */
export type JournalEntry =
  | { k: "occ"; seq: number; id: string; repo: string; ident: string; m: number; v: string; p: string; at: number; report?: RelayReport }
  | { k: "intent"; seq: number; op: WriteKind; repo: string; ident?: string; at: number }
  | { k: "done"; seq: number; intent: number; at: number; number?: number; url?: string; adopted?: boolean }
  | { k: "fail"; seq: number; intent: number; at: number; retryAt: number }
  /** Everything the lines before it said, in one line (the journal is compacted to this at start). */
  | { k: "snap"; seq: number; snap: Snapshot };

interface TallySnap {
  count: number;
  machines: number[];
  versions: Array<[string, number]>;
  platforms: Array<[string, number]>;
  since: number;
}

/** The counter's whole state; `null` stands for "never" (JSON has no -Infinity). */
export interface Snapshot {
  bugs: Array<{
    repo: string;
    ident: string;
    issue?: { number: number; url: string };
    draft?: RelayReport;
    creatorId?: string;
    firstAt: number;
    total: number;
    /** Machine hash and the time of its last report (an older snapshot has the hash alone). */
    machines: Array<[number, number] | number>;
    pending: TallySnap;
    inflight?: { intent: number; tally: TallySnap };
    creating?: number;
    lastMessageAt: number | null;
    retryAt: number;
    failures: number;
    held: boolean;
  }>;
  repos: Array<{ name: string; creates: number[]; held?: { number: number; url: string }; heldChanged: boolean; lastHeldAt: number | null; heldIntent?: number; heldRetryAt: number }>;
  /** Report ids within the idempotency window: id, bug key, time. */
  seen: Array<[string, string, number]>;
  /** Intents without an outcome: they are looked up before being made again. */
  open: Array<[number, WriteKind, string]>;
  writes: number[];
  sent: number;
}

export type WriteKind = "create" | "count" | "held";

/** A write the relay makes now; `uncertain` ones must first be looked up (`marker` in what was written). */
export type Write =
  | { kind: "create"; intent: number; repo: string; ident: string; report: RelayReport; uncertain: boolean }
  | { kind: "count"; intent: number; repo: string; ident: string; number: number; message: CountMessage; draft: RelayReport | undefined; uncertain: boolean }
  | { kind: "held"; intent: number; repo: string; number: number | undefined; held: HeldLine[]; uncertain: boolean };

export interface CountMessage {
  replica: string;
  /** The intent's sequence number: with the replica, names this message (found again after a restart). */
  seq: number;
  identifier: string;
  occurrences: number;
  machines: number;
  versions: Array<[string, number]>;
  platforms: Array<[string, number]>;
  since: number;
  total: number;
  totalMachines: number;
  firstAt: number;
}

export interface HeldLine {
  identifier: string;
  title: string;
  occurrences: number;
  since: number;
}

/** `dueAt`: when this report may make a write due (ask `next` then), absent when it changes no schedule. */
export type AcceptAnswer = { status: "created" | "counted" | "queued" | "held"; url?: string; duplicate: boolean; repo: string; ident: string; dueAt?: number };

interface Tally {
  count: number;
  machines: Set<number>;
  versions: Map<string, number>;
  platforms: Map<string, number>;
  since: number;
}

interface Bug {
  repo: string;
  ident: string;
  issue?: { number: number; url: string };
  /** The report an issue is made from (the first occurrence; the latest once filed, for onClosed "new"). */
  draft?: RelayReport;
  /** The occurrence that is (or becomes) the issue itself. */
  creatorId?: string | undefined;
  firstAt: number;
  total: number;
  /** Machine hash → time of its last report (forgotten after the age limit: forgetMachinesBefore). */
  machines: Map<number, number>;
  pending: Tally;
  /** Counted into a message being written (intent journaled, outcome not yet). */
  inflight?: { intent: number; tally: Tally } | undefined;
  creating?: number | undefined;
  lastMessageAt: number;
  retryAt: number;
  failures: number;
  held: boolean;
}

interface RepoState {
  creates: number[];
  held?: { number: number; url: string };
  heldChanged: boolean;
  lastHeldAt: number;
  heldIntent?: number | undefined;
  heldRetryAt: number;
}

const tally = (since: number): Tally => ({ count: 0, machines: new Set(), versions: new Map(), platforms: new Map(), since });

export class RelayCounter extends Journaled<JournalEntry> {
  readonly periodMs: number;
  private readonly writesPerHour: number;
  private readonly writesPerMinute: number;
  private readonly newIssuesPerHour: number;
  private readonly idempotencyMs: number;
  private readonly bugs = new Map<string, Bug>();
  private readonly repos = new Map<string, RepoState>();
  /** Report id → bug key, oldest first (Map keeps insertion order). */
  private readonly seen = new Map<string, { key: string; at: number }>();
  /** The same ids in arrival order, to forget the old ones without walking the map's holes. */
  private seenOrder: string[] = [];
  private seenHead = 0;
  private readonly writes: number[] = [];
  /** Intents journaled without an outcome: after a replay, these are looked up before being made again. */
  private readonly open = new Map<number, { kind: WriteKind; key: string; uncertain: boolean }>();

  constructor(
    readonly options: CounterOptions,
    journal: (entry: JournalEntry) => void,
  ) {
    super(journal);
    this.periodMs = options.periodMs ?? 3_600_000;
    this.writesPerHour = options.writesPerHour ?? 100;
    this.writesPerMinute = options.writesPerMinute ?? 20;
    this.newIssuesPerHour = options.newIssuesPerHour ?? 60;
    this.idempotencyMs = options.idempotencyMs ?? 48 * 3_600_000;
  }

  /** An accepted report (already validated and checked against the served repositories). */
  accept(report: RelayReport, machine: number, now: number): AcceptAnswer {
    this.expire(now);
    const key = `${report.repo} ${report.metadata.identifier}`;
    const earlier = this.seen.get(report.reportId);
    if (earlier !== undefined) return { ...this.answer(this.bugs.get(earlier.key)!, report.reportId), duplicate: true };
    const bug = this.bugs.get(key);
    const becomesIssue = bug === undefined || (bug.issue === undefined && bug.creatorId === undefined);
    this.write({
      k: "occ",
      seq: ++this.seq,
      id: report.reportId,
      repo: report.repo,
      ident: report.metadata.identifier,
      m: machine,
      v: report.metadata.app?.version ?? "unknown",
      p: `${report.metadata.platform.os} ${report.metadata.platform.arch}`,
      at: now,
      // The install id is counted as its hash (`m`) only: the kept copy of the report does not carry it.
      ...(becomesIssue ? { report: { ...report, install: "" } } : {}),
    });
    const after = this.bugs.get(key)!;
    // Once filed, the latest report is what a new issue would be made from (onClosed "new"). Before, the
    // issue is made from its creator's report: a create that may have landed before a kill is looked up by
    // that report's id, so the draft must not change under it.
    if (!becomesIssue && after.issue !== undefined) after.draft = report;
    const answer: AcceptAnswer = { ...this.answer(after, report.reportId), duplicate: false };
    if (becomesIssue) answer.dueAt = now;
    else if (after.pending.count === 1 && after.issue !== undefined) answer.dueAt = Math.max(now, after.lastMessageAt + this.periodMs);
    return answer;
  }

  private answer(bug: Bug, reportId: string): Omit<AcceptAnswer, "duplicate"> {
    const base = { repo: bug.repo, ident: bug.ident };
    if (bug.issue !== undefined) return { ...base, status: bug.creatorId === reportId ? "created" : "counted", url: bug.issue.url };
    return { ...base, status: bug.held ? "held" : "queued" };
  }

  /** The answer for a report now (for an answer that waits a little for its identifier's issue). */
  answerNow(repo: string, ident: string, reportId: string): Omit<AcceptAnswer, "duplicate"> | undefined {
    const bug = this.bugs.get(`${repo} ${ident}`);
    return bug === undefined ? undefined : this.answer(bug, reportId);
  }

  private expire(now: number): void {
    const max = this.options.rememberIds ?? 1_000_000;
    while (this.seenHead < this.seenOrder.length) {
      const id = this.seenOrder[this.seenHead]!;
      const s = this.seen.get(id);
      if (s !== undefined && now - s.at < this.idempotencyMs && this.seen.size <= max) break;
      this.seen.delete(id);
      this.seenHead++;
    }
    if (this.seenHead > 65_536 && this.seenHead * 2 > this.seenOrder.length) {
      this.seenOrder = this.seenOrder.slice(this.seenHead);
      this.seenHead = 0;
    }
  }

  /** When the next write may go out (ms, on the caller's clock), ignoring whether there is one. */
  private writeAllowedAt(now: number): number {
    while (this.writes.length > 0 && this.writes[0]! <= now - 3_600_000) this.writes.shift();
    let at = now;
    if (this.writes.length >= this.writesPerHour) at = Math.max(at, this.writes[this.writes.length - this.writesPerHour]! + 3_600_000);
    const lastMinute = this.writes.filter((t) => t > now - 60_000);
    if (lastMinute.length >= this.writesPerMinute) at = Math.max(at, lastMinute[lastMinute.length - this.writesPerMinute]! + 60_000);
    return at;
  }

  /** When a write the counter does not plan itself (a monitor's issue, monitors.ts) may go out under the same pacing. */
  writeAllowedFrom(now: number): number {
    return this.writeAllowedAt(now);
  }

  /**
   * Takes one new issue of `repo`'s hourly budget for a write the counter does not plan (a monitor's
   * issue): 0 when taken, else when to ask again. Kept in memory and in the next snapshot, as `writes` are.
   */
  takeNewIssue(repo: string, now: number): number {
    const r = this.repo(repo);
    while (r.creates.length > 0 && r.creates[0]! <= now - 3_600_000) r.creates.shift();
    if (r.creates.length >= this.newIssuesPerHour) return r.creates[r.creates.length - this.newIssuesPerHour]! + 3_600_000;
    r.creates.push(now);
    return 0;
  }

  /** Records `n` writes made at `now` (made by the caller, for pacing). */
  wrote(now: number, n = 1): void {
    for (let i = 0; i < n; i++) this.writes.push(now);
  }

  private repo(name: string): RepoState {
    let r = this.repos.get(name);
    if (r === undefined) {
      r = { creates: [], heldChanged: false, lastHeldAt: -Infinity, heldRetryAt: 0 };
      this.repos.set(name, r);
    }
    return r;
  }

  /**
   * The next write to make now, its intent journaled; or the time (ms) to ask again; or undefined when
   * nothing waits. Uncertain writes (left by a killed run) come first and cost no budget until made.
   */
  next(now: number): Write | { waitUntil: number } | undefined {
    for (const [intent, o] of this.open) {
      if (!o.uncertain) continue;
      // Made once more, after a look: from here it is in flight in this run.
      o.uncertain = false;
      if (o.kind === "held") {
        const r = this.repo(o.key);
        return { kind: "held", intent, repo: o.key, number: r.held?.number, held: this.heldLines(o.key), uncertain: true };
      }
      const bug = this.bugs.get(o.key)!;
      if (o.kind === "create") return { kind: "create", intent, repo: bug.repo, ident: bug.ident, report: bug.draft!, uncertain: true };
      return { kind: "count", intent, repo: bug.repo, ident: bug.ident, number: bug.issue!.number, message: this.message(bug, intent), draft: bug.draft, uncertain: true };
    }
    let wait = Infinity;
    const allowed = this.writeAllowedAt(now);
    let bestCreate: Bug | undefined;
    let bestCount: Bug | undefined;
    for (const bug of this.bugs.values()) {
      if (bug.creating !== undefined || bug.inflight !== undefined) continue;
      if (bug.retryAt > now) {
        wait = Math.min(wait, bug.retryAt);
        continue;
      }
      if (bug.issue === undefined) {
        if (bug.draft !== undefined && (bestCreate === undefined || bug.total > bestCreate.total)) bestCreate = bug;
      } else if (bug.pending.count > 0) {
        const due = bug.lastMessageAt + this.periodMs;
        if (due > now) wait = Math.min(wait, due);
        else if (bestCount === undefined || bug.pending.since < bestCount.pending.since) bestCount = bug;
      }
    }
    if (bestCreate !== undefined) {
      const r = this.repo(bestCreate.repo);
      while (r.creates.length > 0 && r.creates[0]! <= now - 3_600_000) r.creates.shift();
      if (r.creates.length >= this.newIssuesPerHour) {
        // Beyond the repository's budget: held, listed in the held issue, filed when the budget allows.
        for (const bug of this.bugs.values()) {
          if (bug.repo === bestCreate.repo && bug.issue === undefined && !bug.held && bug.creating === undefined) {
            bug.held = true;
            r.heldChanged = true;
          }
        }
        wait = Math.min(wait, r.creates[r.creates.length - this.newIssuesPerHour]! + 3_600_000);
        bestCreate = undefined;
      }
    }
    const heldDue = [...this.repos.entries()].find(([, r]) => r.heldChanged && r.heldIntent === undefined && r.lastHeldAt + this.periodMs <= now && r.heldRetryAt <= now);
    for (const r of this.repos.values()) if (r.heldChanged && r.heldIntent === undefined) wait = Math.min(wait, Math.max(r.lastHeldAt + this.periodMs, r.heldRetryAt));
    if (bestCreate === undefined && bestCount === undefined && heldDue === undefined) return Number.isFinite(wait) ? { waitUntil: Math.max(wait, allowed) } : undefined;
    if (allowed > now) return { waitUntil: allowed };
    const seq = ++this.seq;
    if (bestCreate !== undefined) {
      this.write({ k: "intent", seq, op: "create", repo: bestCreate.repo, ident: bestCreate.ident, at: now });
      return { kind: "create", intent: seq, repo: bestCreate.repo, ident: bestCreate.ident, report: bestCreate.draft!, uncertain: false };
    }
    if (bestCount !== undefined) {
      this.write({ k: "intent", seq, op: "count", repo: bestCount.repo, ident: bestCount.ident, at: now });
      return { kind: "count", intent: seq, repo: bestCount.repo, ident: bestCount.ident, number: bestCount.issue!.number, message: this.message(bestCount, seq), draft: bestCount.draft, uncertain: false };
    }
    const [repoName, r] = heldDue!;
    this.write({ k: "intent", seq, op: "held", repo: repoName, at: now });
    return { kind: "held", intent: seq, repo: repoName, number: r.held?.number, held: this.heldLines(repoName), uncertain: false };
  }

  private heldLines(repo: string): HeldLine[] {
    const lines: HeldLine[] = [];
    for (const bug of this.bugs.values()) {
      if (bug.repo === repo && bug.held && bug.issue === undefined) lines.push({ identifier: bug.ident, title: bug.draft?.title ?? "", occurrences: bug.total, since: bug.firstAt });
    }
    return lines.sort((a, b) => b.occurrences - a.occurrences);
  }

  private message(bug: Bug, seq: number): CountMessage {
    const t = bug.inflight!.tally;
    const top = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
    return {
      replica: this.options.replica,
      seq,
      identifier: bug.ident,
      occurrences: t.count,
      machines: t.machines.size,
      versions: top(t.versions),
      platforms: top(t.platforms),
      since: t.since,
      total: bug.total,
      totalMachines: bug.machines.size,
      firstAt: bug.firstAt,
    };
  }

  /** The outcome of a write: done (with the issue for create and held), or failed (tried again later). */
  settle(write: Write, outcome: { ok: true; number?: number; url?: string; adopted?: boolean } | { ok: false }, now: number): void {
    if (outcome.ok) {
      this.write({
        k: "done",
        seq: ++this.seq,
        intent: write.intent,
        at: now,
        ...(outcome.number !== undefined ? { number: outcome.number } : {}),
        ...(outcome.url !== undefined ? { url: outcome.url } : {}),
        ...(outcome.adopted === true ? { adopted: true } : {}),
      });
      return;
    }
    const o = this.open.get(write.intent);
    const bug = o !== undefined ? this.bugs.get(o.key) : undefined;
    const failures = (bug?.failures ?? 0) + 1;
    const retryAt = now + Math.min(60_000 * 2 ** Math.min(failures - 1, 6), 3_600_000);
    this.write({ k: "fail", seq: ++this.seq, intent: write.intent, at: now, retryAt });
  }

  /** The state as one journal line (write it, and it replaces every line before it). */
  snapshot(): JournalEntry {
    const t = (x: Tally): TallySnap => ({ count: x.count, machines: [...x.machines], versions: [...x.versions], platforms: [...x.platforms], since: x.since });
    const never = (n: number) => (Number.isFinite(n) ? n : null);
    const snap: Snapshot = {
      bugs: [...this.bugs.values()].map((b) => ({
        repo: b.repo,
        ident: b.ident,
        ...(b.issue !== undefined ? { issue: b.issue } : {}),
        // The report an issue is made from is kept only until the issue is there.
        ...(b.draft !== undefined && b.issue === undefined ? { draft: b.draft } : {}),
        ...(b.creatorId !== undefined ? { creatorId: b.creatorId } : {}),
        firstAt: b.firstAt,
        total: b.total,
        machines: [...b.machines],
        pending: t(b.pending),
        ...(b.inflight !== undefined ? { inflight: { intent: b.inflight.intent, tally: t(b.inflight.tally) } } : {}),
        ...(b.creating !== undefined ? { creating: b.creating } : {}),
        lastMessageAt: never(b.lastMessageAt),
        retryAt: b.retryAt,
        failures: b.failures,
        held: b.held,
      })),
      repos: [...this.repos.entries()].map(([name, r]) => ({
        name,
        creates: r.creates,
        ...(r.held !== undefined ? { held: r.held } : {}),
        heldChanged: r.heldChanged,
        lastHeldAt: never(r.lastHeldAt),
        ...(r.heldIntent !== undefined ? { heldIntent: r.heldIntent } : {}),
        heldRetryAt: r.heldRetryAt,
      })),
      seen: [...this.seen.entries()].map(([id, v]) => [id, v.key, v.at]),
      open: [...this.open.entries()].map(([seq, o]) => [seq, o.kind, o.key]),
      writes: [...this.writes],
      sent: this.sent,
    };
    return { k: "snap", seq: this.seq, snap };
  }

  private restore(s: Snapshot): void {
    const t = (x: TallySnap): Tally => ({ count: x.count, machines: new Set(x.machines), versions: new Map(x.versions), platforms: new Map(x.platforms), since: x.since });
    this.bugs.clear();
    this.repos.clear();
    this.seen.clear();
    this.seenOrder = [];
    this.seenHead = 0;
    this.open.clear();
    for (const b of s.bugs) {
      this.bugs.set(`${b.repo} ${b.ident}`, {
        repo: b.repo,
        ident: b.ident,
        ...(b.issue !== undefined ? { issue: b.issue } : {}),
        ...(b.draft !== undefined ? { draft: b.draft } : {}),
        creatorId: b.creatorId,
        firstAt: b.firstAt,
        total: b.total,
        machines: new Map(b.machines.map((m) => (typeof m === "number" ? [m, Math.max(b.firstAt, b.lastMessageAt ?? b.firstAt)] : m))),
        pending: t(b.pending),
        inflight: b.inflight !== undefined ? { intent: b.inflight.intent, tally: t(b.inflight.tally) } : undefined,
        creating: b.creating,
        lastMessageAt: b.lastMessageAt ?? -Infinity,
        retryAt: b.retryAt,
        failures: b.failures,
        held: b.held,
      });
    }
    for (const r of s.repos) {
      this.repos.set(r.name, { creates: r.creates, ...(r.held !== undefined ? { held: r.held } : {}), heldChanged: r.heldChanged, lastHeldAt: r.lastHeldAt ?? -Infinity, heldIntent: r.heldIntent, heldRetryAt: r.heldRetryAt });
    }
    for (const [id, key, at] of s.seen) {
      this.seen.set(id, { key, at });
      this.seenOrder.push(id);
    }
    for (const [seq, kind, key] of s.open) this.open.set(seq, { kind, key, uncertain: this.replaying });
    this.writes.splice(0, this.writes.length, ...s.writes);
    this.sent = s.sent;
  }

  protected apply(e: JournalEntry): void {
    switch (e.k) {
      case "snap":
        this.restore(e.snap);
        return;
      case "occ": {
        const key = `${e.repo} ${e.ident}`;
        let bug = this.bugs.get(key);
        if (bug === undefined) {
          bug = { repo: e.repo, ident: e.ident, firstAt: e.at, total: 0, machines: new Map(), pending: tally(e.at), lastMessageAt: -Infinity, retryAt: 0, failures: 0, held: false };
          this.bugs.set(key, bug);
        }
        this.seen.set(e.id, { key, at: e.at });
        this.seenOrder.push(e.id);
        bug.total++;
        bug.machines.set(e.m, Math.max(bug.machines.get(e.m) ?? e.at, e.at));
        if (e.report !== undefined && bug.issue === undefined && bug.creatorId === undefined) {
          bug.creatorId = e.id;
          bug.draft = e.report;
          return;
        }
        const t = bug.pending;
        if (t.count === 0) t.since = e.at;
        t.count++;
        t.machines.add(e.m);
        t.versions.set(e.v, (t.versions.get(e.v) ?? 0) + 1);
        t.platforms.set(e.p, (t.platforms.get(e.p) ?? 0) + 1);
        return;
      }
      case "intent": {
        if (e.op === "held") {
          this.repo(e.repo).heldIntent = e.seq;
          this.repo(e.repo).heldChanged = false;
          this.open.set(e.seq, { kind: "held", key: e.repo, uncertain: this.replaying });
          return;
        }
        const key = `${e.repo} ${e.ident}`;
        const bug = this.bugs.get(key)!;
        this.open.set(e.seq, { kind: e.op, key, uncertain: this.replaying });
        if (e.op === "create") {
          bug.creating = e.seq;
          if (bug.held) this.repo(bug.repo).heldChanged = true;
          this.repo(bug.repo).creates.push(e.at);
        } else {
          bug.inflight = { intent: e.seq, tally: bug.pending };
          bug.pending = tally(e.at);
        }
        return;
      }
      case "done":
      case "fail": {
        const o = this.open.get(e.intent);
        if (o === undefined) return;
        this.open.delete(e.intent);
        if (o.kind === "held") {
          const r = this.repo(o.key);
          r.heldIntent = undefined;
          if (e.k === "done") {
            r.lastHeldAt = e.at;
            if (e.number !== undefined && e.url !== undefined) r.held = { number: e.number, url: e.url };
          } else {
            r.heldChanged = true;
            r.heldRetryAt = e.retryAt;
          }
          return;
        }
        const bug = this.bugs.get(o.key)!;
        if (e.k === "fail") {
          bug.failures++;
          bug.retryAt = e.retryAt;
          if (o.kind === "create") {
            bug.creating = undefined;
          } else if (bug.inflight !== undefined) {
            mergeInto(bug.pending, bug.inflight.tally);
            bug.inflight = undefined;
          }
          return;
        }
        bug.failures = 0;
        if (o.kind === "create") {
          bug.creating = undefined;
          bug.held = false;
          bug.issue = { number: e.number!, url: e.url! };
          bug.lastMessageAt = e.at;
          if (e.adopted === true) {
            // The issue was there already (another replica's, or one filed by hand): this replica's first
            // occurrence is not in it, so it is counted like the others.
            addOne(bug.pending, e.at);
            bug.creatorId = undefined;
            bug.lastMessageAt = -Infinity;
          }
        } else {
          this.sent += bug.inflight?.tally.count ?? 0;
          bug.inflight = undefined;
          bug.lastMessageAt = e.at;
          // onClosed "new" may have moved the identifier to a new issue.
          if (e.number !== undefined && e.url !== undefined) bug.issue = { number: e.number, url: e.url };
        }
        return;
      }
    }
  }

  /** Every figure, for tests, the simulation and the log: exact, whatever happened. */
  totals(): { occurrences: number; issues: number; counted: number; pending: number; held: number; bugs: number; machines: number } {
    let occurrences = 0;
    let machines = 0;
    let issues = 0;
    let pending = 0;
    let held = 0;
    for (const bug of this.bugs.values()) {
      occurrences += bug.total;
      machines += bug.machines.size;
      if (bug.issue !== undefined) issues++;
      pending += bug.pending.count + (bug.inflight?.tally.count ?? 0);
      if (bug.held && bug.issue === undefined) held++;
    }
    return { occurrences, issues, counted: this.countedSent, pending, held, bugs: this.bugs.size, machines };
  }

  /** Occurrences carried by count messages that were written. */
  get countedSent(): number {
    return this.sent;
  }
  private sent = 0;

  /** This replica's own figures of an identifier (for the figures in all across replicas, share.ts). */
  figures(repo: string, ident: string): { total: number; first: number; machines: Iterable<number>; issue?: { number: number; url: string } | undefined } {
    const bug = this.bugs.get(`${repo} ${ident}`);
    return bug === undefined ? { total: 0, first: Date.now(), machines: [] } : { total: bug.total, first: bug.firstAt, machines: bug.machines.keys(), issue: bug.issue };
  }

  /**
   * Forgets every machine whose last report is before `horizon` (the age limit for hashed install ids):
   * from the totals and from the tallies waiting for their message. Not journaled: it follows from the
   * times kept, so a replay forgets the same ones again. Returns the keys of the identifiers changed.
   */
  forgetMachinesBefore(horizon: number): string[] {
    const changed: string[] = [];
    for (const [key, bug] of this.bugs) {
      let gone = false;
      for (const [m, at] of bug.machines) {
        if (at < horizon) {
          bug.machines.delete(m);
          gone = true;
        }
      }
      if (!gone) continue;
      changed.push(key);
      for (const t of [bug.pending, bug.inflight?.tally]) {
        if (t !== undefined) for (const m of t.machines) if (!bug.machines.has(m)) t.machines.delete(m);
      }
    }
    return changed;
  }

  /** Report ids remembered now (a snapshot carries them all). */
  get rememberedIds(): number {
    return this.seen.size;
  }

  /** Bugs with no issue yet (waiting, held or failing). */
  unfiled(): string[] {
    return [...this.bugs.values()].filter((b) => b.issue === undefined).map((b) => b.ident);
  }
}

/** An occurrence whose machine, version and platform are already in the totals (an adopted issue's first). */
function addOne(t: Tally, at: number): void {
  if (t.count === 0) t.since = at;
  t.count++;
}

function mergeInto(into: Tally, from: Tally): void {
  into.since = into.count === 0 ? from.since : Math.min(into.since, from.since);
  into.count += from.count;
  for (const m of from.machines) into.machines.add(m);
  for (const [k, v] of from.versions) into.versions.set(k, (into.versions.get(k) ?? 0) + v);
  for (const [k, v] of from.platforms) into.platforms.set(k, (into.platforms.get(k) ?? 0) + v);
}
