/**
 * Sends one report through the API exactly once:
 * - dedupe at the source: an open issue with the same identifier gets a compact "seen again" comment
 *   instead of a new issue (found through a local cache, then the search API, confirmed by parsing the
 *   candidate's body; the support repository's triage remains the authority for what slips through);
 * - a closed one is reopened, or a new issue links to it (`onClosed`);
 * - before any retry after an answer that may have been lost, the issue list (consistent, unlike
 *   search) is checked for the report's id, so a retry never opens a second issue.
 */
import type { Octokit } from "@octokit/rest";
import { parseIssueBody } from "../../format/report-format.js";
import { causeCode, neverSent } from "./network-errors.js";
import type { RepoRef } from "./repo.js";
import type { SeenAgain, SendOutcome } from "./seen-again.js";

export interface DeliveryItem {
  repo: RepoRef;
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  identifier: string;
  reportId: string;
  /** The report's compact form for a "seen again" comment, with the occurrences counted since the last one. */
  commentBody: (counted: { count: number; since: string | undefined }) => string;
  /** An earlier attempt may have arrived: check before sending. */
  uncertain: boolean;
  /** When the first attempt started (ms): arrivals are looked for from a little before it. */
  since: number;
  /** When the last attempt ended (ms), if known: an index older than this cannot vouch for the report. */
  lastAttemptAt?: number;
}

export type OnDuplicate = "count" | "react" | "comment" | "new" | "skip";

export interface DeliveryOptions {
  dedupe: boolean;
  onDuplicate: OnDuplicate;
  onClosed: "reopen" | "new";
  cache: IdentifierCache;
  /** Per-machine "seen again" pacing, for `count` and `react`. */
  seen?: SeenAgain;
  /**
   * The crash path: no time to wait. The cache is trusted without a look at the issue, and the search gets
   * at most this signal's time (on a miss or a failed search the report goes out as new; triage merges).
   */
  fast?: { searchSignal: AbortSignal };
  /** A flush's index of the repository, built once instead of a search per report. */
  index?: RepoIndex;
}

/** What a flush learns about a repository once, from the consistent list endpoints. */
export interface RepoIndex {
  /** When the listing started (ms): anything delivered later by another process is not in it. */
  builtAt: number;
  /** Report ids that already arrived (as an issue or a comment), when any queued report is uncertain. */
  arrived: Map<string, DeliveryOutcome>;
  /** Open issues by identifier. */
  open: Map<string, FoundIssue>;
}

export async function buildRepoIndex(octokit: Octokit, repo: RepoRef, since: number | undefined): Promise<RepoIndex> {
  const base = { owner: repo.owner, repo: repo.name };
  const index: RepoIndex = { builtAt: Date.now(), arrived: new Map(), open: new Map() };
  try {
    for (const issue of await octokit.paginate(octokit.rest.issues.listForRepo, { ...base, state: "open", per_page: 100 })) {
      const parsed = issue.pull_request ? undefined : parseIssueBody(issue.body ?? "");
      if (parsed !== undefined && !index.open.has(parsed.identifier)) index.open.set(parsed.identifier, issue);
    }
    if (since !== undefined) await addArrivals(octokit, repo, since, index);
  } catch (error) {
    throw classify(error);
  }
  return index;
}

/**
 * Brings an index up to date: what arrived since it was made (another flusher may have delivered a
 * report meanwhile). Lists only the recent changes, then moves `builtAt` forward.
 */
export async function refreshRepoIndex(octokit: Octokit, repo: RepoRef, index: RepoIndex): Promise<void> {
  const started = Date.now();
  await addArrivals(octokit, repo, index.builtAt, index);
  index.builtAt = started;
}

/**
 * Report ids found in issues and comments changed since `since` (5 minutes earlier, for the clock
 * difference with GitHub) go into `index.arrived`; new open issues into `index.open`, closed ones out of it.
 */
