/**
 * Options and environment variables are checked once, when getHelper() builds the helper: a bad value
 * throws an InvalidOptionError naming it there, not a warning at the moment a crash is reported.
 */
import { describe, expect, it } from "vitest";
import { getHelper, InvalidOptionError, isBugbeaconError } from "../src/index.js";

function thrown(options: Record<string, unknown>): InvalidOptionError {
  try {
    getHelper("github", { quiet: true, flushOnStart: false, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(isBugbeaconError(error)).toBe(true);
    return error as InvalidOptionError;
  }
  throw new Error(`getHelper accepted ${JSON.stringify(options)}`);
}

describe("getHelper validates what it would otherwise read later", () => {
  it("testRepo: a bad value is named, with the option", () => {
    const error = thrown({ testRepo: "not a repo" });
    expect(error.option).toBe("testRepo");
    expect(error.code).toBe("ERR_INVALID_REPO");
    expect(error.message).toBe(
      'Invalid testRepo: "not a repo". Expected a GitHub repository as "owner/name" (owner: letters, digits and single hyphens, at most 39; name: letters, digits, ".", "-" and "_", at most 100, not "." or ".."), to send every report to.',
    );
    expect(thrown({ testRepo: 42 }).option).toBe("testRepo");
    expect(thrown({ testRepo: "../../etc" }).option).toBe("testRepo");
  });

  it("BUGBEACON_TEST_REPO: a bad value is named, with the variable; empty counts as unset", () => {
    const error = thrown({ env: { BUGBEACON_TEST_REPO: "me/app/extra" } });
    expect(error.option).toBe("BUGBEACON_TEST_REPO");
    expect(error.value).toBe("me/app/extra");
    expect(() => getHelper("github", { quiet: true, flushOnStart: false, env: { BUGBEACON_TEST_REPO: "" } })).not.toThrow();
    expect(() => getHelper("github", { quiet: true, flushOnStart: false, env: { BUGBEACON_TEST_REPO: "me/app-sandbox" } })).not.toThrow();
    // The option wins over the variable, so a good option with a bad variable is fine.
    expect(() => getHelper("github", { quiet: true, flushOnStart: false, testRepo: "me/sandbox", env: { BUGBEACON_TEST_REPO: "bad repo" } })).not.toThrow();
  });

  it("BUGBEACON_PACING_MS and BUGBEACON_RETRY_BASE_MS are checked at once", () => {
    expect(thrown({ env: { BUGBEACON_PACING_MS: "fast" } }).option).toBe("BUGBEACON_PACING_MS");
    expect(thrown({ env: { BUGBEACON_RETRY_BASE_MS: "-1" } }).option).toBe("BUGBEACON_RETRY_BASE_MS");
  });

  it("an incomplete set of BUGBEACON_APP_* variables is named at once", () => {
    const error = thrown({ env: { BUGBEACON_APP_ID: "123" } });
    expect(error.option).toBe("BUGBEACON_APP_PRIVATE_KEY");
    expect(error.message).toContain("all three of BUGBEACON_APP_ID, BUGBEACON_APP_PRIVATE_KEY, BUGBEACON_APP_INSTALLATION_ID");
  });
});
