/**
 * What a backend is (the port the adapters in src/backends/ implement): a small adapter from bugbeacon's one report pipeline to one service's API. The
 * pipeline (src/delivery/pipeline.ts) owns everything else: building, redacting, the write-ahead spool,
 * dedupe through the identifier, "seen again" pacing, dry run, the test target, flushing and close().
 * A backend checks targets, renders the body and the manual URL, and answers a handful of requests.
 * See README "Writing a backend".
 */
import type { ReportDocument } from "../format/report-format.js";
import type { PreparedReport } from "../types.js";
import type { AbortSignalLike } from "../_internal/globals.js";

/** The backends `getHelper` knows. */
export type BackendName = "github" | "gitlab" | "discourse";

/** An issue (or topic) on the service, as the pipeline needs to see it. */
export interface RemoteReport {
  /** The service's number for it (issue number, GitLab iid, Discourse topic id). */
  number: number;
  /** Its web page. */
  url: string;
  state: "open" | "closed";
  /** Its text, where the report's metadata block is found. */
  body: string;
}

/** A comment (note, reply) on a report: an occurrence that arrived. */
export interface RemoteOccurrence {
  /** The report it belongs to. */
  number: number;
  url: string;
  body: string;
}

/** What is created: the report as the service will show it. */
export interface Draft {
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
}

/**
 * How a client makes requests: `normal` (retries, pacing), `crash` (one attempt, every request over by
 * `sendBy`, ms since the epoch) or `background` (one attempt, sockets that never hold the process open).
 */
export type ClientMode = { kind: "normal" } | { kind: "crash"; sendBy: number } | { kind: "background" };

/** The requests a backend answers. `target` is a value `checkTarget` accepted. */
export interface BackendClient {
  /** Open reports (to find an open one with the same identifier, once per flush). */
  listOpen(target: string): Promise<RemoteReport[]>;
  /** Reports and occurrences created or changed since `since` (to find a report that arrived). */
  listChanged(target: string, since: Date): Promise<{ reports: RemoteReport[]; occurrences: RemoteOccurrence[] }>;
  /** One report by number; undefined when it is gone. */
  get(target: string, number: number): Promise<RemoteReport | undefined>;
  /** Reports whose text holds `identifier`, oldest first; undefined when search is unavailable now (rate limit). */
  search(target: string, identifier: string, signal?: AbortSignalLike): Promise<RemoteReport[] | undefined>;
  create(target: string, draft: Draft): Promise<{ number: number; url: string }>;
  /** Adds an occurrence as a comment. */
  comment(target: string, number: number, body: string): Promise<{ url: string }>;
  /** Adds an occurrence as a reaction (+1), notifying no one; a service without reactions comments instead. */
  react(target: string, number: number, body: string): Promise<void>;
  reopen(target: string, number: number): Promise<void>;
  /** The web page of a report, without a request. */
  reportUrl(target: string, number: number): string;
}

/** What a failed request means for what happens next. */
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

export interface Backend {
  readonly name: BackendName;
  /** What `repo` means here, for messages: "repository", "project", "category". */
  readonly targetNoun: string;
  /** Throws a typed error (a `BugbeaconError`) when `target` is not something this backend can send to. */
  checkTarget(target: unknown): void;
  /** True when credentials are there to create reports through the API (else the manual URL is used). */
  canSubmit(): boolean;
  /** Title prefix, labels and assignees every report of this helper gets. */
  readonly defaults: { prefix: string; labels: string[]; assignees: string[] };
  /** The body exactly as the service gets it. */
  render(document: ReportDocument): string;
  /** A page where a person files the report by hand, prefilled, within the length the service accepts. */
  manualUrl(report: PreparedReport): { url: string; cutCharacters: number };
  /** The create request for a dry run (printed redacted; never sent). */
  describeCreate(target: string, draft: Draft): { method: string; url: string; body: unknown };
  /** A client for `mode` (its HTTP library loads here, not on import). */
  client(mode: ClientMode): Promise<BackendClient>;
  /** Turns a thrown request error into a failure with a reason the user can act on (never includes a token). */
  classify(error: unknown): DeliveryFailure;
}
