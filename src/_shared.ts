/**
 * The modules with process-wide state or identity that the root entry and the report path share: the
 * error classes (`instanceof` must hold whichever part threw), the breadcrumb trail, whether a person is
 * answering a prompt, the helpers `close()` waits for, which records are backends and the
 * registry of backends by name (the backend port itself is carried by `bugbeacon/backend`: ./_port.ts). The root entry's file carries them (./_root.ts);
 * every other file of the package imports them from it (tsup.config.ts), so there is one copy of each
 * and the root entry is a single file. Not an entry point of the package.
 */
export * from "./errors.js";
export * from "./sdk/capture/breadcrumbs.js";
export * from "./sdk/prompts/activity.js";
export * from "./delivery/close.js";
export * from "./backends/brand.js";
export * from "./backends/registry.js";
