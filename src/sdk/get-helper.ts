/**
 * The composition root: getHelper, installHandlers and flush make their helpers here, from a backend record
 * (src/delivery/backend.ts, `defineBackend`): one of the built-in ones, one registered by name, or one
 * passed directly. The pipeline and the prompts know only the `Backend` interface.
 *
 * This module is on bugbeacon's import path: a built-in backend is named here by its options' checks
 * (light, run when the helper is made, so a bad value throws at once) and by a loader for its adapter
 * (requests, rendering, the prefilled URL), which loads with the report path (./lazy.ts) on the first
 * report (../backends/builtins.ts). A record the app passes or registers is made at once (the app has
 * loaded its code already).
 */
import { InvalidOptionError, UnknownBackendError } from "../errors.js";
import type { Backend, BackendContext, BackendDefinition } from "../delivery/backend.js";
import { makeFromRecord } from "../backends/brand.js";
import { discourse, gitea, github, gitlab, type BuiltIn } from "../backends/builtins.js";
import { resolveRelayUrl } from "../backends/relay/options.js";
import type { GitHubHelperOptions } from "../backends/github/options.js";
import type { GitLabHelperOptions } from "../backends/gitlab/options.js";
import type { DiscourseHelperOptions } from "../backends/discourse/options.js";
import type { GiteaHelperOptions } from "../backends/gitea/options.js";
import { backendNames, findBackend, isBackendDefinition, registerBackend, registerBuiltIn, seedBuiltIns, unregisterBackend } from "../backends/registry.js";
import { resolveDeliveryOptions, type DeliveryOptions } from "../delivery/options.js";
import type { HelperOptions } from "../types.js";
import { checkKnownKeys } from "../_internal/validate-options.js";
import { Helper, type BackendSummary } from "./helper.js";
import type { LazyModule } from "./lazy-sync.js";

/** A helper that reports to GitHub issues (the same `Helper` class as every backend's). */
export type GitHubHelper = Helper<GitHubHelperOptions>;

/** A helper that reports to GitLab issues. */
export type GitLabHelper = Helper<GitLabHelperOptions>;

/** A helper that reports to a Discourse category. */
export type DiscourseHelper = Helper<DiscourseHelperOptions>;

/** A helper that reports to Gitea or Forgejo issues. */
export type GiteaHelper = Helper<GiteaHelperOptions>;

/**
 * The backends `getHelper` knows by name, with their options. A backend you register can be added by
 * declaration merging: `declare module "bugbeacon" { interface HelperRegistry { jira: { options: …; helper: Helper<…> } } }`.
 */
/** The options a backend record's helper takes. */
type OptionsOf<D> = D extends BackendDefinition<infer O> ? O & HelperOptions & DeliveryOptions : never;

