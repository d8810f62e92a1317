/**
 * Monitors through the relay: a state machine free of I/O and of the clock (the caller passes `now`), as
 * the report counter is (counter.ts), so tests drive it with a virtual clock.
 *
 * Clients run their checks themselves and send only failures (monitor-failure.ts): a client can never say
 * "it passes". So the relay decides alone when an incident is over:
 * - the first failure of a monitor opens its issue (or adopts the one it has, found by its marker among
 *   issues labelled `bugbeacon-monitor`); a failure after the relay closed it reopens it (or opens a new
 *   one, per onClosed), once;
 * - while it fails, its body is the union of the failing records every machine reported within the quiet
 *   window, a record not reported for that window checked off, how many machines reported and when the
 *   last failure came; edited in place at most once per period (no comment per failure);
 * - it is closed, with a short "resolved" comment, when no machine reported a failure for the quiet
 *   window: `max(quietMs, every × passAfter of the incident's reports)`, at most `maxQuietMs`. The client's
 *   `every` and `passAfter` can only make the wait longer (up to the maximum), never shorter than the
 *   relay's own `quietMs`.
 * - Write-ahead: every change is a journal entry written before it is applied; a restart replays the
 *   journal; an intent without an outcome is made again after a look at the issue (it may have landed).
 * - The report id is the idempotency key (a failure sent twice counts once).
 */
import { Journaled } from "./journaled.js";
import { MAX_KEYS, MAX_RESOLVED } from "../../sdk/monitor/state.js";
import type { MonitorFailureReport } from "./monitor-failure.js";

export interface MonitorBookOptions {
  /** The shortest wait after the last failure before an issue is closed (relay configuration). */
  quietMs: number;
  /** The longest wait (a client's every × passAfter is clamped to it). @default max(quietMs, 7 days) */
  maxQuietMs?: number;
  /** At most one edit of an issue's body per period. */
  periodMs: number;
  onClosed: "reopen" | "new";
  /** @default 48 h */
  idempotencyMs?: number;
  /** @default 100,000 */
  rememberIds?: number;
}

export type MonitorOp = "open" | "reopen" | "edit" | "close";

/** One line of the monitors' journal. `seq` grows by one per entry. */
export type MonitorEntry =
  | { k: "fail"; seq: number; id: string; repo: string; ident: string; name: string; m: number; at: number; span: number; details: string; keys: Array<[string, string]> }
  | { k: "intent"; seq: number; op: MonitorOp; repo: string; ident: string; at: number }
  /** `elsewhere`: a close put off, another replica having accepted a failure at that time (share.ts). */
  | { k: "done"; seq: number; intent: number; at: number; number?: number; url?: string; elsewhere?: number }
  | { k: "retry"; seq: number; intent: number; at: number; retryAt: number }
  | { k: "snap"; seq: number; snap: MonitorSnapshot };

interface MonSnap {
  repo: string;
  ident: string;
  name: string;
  issue?: { number: number; url: string };
  open: boolean;
  want: boolean;
  keys: Array<[string, string, number]>;
  resolved: string[];
  details: string;
  machines: Array<[number, number]>;
  since: number;
  lastFailureAt: number | null;
  elsewhereAt?: number;
  count: number;
  span: number;
  lastEditAt: number | null;
  dirty: boolean;
  intent?: { seq: number; op: MonitorOp; at: number };
  retryAt: number;
  failures: number;
  previous?: number;
}

export interface MonitorSnapshot {
  mons: MonSnap[];
  seen: Array<[string, number]>;
}

/** What the issue shows, rendered by the room (monitor-render.ts). */
export interface MonitorView {
  name: string;
  identifier: string;
  open: boolean;
  details: string;
  failing: Array<{ key: string; details: string }>;
  resolved: string[];
  machines: number;
  since: number;
  lastFailureAt: number;
  quietMs: number;
  previous?: number;
}

/** A write to make now; `uncertain` ones were journaled by a run that stopped before their outcome. */
export interface MonitorWrite {
  op: MonitorOp;
  intent: number;
  repo: string;
  ident: string;
  /** The issue the relay knows (for open: a closed one to link under onClosed "new"). */
  issue: { number: number; url: string } | undefined;
  view: MonitorView;
  uncertain: boolean;
}

