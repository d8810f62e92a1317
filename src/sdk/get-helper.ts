/**
 * The composition root: the one module that knows every backend. getHelper, installHandlers and flush
 * make their helpers here; the pipeline and the prompts know only the `Backend` interface.
 *
 * This module is on bugbeacon's import path: a backend is named here by its options' checks (light, run
 * when the helper is made, so a bad value throws at once) and by a loader for its adapter (requests,
 * rendering, the prefilled URL), which loads with the report path (./lazy.ts) on the first report.
 */
import { InvalidOptionError, UnknownBackendError } from "../errors.js";
import type { Backend, BackendName } from "../delivery/backend.js";
import { resolveGitHubSettings, type GitHubHelperOptions } from "../backends/github/options.js";
import { parseRepo } from "../backends/github/repo.js";
import { parseProjectPath, resolveGitLabSettings, type GitLabHelperOptions } from "../backends/gitlab/options.js";
import { parseCategory, resolveDiscourseSettings, type DiscourseHelperOptions } from "../backends/discourse/options.js";
import { resolveDeliveryOptions } from "../delivery/options.js";
import { Helper, type BackendSummary } from "./helper.js";

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

/** What every backend factory gets besides its options. */
interface BackendSettings {
  env: NodeJS.ProcessEnv;
  pacingMs: number | undefined;
  retryAfterBaseMs: number | undefined;
}

/** A backend as getHelper knows it: its options' checks now, its adapter on first use. */
interface BackendEntry<O> {
  /** Checks the backend's own options (throws a typed error naming the bad one); what the helper needs before a report. */
  summarize(options: O, env: NodeJS.ProcessEnv): BackendSummary;
  /** Loads the adapter's module and makes the backend. */
  load(options: O, settings: BackendSettings): Promise<Backend>;
}

type Entries = { [K in keyof HelperRegistry]: BackendEntry<HelperRegistry[K]["options"]> };

const backends: Entries = {
  github: {
    summarize(options, env) {
      const { token, app } = resolveGitHubSettings(options, env);
      return { name: "github", targetNoun: "repository", checkTarget: (target) => void parseRepo(target), canSubmit: () => token !== undefined || app !== undefined };
    },
    load: async (options, settings) => (await import("./lazy.js")).githubBackend(options, settings),
  },
  gitlab: {
    summarize(options, env) {
      const { token } = resolveGitLabSettings(options, env);
      return { name: "gitlab", targetNoun: "project", checkTarget: (target) => void parseProjectPath(target), canSubmit: () => token !== undefined };
    },
    load: async (options, settings) => (await import("./lazy.js")).gitlabBackend(options, settings),
  },
  discourse: {
    summarize(options, env) {
      const { apiKey } = resolveDiscourseSettings(options, env);
      return { name: "discourse", targetNoun: "category", checkTarget: (target) => void parseCategory(target), canSubmit: () => apiKey !== undefined };
    },
    load: async (options, settings) => (await import("./lazy.js")).discourseBackend(options, settings),
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
  const checked = given as HelperRegistry[K]["options"];
  const entry = backends[name] as BackendEntry<HelperRegistry[K]["options"]>;
  const env = checked.env ?? process.env;
  const delivery = resolveDeliveryOptions(checked, env);
  const backend = entry.summarize(checked, env);
  const settings: BackendSettings = { env, pacingMs: delivery.pacingMs, retryAfterBaseMs: delivery.retryAfterBaseMs };
  const footer = name === "github" ? (checked as GitHubHelperOptions).footer : undefined;
  return new Helper(checked, {
    backend,
    // The backend's own checks ran above; its factory runs them again on the same values when it loads.
    loadBackend: () => entry.load(checked, settings),
    delivery,
    ...(footer !== undefined ? { footer } : {}),
  }) as HelperRegistry[K]["helper"];
}
