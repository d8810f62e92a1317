/**
 * Errors a caller can see are typed BugbeaconErrors with a code from one union: the spool's file system
 * failures are wrapped, one FileExistsError serves save-report and init, no dead classes are exported.
 */
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import { BugbeaconError, type BugbeaconErrorCode, FileExistsError, getHelper, isBugbeaconError, SpoolError } from "../src/index.js";
import { FileExistsError as SaveReportFileExistsError } from "../src/sdk/prompts/save-report.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { tempDir } from "./support/temp.js";

const TOKEN = "ghp_errorstesttokenerrorstesttoken12345";
const REPO = "octo/app";
const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN], searchRateLimit: false });

const helper = (spoolDir: string) =>
  getHelper("github", { baseUrl: fake.url, quiet: true, spoolDir, pacingMs: 0, flushOnStart: false, env: { BUGBEACON_GITHUB_TOKEN: TOKEN } });

async function rejection(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("a spool that cannot be written", () => {
  it("spoolDir pointing at a file: the report rejects with a SpoolError naming the folder; nothing is sent", async () => {
    const dir = tempDir("bugbeacon-errors-");
    const file = join(dir, "not-a-folder");
    writeFileSync(file, "x");
    const error = await rejection(helper(file).runHeadless({ title: "Crash", repo: REPO }));
    expect(error).toBeInstanceOf(SpoolError);
    expect(isBugbeaconError(error)).toBe(true);
    const spoolError = error as SpoolError;
    expect(spoolError.code).toBe("ERR_SPOOL");
    expect(spoolError.path).toBe(file);
    expect(spoolError.message).toContain(file);
    expect(spoolError.message).toMatch(/ENOTDIR|EEXIST/);
    expect(spoolError.message).toContain("BUGBEACON_SPOOL_DIR");
    expect((spoolError.cause as NodeJS.ErrnoException).code).toMatch(/ENOTDIR|EEXIST/);
    expect(fake.requests.filter((r) => r.method === "POST")).toEqual([]);
  });

  // Root (as in some containers) may write a read-only folder anyway: reported as skipped there.
  it.skipIf(process.platform === "win32" || process.getuid?.() === 0)("a read-only spool folder: SpoolError with EACCES", async () => {
    const dir = join(tempDir("bugbeacon-errors-"), "spool");
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    try {
      const error = await rejection(helper(dir).runHeadless({ title: "Crash", repo: REPO }));
      expect(error).toBeInstanceOf(SpoolError);
      expect((error as SpoolError).message).toContain("(EACCES)");
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});

describe("error classes", () => {
  it("one FileExistsError, a BugbeaconError, used by save-report as well", () => {
    expect(SaveReportFileExistsError).toBe(FileExistsError);
    const error = new FileExistsError("/x/report.md");
    expect(error).toBeInstanceOf(BugbeaconError);
    expect(error.code).toBe("ERR_FILE_EXISTS");
    expect(error.message).toBe("/x/report.md already exists; not overwriting it. Choose another name, or move the file away first.");
    expect(new FileExistsError("/x/a", { advice: "run init --force" }).message).toBe("/x/a already exists; run init --force.");
  });

  it("exports no dead error class; every exported error class is a BugbeaconError with a code from the union", () => {
    expect("GitHubRequestError" in api).toBe(false);
    const codes: BugbeaconErrorCode[] = [
      new api.InvalidOptionError("x", 1, "a string").code,
      new api.InvalidRepoError("bad").code,
      new api.MissingTokenError().code,
      new api.UnknownBackendError("x", ["github"]).code,
      new api.ReportFormatError("bad").code,
      new SpoolError("/s", { cause: new Error("x") }).code,
      new FileExistsError("/f").code,
    ];
    expect(codes).toEqual(["ERR_INVALID_OPTION", "ERR_INVALID_REPO", "ERR_MISSING_TOKEN", "ERR_UNKNOWN_BACKEND", "ERR_REPORT_FORMAT", "ERR_SPOOL", "ERR_FILE_EXISTS"]);
  });
});