interface Mon {
  repo: string;
  ident: string;
  name: string;
  issue?: { number: number; url: string } | undefined;
  /** The issue is open (as the relay last wrote or found it). */
  open: boolean;
  /** A failure came while no issue was open: open or reopen it. */
  want: boolean;
  /** Failing record → its details and when a machine last reported it. */
  keys: Map<string, { details: string; at: number }>;
  /** Records checked off in this incident (not reported for the quiet window). */
  resolved: string[];
  details: string;
  /** Machine hash → its last failure (those within the quiet window are counted). */
  machines: Map<number, number>;
  since: number;
  lastFailureAt: number;
  /** The latest failure another replica accepted, as it published it (a close waits a period more for it). */
  elsewhereAt: number;
  /** Failures accepted in this incident (published to the other replicas with the machines). */
  count: number;
  /** The largest every × passAfter of this incident's reports (clamped when used). */
  span: number;
  lastEditAt: number;
  /** The body differs from what was last written. */
  dirty: boolean;
  intent?: { seq: number; op: MonitorOp; at: number; uncertain: boolean } | undefined;
  retryAt: number;
  failures: number;
  previous?: number | undefined;
}

export type MonitorAnswer = { status: "counted" | "queued"; url?: string; duplicate: boolean };

const WEEK_MS = 7 * 86_400_000;

export class MonitorBook extends Journaled<MonitorEntry> {
  private readonly mons = new Map<string, Mon>();
  private readonly seen = new Map<string, number>();
  private readonly maxQuietMs: number;
  private readonly idempotencyMs: number;

  constructor(
    readonly options: MonitorBookOptions,
    journal: (entry: MonitorEntry) => void,
  ) {
    super(journal);
    this.maxQuietMs = Math.max(options.quietMs, options.maxQuietMs ?? WEEK_MS);
    this.idempotencyMs = options.idempotencyMs ?? 48 * 3_600_000;
  }

  /** How long after its last failure a monitor's issue closes: never less than the relay's quietMs. */
  quietOf(mon: { span: number }): number {
    return Math.min(this.maxQuietMs, Math.max(this.options.quietMs, mon.span));
  }

  /**
   * When the issue closes: the quiet window after the last failure this replica accepted, or after the
   * last one another replica published plus a period (a replica publishes its failures with its edits,
   * at most once per period, so what it published may be that much behind).
   */
  private closeAt(mon: Mon): number {
    return Math.max(mon.lastFailureAt, mon.elsewhereAt + this.options.periodMs) + this.quietOf(mon);
  }

  /**
   * This replica's figures of a monitor, for the other replicas (share.ts): its failures, incident start,
   * issue and last failure. No machine tags: the close needs none, and none outlive the quiet window.
   */
  figures(repo: string, ident: string): { total: number; first: number; machines: Iterable<number>; issue?: { number: number; url: string } | undefined; last?: number } {
    const m = this.mons.get(`${repo} ${ident}`);
    if (m === undefined) return { total: 0, first: 0, machines: [] };
    return { total: m.count, first: m.since, machines: [], issue: m.issue, ...(Number.isFinite(m.lastFailureAt) ? { last: m.lastFailureAt } : {}) };
  }

  /** Whether a close decided now would still hold with another replica's last failure at `othersLast`. */
  closeHolds(repo: string, ident: string, othersLast: number | undefined, now: number): boolean {
    const m = this.mons.get(`${repo} ${ident}`);
    if (m === undefined || othersLast === undefined) return true;
    return this.closeAt({ ...m, elsewhereAt: Math.max(m.elsewhereAt, othersLast) }) <= now;
  }

  /** A failure (validated, the repository one the relay serves, redacted); `machine` is the install id's hash. */
  fail(f: MonitorFailureReport, machine: number, now: number): MonitorAnswer {
    this.expireIds(now);
    const key = `${f.repo} ${f.identifier}`;
    if (this.seen.has(f.reportId)) return { ...this.answer(this.mons.get(key)), duplicate: true };
    this.write({
      k: "fail",
      seq: ++this.seq,
      id: f.reportId,
      repo: f.repo,
      ident: f.identifier,
      name: f.name,
      m: machine,
      at: now,
      // Only a longer wait can come from a client: clamped at use (quietOf).
      span: Math.min(f.every * f.passAfter, WEEK_MS),
      details: f.details,
      keys: f.failures.map((x) => [x.key, x.details]),
    });
    return { ...this.answer(this.mons.get(key)), duplicate: false };
  }

