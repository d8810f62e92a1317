/**
 * Which records are backends, and how each makes its backend for one helper. `defineBackend`
 * (`bugbeacon/backend`, src/delivery/backend.ts) brands the records it makes, the built-in records are
 * branded where they are declared (./builtins.ts), and getHelper and the registry (on the root entry) ask
 * here. Process-wide: one copy, which the root entry's file carries to the others (tsup.config.ts), so that
 * a record made by `bugbeacon/backend` is known to `getHelper` from `bugbeacon`. Typed loosely: the port's
 * types live with the port (src/delivery/backend.ts imports this module); ./registry.ts types the records.
 */
type Maker = (options: never, context: never) => unknown;

const makers = new WeakMap<object, Maker>();

/** Marks `record` as a backend record that `make` turns into a backend. */
export function brandBackend(record: object, make: Maker): void {
  makers.set(record, make);
}

/** True for a record `brandBackend` marked. */
export function isBranded(value: unknown): value is object {
  return typeof value === "object" && value !== null && makers.has(value);
}

/** What the record's maker returns for one helper (the record's own `create`, with the port's defaults). */
export function makeFromRecord(definition: object, options: object, context: object): unknown {
  const make = makers.get(definition) as ((options: object, context: object) => unknown) | undefined;
  if (make === undefined) throw new TypeError('not a backend record: make it with defineBackend from "bugbeacon/backend"');
  return make(options, context);
}
