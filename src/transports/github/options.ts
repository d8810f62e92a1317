import { InvalidOptionError } from "../../errors.js";
import { parseRepo } from "./repo.js";
import type { HelperOptions } from "../../sdk/types.js";
import { validateLabels } from "../../sdk/base-helper.js";

export interface GitHubHelperOptions extends HelperOptions {
  /**
   * Token that may create issues in the target repository. Never written to disk.
   * @default env BUGBEACON_GITHUB_TOKEN, else env HELPME_GITHUB_TOKEN
   */
  token?: string;
  /** Reject (with `MissingTokenError`, before any network or prompt) when no token is found. @default false */
  requireToken?: boolean;
  /**
   * Open the prefilled new-issue URL in a browser when there is no token.
   * @default true outside CI (per ci-info) when a desktop is there (DISPLAY/WAYLAND_DISPLAY, macOS, Windows)
   */
  open?: boolean;
  /** Labels for created issues. On the no-token URL only with `labelsInUrl: true`. */
  labels?: string[];
  /**
   * Also put `labels` into the prefilled URL. Off by default: GitHub answers 404 to a prefilled label the
   * reporter may not set (anyone without triage access).
   * @default false
   */
  labelsInUrl?: boolean;
  /**
   * REST API root, for GitHub Enterprise Server.
   * @default env BUGBEACON_GITHUB_API_URL, else "https://api.github.com"
   * @example "https://github.example.com/api/v3"
   */
  baseUrl?: string;
  /** Web root for prefilled URLs. @default derived from baseUrl ("https://github.com" for api.github.com) */
  webUrl?: string;
  /** Put before every title, as helpme's "[helpme]". @example "[bugbeacon]" */
  prefix?: string;
  /** `"helpme"` ends the body with helpme's line `HelpMe Github Issue: md5.<hex>` for old support repositories. @default "bugbeacon" */
  footer?: "bugbeacon" | "helpme";
  /** Longest time for one request to GitHub. @default 10000 */
  timeoutMs?: number;
  /**
   * Look for an existing issue with the same identifier before creating one (local cache, then search).
   * @default true
   */
  dedupe?: boolean;
  /**
   * An open issue has the same identifier:
   * - `"count"`: at most one "seen again" comment per `seenAgainEvery` from this machine; occurrences in
   *   between are counted locally and the count goes into the next comment ("seen 37 more times on this
   *   machine since …");
   * - `"react"`: a +1 reaction (notifies no one), at most once per `seenAgainEvery` from this machine;
   * - `"comment"`: a "seen again" comment every time; `"new"`: a new issue anyway; `"skip"`: nothing.
   * @default "count"
   */
  onDuplicate?: "count" | "react" | "comment" | "new" | "skip";
  /**
   * With `onDuplicate: "count"` or `"react"`: least time between two messages about one identifier from
   * this machine, in milliseconds. Remembered beside the identifier cache, across processes.
   * @default 86400000 (24 hours)
   */
  seenAgainEvery?: number;
  /**
   * On creating the helper, send the reports waiting in the spool in the background: unref'd timers and
   * sockets, so it never delays the app's start or exit (what is not finished waits for the next start).
   * @default true when a token (or GitHub App) is available
   */
  flushOnStart?: boolean;
  /**
   * The fetch every request goes through, as Octokit's `request.fetch` (to instrument HTTP). With it,
   * proxy variables are left to your fetch.
   * @default globalThis.fetch (through undici's proxy agent when HTTPS_PROXY / HTTP_PROXY is set)
   */
  fetch?: typeof globalThis.fetch;
  /** The issue with the same identifier is closed: reopen it, or open a new one linking to it (a regression is news). @default "new" */
  onClosed?: "reopen" | "new";
  /**
   * Least milliseconds between two content-creating requests (issues, comments).
   * @default env BUGBEACON_PACING_MS, else 1000 (GitHub documents at most 80 a minute, 500 an hour)
   */
  pacingMs?: number;
  /**
   * Milliseconds that one second of GitHub's timing rules stands for: Retry-After, the retry backoff
   * (1, 4, 9 steps) and the 2 s spacing between searches. For tests (a fake GitHub answering
   * "Retry-After: 1" need not cost a real second) and advanced use; leave it alone against github.com.
   * @default env BUGBEACON_RETRY_BASE_MS, else 1000
   * @example 10
   */
  retryAfterBaseMs?: number;
  /** Send every report to this repository instead (to try a setup). @default env BUGBEACON_TEST_REPO */
  testRepo?: string;
  /** Print the request that would be sent (redacted) and send nothing. @default false */
  dryRun?: boolean;
  /** Assignees for created issues. */
  assignees?: string[];
  /** Where unsent reports wait. @default env BUGBEACON_SPOOL_DIR, else the user's cache folder */
  spoolDir?: string;
  /**
   * Authenticate as a GitHub App installation instead of with a token. Installation tokens are cached and
   * renewed before they expire. @default env BUGBEACON_APP_ID, BUGBEACON_APP_PRIVATE_KEY, BUGBEACON_APP_INSTALLATION_ID
   */
  githubApp?: { appId: number | string; privateKey: string; installationId: number | string };
}