  private answer(mon: Mon | undefined): Omit<MonitorAnswer, "duplicate"> {
    if (mon?.issue !== undefined && mon.open && !mon.want) return { status: "counted", url: mon.issue.url };
    return { status: "queued" };
  }

  private expireIds(now: number): void {
    const max = this.options.rememberIds ?? 100_000;
    for (const [id, at] of this.seen) {
      if (now - at < this.idempotencyMs && this.seen.size <= max) break;
      this.seen.delete(id);
    }
  }

  /** Records and machines not reported for the quiet window are checked off / no longer counted. */
  private expire(mon: Mon, now: number): void {
    const quiet = this.quietOf(mon);
    for (const [k, v] of mon.keys) {
      if (v.at + quiet <= now) {
        mon.keys.delete(k);
        mon.resolved = [...mon.resolved.filter((r) => r !== k), k].slice(-MAX_RESOLVED);
        mon.dirty = true;
      }
    }
    for (const [m, at] of mon.machines) if (at + quiet <= now) mon.machines.delete(m);
  }

  /**
   * The next write to make now (its intent journaled); or when to ask again; or undefined when nothing
   * waits. `allowedAt`: when the relay's pacing lets a write go (counter.ts); `takeNewIssue`: the
   * repository's new-issue budget (0 when one was taken, else when to ask again).
   */
  next(now: number, allowedAt: number, takeNewIssue: (repo: string) => number): MonitorWrite | { waitUntil: number } | undefined {
    // Writes journaled by a run that stopped before their outcome come first.
    for (const mon of this.mons.values()) {
      if (mon.intent?.uncertain === true) {
        if (allowedAt > now) return { waitUntil: allowedAt };
        mon.intent.uncertain = false;
        return this.toWrite(mon, mon.intent.op, mon.intent.seq, true, now);
      }
    }
    let wait = Infinity;
    let best: { mon: Mon; op: MonitorOp } | undefined;
    const rank: Record<MonitorOp, number> = { close: 0, open: 1, reopen: 1, edit: 2 };
    for (const mon of this.mons.values()) {
      if (mon.intent !== undefined) continue;
      if (mon.retryAt > now) {
        wait = Math.min(wait, mon.retryAt);
        continue;
      }
      this.expire(mon, now);
      let op: MonitorOp | undefined;
      if (mon.want) op = mon.issue === undefined || this.options.onClosed === "new" ? "open" : "reopen";
      else if (mon.open) {
        const quiet = this.quietOf(mon);
        const closeAt = this.closeAt(mon);
        if (closeAt <= now) op = "close";
        else {
          wait = Math.min(wait, closeAt);
          // A record's check-off is an edit when it is due.
          for (const v of mon.keys.values()) wait = Math.min(wait, v.at + quiet);
          if (mon.dirty) {
            const editAt = mon.lastEditAt + this.options.periodMs;
            if (editAt <= now) op = "edit";
            else wait = Math.min(wait, editAt);
          }
        }
      }
      if (op !== undefined && (best === undefined || rank[op] < rank[best.op])) best = { mon, op };
    }
    if (best === undefined) return Number.isFinite(wait) ? { waitUntil: Math.max(wait, now) } : undefined;
    if (allowedAt > now) return { waitUntil: allowedAt };
    if (best.op === "open") {
      const freeAt = takeNewIssue(best.mon.repo);
      if (freeAt > now) return { waitUntil: Math.min(wait, freeAt) };
    }
    const seq = ++this.seq;
    this.write({ k: "intent", seq, op: best.op, repo: best.mon.repo, ident: best.mon.ident, at: now });
    return this.toWrite(best.mon, best.op, seq, false, now);
  }

  private toWrite(mon: Mon, op: MonitorOp, intent: number, uncertain: boolean, now: number): MonitorWrite {
    return { op, intent, repo: mon.repo, ident: mon.ident, issue: mon.issue, view: this.view(mon, op, now), uncertain };
  }

