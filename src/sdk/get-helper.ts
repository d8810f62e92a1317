/**
 * The composition root: the one module that knows every backend. getHelper, installHandlers and flush
 * make their helpers here; the pipeline and the prompts know only the `Backend` interface.
 */
import { InvalidOptionError, UnknownBackendError } from "../errors.js";
import type { BackendName } from "../delivery/backend.js";
import { githubBackend } from "../backends/github/backend.js";
import { relayBackend, resolveRelayUrl } from "../backends/relay/backend.js";
import type { GitHubHelperOptions } from "../backends/github/options.js";
import { gitlabBackend, type GitLabHelperOptions } from "../backends/gitlab/backend.js";
import { discourseBackend, type DiscourseHelperOptions } from "../backends/discourse/backend.js";
import { resolveDeliveryOptions } from "../delivery/options.js";
import { Helper } from "./helper.js";

/** A helper that reports to GitHub issues (the same `Helper` class as every backend's). */
export type GitHubHelper = Helper<GitHubHelperOptions>;

/** The backends `getHelper` knows, with their options. */
/** A helper that reports to GitLab issues. */
export type GitLabHelper = Helper<GitLabHelperOptions>;

/** A helper that reports to a Discourse category. */
export type DiscourseHelper = Helper<DiscourseHelperOptions>;

export interface HelperRegistry {
  github: { options: GitHubHelperOptions; helper: GitHubHelper };
  gitlab: { options: GitLabHelperOptions; helper: GitLabHelper };
  discourse: { options: DiscourseHelperOptions; helper: DiscourseHelper };
}

type Factories = { [K in keyof HelperRegistry]: (options: HelperRegistry[K]["options"]) => HelperRegistry[K]["helper"] };

const backends: Factories = {
  github: (options) => {
    const env = options.env ?? process.env;
    const delivery = resolveDeliveryOptions(options, env);
    const github = githubBackend(options, { env, pacingMs: delivery.pacingMs, retryAfterBaseMs: delivery.retryAfterBaseMs });
    // With a relay and no credentials, reports go to the relay, which counts in one place (no dedupe here).
    const relay = github.canSubmit() ? undefined : resolveRelayUrl(options.relay, env);
    if (relay !== undefined) {
      const backend = relayBackend(github, { url: relay, env, ...(options.spoolDir !== undefined ? { idDir: options.spoolDir } : {}), ...(options.fetch !== undefined ? { fetch: options.fetch } : {}), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) });
      return new Helper({ ...options, dedupe: false }, { backend, delivery, ...(options.footer !== undefined ? { footer: options.footer } : {}) });
    }
    const backend = github;
    return new Helper(options, { backend, delivery, ...(options.footer !== undefined ? { footer: options.footer } : {}) });
  },
  gitlab: (options) => {
    const env = options.env ?? process.env;
    const delivery = resolveDeliveryOptions(options, env);
    return new Helper(options, { backend: gitlabBackend(options, { env, pacingMs: delivery.pacingMs, retryAfterBaseMs: delivery.retryAfterBaseMs }), delivery });
  },
  discourse: (options) => {
    const env = options.env ?? process.env;
    const delivery = resolveDeliveryOptions(options, env);
    return new Helper(options, { backend: discourseBackend(options, { env, pacingMs: delivery.pacingMs, retryAfterBaseMs: delivery.retryAfterBaseMs }), delivery });
  },
};

/** Names `getHelper` accepts. */
export const helperNames = Object.freeze(Object.keys(backends)) as ReadonlyArray<keyof HelperRegistry & BackendName>;

/**
 * Returns a helper for a backend. Options and environment variables are checked here, once: a bad
 * value throws now (an `InvalidOptionError` naming it), not when the first crash is reported.
 * @example
 * const helper = getHelper("github", { requireToken: false });
 * await helper.runHeadless({ identifier: "TypeError: x", title: "Crash", body: "…", repo: "owner/app" });
 */
export function getHelper<K extends keyof HelperRegistry>(name: K, options?: HelperRegistry[K]["options"]): HelperRegistry[K]["helper"] {
  if (typeof name !== "string" || !Object.hasOwn(backends, name)) throw new UnknownBackendError(name, helperNames);
  const given: unknown = options ?? {};
  if (typeof given !== "object" || given === null) throw new InvalidOptionError("options", given, "an object");
  return backends[name](given as HelperRegistry[K]["options"]);
}
