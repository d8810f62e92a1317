/**
 * One simulated day of a tool with many installs reporting through the relay, driven through the real
 * counting code (src/support/relay/counter.ts) with a virtual clock. GitHub is a ledger here: each write
 * is recorded at its virtual time, and each count message carries the occurrences it counts. A share of
 * reports is sent twice (a client that did not get its answer), with the same report id.
 *
 * Checks: every bug has an issue by the end of the day (after the held queue drained), the writes per
 * rolling hour and minute, and the counting error: occurrences generated (without retries) minus
 * (issues created + occurrences in count messages + occurrences still counted and waiting), which must be 0.
 */
import { RelayCounter, type Write } from "../../src/support/relay/counter.js";
import { machineOf } from "../../src/support/relay/machine.js";
import type { RelayReport } from "../../src/support/relay/report.js";
import { mulberry32 } from "./fake-github/faults.js";

export interface SimOptions {
  installs: number;
  bugs: number;
  reports: number;
  /** Simulated span (ms). */
  spanMs: number;
  zipf?: number;
  retryShare?: number;
  seed?: number;
  periodMs?: number;
  writesPerHour?: number;
  newIssuesPerHour?: number;
  /** Share of writes that fail (retried later by the counter). */
  failShare?: number;
}

export interface SimResult {
  generated: number;
  retried: number;
  writes: number;
  maxPerHour: number;
  maxPerMinute: number;
  issues: number;
  bugsSeen: number;
  unfiled: number;
  countedInMessages: number;
  waiting: number;
  countingError: number;
  machinesTruth: number;
  machinesCounted: number;
  heldWrites: number;
  /** Virtual time (ms from the start) the last bug got its issue. */
  lastIssueAt: number;
  /** Distinct (bug, machine) pairs: generated, and as the relay counted them. */
  /** Wall-clock ms the simulation took. */
  ms: number;
}


function report(repo: string, bug: number, install: number, id: string, version: string): RelayReport {
  return {
    repo,
    reportId: id,
    install: `install-${install}`,
    title: `bug ${bug}`,
    text: "",
    metadata: {
      schema: 1,
      identifier: `md5.${bug.toString(16).padStart(32, "0")}`,
      reportId: id,
      createdAt: "2026-12-01T00:00:00Z",
      kind: "exception",
      platform: { node: "v22.0.0", os: install % 3 === 0 ? "darwin" : "linux", osRelease: "6", arch: "x64" },
      bugbeacon: "0.1.0",
      environment: {},
      app: { name: "tool", version },
    },
  };
}

export function simulate(o: SimOptions): SimResult {
  const wall = performance.now();
  const rnd = mulberry32(o.seed ?? 1);
  const repo = "octo/tool";
  // Zipf CDF over the bugs.
  const s = o.zipf ?? 1;
  const weights = Array.from({ length: o.bugs }, (_, i) => 1 / (i + 1) ** s);
  const sum = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / sum));
  const pick = () => {
    const u = rnd();
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // Reports at uniformly random times, sorted; retries shortly after their original.
  const times = Float64Array.from({ length: o.reports }, () => rnd() * o.spanMs).sort();
  const counter = new RelayCounter({ replica: "sim", periodMs: o.periodMs ?? 3_600_000, writesPerHour: o.writesPerHour ?? 100, newIssuesPerHour: o.newIssuesPerHour ?? 60, idempotencyMs: 3_600_000 }, () => {});
  const writes: number[] = [];
  let issues = 0;
  let counted = 0;
  let heldWrites = 0;
  let lastIssueAt = 0;
  const seenBugs = new Set<number>();
  const machinesPerBug = new Map<number, Set<number>>();
  let retried = 0;
  let nextCheck = Infinity;

  const perform = (w: Write, now: number) => {
    if (o.failShare !== undefined && rnd() < o.failShare) {
      counter.wrote(now);
      writes.push(now);
      counter.settle(w, { ok: false }, now);
      return;
    }
    counter.wrote(now);
    writes.push(now);
    if (w.kind === "create") {
      issues++;
      lastIssueAt = now;
      counter.settle(w, { ok: true, number: issues, url: `https://github.example/${repo}/issues/${issues}` }, now);
    } else if (w.kind === "count") {
      counted += w.message.occurrences;
      counter.settle(w, { ok: true }, now);
    } else {
      heldWrites++;
      counter.settle(w, { ok: true, number: 999_999, url: "held" }, now);
    }
  };
  const drainUntil = (t: number) => {
    while (nextCheck <= t) {
      const now = nextCheck;
      const r = counter.next(now);
      if (r === undefined) nextCheck = Infinity;
      else if ("waitUntil" in r) nextCheck = r.waitUntil;
      else perform(r, now);
    }
  };
  const pendingRetries: Array<{ at: number; r: RelayReport; m: number }> = [];
  for (let i = 0; i < times.length; i++) {
    const at = times[i]!;
    while (pendingRetries.length > 0 && pendingRetries[0]!.at <= at) {
      const p = pendingRetries.shift()!;
      drainUntil(p.at);
      const a = counter.accept(p.r, p.m, p.at);
      if (!a.duplicate) throw new Error(`sim: a retried report ${p.r.reportId} was counted again`);
    }
    drainUntil(at);
    const bug = pick();
    const install = Math.floor(rnd() * o.installs);
    const id = `r${i.toString(36).padStart(8, "0")}`;
    const r = report(repo, bug, install, id, install % 4 === 0 ? "1.2.0" : "1.3.0");
    const m = machineOf(r.install);
    seenBugs.add(bug);
    let set = machinesPerBug.get(bug);
    if (set === undefined) machinesPerBug.set(bug, (set = new Set()));
    set.add(install);
    const a = counter.accept(r, m, at);
    if (a.dueAt !== undefined) nextCheck = Math.min(nextCheck, a.dueAt);
    if (o.retryShare !== undefined && rnd() < o.retryShare) {
      retried++;
      pendingRetries.push({ at: at + 1000 + rnd() * 60_000, r, m });
      pendingRetries.sort((x, y) => x.at - y.at);
    }
  }
  // The day ends; the relay keeps working until nothing waits (the held queue drains into issues).
  drainUntil(o.spanMs);
  const endOfDayIssues = issues;
  while (nextCheck < Infinity && counter.unfiled().length > 0) drainUntil(nextCheck);
  void endOfDayIssues;
  const totals = counter.totals();
  let maxPerHour = 0;
  let maxPerMinute = 0;
  for (let i = 0, h = 0, mi = 0; i < writes.length; i++) {
    while (writes[h]! <= writes[i]! - 3_600_000) h++;
    while (writes[mi]! <= writes[i]! - 60_000) mi++;
    maxPerHour = Math.max(maxPerHour, i - h + 1);
    maxPerMinute = Math.max(maxPerMinute, i - mi + 1);
  }
  let machinesTruthPerBug = 0;
  for (const set of machinesPerBug.values()) machinesTruthPerBug += set.size;
  return {
    generated: o.reports,
    retried,
    writes: writes.length,
    maxPerHour,
    maxPerMinute,
    issues,
    bugsSeen: seenBugs.size,
    unfiled: counter.unfiled().length,
    countedInMessages: counted,
    waiting: totals.pending,
    countingError: o.reports - (issues + counted + totals.pending),
    machinesTruth: machinesTruthPerBug,
    machinesCounted: totals.machines,
    heldWrites,
    lastIssueAt,
    ms: performance.now() - wall,
  };
}