  private view(mon: Mon, op: MonitorOp, now: number): MonitorView {
    this.expire(mon, now);
    const closing = op === "close";
    return {
      name: mon.name,
      identifier: mon.ident,
      open: !closing,
      details: closing ? "" : mon.details,
      failing: closing ? [] : [...mon.keys].map(([key, v]) => ({ key, details: v.details })),
      resolved: closing ? [...new Set([...mon.resolved, ...mon.keys.keys()])].slice(-MAX_RESOLVED) : mon.resolved,
      machines: mon.machines.size,
      since: mon.since,
      lastFailureAt: Math.max(mon.lastFailureAt, mon.elsewhereAt),
      quietMs: this.quietOf(mon),
      ...(mon.previous !== undefined ? { previous: mon.previous } : {}),
    };
  }

  /** The outcome of a write: done (the issue, for open), or failed (tried again later). */
  settle(w: MonitorWrite, outcome: { ok: true; number?: number; url?: string; elsewhere?: number } | { ok: false }, now: number): void {
    if (outcome.ok) {
      this.write({
        k: "done",
        seq: ++this.seq,
        intent: w.intent,
        at: now,
        ...(outcome.number !== undefined && outcome.url !== undefined ? { number: outcome.number, url: outcome.url } : {}),
        ...(outcome.elsewhere !== undefined ? { elsewhere: outcome.elsewhere } : {}),
      });
      return;
    }
    const mon = this.mons.get(`${w.repo} ${w.ident}`);
    const failures = (mon?.failures ?? 0) + 1;
    this.write({ k: "retry", seq: ++this.seq, intent: w.intent, at: now, retryAt: now + Math.min(10_000 * 2 ** Math.min(failures - 1, 8), 3_600_000) });
  }

  private byIntent(seq: number): Mon | undefined {
    for (const mon of this.mons.values()) if (mon.intent?.seq === seq) return mon;
    return undefined;
  }

  protected apply(e: MonitorEntry): void {
    switch (e.k) {
      case "snap":
        this.restore(e.snap);
        return;
      case "fail": {
        const key = `${e.repo} ${e.ident}`;
        let mon = this.mons.get(key);
        if (mon === undefined) {
          mon = { repo: e.repo, ident: e.ident, name: e.name, open: false, want: false, keys: new Map(), resolved: [], details: "", machines: new Map(), since: e.at, lastFailureAt: -Infinity, elsewhereAt: -Infinity, count: 0, span: 0, lastEditAt: -Infinity, dirty: false, retryAt: 0, failures: 0 };
          this.mons.set(key, mon);
        }
        this.seen.set(e.id, e.at);
        const closing = mon.intent?.op === "close";
        // An open or reopen in flight is this incident's: a failure that comes meanwhile (a slow GitHub, a
        // slow publish to the database) adds to it, and must not start another (which forgot the records
        // reported before it and reopened the issue just opened).
        const opening = mon.intent?.op === "open" || mon.intent?.op === "reopen";
        if (!mon.open && !mon.want && !opening) {
          // A new incident: its records, machines and wait start afresh.
          mon.want = true;
          mon.since = e.at;
          mon.keys.clear();
          mon.resolved = [];
          mon.machines.clear();
          mon.span = 0;
          mon.count = 0;
          mon.elsewhereAt = -Infinity;
        }
        mon.name = e.name;
        if (!closing) this.expire(mon, e.at);
        for (const [k, d] of e.keys) {
          mon.keys.delete(k);
          mon.keys.set(k, { details: d, at: e.at });
          mon.resolved = mon.resolved.filter((r) => r !== k);
        }
        // The most recently reported records are kept (the issue lists at most MAX_KEYS).
        while (mon.keys.size > MAX_KEYS) mon.keys.delete(mon.keys.keys().next().value!);
        mon.details = e.details;
        mon.machines.set(e.m, e.at);
        mon.lastFailureAt = Math.max(mon.lastFailureAt, e.at);
        mon.count++;
        mon.span = Math.max(mon.span, e.span);
        mon.dirty = true;
        return;
      }
      case "intent": {
        const mon = this.mons.get(`${e.repo} ${e.ident}`)!;
        // What the write shows was decided at its time (a replay checks off the same records).
        this.expire(mon, e.at);
        mon.intent = { seq: e.seq, op: e.op, at: e.at, uncertain: this.replaying };
        if (e.op === "open" || e.op === "reopen") mon.want = false;
        if (e.op !== "close") mon.dirty = false;
        return;
      }
      case "done":
      case "retry": {
        const mon = this.byIntent(e.intent);
        if (mon === undefined) return;
        const intent = mon.intent!;
        mon.intent = undefined;
        if (e.k === "retry") {
          mon.failures++;
          mon.retryAt = e.retryAt;
          if (intent.op === "open" || intent.op === "reopen") mon.want = true;
          if (intent.op !== "close") mon.dirty = true;
          return;
        }
        mon.failures = 0;
        mon.retryAt = 0;
        if (intent.op === "close") {
          if (e.elsewhere !== undefined) {
            // Another replica accepted a failure since: the issue stays open, the close waits for it.
            mon.elsewhereAt = Math.max(mon.elsewhereAt, e.elsewhere);
            return;
          }
          mon.open = false;
          // A failure that came while it was being closed: reopened (once).
          if (mon.lastFailureAt > intent.at) mon.want = true;
          return;
        }
        mon.lastEditAt = e.at;
        if (intent.op === "open" || intent.op === "reopen") {
          if (intent.op === "open" && mon.issue !== undefined && e.number !== undefined && e.number !== mon.issue.number) mon.previous = mon.issue.number;
          if (e.number !== undefined && e.url !== undefined) mon.issue = { number: e.number, url: e.url };
          mon.open = true;
        }
        return;
      }
    }
  }

