/**
 * A small JSON-over-HTTP client for the backends without an SDK of their own (GitLab, Discourse): the
 * proxy-aware fetch, a timeout per request, the crash path's deadline, unref'd sockets in the background,
 * pacing of content-creating requests, and retries of reads only (a create whose answer was lost is looked
 * up by report id before it is sent again, never retried blindly).
 */
import { neverSent } from "./network-errors.js";
import type { ClientMode } from "../delivery/backend.js";
import { HttpStatusError } from "./rest-errors.js";
import type { AbortSignalLike, Environment, FetchFunction, HeadersLike } from "../_internal/globals.js";
import { withDeadline } from "./deadline.js";

export { classifyRest, HttpStatusError } from "./rest-errors.js";

export interface RestSettings {
  /** API root, e.g. https://gitlab.com/api/v4 */
  root: string;
  headers: Record<string, string>;
  env: Environment;
  fetch: FetchFunction | undefined;
  timeoutMs: number;
  pacingMs: number;
  retryAfterBaseMs: number;
}

/**
 * The longest Retry-After (in the service's seconds) that is waited for. A longer one (Discourse's limit of
 * topics a day asks for hours) fails the attempt at once as retryable: the report waits in the spool.
 */
export const MAX_RETRY_AFTER_SECONDS = 60;

export type Query = Record<string, string | number | readonly string[] | undefined>;

export interface Rest {
  /** A read; `rateLimited: "fail"` gives up at once on a 429 (a search a report does not wait for). */
  get<T>(path: string, query?: Query, signal?: AbortSignalLike, options?: { rateLimited?: "wait" | "fail" }): Promise<{ data: T; headers: HeadersLike }>;
  send<T>(method: "POST" | "PUT" | "PATCH", path: string, body: unknown): Promise<T>;
}

/**
 * A built-in backend's REST client: its API root and credentials headers, with the helper's options for the
 * rest (the `fetch` to use, the request timeout, default 10 s) and the resolved pacing and back-off
 * (default 1 s each).
 */
export function serviceRest(
  root: string,
  headers: Record<string, string>,
  options: { fetch?: FetchFunction | undefined; timeoutMs?: number | undefined },
  context: { env: Environment; pacingMs: number | undefined; retryAfterBaseMs: number | undefined },
  mode: ClientMode,
): Promise<Rest> {
  return createRest(
    {
      root,
      headers,
      env: context.env,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs ?? 10_000,
      pacingMs: context.pacingMs ?? 1000,
      retryAfterBaseMs: context.retryAfterBaseMs ?? 1000,
    },
    mode,
  );
}

export async function createRest(settings: RestSettings, mode: ClientMode): Promise<Rest> {
  const { resolveFetch } = await import("./http.js");
  const base = await resolveFetch(settings.env, settings.fetch, mode.kind === "background" ? { unref: true } : {});
  const oneAttempt = mode.kind !== "normal";
  const pacing = oneAttempt ? 0 : settings.pacingMs;
  let nextWrite = 0;
  const stop = mode.kind === "normal" ? mode.signal : undefined;
  const call = async (method: string, path: string, body: unknown, signal?: AbortSignal): Promise<Response> => {
    const limit = mode.kind === "crash" ? Math.max(1, mode.sendBy - Date.now()) : settings.timeoutMs;
    const response = await withDeadline(limit, [stop, signal], (both) =>
      base(`${settings.root}${path}`, {
        method,
        headers: { accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...settings.headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: both,
      }),
    );
    if (response.ok) return response;
    const text = await response.text().catch(() => "");
    throw new HttpStatusError(response.status, method, path.split("?")[0] ?? path, retryAfterOf(response.headers, text), text.slice(0, 200));
  };
  // A foreground wait is awaited by the caller (a flush, a report): its timer holds the process open, or a
  // CLI flush would end in the middle of it, until the helper is closed (`stop`). The other modes make one
  // attempt and never wait.
  const wait = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (stop?.aborted === true) return reject(stop.reason as Error);
      const timer = setTimeout(() => {
        stop?.removeEventListener("abort", onStop);
        resolve();
      }, ms);
      const onStop = () => {
        clearTimeout(timer);
        reject(stop?.reason as Error);
      };
      stop?.addEventListener("abort", onStop, { once: true });
    });
  /** The wait a 429 asks for, in ms, or undefined when it is longer than the cap (give up now). */
  const waitFor = (error: HttpStatusError, fallbackSeconds: number): number | undefined => {
    const seconds = error.retryAfterSeconds ?? fallbackSeconds;
    return seconds > MAX_RETRY_AFTER_SECONDS ? undefined : seconds * settings.retryAfterBaseMs;
  };
  return {
    async get<T>(path: string, query: Query = {}, signal?: AbortSignal, options: { rateLimited?: "wait" | "fail" } = {}) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
        else if (v !== undefined) params.set(k, String(v));
      }
      const full = params.size > 0 ? `${path}?${params}` : path;
      for (let attempt = 0; ; attempt++) {
        try {
          const response = await call("GET", full, undefined, signal);
          return { data: (await response.json()) as T, headers: response.headers };
        } catch (error) {
          const status = error instanceof HttpStatusError ? error.status : undefined;
          const retryable = status === undefined ? !neverSent(error) && !signal?.aborted : status >= 500 || (status === 429 && options.rateLimited !== "fail");
          if (oneAttempt || attempt >= 2 || !retryable) throw error;
          const after = error instanceof HttpStatusError ? waitFor(error, (attempt + 1) ** 2) : (attempt + 1) ** 2 * settings.retryAfterBaseMs;
          if (after === undefined) throw error;
          await wait(after);
        }
      }
    },
    async send<T>(method: "POST" | "PUT" | "PATCH", path: string, body: unknown) {
      // Pacing: at least `pacingMs` between two content-creating requests of this client.
      const now = Date.now();
      const start = Math.max(now, nextWrite);
      nextWrite = start + pacing;
      if (start > now) await wait(start - now);
      for (let attempt = 0; ; attempt++) {
        try {
          return (await (await call(method, path, body)).json()) as T;
        } catch (error) {
          // Only a rate limit (nothing was created) is waited for and tried again.
          if (oneAttempt || attempt >= 2 || !(error instanceof HttpStatusError && error.status === 429)) throw error;
          const after = waitFor(error, 1);
          if (after === undefined) throw error;
          await wait(after);
        }
      }
    },
  };
}

/**
 * The seconds a refusal asks to wait: the Retry-After header, else Discourse's `extras.wait_seconds` in a
 * JSON body (its RateLimiter::LimitExceeded answer carries both).
 */
function retryAfterOf(headers: Headers, text: string): number | undefined {
  const header = headers.get("retry-after");
  if (header !== null && header.trim() !== "") {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds;
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }
  try {
    const wait = (JSON.parse(text) as { extras?: { wait_seconds?: unknown } } | null)?.extras?.wait_seconds;
    if (typeof wait === "number" && Number.isFinite(wait) && wait >= 0) return wait;
  } catch {
    // Not JSON: no wait given.
  }
  return undefined;
}
