import type { BaseHelper } from "./base-helper.js";
import type { InstallHandlersOptions } from "./capture/handlers.js";
import { getHelper } from "./get-helper.js";
import type { GitHubHelperOptions } from "../transports/github/options.js";

export type InstallOptions = Omit<GitHubHelperOptions, "timeoutMs"> &
  InstallHandlersOptions & {
    /** Use this helper instead of creating a GitHub helper from the other options. */
    helper?: BaseHelper;
  };

/**
 * Reports every uncaught exception and unhandled rejection to `repo`, then lets the process crash as
 * Node would have. Returns a function that uninstalls the handlers.
 * @example
 * import { installHandlers } from "bugbeacon";
 * installHandlers({ repo: "my-org/my-tool-support" });
 */
export function installHandlers(options: InstallOptions): () => void {
  const { helper, timeoutMs, unhandledRejections, ...helperOptions } = options;
  const reporter = helper ?? getHelper("github", helperOptions);
  const handlerOptions: InstallHandlersOptions = {};
  if (options.repo !== undefined) handlerOptions.repo = options.repo;
  if (timeoutMs !== undefined) handlerOptions.timeoutMs = timeoutMs;
  if (unhandledRejections !== undefined) handlerOptions.unhandledRejections = unhandledRejections;
  return reporter.installHandlers(handlerOptions);
}
