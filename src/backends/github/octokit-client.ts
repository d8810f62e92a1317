import type { Octokit } from "@octokit/rest";
import { VERSION } from "../../version.js";
import { neverSent } from "../network-errors.js";
import { withDeadline } from "../deadline.js";

/** A GitHub App installation, as an alternative to a personal token. */
export interface AppCredentials {
  appId: number | string;
  /** The app's private key (PEM). */
  privateKey: string;
  installationId: number | string;
}

export interface OctokitClientOptions {
  /** A token, or a GitHub App installation (installation tokens are cached and renewed before they expire by @octokit/auth-app). */
  token: string | AppCredentials;
  baseUrl: string;
  /** Every request gets at most this long; Octokit has none of its own. */
  timeoutMs: number;
  /**
   * Least time between two content-creating requests (issues, comments). GitHub documents at most 80 a
   * minute (and 500 an hour); one a second keeps a burst under both for the first eight minutes.
   * @default 1000
   */
  pacingMs?: number;
  /** Retries of a request GitHub answered with 5xx or a rate limit. @default 3 */
  retries?: number;
  /**
   * Milliseconds that one second of GitHub's timing rules stands for: Retry-After, the retry backoff and the
   * 2 s spacing between searches (tests shorten them). @default 1000
   */
  retryAfterBaseMs?: number;
  /** The fetch requests go through (a proxy-aware one, or the app's own). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The crash path: each request is tried once; a rate limit is not waited for. @default false */
  oneAttempt?: boolean;
}

export const DEFAULT_PACING_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Octokit with the well-kept plugins for GitHub's limits, all loaded on first use: throttling (paces
 * writes, honours Retry-After and secondary rate limits) and retry (backs off on 5xx). Requests that
 * create content are not retried blindly (a lost answer would duplicate the issue): `createOnce` turns
 * retries off for them, and delivery checks whether the report arrived before trying again.
 */
export async function createOctokit(options: OctokitClientOptions): Promise<Octokit> {
  const [{ Octokit }, { throttling }, { retry }, { default: Bottleneck }] = await Promise.all([
    import("@octokit/rest"),
    import("@octokit/plugin-throttling"),
    import("@octokit/plugin-retry"),
    import("bottleneck"),
  ]);
  const timedFetch: typeof fetch = (input, init) => withDeadline(options.timeoutMs, [init?.signal], (signal) => (options.fetch ?? fetch)(input, { ...init, signal }));
  const retries = options.oneAttempt === true ? 0 : (options.retries ?? 3);
  const base = options.retryAfterBaseMs ?? 1000;
  // noRetryWhenUnreachable comes first so its error hook runs before the retry plugin's.
  const Client = Octokit.plugin(noRetryWhenUnreachable, throttling, retry);
  const auth =
    typeof options.token === "string"
      ? { auth: options.token }
      : {
          authStrategy: (await import("@octokit/auth-app")).createAppAuth,
          auth: { appId: options.token.appId, privateKey: options.token.privateKey, installationId: options.token.installationId },
        };
  return new Client({
    ...auth,
    baseUrl: options.baseUrl,
    userAgent: `bugbeacon/${VERSION}`,
    // No `request.retries` here: the retry plugin repeats any failed request whose options carry it, a 404
    // or a 401 too (three more tries, a second apart). Its own `retries` applies only to the failures it
    // judges worth repeating (5xx); one request turns them off with `request: { retries: 0 }`.
    request: { fetch: timedFetch },
    // The retry plugin's backoff (1, 4, 9 × base) is scaled by its own setting.
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451], retryAfterBaseValue: base, retries },
    throttle: {
      id: `bugbeacon-${process.pid}`,
      retryAfterBaseValue: base,
      fallbackSecondaryRateRetryAfter: 60,
      // Groups of our own, so pacing is per helper and not shared with other Octokits in the app. New issues
      // and comments are both writes and notification-triggering; one setting paces both.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.oneAttempt === true ? 0 : (options.pacingMs ?? DEFAULT_PACING_MS) }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.oneAttempt === true ? 0 : (options.pacingMs ?? DEFAULT_PACING_MS) }),
      // The plugin's own spacing for search (2 s: GitHub allows 30 a minute), on the same time base as Retry-After.
      search: new Bottleneck.Group({ maxConcurrent: 1, minTime: 2 * base }),
      // A rate-limited search (dedupe) is not waited for: the report is sent as new and triage merges it.
      onRateLimit: (_after: number, opts: { url?: string }, _octokit: unknown, retryCount: number) => !isSearch(opts) && retryCount < retries,
      onSecondaryRateLimit: (_after: number, opts: { url?: string }, _octokit: unknown, retryCount: number) => !isSearch(opts) && retryCount < retries,
    },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  }) as unknown as Octokit;
}

function isSearch(options: { url?: string }): boolean {
  return typeof options.url === "string" && options.url.startsWith("/search/");
}

/**
 * A request that never reached GitHub (connection refused, unknown host: the machine is offline) is not
 * retried: the retry plugin would back off 1 + 4 + 9 seconds, holding up a crashing app, when the report
 * can be queued at once for a later flush. Registered before the retry plugin, so its error hook sees the
 * failure first and turns that request's retries off.
 */
function noRetryWhenUnreachable(octokit: { hook: { error: (name: "request", hook: (error: Error, options: { request?: object }) => never) => void } }): void {
  octokit.hook.error("request", (error, options) => {
    if (neverSent(error)) options.request = { ...options.request, retries: 0 };
    throw error;
  });
}
