/**
 * The port: what a backend is. A backend is a small adapter from bugbeacon's one report pipeline to one
 * service's API. The pipeline (src/delivery/pipeline.ts) owns everything else: building, redacting, the
 * write-ahead spool, dedupe through the identifier, "seen again" pacing, dry run, the test target, flushing
 * and close(). A backend checks targets, declares its limits, renders the body, its messages and the manual
 * URL, and answers a handful of requests. An application adds its own with `defineBackend` (see
 * docs/backends.md, "Writing a backend"); nothing in src/delivery knows any backend by name.
 */
import type { ReportDocument, ReportMetadata } from "../format/report-format.js";
import type { DeliveryOptions } from "./options.js";
import { InvalidOptionError } from "../errors.js";
import { brandBackend } from "../backends/brand.js";
import { isMarked, markInstance } from "../_internal/brand.js";
import type { HelperOptions, OutgoingReport, PreparedReport } from "../types.js";
import type { MonitorIssues } from "../sdk/monitor/issues.js";
import type { AbortSignalLike, Environment } from "../_internal/globals.js";

const FAILURE_MARK = "bugbeacon.delivery-failure";

/** A backend's name, as getHelper and the CLI's --backend take it ("github", "gitlab", "discourse", "gitea", or one registered). */
export type BackendName = string;

/**
 * A report on the service, as the service names it: "12" (an issue number, a GitLab iid, a Discourse
 * topic id), "PROJ-123" (a Jira key). Opaque to the pipeline, shown to people through the backend's messages.
 */
export type ReportRef = string;

/** An issue (or topic) on the service, as the pipeline needs to see it. */
export interface RemoteReport {
  ref: ReportRef;
  /** Its web page. */
  url: string;
  state: "open" | "closed";
  /** Its text, where the report's metadata block is found. */
  body: string;
}

/** A comment (note, reply) on a report: an occurrence that arrived. */
export interface RemoteOccurrence {
  /** The report it belongs to. */
  ref: ReportRef;
  url: string;
  body: string;
}

/** What is created: the report as the service will show it (the shared report's visible part). */
export type Draft = Pick<OutgoingReport, "title" | "body" | "labels" | "assignees">;

/**
 * How a client makes requests: `normal` (retries, pacing; its waits and requests end when `signal` is
 * aborted: the helper was closed and gave up on what was in flight), `crash` (one attempt, every request
 * over by `sendBy`, ms since the epoch) or `background` (one attempt, sockets that never hold the process open).
 */
export type ClientMode = { kind: "normal"; signal?: AbortSignalLike } | { kind: "crash"; sendBy: number } | { kind: "background" };

/**
 * The requests a backend answers. `target` is a value `checkTarget` accepted. Optional operations may be
 * left out; the pipeline then does without them (and later ones, such as updating or closing a report,
 * are added the same way).
 */
export interface BackendClient {
  /** Open reports (to find an open one with the same identifier, once per flush). */
  listOpen(target: string): Promise<RemoteReport[]>;
  /** Reports and occurrences created or changed since `since` (to find a report that arrived). */
  listChanged(target: string, since: Date): Promise<{ reports: RemoteReport[]; occurrences: RemoteOccurrence[] }>;
  /** One report; undefined when it is gone. */
  get(target: string, ref: ReportRef): Promise<RemoteReport | undefined>;
  /** Reports whose text holds `identifier`, oldest first; undefined when search is unavailable now (rate limit). */
  search(target: string, identifier: string, signal?: AbortSignalLike): Promise<RemoteReport[] | undefined>;
  /**
   * Creates the report; a service that holds it for a moderator answers `{ pending }` (nothing to link yet);
   * one that added it to an existing report instead (a relay that counts) answers that report with `added`.
   */
  create(target: string, draft: Draft): Promise<{ ref: ReportRef; url: string; added?: true } | { pending: string }>;
  /** Adds an occurrence as a comment. */
  comment(target: string, ref: ReportRef, body: string): Promise<{ url: string }>;
  /** Adds an occurrence as a reaction (+1), notifying no one. Without it, `onDuplicate: "react"` comments. */
  react?(target: string, ref: ReportRef, body: string): Promise<void>;
  /** Reopens a closed report. Without it, `onClosed: "reopen"` opens a new report linking to the old one. */
  reopen?(target: string, ref: ReportRef): Promise<void>;
  /** The web page of a report, without a request. */
  reportUrl(target: string, ref: ReportRef): string;
}

