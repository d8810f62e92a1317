/**
 * The built-in backends as getHelper knows them at start-up (this module is on bugbeacon's import path):
 * each record's name, credentials and limits, its options' checks (run when a helper is made, so a bad value
 * throws at once) and a loader for its adapter (requests, rendering, the prefilled URL), which loads with
 * the report path (../sdk/lazy.ts) on the first report. The adapters' own records (./<name>/backend.ts) are
 * the same backends, made there; the limits below are theirs (test/backend-contract.test.ts compares them).
 */
import type { Backend, BackendContext, BackendDefinition, BackendLimits } from "../delivery/backend.js";
import { brandBackend } from "./brand.js";
import type { BackendSummary } from "../sdk/helper.js";
import type { LazyModule } from "../sdk/lazy-sync.js";
import { resolveGitHubSettings, type GitHubHelperOptions } from "./github/options.js";
import { parseRepo } from "./github/repo.js";
import { parseProjectPath, resolveGitLabSettings, type GitLabHelperOptions } from "./gitlab/options.js";
import { parseCategory, resolveDiscourseSettings, type DiscourseHelperOptions } from "./discourse/options.js";
import { parseGiteaRepo, resolveGiteaSettings, type GiteaHelperOptions } from "./gitea/options.js";

/** A built-in backend's light half: its options' checks now, its adapter on first use. */
export interface BuiltIn<O extends object> {
  readonly definition: BackendDefinition<O>;
  /** Checks the backend's own options (throws a typed error naming the bad one); what the helper needs before a report. */
  summarize(options: O, env: NodeJS.ProcessEnv): BackendSummary;
  /** Makes the backend from the report path's module (../sdk/lazy.ts), which carries the adapters. */
  make(lazy: LazyModule, options: O, context: BackendContext): Backend;
}

function builtIn<O extends object>(
  name: "github" | "gitlab" | "discourse" | "gitea",
  credentials: BackendDefinition<O>["credentials"],
  limits: BackendLimits,
  summarize: BuiltIn<O>["summarize"],
): BuiltIn<O> {
  // Made on first use, not at import. The built-in records are known good, so they are not checked as
  // defineBackend checks an app's (which is not on the import path: it is in "bugbeacon/backend").
  let definition: BackendDefinition<O> | undefined;
  return {
    get definition() {
      if (definition === undefined) {
        // getHelper makes a built-in backend through `make` (the adapter is not on the import path).
        const refuse = (): never => {
          throw new Error(`the ${name} backend's adapter loads with the report path; make its helper with getHelper("${name}")`);
        };
        definition = Object.freeze({ name, credentials: Object.freeze({ ...credentials, env: Object.freeze([...credentials.env]) }), limits: Object.freeze({ ...limits }), create: refuse });
        brandBackend(definition, refuse);
      }
      return definition;
    },
    summarize,
    make: (lazy, options, context) => lazy.makeBuiltIn(name, options, context),
  };
}

export const github = builtIn<GitHubHelperOptions>("github", { env: ["BUGBEACON_GITHUB_TOKEN", "HELPME_GITHUB_TOKEN"], option: "token" }, { title: 256, body: 65_536, comment: 65_536 }, (options, env) => {
  const { token, app } = resolveGitHubSettings(options, env);
  return { name: "github", targetNoun: "repository", checkTarget: (target) => void parseRepo(target), canSubmit: () => token !== undefined || app !== undefined };
});

export const gitlab = builtIn<GitLabHelperOptions>("gitlab", { env: ["BUGBEACON_GITLAB_TOKEN", "GITLAB_TOKEN"], option: "token" }, { title: 255, body: 1_048_576, comment: 1_000_000 }, (options, env) => {
  const { token } = resolveGitLabSettings(options, env);
  return { name: "gitlab", targetNoun: "project", checkTarget: (target) => void parseProjectPath(target), canSubmit: () => token !== undefined };
});

export const discourse = builtIn<DiscourseHelperOptions>("discourse", { env: ["BUGBEACON_DISCOURSE_API_KEY"], option: "apiKey" }, { title: 255, body: 32_000, comment: 32_000 }, (options, env) => {
  const { apiKey } = resolveDiscourseSettings(options, env);
  return { name: "discourse", targetNoun: "category", checkTarget: (target) => void parseCategory(target), canSubmit: () => apiKey !== undefined };
});

export const gitea = builtIn<GiteaHelperOptions>("gitea", { env: ["BUGBEACON_GITEA_TOKEN", "GITEA_TOKEN"], option: "token" }, { title: 255, body: 65_536, comment: 65_536 }, (options, env) => {
  const { token } = resolveGiteaSettings(options, env);
  return { name: "gitea", targetNoun: "repository", checkTarget: (target) => void parseGiteaRepo(target), canSubmit: () => token !== undefined };
});
