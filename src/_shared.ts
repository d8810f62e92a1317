/**
 * The modules with process-wide state or identity that the root entry and the report path share: the
 * error classes (`instanceof` must hold whichever part threw), the breadcrumb trail, whether a person is
 * answering a prompt, and the helpers `close()` waits for. The build (tsup.config.ts) makes this one file,
 * `dist/_shared.js` / `.cjs`, that every other file imports them from, so that the root entry is a single
 * file besides it and the report path, built apart, still shares one copy of each. Not an entry point of
 * the package; nothing imports this module by name.
 */
export * from "./errors.js";
export * from "./sdk/capture/breadcrumbs.js";
export * from "./sdk/prompts/activity.js";
export * from "./delivery/close.js";
