/**
 * `bugbeacon/format`: the report format (read and write a report's body and its metadata block) and the
 * way a thrown value is described and fingerprinted, for tools that read or make reports (a triage bot, a
 * test). A subpath of its own so that `import "bugbeacon"` does not compile them.
 * @example
 * import { parseIssueBody } from "bugbeacon/format";
 * const parsed = parseIssueBody(issue.body); // parsed?.metadata?.identifier
 */
export { parseIssueBody, renderIssueBody, MD5_IDENTIFIER, REPORT_SCHEMA_VERSION } from "./format/report-format.js";
export type { ReportMetadata, ReportDocument, ParsedReport, PlatformFacts, AppFacts } from "./format/report-format.js";
export { describeError } from "./sdk/capture/describe-error.js";
export type { ErrorDescription } from "./sdk/capture/describe-error.js";
export { templateMessage } from "./sdk/capture/fingerprint.js";
