/**
 * `bugbeacon/redact`: the redactor every report passes through, for an app's own text (logs, messages it
 * shows). A subpath of its own so that `import "bugbeacon"` does not compile its scanners.
 * @example
 * import { createRedactor } from "bugbeacon/redact";
 * const redact = createRedactor({ patterns: [/order-\d+/] });
 */
export { createRedactor, REDACTED } from "./sdk/redact.js";
export type { Redactor, RedactorOptions } from "./sdk/redact.js";