async function addArrivals(octokit: Octokit, repo: RepoRef, since: number, index: RepoIndex): Promise<void> {
  const base = { owner: repo.owner, repo: repo.name };
  const sinceIso = new Date(since - 5 * 60_000).toISOString();
  const changed = [];
  for (const issue of await octokit.paginate(octokit.rest.issues.listForRepo, { ...base, state: "all", since: sinceIso, per_page: 100 })) {
    const parsed = issue.pull_request ? undefined : parseIssueBody(issue.body ?? "");
    if (parsed === undefined) continue;
    if (parsed.metadata?.reportId) index.arrived.set(parsed.metadata.reportId, { kind: "created", number: issue.number, url: issue.html_url });
    changed.push({ identifier: parsed.identifier, issue });
  }
  // Closed ones out first, so another open issue with the same identifier can take their place.
  for (const { identifier, issue } of changed) {
    if (issue.state !== "open" && index.open.get(identifier)?.number === issue.number) index.open.delete(identifier);
  }
  for (const { identifier, issue } of changed) {
    if (issue.state === "open" && !index.open.has(identifier)) index.open.set(identifier, issue);
  }
  for (const comment of await octokit.paginate(octokit.rest.issues.listCommentsForRepo, { ...base, since: sinceIso, per_page: 100 })) {
    const id = parseIssueBody(comment.body ?? "")?.metadata?.reportId;
    if (id) index.arrived.set(id, { kind: "duplicate", number: Number(comment.issue_url.slice(comment.issue_url.lastIndexOf("/") + 1)), url: comment.html_url });
  }
}

export type DeliveryOutcome =
  | { kind: "created"; number: number; url: string }
  | { kind: "duplicate"; number: number; url: string }
  /** Counted on this machine (a message went out for this identifier within the period); nothing sent. */
  | { kind: "counted"; number: number | undefined };

