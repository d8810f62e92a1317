/**
 * Sends one report through a backend exactly once, whatever the backend:
 * - dedupe at the source: an open report with the same identifier gets a compact "seen again" message
 *   instead of a new one (found through a local cache, then the backend's search, confirmed by parsing the
 *   candidate's body; the support repository's triage remains the authority for what slips through);
 * - a closed one is reopened, or a new report links to it (`onClosed`);
 * - before any retry after an answer that may have been lost, the backend's list of recent changes
 *   (consistent, unlike search) is checked for the report's id, so a retry never creates a second one.
 */
import { parseIssueBody } from "../format/report-format.js";
import { DeliveryFailure, type BackendClient, type RegressionMessage, type RemoteReport, type ReportRef } from "./backend.js";
import type { OutgoingReport } from "../types.js";
import type { SeenAgain, SendOutcome } from "./seen-again.js";

/** The shared report (`repo` is the target, already swapped for the test target), and how to deliver it. */
export interface DeliveryItem extends OutgoingReport {
  /** The report's compact form for a "seen again" message, with the occurrences counted since the last one. */
  commentBody: (counted: { count: number; since: string | undefined; reopened: boolean }) => string;
  /** The body of a new report for the same problem when its report was closed (the backend's message). */
  regressionBody: (of: RegressionMessage["of"]) => string;
  /** An earlier attempt may have arrived: check before sending. */
  uncertain: boolean;
  /** When the first attempt started (ms): arrivals are looked for from a little before it. */
  since: number;
  /** When the last attempt ended (ms), if known: an index older than this cannot vouch for the report. */
  lastAttemptAt?: number;
  /** The last attempt got no answer at this time (ms): look up only once it has settled. */
  settleFrom?: number;
}

export type { OnDuplicate } from "./options.js";
import type { OnDuplicate } from "./options.js";

export interface DeliverySettings {
  dedupe: boolean;
  onDuplicate: OnDuplicate;
  onClosed: "reopen" | "new";
  cache: IdentifierCache;
  /** Per-machine "seen again" pacing, for `count` and `react`. */
  seen?: SeenAgain;
  /**
   * The crash path: no time to wait. The cache is trusted without a look at the report, and the search gets
   * at most this signal's time (on a miss or a failed search the report goes out as new; triage merges).
   */
  fast?: { searchSignal: AbortSignal };
  /** A flush's index of the target, built once instead of a search per report. */
  index?: TargetIndex;
  /**
   * Before looking up a report whose last answer was lost: wait until `ms` after that attempt, so a
   * request the service was still carrying out has landed (see DEFAULT_SETTLE_MS).
   */
  settle?: { ms: number; sleep: (ms: number) => Promise<void> };
  /** Turns a request error into a failure (the backend's classify). */
  classify: (error: unknown) => DeliveryFailure;
}

export interface FoundReport {
  ref: ReportRef;
  state: string;
  url: string;
}

/** What a flush learns about a target once, from the consistent list requests. */
export interface TargetIndex {
  /** When the listing started (ms): anything delivered later by another process is not in it. */
  builtAt: number;
  /** Report ids that already arrived (as a report or an occurrence). */
  arrived: Map<string, DeliveryOutcome>;
  /** Open reports by identifier. */
  open: Map<string, FoundReport>;
}

export type DeliveryOutcome =
  /** `found`: an earlier attempt (whose answer was lost) had already delivered it; nothing was sent now. */
  | { kind: "created"; ref: ReportRef; url: string; found?: true }
  | { kind: "duplicate"; ref: ReportRef; url: string; found?: true }
  /** Counted on this machine (a message went out for this identifier within the period); nothing sent. */
  | { kind: "counted"; ref: ReportRef | undefined }
  /** The service holds the new report for a moderator's approval: delivered, with nothing to link yet. */
  | { kind: "pending"; reason: string };

export interface IdentifierCache {
  get(identifier: string): ReportRef | undefined;
  set(identifier: string, ref: ReportRef): void;
}

export async function buildIndex(client: BackendClient, target: string, since: number | undefined, classify: (error: unknown) => DeliveryFailure): Promise<TargetIndex> {
  const index: TargetIndex = { builtAt: Date.now(), arrived: new Map(), open: new Map() };
  try {
    for (const report of await client.listOpen(target)) {
      const parsed = parseIssueBody(report.body);
      if (parsed !== undefined && !index.open.has(parsed.identifier)) index.open.set(parsed.identifier, found(report));
    }
    if (since !== undefined) await addArrivals(client, target, since, index);
  } catch (error) {
    throw classify(error);
  }
  return index;
}