  snapshot(): MonitorEntry {
    const never = (n: number) => (Number.isFinite(n) ? n : null);
    const mons: MonSnap[] = [...this.mons.values()].map((m) => ({
      repo: m.repo,
      ident: m.ident,
      name: m.name,
      ...(m.issue !== undefined ? { issue: m.issue } : {}),
      open: m.open,
      want: m.want,
      keys: [...m.keys].map(([k, v]) => [k, v.details, v.at]),
      resolved: m.resolved,
      details: m.details,
      machines: [...m.machines],
      since: m.since,
      lastFailureAt: never(m.lastFailureAt),
      ...(Number.isFinite(m.elsewhereAt) ? { elsewhereAt: m.elsewhereAt } : {}),
      count: m.count,
      span: m.span,
      lastEditAt: never(m.lastEditAt),
      dirty: m.dirty,
      ...(m.intent !== undefined ? { intent: { seq: m.intent.seq, op: m.intent.op, at: m.intent.at } } : {}),
      retryAt: m.retryAt,
      failures: m.failures,
      ...(m.previous !== undefined ? { previous: m.previous } : {}),
    }));
    return { k: "snap", seq: this.seq, snap: { mons, seen: [...this.seen] } };
  }

  private restore(s: MonitorSnapshot): void {
    this.mons.clear();
    this.seen.clear();
    for (const m of s.mons) {
      this.mons.set(`${m.repo} ${m.ident}`, {
        repo: m.repo,
        ident: m.ident,
        name: m.name,
        issue: m.issue,
        open: m.open,
        want: m.want,
        keys: new Map(m.keys.map(([k, details, at]) => [k, { details, at }])),
        resolved: m.resolved,
        details: m.details,
        machines: new Map(m.machines),
        since: m.since,
        lastFailureAt: m.lastFailureAt ?? -Infinity,
        elsewhereAt: m.elsewhereAt ?? -Infinity,
        count: m.count,
        span: m.span,
        lastEditAt: m.lastEditAt ?? -Infinity,
        dirty: m.dirty,
        // An intent in a snapshot has no outcome yet: after a restart it is looked at before it is made again.
        intent: m.intent !== undefined ? { ...m.intent, uncertain: this.replaying } : undefined,
        retryAt: m.retryAt,
        failures: m.failures,
        previous: m.previous,
      });
    }
    for (const [id, at] of s.seen) this.seen.set(id, at);
  }

  /** For tests and the log. */
  state(repo: string, ident: string): { open: boolean; issue?: number; failing: string[]; resolved: string[]; machines: number; quietMs: number } | undefined {
    const m = this.mons.get(`${repo} ${ident}`);
    if (m === undefined) return undefined;
    return { open: m.open, ...(m.issue !== undefined ? { issue: m.issue.number } : {}), failing: [...m.keys.keys()], resolved: [...m.resolved], machines: m.machines.size, quietMs: this.quietOf(m) };
  }

  get rememberedIds(): number {
    return this.seen.size;
  }

  totals(): { monitors: number; open: number; pending: number } {
    let open = 0;
    let pending = 0;
    for (const m of this.mons.values()) {
      if (m.open) open++;
      if (m.intent !== undefined || m.want) pending++;
    }
    return { monitors: this.mons.size, open, pending };
  }
}