/** What a failed request means for what happens next. */
export class DeliveryFailure extends Error {
  /** Any copy's DeliveryFailure (the ES module and CommonJS builds in one process): see src/_internal/brand.ts. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isMarked(this, DeliveryFailure, FAILURE_MARK, value);
  }
  override name = "DeliveryFailure";
  constructor(
    message: string,
    /** Worth trying again later (network, timeout, 5xx, rate limit). */
    readonly retryable: boolean,
    /** The request may have been carried out although no answer arrived. */
    readonly uncertain: boolean,
    readonly status: number | undefined,
    /**
     * The service refused this report itself (its content or size, not the credentials or the moment): it
     * will never be accepted, so a flush sets it aside in the spool's `refused/` folder instead of sending it
     * again and again. @default false
     */
    readonly refused = false,
  ) {
    super(message);
    markInstance(this, FAILURE_MARK);
  }
}

/** What the service accepts, in characters: longer is refused, so bugbeacon cuts to fit (marking the cut). */
export interface BackendLimits {
  title: number;
  /** A report's text. */
  body: number;
  /** A comment's (occurrence's) text. */
  comment: number;
}

/** An occurrence of a known report, as a value: the backend writes the message in its own markup. */
export interface OccurrenceMessage {
  /** The report's title. */
  title: string;
  /** Occurrences counted on this machine since the last message (not counting this one). */
  count: number;
  /** When the first of them happened (ISO), when there are any. */
  since: string | undefined;
  /** Machines the occurrences come from (this one: 1). */
  machines: number;
  /** App versions the occurrence was seen with. */
  versions: string[];
  /** The report had been closed and was reopened. */
  reopened: boolean;
}

/** A new report for a problem whose report was closed. */
export interface RegressionMessage {
  /** The closed report. */
  of: { ref: ReportRef; url: string };
  /** The new report's body, as rendered. */
  body: string;
}

/** What `render` is given: the report (text and metadata) and the room it has. */
export type RenderInput = ReportDocument;

export interface Backend {
  readonly name: BackendName;
  /** Title, body and comment sizes the service accepts. */
  readonly limits: BackendLimits;
  /** What `repo` means here, for messages: "repository", "project", "category". */
  readonly targetNoun: string;
  /** Throws a typed error (a `BugbeaconError`) when `target` is not something this backend can send to. */
  checkTarget(target: unknown): void;
  /** True when credentials are there to create reports through the API (else the manual URL is used). */
  canSubmit(): boolean;
  /** Title prefix, labels and assignees every report of this helper gets. */
  readonly defaults: { prefix: string; labels: string[]; assignees: string[] };
  /** The body exactly as the service gets it, within `limit` characters. */
  render(document: RenderInput, limit: number): string;
  /** The text of a "seen again" message (the metadata block is added by `render`). */
  occurrenceText(message: OccurrenceMessage): string;
  /** The body of a new report for a problem whose report was closed, within the body limit. */
  regressionText(message: RegressionMessage): string;
  /** A page where a person files the report by hand, prefilled, within the length the service accepts. */
  manualUrl(report: PreparedReport): { url: string; cutCharacters: number };
  /** The create request for a dry run (printed redacted; never sent). */
  describeCreate(target: string, draft: Draft): { method: string; url: string; body: unknown };
  /** A client for `mode` (its HTTP library loads here, not on import). */
  client(mode: ClientMode): Promise<BackendClient>;
  /** Monitors' issues (find by identifier, create, edit, comment); optional: without it, monitors say they cannot post. */
  monitorIssues?(mode: ClientMode): Promise<MonitorIssues>;
  /** Turns a thrown request error into a failure with a reason the user can act on (never includes a token). */
  classify(error: unknown): DeliveryFailure;
}

/** What a backend's `create` gets besides the options: the resolved environment and timing settings. */
export interface BackendContext {
  env: Environment;
  /** Least ms between two content-creating requests (undefined: the backend's default). */
  pacingMs: number | undefined;
  /** Milliseconds one second of the service's timing rules stands for (Retry-After, backoff). */
  retryAfterBaseMs: number | undefined;
}

/** The part of a backend its definition's `create` makes (name and limits come from the definition). */
export type BackendParts = Omit<Backend, "name" | "limits" | "occurrenceText" | "regressionText"> &
  Partial<Pick<Backend, "occurrenceText" | "regressionText">>;