/** Brings an index up to date with what arrived since it was made, then moves `builtAt` forward. */
export async function refreshIndex(client: BackendClient, target: string, index: TargetIndex): Promise<void> {
  const started = Date.now();
  await addArrivals(client, target, index.builtAt, index);
  index.builtAt = started;
}

/**
 * Report ids found in reports and occurrences changed since `since` (5 minutes earlier, for the clock
 * difference with the service) go into `index.arrived`; new open reports into `index.open`, closed ones out.
 */
async function addArrivals(client: BackendClient, target: string, since: number, index: TargetIndex): Promise<void> {
  const { reports, occurrences } = await client.listChanged(target, new Date(since - 5 * 60_000));
  const changed: Array<{ identifier: string; report: RemoteReport }> = [];
  for (const report of reports) {
    const parsed = parseIssueBody(report.body);
    if (parsed === undefined) continue;
    if (parsed.metadata?.reportId) index.arrived.set(parsed.metadata.reportId, { kind: "created", ref: report.ref, url: report.url });
    changed.push({ identifier: parsed.identifier, report });
  }
  // Closed ones out first, so another open report with the same identifier can take their place.
  for (const { identifier, report } of changed) {
    if (report.state !== "open" && index.open.get(identifier)?.ref === report.ref) index.open.delete(identifier);
  }
  for (const { identifier, report } of changed) {
    if (report.state === "open" && !index.open.has(identifier)) index.open.set(identifier, found(report));
  }
  for (const occurrence of occurrences) {
    const id = parseIssueBody(occurrence.body)?.metadata?.reportId;
    if (id) index.arrived.set(id, { kind: "duplicate", ref: occurrence.ref, url: occurrence.url });
  }
}

export async function deliver(client: BackendClient, item: DeliveryItem, options: DeliverySettings): Promise<DeliveryOutcome> {
  try {
    if (item.uncertain) {
      if (options.settle !== undefined && options.fast === undefined && item.settleFrom !== undefined) {
        const wait = Math.min(item.settleFrom + options.settle.ms - Date.now(), options.settle.ms);
        if (wait > 0) await options.settle.sleep(wait);
      }
      const index = options.index;
      let arrived = index?.arrived.get(item.reportId);
      if (arrived === undefined && index === undefined) {
        const fresh: TargetIndex = { builtAt: Date.now(), arrived: new Map(), open: new Map() };
        await addArrivals(client, item.repo, item.since, fresh);
        arrived = fresh.arrived.get(item.reportId);
      } else if (arrived === undefined && index !== undefined) {
        // The index vouches only for attempts that had settled before it was made (at least a second of
        // margin). A report put back after that may have arrived meanwhile: refresh the index.
        const margin = item.settleFrom !== undefined ? Math.max(1000, options.settle?.ms ?? 0) : 1000;
        const vouches = item.lastAttemptAt !== undefined && item.lastAttemptAt + margin < index.builtAt;
        if (!vouches) {
          await refreshIndex(client, item.repo, index);
          arrived = index.arrived.get(item.reportId);
        }
      }
      if (arrived !== undefined) return arrived.kind === "created" || arrived.kind === "duplicate" ? { ...arrived, found: true } : arrived;
    }
    const dedupable = options.dedupe && options.onDuplicate !== "new" && item.identifier.startsWith("md5.");
    const lookupStarted = Date.now();
    const existing = !dedupable
      ? undefined
      : options.index !== undefined
        ? options.index.open.get(item.identifier)
        : await findExisting(client, item, options);
    const paced = dedupable && (options.onDuplicate === "count" || options.onDuplicate === "react") ? options.seen : undefined;
    // An open report: at most one message per period. Otherwise (a new report, a regression) send, unless
    // another process on this machine sent about it after the lookup started (a burst of one new bug).
    // Only the crash path (no time to look anything up) respects a lock left by a sender that died.
    const breakDeadLocks = options.fast === undefined;
    const slot = paced?.take(item.identifier, item.reportId, existing?.state === "open" ? { breakDeadLocks } : { unlessSentAfter: lookupStarted, breakDeadLocks });
    if (slot?.action === "count") return { kind: "counted", ref: existing?.ref ?? options.cache.get(item.identifier) };
    // An answer that may have been lost counts as sent for the period: the report waits in the spool and is
    // looked up before it goes again, and another process on this machine must not open a second report.
    let ended: SendOutcome = "failed";
    // Only a message on an existing report carries the count; a new report does not, and the counted
    // occurrences wait for the next message.
    let carried = false;
    try {
      const outcome = await sendOrMerge(client, item, options, existing, slot?.action === "send" ? slot : { count: 0, since: undefined });
      ended = "sent";
      carried = outcome.kind === "duplicate";
      return outcome;
    } catch (error) {
      const failure = error instanceof DeliveryFailure ? error : options.classify(error);
      ended = failure.uncertain ? "uncertain" : "failed";
      throw failure;
    } finally {
      if (slot?.action === "send") slot.done(ended, carried);
    }
  } catch (error) {
    throw error instanceof DeliveryFailure ? error : options.classify(error);
  }
}

