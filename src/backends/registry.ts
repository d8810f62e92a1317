/**
 * The backends getHelper and the CLI know by name: the built-in ones, and any an application registers
 * with `registerBackend(defineBackend({ … }))`.
 */
import { InvalidOptionError } from "../errors.js";
import type { BackendDefinition } from "../delivery/backend.js";
import { isBranded } from "./brand.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each record has its own options type
type AnyDefinition = BackendDefinition<any>;

const registry = new Map<string, AnyDefinition>();

/** True for a record made by `defineBackend`, or a built-in one. */
export function isBackendDefinition(value: unknown): value is AnyDefinition {
  return isBranded(value);
}

/**
 * Registers the built-in backends, once, when the registry is first used: defining them (checking each
 * record) is work an app that never makes a helper should not pay for at import.
 */
let seed: (() => void) | undefined;

/** What registers the built-in backends on first use (called once, at import, by the composition root). */
export function seedBuiltIns(register: () => void): void {
  seed = register;
}

function seeded(): void {
  const register = seed;
  if (register === undefined) return;
  seed = undefined;
  register();
}

/**
 * Makes a backend known by its name to `getHelper(name)` (and to the CLI, for backends built in). A name
 * already taken by another record is refused (an `InvalidOptionError`); registering the same record again
 * does nothing.
 * @example registerBackend(defineBackend({ name: "jira", credentials: { env: ["JIRA_TOKEN"] }, limits, create }))
 */
export function registerBackend(definition: AnyDefinition): void {
  seeded();
  if (!isBackendDefinition(definition)) throw new InvalidOptionError("backend", definition, 'a record made by defineBackend({ name, credentials, limits, create }) from "bugbeacon/backend"');
  const known = registry.get(definition.name);
  if (known !== undefined && known !== definition) throw new InvalidOptionError("backend", definition.name, "a name no other registered backend has");
  registry.set(definition.name, definition);
}

/**
 * Forgets a registered record (a test's, a plugin's being unloaded); the built-in ones stay. Returns
 * whether it was registered.
 */
export function unregisterBackend(definition: AnyDefinition): boolean {
  seeded();
  if (builtIn.has(definition) || registry.get(definition?.name) !== definition) return false;
  return registry.delete(definition.name);
}

const builtIn = new WeakSet<object>();

/** Registers the built-in records, which stay registered. */
export function registerBuiltIn(definition: AnyDefinition): void {
  registerBackend(definition);
  builtIn.add(definition);
}

/** The registered backend of that name. */
export function findBackend(name: string): AnyDefinition | undefined {
  seeded();
  return registry.get(name);
}

/** The names of the registered backends, built-in ones first. */
export function backendNames(): string[] {
  seeded();
  return [...registry.keys()];
}
