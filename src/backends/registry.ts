/**
 * The backends getHelper and the CLI know by name: the built-in ones, and any an application registers
 * with `registerBackend(defineBackend({ … }))`.
 */
import { InvalidOptionError } from "../errors.js";
import { isBackendDefinition, type BackendDefinition } from "../delivery/backend.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each record has its own options type
type AnyDefinition = BackendDefinition<any>;

const registry = new Map<string, AnyDefinition>();

/**
 * Makes a backend known by its name to `getHelper(name)` (and to the CLI, for backends built in). A name
 * already taken by another record is refused (an `InvalidOptionError`); registering the same record again
 * does nothing.
 * @example registerBackend(defineBackend({ name: "jira", credentials: { env: ["JIRA_TOKEN"] }, limits, create }))
 */
export function registerBackend(definition: AnyDefinition): void {
  if (!isBackendDefinition(definition)) throw new InvalidOptionError("backend", definition, "a record made by defineBackend({ name, credentials, limits, create })");
  const known = registry.get(definition.name);
  if (known !== undefined && known !== definition) throw new InvalidOptionError("backend", definition.name, "a name no other registered backend has");
  registry.set(definition.name, definition);
}

/**
 * Forgets a registered record (a test's, a plugin's being unloaded); the built-in ones stay. Returns
 * whether it was registered.
 */
export function unregisterBackend(definition: AnyDefinition): boolean {
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
  return registry.get(name);
}

/** The names of the registered backends, built-in ones first. */
export function backendNames(): string[] {
  return [...registry.keys()];
}
