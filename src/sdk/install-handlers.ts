import { checkKnownKeys } from "../_internal/validate-options.js";
import { InvalidOptionError } from "../errors.js";
import { INSTALL_HANDLER_KEYS, type InstallHandlersOptions } from "./capture/handlers.js";
import { getHelper, OPTION_KEYS, type HelperRegistry } from "./get-helper.js";
import type { Helper } from "./helper.js";

export type InstallOptions<K extends keyof HelperRegistry = "github"> = Omit<HelperRegistry[K]["options"], "timeoutMs"> &
  InstallHandlersOptions & {
    /** The backend to report to. @default "github" */
    backend?: K;
    /** Use this helper instead of creating one from the other options. */
    helper?: Helper;
  };

/**
 * Reports every uncaught exception and unhandled rejection to `repo`, then lets the process end exactly
 * as Node would have (same output, same exit code; bugbeacon's lines come before Node's). One handler per
 * process: a second install adds its options to the first, or throws when they differ. Never asks a
 * person unless `interactive: true`. Returns a function that takes this install back out. A bad option
 * throws here, at start-up.
 * @example
 * import { installHandlers } from "bugbeacon";
 * installHandlers({ repo: "my-org/my-tool-support" });
 */
export function installHandlers<K extends keyof HelperRegistry = "github">(options: InstallOptions<K>): () => void {
  if (typeof options !== "object" || options === null) throw new InvalidOptionError("options", options, 'an object like { repo: "owner/name" }');
  const { helper, timeoutMs, unhandledRejections, interactive, backend, ...helperOptions } = options;
  const name = (backend ?? "github") as K;
  // With { helper }, the helper's own options were set on getHelper: anything else here would be ignored.
  const helperKeys = helper !== undefined ? ["repo"] : Object.hasOwn(OPTION_KEYS, name) ? OPTION_KEYS[name].filter((k) => k !== "timeoutMs") : [];
  checkKnownKeys(options, [...INSTALL_HANDLER_KEYS, "backend", "helper", ...helperKeys], "installHandlers");
  const reporter = helper ?? getHelper(name, helperOptions as HelperRegistry[K]["options"]);
  const handlerOptions: InstallHandlersOptions = {};
  if (options.repo !== undefined) handlerOptions.repo = options.repo;
  if (timeoutMs !== undefined) handlerOptions.timeoutMs = timeoutMs;
  if (unhandledRejections !== undefined) handlerOptions.unhandledRejections = unhandledRejections;
  if (interactive !== undefined) handlerOptions.interactive = interactive;
  return reporter.installHandlers(handlerOptions);
}