export interface HelperRegistry {
  github: { options: GitHubHelperOptions; helper: GitHubHelper };
  gitlab: { options: GitLabHelperOptions; helper: GitLabHelper };
  discourse: { options: DiscourseHelperOptions; helper: DiscourseHelper };
  gitea: { options: GiteaHelperOptions; helper: GiteaHelper };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each record has its own options type
const builtIns = new Map<BackendDefinition<never>, BuiltIn<any>>();
// Registered when the registry is first used (getHelper, findBackend, backendNames…), not at import.
seedBuiltIns(() => {
  for (const entry of [github, gitlab, discourse, gitea]) {
    registerBuiltIn(entry.definition);
    builtIns.set(entry.definition as BackendDefinition<never>, entry);
  }
});

/** Every option each backend's helper takes, checked against the option types at compile time. */
const COMMON_KEYS = [
  "disabled", "confirm", "confirmTimeoutMs", "envAllowlist", "generateMd5", "redactPatterns", "quiet", "env", "app", "repo",
  "beforeSend", "identify", "breadcrumbs", "captureConsole", "appRoot",
  "requireToken", "open", "labels", "prefix", "timeoutMs", "dedupe", "onDuplicate", "seenAgainEvery", "flushOnStart", "fetch",
  "onClosed", "pacingMs", "retryAfterBaseMs", "testRepo", "dryRun", "spoolDir",
] as const;
export const OPTION_KEYS = {
  github: [...COMMON_KEYS, "token", "labelsInUrl", "baseUrl", "webUrl", "footer", "assignees", "githubApp", "relay"],
  gitlab: [...COMMON_KEYS, "token", "baseUrl"],
  discourse: [...COMMON_KEYS, "baseUrl", "apiKey", "apiUsername"],
  gitea: [...COMMON_KEYS, "token", "baseUrl", "assignees"],
} as const;
type Exactly<T, K extends PropertyKey> = [Exclude<keyof T, K>, Exclude<K, keyof T>] extends [never, never] ? true : { missing: Exclude<keyof T, K>; extra: Exclude<K, keyof T> };
const keysMatchTypes: [
  Exactly<GitHubHelperOptions, (typeof OPTION_KEYS.github)[number]>,
  Exactly<GitLabHelperOptions, (typeof OPTION_KEYS.gitlab)[number]>,
  Exactly<DiscourseHelperOptions, (typeof OPTION_KEYS.discourse)[number]>,
  Exactly<GiteaHelperOptions, (typeof OPTION_KEYS.gitea)[number]>,
] = [true, true, true, true];
void keysMatchTypes;


/** The built-in backends' names (`backendNames()` also lists registered ones). */
export const helperNames: ReadonlyArray<keyof HelperRegistry> = Object.freeze(["github", "gitlab", "discourse", "gitea"] as const);

/**
 * Returns a helper for a backend: a name (built in or registered), or a backend record from
 * `defineBackend`. Options and environment variables are checked here, once: a bad value throws now (an
 * `InvalidOptionError` naming it), not when the first crash is reported.
 * @example
 * const helper = getHelper("github", { requireToken: false });
 * await helper.runHeadless({ identifier: "TypeError: x", title: "Crash", body: "…", repo: "owner/app" });
 */
export function getHelper<K extends keyof HelperRegistry>(name: K, options?: HelperRegistry[K]["options"]): HelperRegistry[K]["helper"];
// Two type parameters, so that `getHelper<"github">` (one) names the first signature only.
export function getHelper<D extends BackendDefinition<never>, _Unused>(backend: D, options?: OptionsOf<D>): Helper<OptionsOf<D>>;
export function getHelper(backend: string | BackendDefinition<object>, options?: object): Helper {
  const definition = isBackendDefinition(backend) ? backend : typeof backend === "string" ? findBackend(backend) : undefined;
  if (definition === undefined) throw new UnknownBackendError(typeof backend === "object" && backend !== null ? "(a record not made by defineBackend)" : backend, backendNames());
  const given: unknown = options ?? {};
  if (typeof given !== "object" || given === null) throw new InvalidOptionError("options", given, "an object");
  // The built-in backends' options are known: a misspelt key throws here, naming the nearest one.
  if (Object.hasOwn(OPTION_KEYS, definition.name)) checkKnownKeys(given, OPTION_KEYS[definition.name as keyof typeof OPTION_KEYS], `getHelper("${definition.name}")`);
  const all = given as HelperOptions & DeliveryOptions;
  const env = all.env ?? process.env;
  const delivery = resolveDeliveryOptions(all, env);
  const context: BackendContext = { env, pacingMs: delivery.pacingMs, retryAfterBaseMs: delivery.retryAfterBaseMs };
  const builtIn = builtIns.get(definition);
  if (builtIn === undefined) {
    // A record the app made: its code is loaded already, so the backend is made (and checks its options) now.
    const made = makeFromRecord(definition, all, context) as Backend;
    return new Helper(all, { backend: summaryOf(made), makeBackend: () => made, delivery });
  }
  const summary = builtIn.summarize(all, env);
  // GitHub with a relay and no credentials: reports go to the relay, which counts in one place (no dedupe here).
  const relay = builtIn === github && !summary.canSubmit() ? resolveRelayUrl((all as GitHubHelperOptions).relay, env) : undefined;
  if (relay !== undefined) {
    const makeRelay = (lazy: LazyModule): Backend => {
      const made = builtIn.make(lazy, all, context);
      // The GitHub backend's parts carry its web URL (src/backends/github/backend.ts), kept by makeBackend.
      return lazy.relayBackend(made as typeof made & { readonly webUrl: string }, { url: relay, env, ...(all.spoolDir !== undefined ? { idDir: all.spoolDir } : {}), ...(all.fetch !== undefined ? { fetch: all.fetch } : {}), ...(all.timeoutMs !== undefined ? { timeoutMs: all.timeoutMs } : {}) });
    };
    // Monitors work through the relay too: failing runs are sent to it, and the relay alone opens, edits and
    // closes the issue (a client never closes one; docs/monitors.md, "Through a relay").
    return new Helper({ ...all, dedupe: false }, { backend: { ...summary, canSubmit: () => true }, makeBackend: makeRelay, delivery });
  }
  // The backend's own checks ran above; its factory runs them again on the same values when it loads.
  return new Helper(all, { backend: summary, makeBackend: (lazy) => builtIn.make(lazy, all, context), delivery });
}

/** What the helper knows of a backend made at once. */
function summaryOf(backend: Backend): BackendSummary {
  return { name: backend.name, targetNoun: backend.targetNoun, checkTarget: (target) => backend.checkTarget(target), canSubmit: () => backend.canSubmit() };
}


export { backendNames, findBackend, registerBackend, unregisterBackend };
