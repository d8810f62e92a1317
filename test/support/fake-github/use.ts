import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { quiesce } from "../cleanup.js";
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from "./index.js";

/**
 * One fake GitHub for a test file: started before its tests, closed after them, and between tests
 * faults cleared, state reset and (unless `checkContract: false`) no contract violation allowed.
 * Returns a handle usable inside tests like the fake itself.
 */
export function useFakeGitHub(options: FakeGitHubOptions, settings: { checkContract?: boolean } = {}): FakeGitHub {
  let current: FakeGitHub | undefined;
  beforeAll(async () => {
    current = await startFakeGitHub(options);
  });
  afterAll(async () => {
    await current?.close();
  });
  afterEach(async () => {
    if (current === undefined) return;
    // Whatever the test started finishes (or is killed) before the fake is reset under it.
    await quiesce();
    if (settings.checkContract !== false) expect(current.contractViolations).toEqual([]);
    current.faults.clear();
    current.reset();
  });
  return new Proxy({} as FakeGitHub, {
    get(_target, key) {
      if (current === undefined) throw new Error("the fake GitHub starts in beforeAll: use it inside tests and hooks");
      const value: unknown = Reflect.get(current, key, current);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
}