async function sendOrMerge(
  client: BackendClient,
  item: DeliveryItem,
  options: DeliverySettings,
  existing: FoundReport | undefined,
  counted: { count: number; since: string | undefined },
): Promise<DeliveryOutcome> {
  const target = item.repo;
  if (existing !== undefined && existing.state === "open") {
    if (options.onDuplicate === "skip") return { kind: "duplicate", ref: existing.ref, url: existing.url };
    if (options.onDuplicate === "react" && client.react !== undefined) {
      await client.react(target, existing.ref, item.commentBody({ ...counted, reopened: false }));
      return { kind: "duplicate", ref: existing.ref, url: existing.url };
    }
    const { url } = await client.comment(target, existing.ref, item.commentBody({ ...counted, reopened: false }));
    options.index?.arrived.set(item.reportId, { kind: "duplicate", ref: existing.ref, url });
    return { kind: "duplicate", ref: existing.ref, url: existing.url };
  }
  if (existing !== undefined && options.onClosed === "reopen" && client.reopen !== undefined) {
    await client.reopen(target, existing.ref);
    await client.comment(target, existing.ref, item.commentBody({ ...counted, reopened: true }));
    return { kind: "duplicate", ref: existing.ref, url: existing.url };
  }
  const body = existing !== undefined ? item.regressionBody({ ref: existing.ref, url: existing.url }) : item.body;
  const created = await client.create(target, { title: item.title, body, labels: item.labels, assignees: item.assignees });
  if ("pending" in created) return { kind: "pending", reason: created.pending };
  if (created.added === true) {
    // Not a new report: the service counted this one on the report it already had.
    options.index?.arrived.set(item.reportId, { kind: "duplicate", ref: created.ref, url: created.url });
    return { kind: "duplicate", ref: created.ref, url: created.url };
  }
  if (item.identifier.startsWith("md5.")) {
    options.cache.set(item.identifier, created.ref);
    options.index?.open.set(item.identifier, { ref: created.ref, state: "open", url: created.url });
  }
  options.index?.arrived.set(item.reportId, { kind: "created", ref: created.ref, url: created.url });
  return { kind: "created", ref: created.ref, url: created.url };
}

/** The open (or most recent) report with this identifier, or undefined. */
async function findExisting(client: BackendClient, item: DeliveryItem, options: DeliverySettings): Promise<FoundReport | undefined> {
  const { cache, fast } = options;
  const cached = cache.get(item.identifier);
  if (cached !== undefined && fast !== undefined) {
    // No time for a look: trust the cache (a hint this machine wrote). Flush and triage correct the rest.
    return { ref: cached, state: "open", url: client.reportUrl(item.repo, cached) };
  }
  if (cached !== undefined) {
    const report = await client.get(item.repo, cached);
    if (report !== undefined && parseIssueBody(report.body)?.identifier === item.identifier) return found(report);
  }
  let candidates: RemoteReport[] | undefined;
  try {
    candidates = await client.search(item.repo, item.identifier, fast?.searchSignal);
  } catch (error) {
    // In the crash path a slow or failed search is not waited for: send as new, triage merges. A refused
    // token or a missing target is not a slow search: it fails the attempt.
    const status = options.classify(error).status;
    if (fast !== undefined && status !== 401 && status !== 404) return undefined;
    throw error;
  }
  if (candidates === undefined) return undefined; // search unavailable (rate limit): send as new; triage merges
  const matches = candidates.filter((r) => parseIssueBody(r.body)?.identifier === item.identifier);
  const hit = matches.find((r) => r.state === "open") ?? matches[matches.length - 1];
  if (hit !== undefined) cache.set(item.identifier, hit.ref);
  return hit === undefined ? undefined : found(hit);
}

function found(report: RemoteReport): FoundReport {
  return { ref: report.ref, state: report.state, url: report.url };
}