/** App credentials from the option, else the three BUGBEACON_APP_* variables (all or none). */
export function resolveAppCredentials(options: GitHubHelperOptions, env: NodeJS.ProcessEnv): GitHubHelperOptions["githubApp"] {
  if (options.githubApp !== undefined) return options.githubApp;
  const names = ["BUGBEACON_APP_ID", "BUGBEACON_APP_PRIVATE_KEY", "BUGBEACON_APP_INSTALLATION_ID"] as const;
  const values = names.map((n) => env[n]);
  if (values.every((v) => v === undefined || v === "")) return undefined;
  const missing = names.filter((_, i) => !values[i]);
  if (missing.length > 0) throw new InvalidOptionError(missing[0] ?? "BUGBEACON_APP_ID", undefined, `all three of ${names.join(", ")} for GitHub App auth`);
  return { appId: values[0] as string, privateKey: (values[1] as string).replace(/\\n/g, "\n"), installationId: values[2] as string };
}

export const DEFAULT_API_URL = "https://api.github.com";

export function validateGitHubOptions(options: GitHubHelperOptions): void {
  for (const key of ["token", "prefix", "baseUrl", "webUrl"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "string") throw new InvalidOptionError(key, v, "a string");
  }
  for (const key of ["requireToken", "open", "labelsInUrl"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "boolean") throw new InvalidOptionError(key, v, "true or false");
  }
  if (options.footer !== undefined && options.footer !== "bugbeacon" && options.footer !== "helpme") {
    throw new InvalidOptionError("footer", options.footer, '"bugbeacon" or "helpme"');
  }
  if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new InvalidOptionError("timeoutMs", options.timeoutMs, "a positive whole number of milliseconds");
  }
  validateLabels(options.labels, "labels");
  for (const key of ["dedupe", "dryRun"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "boolean") throw new InvalidOptionError(key, v, "true or false");
  }
  if (options.onDuplicate !== undefined && !["count", "react", "comment", "new", "skip"].includes(options.onDuplicate)) {
    throw new InvalidOptionError("onDuplicate", options.onDuplicate, '"count", "react", "comment", "new" or "skip"');
  }
  if (options.seenAgainEvery !== undefined && !(Number.isInteger(options.seenAgainEvery) && options.seenAgainEvery >= 0)) {
    throw new InvalidOptionError("seenAgainEvery", options.seenAgainEvery, "a whole number of milliseconds (0 or more), e.g. 86400000 for a day");
  }
  if (options.flushOnStart !== undefined && typeof options.flushOnStart !== "boolean") {
    throw new InvalidOptionError("flushOnStart", options.flushOnStart, "true or false");
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new InvalidOptionError("fetch", options.fetch, "a fetch function (input, init) => Promise<Response>");
  }
  if (options.onClosed !== undefined && options.onClosed !== "reopen" && options.onClosed !== "new") {
    throw new InvalidOptionError("onClosed", options.onClosed, '"reopen" or "new"');
  }
  if (options.pacingMs !== undefined && !(Number.isInteger(options.pacingMs) && options.pacingMs >= 0)) {
    throw new InvalidOptionError("pacingMs", options.pacingMs, "a whole number of milliseconds (0 or more)");
  }
  if (options.retryAfterBaseMs !== undefined && !(Number.isInteger(options.retryAfterBaseMs) && options.retryAfterBaseMs >= 0)) {
    throw new InvalidOptionError("retryAfterBaseMs", options.retryAfterBaseMs, "a whole number of milliseconds (0 or more)");
  }
  if (options.assignees !== undefined && (!Array.isArray(options.assignees) || !options.assignees.every((a) => typeof a === "string" && /^[A-Za-z0-9-]{1,39}$/.test(a)))) {
    throw new InvalidOptionError("assignees", options.assignees, "an array of GitHub logins");
  }
  if (options.githubApp !== undefined) {
    const a = options.githubApp as Partial<NonNullable<GitHubHelperOptions["githubApp"]>> | null;
    const id = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v > 0) || (typeof v === "string" && /^\d+$/.test(v));
    if (typeof a !== "object" || a === null || !id(a.appId) || !id(a.installationId) || typeof a.privateKey !== "string" || !a.privateKey.includes("PRIVATE KEY")) {
      throw new InvalidOptionError("githubApp", "(app credentials)", "{ appId, privateKey, installationId }: numeric ids and the app's PEM private key");
    }
  }
  if (options.spoolDir !== undefined && (typeof options.spoolDir !== "string" || options.spoolDir === "")) {
    throw new InvalidOptionError("spoolDir", options.spoolDir, "a folder path");
  }
}

