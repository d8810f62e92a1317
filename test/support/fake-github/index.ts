// Fake GitHub REST API for tests: a real HTTP server on 127.0.0.1 whose
// requests and responses are checked against GitHub's official OpenAPI
// description. See server.ts for the options and the observation API.
export { startFakeGitHub } from "./server.js";
export type {
  ContractViolation,
  FakeGitHub,
  FakeGitHubOptions,
  FakeStats,
  FaultsApi,
  RequestRecord,
  SeedIssueInput,
} from "./server.js";
export type { ActiveFault, FaultKind, FaultMatch, FaultSpec } from "./faults.js";
export type { StoredComment, StoredIssue, StoredLabel, StoredUser } from "./state.js";
export { loadSpec, specLoadTimeMs } from "./openapi-validator.js";