/** A backend as a record: what getHelper and the CLI read to make a helper for it. */
export interface BackendDefinition<Options extends object = Record<string, unknown>> {
  /** Its name for getHelper and the CLI's --backend: lower-case letters, digits and "-". */
  readonly name: BackendName;
  /**
   * Where its credentials come from: environment variables, first set wins (the CLI's --token-env sets
   * the first), and the option that overrides them. For messages and the CLI.
   */
  readonly credentials: { readonly env: readonly string[]; readonly option?: string };
  readonly limits: BackendLimits;
  /** Makes the backend for one helper, checking its own options (a typed error naming a bad one). */
  create(options: Options & HelperOptions & DeliveryOptions, context: BackendContext): BackendParts;
}

/** The messages every built-in backend writes, in Markdown; `label` shows a reference ("#12", "topic 12"). */
export function markdownMessages(label: (ref: ReportRef, url: string) => string): Pick<Backend, "occurrenceText" | "regressionText"> {
  return {
    occurrenceText(m) {
      const lines = [`**Seen again**: ${m.title}`];
      if (m.reopened) lines.unshift("Reopened: seen again after it was closed.");
      if (m.count > 0) lines.push(`Seen ${m.count} more time${m.count === 1 ? "" : "s"} on ${m.machines === 1 ? "this machine" : `${m.machines} machines`}${m.since ? ` since ${m.since}` : ""}.`);
      if (m.versions.length > 0) lines.push(`Version${m.versions.length === 1 ? "" : "s"}: ${m.versions.join(", ")}.`);
      return lines.join("\n\n");
    },
    regressionText: (m) => `This looks like a regression of ${label(m.of.ref, m.of.url)}, which was closed.\n\n${m.body}`,
  };
}

/** The backend of a spool file that names none: files from older versions, which were all GitHub's. */
export const LEGACY_BACKEND = "github";

/** Room kept in a report's body for the line a regression puts before it. */
export const REGRESSION_ROOM = 500;

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * Declares a backend. Pass the record to `getHelper(definition, options)`, or `registerBackend` it so that
 * `getHelper(name)` and the CLI's `--backend name` find it.
 */
export function defineBackend<Options extends object = Record<string, unknown>>(definition: BackendDefinition<Options>): BackendDefinition<Options> {
  const problem = definitionProblem(definition);
  if (problem !== undefined) throw new InvalidOptionError("backend", definition?.name ?? definition, `a backend record: ${problem}`);
  return remember({ ...definition, credentials: Object.freeze({ ...definition.credentials, env: Object.freeze([...definition.credentials.env]) }), limits: Object.freeze({ ...definition.limits }) });
}

function definitionProblem(d: BackendDefinition<never> | undefined): string | undefined {
  if (typeof d !== "object" || d === null) return "expected a record { name, credentials, limits, create }";
  if (typeof d.name !== "string" || !NAME.test(d.name)) return `name must be lower-case letters, digits and "-" (1 to 40), not ${JSON.stringify(d.name)}`;
  if (typeof d.create !== "function") return `${d.name}: create must be a function (options, context) => backend`;
  if (typeof d.credentials !== "object" || d.credentials === null || !Array.isArray(d.credentials.env) || !d.credentials.env.every((v) => typeof v === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v))) {
    return `${d.name}: credentials.env must list environment variable names`;
  }
  for (const key of ["title", "body", "comment"] as const) {
    const v = d.limits?.[key];
    if (!(Number.isInteger(v) && v > 0)) return `${d.name}: limits.${key} must be a positive whole number of characters`;
  }
  if (d.limits.body <= REGRESSION_ROOM + 2000) return `${d.name}: limits.body must be over ${REGRESSION_ROOM + 2000} characters (a report's metadata must fit)`;
  return undefined;
}

function remember<Options extends object>(definition: BackendDefinition<Options>): BackendDefinition<Options> {
  const frozen = Object.freeze(definition);
  brandBackend(frozen, (options, context) => makeBackend(frozen, options as Options & HelperOptions & DeliveryOptions, context));
  return frozen;
}

/** The backend a definition makes for one helper, with its name, limits and default messages. */
export function makeBackend<Options extends object>(definition: BackendDefinition<Options>, options: Options & HelperOptions & DeliveryOptions, context: BackendContext): Backend {
  const parts = definition.create(options, context);
  return { ...markdownMessages((ref) => `#${ref}`), ...parts, name: definition.name, limits: definition.limits };
}

/** Metadata facts the messages use. */
export function versionsOf(metadata: ReportMetadata | undefined): string[] {
  const version = metadata?.app?.version;
  return typeof version === "string" && version !== "" ? [version] : [];
}
