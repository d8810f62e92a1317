import type { Octokit } from "@octokit/rest";
import { VERSION } from "../../version.js";

export interface OctokitClientOptions {
  token: string;
  baseUrl: string;
  /** Every request gets at most this long; Octokit has no timeout of its own. */
  timeoutMs: number;
}

/** Creates an Octokit on first use: `@octokit/rest` is loaded only when a report is really sent. */
export async function createOctokit(options: OctokitClientOptions): Promise<Octokit> {
  const { Octokit } = await import("@octokit/rest");
  const timedFetch: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
  return new Octokit({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: `bugbeacon/${VERSION}`,
    request: { fetch: timedFetch },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}
