/**
 * Everything the root entry loads on the first report, as one module: the report path and every backend's
 * adapter. The helper (./helper.ts) and getHelper (./get-helper.ts) import it with import(); the build
 * makes it one file (tsup.config.ts), so a crash loads one file more than the root, not a dozen chunks.
 */
export { ReportPath } from "./report-path.js";
export { githubBackend } from "../backends/github/backend.js";
export { gitlabBackend } from "../backends/gitlab/backend.js";
export { discourseBackend } from "../backends/discourse/backend.js";
