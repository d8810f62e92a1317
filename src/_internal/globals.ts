/**
 * Types of globals that Node.js and browsers have but ECMAScript does not, written so that the published
 * declarations compile for a consumer without @types/node or the DOM library: there, they are `never`
 * (the option cannot be given, and nothing else breaks); with either, they are the real types.
 */

/** The global `fetch`, as the consumer's environment declares it. */
export type FetchFunction = typeof globalThis extends { fetch: infer F } ? F : never;

/** The global `AbortSignal`, as the consumer's environment declares it. */
export type AbortSignalLike = typeof globalThis extends { AbortSignal: { prototype: infer S } } ? S : never;

/** The global `Headers`, as the consumer's environment declares it. */
export type HeadersLike = typeof globalThis extends { Headers: { prototype: infer H } } ? H : never;

/** Environment variables, as `process.env` holds them. */
export type Environment = Record<string, string | undefined>;
