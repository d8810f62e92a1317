/**
 * Every option is checked where it is given: getHelper, installHandlers, captureException, flush and close
 * throw the typed error at the call, naming the option and the expected form; a misspelt option names
 * the nearest known one. And one crash handler per process: a second install merges or is refused.
 */
import { afterEach, describe, expect, it } from "vitest";
import { captureException, close, flush, getHelper, installHandlers, InvalidOptionError, isBugbeaconError } from "../src/index.js";
import { nearestName } from "../src/_internal/validate-options.js";

const quiet = { quiet: true, flushOnStart: false } as const;

function thrownBy(call: () => unknown): InvalidOptionError {
  let caught: unknown;
  try {
    call();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidOptionError);
  expect(isBugbeaconError(caught)).toBe(true);
  return caught as InvalidOptionError;
}

const uninstalls: Array<() => void> = [];
afterEach(() => {
  for (const u of uninstalls.splice(0)) u();
});

describe("a misspelt option names the nearest known one", () => {
  it("getHelper", () => {
    const error = thrownBy(() => getHelper("github", { ...quiet, tokn: "ghp_secretsecretsecretsecretsecret12" } as never));
    expect(error.message).toBe('Invalid option name: "tokn". Expected an option getHelper("github") knows (did you mean `token`?).');
    expect(error.message).not.toContain("ghp_");
    expect(thrownBy(() => getHelper("gitlab", { ...quiet, baseURL: "https://gitlab.example" } as never)).message).toContain("did you mean `baseUrl`?");
    expect(thrownBy(() => getHelper("discourse", { ...quiet, apikey: "k" } as never)).message).toContain("did you mean `apiKey`?");
  });

  it("installHandlers, captureException, flush, helper.flush, helper.installHandlers", () => {
    expect(thrownBy(() => installHandlers({ repo: "octo/app", timeout: 100 } as never)).message).toContain("an option installHandlers knows (did you mean `timeoutMs`?)");
    expect(thrownBy(() => installHandlers({ repo: "octo/app", helper: getHelper("github", quiet), token: "x" } as never)).message).toContain("installHandlers knows");
    expect(thrownBy(() => captureException(new Error("x"), { titel: "x" } as never)).message).toContain("did you mean `title`?");
    expect(thrownBy(() => flush({ onProgres: () => {} } as never)).message).toContain("did you mean `onProgress`?");
    const helper = getHelper("github", { ...quiet, repo: "octo/app" });
    expect(thrownBy(() => helper.flush({ progress: () => {} } as never)).message).toContain("did you mean `onProgress`?");
    expect(thrownBy(() => helper.installHandlers({ interactve: true } as never)).message).toContain("did you mean `interactive`?");
  });

  it("nearest by edit distance, a swap of neighbours counting once", () => {
    expect(nearestName("tokne", ["repo", "token", "labels"])).toBe("token");
    expect(nearestName("REPO", ["repo", "token"])).toBe("repo");
    expect(nearestName("lables", ["labels", "labelsInUrl"])).toBe("labels");
  });
});

describe("bad values throw at the call that received them", () => {
  it("a bad repo: getHelper, installHandlers, captureException", () => {
    for (const call of [
      () => getHelper("github", { ...quiet, repo: "my-org/my tool" }),
      () => installHandlers({ ...quiet, repo: "my-org/my tool" }),
      () => captureException(new Error("x"), { ...quiet, repo: "my-org/my tool" }),
    ]) {
      const error = thrownBy(call);
      expect(error.option).toBe("repo");
      expect(error.code).toBe("ERR_INVALID_REPO");
      expect(error.message).toContain('"my-org/my tool"');
      expect(error.message).toContain('"owner/name"');
    }
  });

  it("a crash handler with no target at all is refused at install, not at the first crash", () => {
    const error = thrownBy(() => installHandlers({ ...quiet }));
    expect(error.option).toBe("repo");
    expect(error.expected).toContain("pass { repo } to installHandlers() or to getHelper()");
  });

  it("numbers and flags: installHandlers, close, helper.close, getHelper", () => {
    expect(thrownBy(() => installHandlers({ ...quiet, repo: "octo/app", timeoutMs: -5 })).option).toBe("timeoutMs");
    expect(thrownBy(() => installHandlers({ ...quiet, repo: "octo/app", interactive: "yes" as never })).option).toBe("interactive");
    expect(thrownBy(() => close(-1)).option).toBe("timeoutMs");
    expect(thrownBy(() => close(Number.NaN)).option).toBe("timeoutMs");
    expect(thrownBy(() => getHelper("github", { ...quiet, repo: "octo/app" }).close(1.5)).option).toBe("timeoutMs");
    expect(thrownBy(() => getHelper("github", { ...quiet, pacingMs: -1 })).option).toBe("pacingMs");
    expect(thrownBy(() => getHelper("github", { ...quiet, baseUrl: "ftp://x" })).option).toBe("baseUrl");
  });
});

describe("one crash handler per process", () => {
  const ours = () => process.listenerCount("uncaughtExceptionMonitor");

  it("a second install adds to the first: one listener, taken out with the last install", () => {
    const before = ours();
    uninstalls.push(installHandlers({ ...quiet, repo: "octo/app", timeoutMs: 1000 }));
    uninstalls.push(getHelper("github", quiet).installHandlers());
    uninstalls.push(getHelper("github", { ...quiet, repo: "octo/app" }).installHandlers({ timeoutMs: 1000 }));
    expect(ours()).toBe(before + 1);
    for (const u of uninstalls.splice(0)) u();
    expect(ours()).toBe(before);
  });

  it("a conflicting install is refused, naming the option and the installed value", () => {
    uninstalls.push(installHandlers({ ...quiet, repo: "octo/app", timeoutMs: 1000 }));
    const repo = thrownBy(() => installHandlers({ ...quiet, repo: "octo/other" }));
    expect(repo.option).toBe("repo");
    expect(repo.expected).toMatch(/^"octo\/app", as the crash handler installed already \(bugbeacon [^)]+\) has it/);
    expect(thrownBy(() => getHelper("github", { ...quiet, repo: "octo/app" }).installHandlers({ timeoutMs: 2000 })).option).toBe("timeoutMs");
    expect(thrownBy(() => installHandlers({ ...quiet, backend: "gitlab", repo: "octo/app" })).option).toBe("backend");
  });
});
