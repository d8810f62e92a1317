import { UnknownBackendError } from "../errors.js";
import { GitHubHelper } from "../transports/github/github-helper.js";
import type { GitHubHelperOptions } from "../transports/github/options.js";

/**
 * The backends `getHelper` knows. A new backend is a new file exporting a class like `GitHubHelper`
 * and one line here; nothing else changes.
 */
export interface HelperRegistry {
  github: { options: GitHubHelperOptions; helper: GitHubHelper };
}

const backends: { [K in keyof HelperRegistry]: (options: HelperRegistry[K]["options"]) => HelperRegistry[K]["helper"] } = {
  github: (options) => new GitHubHelper(options),
};

/** Names `getHelper` accepts. */
export const helperNames = Object.freeze(Object.keys(backends)) as ReadonlyArray<keyof HelperRegistry>;

/**
 * Returns a helper for a backend.
 * @example
 * const helper = getHelper("github", { requireToken: false });
 * await helper.runHeadless({ identifier: "TypeError: x", title: "Crash", body: "…", repo: "owner/app" });
 */
export function getHelper<K extends keyof HelperRegistry>(
  name: K,
  options?: HelperRegistry[K]["options"],
): HelperRegistry[K]["helper"] {
  if (typeof name !== "string" || !Object.hasOwn(backends, name)) throw new UnknownBackendError(name, helperNames);
  return backends[name](options ?? {});
}
