import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path, { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempPathFor, writeFileAtomic } from "../src/_internal/atomic-write.js";
import { FileExistsError, isBugbeaconError } from "../src/errors.js";
import { queueNameOfClaim, Spool, SPOOL_VERSION, type SpooledReport } from "../src/delivery/spool.js";
import { identifierCache } from "../src/delivery/identifier-cache.js";
import { tempDir } from "./support/temp.js";

describe("writeFileAtomic", () => {
  it("creates the folder, writes the whole text, replaces an existing file and leaves no temporary file", () => {
    const dir = tempDir("bugbeacon-atomic-");
    const target = join(dir, "a", "b", "file.json");
    writeFileAtomic(target, "first");
    expect(readFileSync(target, "utf8")).toBe("first");
    writeFileAtomic(target, "second, longer text");
    expect(readFileSync(target, "utf8")).toBe("second, longer text");
    expect(readdirSync(join(dir, "a", "b"))).toEqual(["file.json"]);
  });

  it("applies the mode to a new file (0600 for the spool)", () => {
    if (process.platform === "win32") return;
    const dir = tempDir("bugbeacon-atomic-");
    const target = writeFileAtomic(join(dir, "private.json"), "{}", { mode: 0o600 });
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it("with overwrite: false never replaces a file and throws a typed FileExistsError naming it", () => {
    const dir = tempDir("bugbeacon-atomic-");
    const target = join(dir, "report.md");
    writeFileSync(target, "keep me");
    let caught: unknown;
    try {
      writeFileAtomic(target, "other", { overwrite: false });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FileExistsError);
    expect(isBugbeaconError(caught)).toBe(true);
    expect((caught as FileExistsError).code).toBe("ERR_FILE_EXISTS");
    expect((caught as FileExistsError).path).toBe(target);
    expect((caught as Error).message).toContain(`${target} already exists`);
    expect(readFileSync(target, "utf8")).toBe("keep me");
    expect(readdirSync(dir)).toEqual(["report.md"]);
  });

  it("with overwrite: false writes a new file by linking, and removes the temporary file", () => {
    const dir = tempDir("bugbeacon-atomic-");
    const target = writeFileAtomic(join(dir, "new.md"), "text", { overwrite: false });
    expect(readFileSync(target, "utf8")).toBe("text");
    expect(statSync(target).nlink).toBe(1);
    expect(readdirSync(dir)).toEqual(["new.md"]);
  });

  it("fails without leaving anything when the folder is a file", () => {
    const dir = tempDir("bugbeacon-atomic-");
    writeFileSync(join(dir, "plain"), "x");
    expect(() => writeFileAtomic(join(dir, "plain", "file.json"), "{}")).toThrow(/EEXIST|ENOTDIR/);
    expect(readdirSync(dir)).toEqual(["plain"]);
  });
});

describe("path handling, POSIX and Windows", () => {
  it("puts the temporary file beside the target, hidden, for either path flavour", () => {
    const win = tempPathFor("C:\\Users\\x\\spool\\queue\\123.name.json", path.win32, 42);
    expect(path.win32.dirname(win)).toBe("C:\\Users\\x\\spool\\queue");
    expect(path.win32.basename(win)).toMatch(/^\.123\.name\.json\.42\.[0-9a-z]+\.tmp$/);
    const posix = tempPathFor("/home/x/spool/queue/123.name.json", path.posix, 42);
    expect(path.posix.dirname(posix)).toBe("/home/x/spool/queue");
    expect(path.posix.basename(posix)).toMatch(/^\.123\.name\.json\.42\.[0-9a-z]+\.tmp$/);
    expect(tempPathFor("/a/b", path.posix, 1)).not.toBe(tempPathFor("/a/b", path.posix, 1));
  });

  it("derives a claimed spool file's queue name from Windows and POSIX paths", () => {
    expect(queueNameOfClaim("C:\\Users\\x\\spool\\inflight\\123.name.json", path.win32)).toBe("name.json");
    expect(queueNameOfClaim("C:/Users/x/spool/inflight/123.2026-01-01T00-00-00-000Z-r1.json", path.win32)).toBe("2026-01-01T00-00-00-000Z-r1.json");
    expect(queueNameOfClaim("/home/x/spool/inflight/9876.name.json", path.posix)).toBe("name.json");
    // A name whose report part starts with digits keeps them: only the "<pid>." prefix goes.
    expect(queueNameOfClaim("/s/inflight/1.2026-name.json", path.posix)).toBe("2026-name.json");
  });
});

describe("users of the atomic write", () => {
  const report: SpooledReport = {
    version: SPOOL_VERSION,
    repo: "octo/app",
    title: "t",
    body: "b",
    labels: [],
    assignees: [],
    identifier: "md5.0123456789abcdef0123456789abcdef",
    reportId: "r1",
    queuedAt: "2026-01-01T00:00:00.000Z",
    attempts: 0,
    uncertain: false,
  };

  it("spool: a claimed report released goes back to the queue under its own name, private", () => {
    const dir = tempDir("bugbeacon-spool-");
    const spool = new Spool(dir);
    const claimed = spool.addClaimed(report);
    expect(readdirSync(spool.inflightDir)).toEqual([`${process.pid}.2026-01-01T00-00-00-000Z-r1.json`]);
    const back = spool.release(claimed, { attempts: 1, lastError: "offline" });
    expect(back).toBe(join(spool.queueDir, "2026-01-01T00-00-00-000Z-r1.json"));
    expect(readdirSync(spool.inflightDir)).toEqual([]);
    expect(readdirSync(spool.queueDir)).toEqual(["2026-01-01T00-00-00-000Z-r1.json"]);
    expect(JSON.parse(readFileSync(back, "utf8"))).toMatchObject({ attempts: 1, lastError: "offline", reportId: "r1" });
    if (process.platform !== "win32") expect(statSync(back).mode & 0o777).toBe(0o600);
  });

  it("identifier cache: writes whole JSON beside the spool and reads it back", () => {
    const dir = tempDir("bugbeacon-cache-");
    const cache = identifierCache(join(dir, "spool"));
    cache.set(report.identifier, "7");
    cache.set("md5.ffffffffffffffffffffffffffffffff", "8");
    expect(cache.get(report.identifier)).toBe("7");
    expect(JSON.parse(readFileSync(join(dir, "spool", "identifiers.json"), "utf8"))).toEqual({
      [report.identifier]: 7,
      "md5.ffffffffffffffffffffffffffffffff": 8,
    });
    expect(readdirSync(join(dir, "spool"))).toEqual(["identifiers.json"]);
  });
});
