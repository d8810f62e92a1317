import type { InstallHandlersOptions } from "./capture/handlers.js";
import { getHelper, type HelperRegistry } from "./get-helper.js";
import type { Helper } from "./helper.js";

export type InstallOptions<K extends keyof HelperRegistry = "github"> = Omit<HelperRegistry[K]["options"], "timeoutMs"> &
  InstallHandlersOptions & {
    /** The backend to report to. @default "github" */
    backend?: K;
    /** Use this helper instead of creating one from the other options. */
    helper?: Helper;
  };

/**
 * Reports every uncaught exception and unhandled rejection to `repo`, then lets the process crash as
 * Node would have. Returns a function that uninstalls the handlers. A bad option throws here, at start-up.
 * @example
 * import { installHandlers } from "bugbeacon";
 * installHandlers({ repo: "my-org/my-tool-support" });
 */
export function installHandlers<K extends keyof HelperRegistry = "github">(options: InstallOptions<K>): () => void {
  const { helper, timeoutMs, unhandledRejections, backend, ...helperOptions } = options;
  const reporter = helper ?? getHelper((backend ?? "github") as K, helperOptions as HelperRegistry[K]["options"]);
  const handlerOptions: InstallHandlersOptions = {};
  if (options.repo !== undefined) handlerOptions.repo = options.repo;
  if (timeoutMs !== undefined) handlerOptions.timeoutMs = timeoutMs;
  if (unhandledRejections !== undefined) handlerOptions.unhandledRejections = unhandledRejections;
  return reporter.installHandlers(handlerOptions);
}
