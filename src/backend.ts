/**
 * `bugbeacon/backend`: the port for a backend of your own (docs/backends.md, "Writing a backend"):
 * `defineBackend` makes the record, `registerBackend` names it for `getHelper(name)` and the CLI, and
 * `DeliveryFailure`, `createRest`, `classifyRest` and `HttpStatusError` are what its requests use. A
 * subpath of its own: an app that only reports (`import "bugbeacon"`) does not load it.
 * @example
 * import { defineBackend, registerBackend } from "bugbeacon/backend";
 * registerBackend(defineBackend({ name: "jira", credentials: { env: ["JIRA_TOKEN"] }, limits, create }));
 */
export { defineBackend, DeliveryFailure, markdownMessages } from "./delivery/backend.js";
export type {
  Backend,
  BackendClient,
  BackendContext,
  BackendDefinition,
  BackendLimits,
  BackendName,
  BackendParts,
  ClientMode,
  Draft,
  OccurrenceMessage,
  RegressionMessage,
  RemoteReport,
  RemoteOccurrence,
  ReportRef,
} from "./delivery/backend.js";
export { classifyRest, createRest, HttpStatusError } from "./backends/rest-port.js";
export type { Rest, RestSettings } from "./backends/rest-port.js";
export { registerBackend, unregisterBackend } from "./backends/registry.js";
