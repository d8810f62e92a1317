/**
 * What the build makes `dist/index.js` / `.cjs` from (tsup.config.ts): the root entry's API (./index.ts,
 * whose declarations are the package's types) and, under a name no code can spell as an identifier, the
 * modules with process-wide state or identity (./_shared.ts), which every other file of the package imports
 * from the root entry so that there is one copy of each and the root is one file. Not an API.
 */
import {
  BreadcrumbTrail,
  BugbeaconError,
  CliUsageError,
  DEFAULT_BREADCRUMB_LIMIT,
  DEFAULT_CLOSE_TIMEOUT_MS,
  FileExistsError,
  InvalidOptionError,
  InvalidRepoError,
  InvalidTargetError,
  MissingTokenError,
  ReportFormatError,
  SpoolError,
  TriageStepError,
  UnknownBackendError,
  addBreadcrumb,
  backendNames,
  brandBackend,
  checkCloseTimeout,
  close,
  describeValue,
  findBackend,
  globalTrail,
  isBackendDefinition,
  isBranded,
  isBugbeaconError,
  lastAnswerEndedAt,
  makeFromRecord,
  personIsAnswering,
  recordConsole,
  registerBackend,
  registerBuiltIn,
  registerClosable,
  seedBuiltIns,
  unrefDelay,
  unregisterBackend,
  whileAnswering,
} from "./_shared.js";

export * from "./index.js";

/**
 * The shared modules as a plain object, not a module namespace: a namespace (`export * as`) is built at
 * every import as an object of one getter per name, which cost about 1 million instructions (0.2 ms) of
 * the root's import; these are classes, functions and constants, so a live binding buys nothing.
 * The build checks that this object names exactly what ./_shared.ts exports (tsup.config.ts).
 */
const shared = {
  BreadcrumbTrail,
  BugbeaconError,
  CliUsageError,
  DEFAULT_BREADCRUMB_LIMIT,
  DEFAULT_CLOSE_TIMEOUT_MS,
  FileExistsError,
  InvalidOptionError,
  InvalidRepoError,
  InvalidTargetError,
  MissingTokenError,
  ReportFormatError,
  SpoolError,
  TriageStepError,
  UnknownBackendError,
  addBreadcrumb,
  backendNames,
  brandBackend,
  checkCloseTimeout,
  close,
  describeValue,
  findBackend,
  globalTrail,
  isBackendDefinition,
  isBranded,
  isBugbeaconError,
  lastAnswerEndedAt,
  makeFromRecord,
  personIsAnswering,
  recordConsole,
  registerBackend,
  registerBuiltIn,
  registerClosable,
  seedBuiltIns,
  unrefDelay,
  unregisterBackend,
  whileAnswering,
};
export { shared as "bugbeacon:shared" };
