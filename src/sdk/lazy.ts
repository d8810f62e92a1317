/**
 * Everything the root entry loads on the first report, as one module: the report path and every built-in
 * backend's adapter (the relay client with them). The helper (./helper.ts) and the built-in records
 * (../backends/builtins.ts) import it with import(); the build makes it one file (tsup.config.ts), so a
 * crash loads one file more than the root, not a dozen chunks.
 */
import { makeBackend, type Backend, type BackendContext, type BackendDefinition } from "../delivery/backend.js";
import { github } from "../backends/github/backend.js";
import { gitlab } from "../backends/gitlab/backend.js";
import { discourse } from "../backends/discourse/backend.js";
import { gitea } from "../backends/gitea/backend.js";

export { ReportPath } from "./report-path.js";
export { relayBackend } from "../backends/relay/backend.js";

const adapters: Record<string, BackendDefinition<never>> = { github, gitlab, discourse, gitea };

/** Makes a built-in backend from its adapter's record (its options were checked when the helper was made). */
export function makeBuiltIn(name: string, options: object, context: BackendContext): Backend {
  const definition = adapters[name];
  if (definition === undefined) throw new Error(`no built-in backend named ${name}`);
  return makeBackend(definition as unknown as BackendDefinition<object>, options, context);
}