/** What a failed attempt means for what happens next. */
export class DeliveryFailure extends Error {
  override name = "DeliveryFailure";
  constructor(
    message: string,
    /** Worth trying again later (network, timeout, 5xx, rate limit). */
    readonly retryable: boolean,
    /** The request may have been carried out although no answer arrived. */
    readonly uncertain: boolean,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

export interface IdentifierCache {
  get(identifier: string): number | undefined;
  set(identifier: string, number: number): void;
}

export async function deliver(octokit: Octokit, item: DeliveryItem, options: DeliveryOptions): Promise<DeliveryOutcome> {
  try {
    if (item.uncertain) {
      const index = options.index;
      let arrived = index?.arrived.get(item.reportId);
      if (arrived === undefined && index === undefined) {
        arrived = await findArrived(octokit, item);
      } else if (arrived === undefined && index !== undefined) {
        // The index vouches only for attempts that ended before it was made (a second of margin). A
        // report another flusher put back after that may have arrived meanwhile: refresh the index.
        const vouches = item.lastAttemptAt !== undefined && item.lastAttemptAt < index.builtAt - 1000;
        if (!vouches) {
          await refreshRepoIndex(octokit, item.repo, index);
          arrived = index.arrived.get(item.reportId);
        }
      }
      if (arrived !== undefined) return arrived;
    }
    const dedupable = options.dedupe && options.onDuplicate !== "new" && item.identifier.startsWith("md5.");
    const lookupStarted = Date.now();
    const existing = !dedupable
      ? undefined
      : options.index !== undefined
        ? options.index.open.get(item.identifier)
        : await findExisting(octokit, item, options.cache, options.fast);
    const paced = dedupable && (options.onDuplicate === "count" || options.onDuplicate === "react") ? options.seen : undefined;
    // An open issue: at most one message per period. Otherwise (a new issue, a regression) send, unless
    // another process on this machine sent about it after the lookup started (a burst of one new bug).
    // Only the crash path (no time to look anything up) respects a lock left by a sender that died.
    const breakDeadLocks = options.fast === undefined;
    const slot = paced?.take(item.identifier, item.reportId, existing?.state === "open" ? { breakDeadLocks } : { unlessSentAfter: lookupStarted, breakDeadLocks });
    if (slot?.action === "count") return { kind: "counted", number: existing?.number ?? options.cache.get(item.identifier) };
    // An answer that may have been lost counts as sent for the period: the report waits in the spool and is
    // looked up before it goes again, and another process on this machine must not open a second issue.
    let ended: SendOutcome = "failed";
    try {
      const outcome = await sendOrMerge(octokit, item, options, existing, slot?.action === "send" ? slot : { count: 0, since: undefined });
      ended = "sent";
      return outcome;
    } catch (error) {
      ended = classify(error).uncertain ? "uncertain" : "failed";
      throw error;
    } finally {
      if (slot?.action === "send") slot.done(ended);
    }
  } catch (error) {
    throw classify(error);
  }
}

async function sendOrMerge(
  octokit: Octokit,
  item: DeliveryItem,
  options: DeliveryOptions,
  existing: FoundIssue | undefined,
  counted: { count: number; since: string | undefined },
): Promise<DeliveryOutcome> {
  const base = { owner: item.repo.owner, repo: item.repo.name };
  {
    if (existing !== undefined && existing.state === "open") {
      if (options.onDuplicate === "skip") return { kind: "duplicate", number: existing.number, url: existing.html_url };
      if (options.onDuplicate === "react") {
        await octokit.rest.reactions.createForIssue({ ...base, issue_number: existing.number, content: "+1", request: { retries: 0 } });
        return { kind: "duplicate", number: existing.number, url: existing.html_url };
      }
      const { data } = await octokit.rest.issues.createComment({ ...base, issue_number: existing.number, body: item.commentBody(counted), request: { retries: 0 } });
      options.index?.arrived.set(item.reportId, { kind: "duplicate", number: existing.number, url: data.html_url });
      return { kind: "duplicate", number: existing.number, url: existing.html_url };
    }
    if (existing !== undefined && options.onClosed === "reopen") {
      await octokit.rest.issues.update({ ...base, issue_number: existing.number, state: "open" });
      await octokit.rest.issues.createComment({ ...base, issue_number: existing.number, body: `Reopened: seen again after it was closed.\n\n${item.commentBody(counted)}`, request: { retries: 0 } });
      return { kind: "duplicate", number: existing.number, url: existing.html_url };
    }
    const body = existing !== undefined ? `This looks like a regression of #${existing.number}, which was closed.\n\n${item.body}` : item.body;
    const { data } = await octokit.rest.issues.create({
      ...base,
      title: item.title,
      body,
      ...(item.labels.length > 0 ? { labels: item.labels } : {}),
      ...(item.assignees.length > 0 ? { assignees: item.assignees } : {}),
      request: { retries: 0 },
    });
    if (item.identifier.startsWith("md5.")) {
      options.cache.set(item.identifier, data.number);
      options.index?.open.set(item.identifier, data);
    }
    options.index?.arrived.set(item.reportId, { kind: "created", number: data.number, url: data.html_url });
    return { kind: "created", number: data.number, url: data.html_url };
  }
}

export interface FoundIssue {
  number: number;
  state: string;
  html_url: string;
}

/** The open (or most recent) issue with this identifier, or undefined. */
async function findExisting(octokit: Octokit, item: DeliveryItem, cache: IdentifierCache, fast?: { searchSignal: AbortSignal }): Promise<FoundIssue | undefined> {
  const base = { owner: item.repo.owner, repo: item.repo.name };
  const cached = cache.get(item.identifier);
  if (cached !== undefined && fast !== undefined) {
    // No time for a look: trust the cache (a hint this machine wrote). Flush and triage correct the rest.
    return { number: cached, state: "open", html_url: issueHtmlUrl(octokit, item.repo, cached) };
  }
  if (cached !== undefined) {
    try {
      const { data } = await octokit.rest.issues.get({ ...base, issue_number: cached });
      if (parseIssueBody(data.body ?? "")?.identifier === item.identifier) return data;
    } catch (error) {
      if ((error as { status?: number }).status !== 404 && (error as { status?: number }).status !== 410) throw error;
    }
  }
  try {
    const { data } = await octokit.rest.search.issuesAndPullRequests({
      q: `repo:${item.repo.owner}/${item.repo.name} is:issue in:body "${item.identifier}"`,
      sort: "created",
      order: "asc",
      per_page: 20,
      ...(fast !== undefined ? { request: { signal: fast.searchSignal, retries: 0 } } : {}),
    });
    const matches = data.items.filter((i) => parseIssueBody(i.body ?? "")?.identifier === item.identifier);
    const found = matches.find((i) => i.state === "open") ?? matches[matches.length - 1];
    if (found !== undefined) cache.set(item.identifier, found.number);
    return found;
  } catch (error) {
    // Search is limited to 30 requests a minute: without it, send as new; triage merges later.
    const status = (error as { status?: number }).status;
    if (status === 403 || status === 429 || status === 422) return undefined;
    // In the crash path a slow or failed search is not waited for: send as new, triage merges.
    if (fast !== undefined && status !== 401 && status !== 404) return undefined;
    throw error;
  }
}

/** The web address of an issue, from the API root (api.github.com → github.com, <host>/api/v3 → <host>). */
function issueHtmlUrl(octokit: Octokit, repo: RepoRef, number: number): string {
  const api = new URL(String((octokit.request.endpoint.DEFAULTS as { baseUrl?: string }).baseUrl ?? "https://api.github.com"));
  const web = api.hostname === "api.github.com" ? "https://github.com" : `${api.protocol}//${api.host}${api.pathname.replace(/\/+$/, "").replace(/\/api\/v3$/, "")}`;
  return `${web}/${repo.owner}/${repo.name}/issues/${number}`;
}

/** The issue or comment this report already became, if an earlier attempt arrived. */
async function findArrived(octokit: Octokit, item: DeliveryItem): Promise<DeliveryOutcome | undefined> {
  const base = { owner: item.repo.owner, repo: item.repo.name };
  const since = new Date(item.since - 5 * 60_000).toISOString();
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { ...base, state: "all", since, per_page: 100 });
  for (const issue of issues) {
    if (parseIssueBody(issue.body ?? "")?.metadata?.reportId === item.reportId) return { kind: "created", number: issue.number, url: issue.html_url };
  }
  const comments = await octokit.paginate(octokit.rest.issues.listCommentsForRepo, { ...base, since, per_page: 100 });
  for (const comment of comments) {
    if (parseIssueBody(comment.body ?? "")?.metadata?.reportId === item.reportId) {
      const number = Number(comment.issue_url.slice(comment.issue_url.lastIndexOf("/") + 1));
      return { kind: "duplicate", number, url: comment.html_url };
    }
  }
  return undefined;
}

function classify(error: unknown): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const status = typeof (error as { status?: unknown }).status === "number" ? (error as { status: number }).status : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (status === undefined || status === 500) {
    // Octokit reports a failed fetch as status 500: the cause tells whether it may have arrived.
    const code = causeCode(error);
    const unsent = neverSent(error);
    if (unsent || status === undefined || (error as { response?: unknown }).response === undefined) {
      return new DeliveryFailure(`no answer from GitHub (${code ?? message})`, true, !unsent, status);
    }
    return new DeliveryFailure("GitHub answered 500", true, true, status);
  }
  if (status >= 500) return new DeliveryFailure(`GitHub answered ${status}`, true, true, status);
  if (status === 429 || (status === 403 && /rate limit/i.test(message))) return new DeliveryFailure(`rate limited (${message})`, true, false, status);
  if (status === 401) return new DeliveryFailure("the token was refused (401 Bad credentials): set a valid BUGBEACON_GITHUB_TOKEN, then run bugbeacon flush", false, false, status);
  if (status === 404) return new DeliveryFailure("the repository was not found or the token cannot see it (404): check the repo name and the token's access, then run bugbeacon flush", false, false, status);
  if (status === 403) return new DeliveryFailure("the token may not create issues here (403): give it the Issues permission, then run bugbeacon flush", false, false, status);
  return new DeliveryFailure(`GitHub refused the report (${status}: ${message})`, false, false, status);
}
