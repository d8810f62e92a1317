/**
 * The prompts, as one module loaded with import() only when a person is asked something (the report path
 * imports it; the build makes it one file, tsup.config.ts). One module, so its modules' state (whose turn
 * it is to ask, ./ui.ts) is one.
 */
export { confirmReport } from "./confirm-report.js";
export { runReportFlow } from "./report-flow.js";
