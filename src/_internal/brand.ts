/**
 * `instanceof` across copies of bugbeacon. An ES module app whose crash comes before the report path was
 * imported runs the report path's CommonJS build (src/sdk/lazy-sync.ts), whose classes are other objects
 * than the ones the app imported; an app's own backend throws the `DeliveryFailure` of its import. A class
 * made with these helpers marks its instances with `Symbol.for(key)`, and its `instanceof` accepts any
 * object with that mark; a subclass keeps the ordinary test (its own prototype chain).
 */
export function markInstance(instance: object, key: string): void {
  Object.defineProperty(instance, Symbol.for(key), { value: true });
}

/** For `static [Symbol.hasInstance]` of the class `base`: the mark for `base` itself, the prototype chain for a subclass. */
export function isMarked(cls: abstract new (...args: never[]) => unknown, base: abstract new (...args: never[]) => unknown, key: string, value: unknown): boolean {
  if (cls !== base) return Function.prototype[Symbol.hasInstance].call(cls, value);
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[Symbol.for(key)] === true;
}