/**
 * The test repository from `testRepo`, else BUGBEACON_TEST_REPO (empty counts as unset), checked by
 * GitHub's rules; the error names whichever of the two was wrong.
 */
export function resolveTestRepo(options: GitHubHelperOptions, env: NodeJS.ProcessEnv): string | undefined {
  const [source, value] = options.testRepo !== undefined ? ["testRepo", options.testRepo as unknown] : ["BUGBEACON_TEST_REPO", env.BUGBEACON_TEST_REPO || undefined];
  if (value === undefined) return undefined;
  try {
    parseRepo(value);
  } catch (error) {
    throw new InvalidOptionError(source, value, 'a GitHub repository as "owner/name" to send every report to, e.g. "me/app-sandbox"', {
      code: "ERR_INVALID_REPO",
      cause: error,
    });
  }
  return value as string;
}

/** Pacing from the option, else BUGBEACON_PACING_MS, else the default. */
export function resolvePacing(options: GitHubHelperOptions, env: NodeJS.ProcessEnv): number | undefined {
  if (options.pacingMs !== undefined) return options.pacingMs;
  const raw = env.BUGBEACON_PACING_MS;
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new InvalidOptionError("BUGBEACON_PACING_MS", raw, "a whole number of milliseconds, e.g. BUGBEACON_PACING_MS=1000");
  return n;
}

/** Retry-After base from the option, else BUGBEACON_RETRY_BASE_MS, else Octokit's (1000). */
export function resolveRetryBase(options: GitHubHelperOptions, env: NodeJS.ProcessEnv): number | undefined {
  if (options.retryAfterBaseMs !== undefined) return options.retryAfterBaseMs;
  const raw = env.BUGBEACON_RETRY_BASE_MS;
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new InvalidOptionError("BUGBEACON_RETRY_BASE_MS", raw, "a whole number of milliseconds, e.g. BUGBEACON_RETRY_BASE_MS=10");
  return n;
}

/** Resolves and checks the API root: option, then env, then github.com. */
export function resolveApiUrl(options: GitHubHelperOptions, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.BUGBEACON_GITHUB_API_URL;
  const [source, value] =
    options.baseUrl !== undefined
      ? ["baseUrl", options.baseUrl]
      : fromEnv !== undefined && fromEnv !== ""
        ? ["BUGBEACON_GITHUB_API_URL", fromEnv]
        : ["baseUrl", DEFAULT_API_URL];
  return checkHttpUrl(source, value);
}

/** The web root matching an API root: api.github.com → github.com, <host>/api/v3 → <host>. */
export function resolveWebUrl(options: GitHubHelperOptions, apiUrl: string): string {
  if (options.webUrl !== undefined) return checkHttpUrl("webUrl", options.webUrl);
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api\/v3$/, "");
  return `${url.protocol}//${url.host}${path}`;
}

function checkHttpUrl(option: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new InvalidOptionError(option, value, 'an http(s) URL like "https://github.example.com/api/v3"', { cause });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InvalidOptionError(option, value, "an http:// or https:// URL");
  }
  if (url.username !== "" || url.password !== "") {
    throw new InvalidOptionError(option, "(a URL with credentials)", "a URL without user:password; pass the token as { token }");
  }
  return value.replace(/\/+$/, "");
}
