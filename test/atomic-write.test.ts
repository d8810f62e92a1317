import { chmodSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path, { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileExistsError, StorageError, getHelper, isBugbeaconError } from "../src/index.js";
import { atomicTemp, writeAtomic, writeAtomicAsync } from "../src/util/atomic-write.js";
import { Spool } from "../src/delivery/spool.js";
import { tempDir } from "./support/temp.js";

describe("the one atomic-write module", () => {
  it("puts the temporary file in the target's own folder, with Windows paths too (no split on '/')", () => {
    const win = atomicTemp("C:\\Users\\ana\\AppData\\Local\\bugbeacon\\Cache\\spool\\queue\\2026-report.json", path.win32);
    expect(win.dir).toBe("C:\\Users\\ana\\AppData\\Local\\bugbeacon\\Cache\\spool\\queue");
    expect(path.win32.dirname(win.temp)).toBe(win.dir);
    expect(path.win32.basename(win.temp)).toMatch(/^\.2026-report\.json\.\d+\.[a-z0-9]+\.tmp$/);
    const unc = atomicTemp("\\\\server\\share\\spool\\inflight\\12.a.json", path.win32);
    expect(unc.dir).toBe("\\\\server\\share\\spool\\inflight");
    const posix = atomicTemp("/var/cache/bugbeacon/spool/queue/a.json", path.posix);
    expect(posix.dir).toBe("/var/cache/bugbeacon/spool/queue");
  });

  it("writes whole files, creates the folder, leaves no temporary file, and runs twice to the same state", async () => {
    const dir = tempDir("bugbeacon-atomic-");
    const target = join(dir, "a", "b", "c.json");
    writeAtomic(target, "one");
    writeAtomic(target, "one");
    expect(readFileSync(target, "utf8")).toBe("one");
    await writeAtomicAsync(join(dir, "a", "d.json"), "two");
    expect(readFileSync(join(dir, "a", "d.json"), "utf8")).toBe("two");
    expect(readdirSync(join(dir, "a")).sort()).toEqual(["b", "d.json"]);
    expect(readdirSync(join(dir, "a", "b"))).toEqual(["c.json"]);
  });

  it("never overwrites with overwrite: false (a typed FileExistsError), and the file keeps its text", () => {
    const dir = tempDir("bugbeacon-atomic-");
    const target = join(dir, "report.md");
    writeAtomic(target, "first", { overwrite: false });
    expect(() => writeAtomic(target, "second", { overwrite: false })).toThrow(FileExistsError);
    expect(readFileSync(target, "utf8")).toBe("first");
    expect(readdirSync(dir)).toEqual(["report.md"]);
  });

  it("turns filesystem errors into a StorageError naming the path (ENOTDIR, EACCES)", () => {
    const dir = tempDir("bugbeacon-atomic-");
    writeFileSync(join(dir, "file"), "x");
    let caught: unknown;
    try {
      writeAtomic(join(dir, "file", "under-a-file.json"), "x");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StorageError);
    expect(isBugbeaconError(caught)).toBe(true);
    expect((caught as StorageError).code).toBe("ERR_STORAGE");
    // mkdir under a file: Node 20 on Linux answers EEXIST, others ENOTDIR; either way, typed.
    expect(["ENOTDIR", "EEXIST"]).toContain((caught as StorageError).errno);
    expect((caught as Error).message).toContain(join(dir, "file", "under-a-file.json"));
    if (process.getuid?.() !== 0) {
      const locked = join(dir, "locked");
      writeAtomic(join(locked, "ok"), "x");
      chmodSync(locked, 0o500);
      try {
        expect(() => writeAtomic(join(locked, "no"), "x")).toThrow(/EACCES/);
      } finally {
        chmodSync(locked, 0o700);
      }
    }
  });

  it("an unwritable spool folder rejects a report with a typed error, not a raw ENOTDIR", async () => {
    const dir = tempDir("bugbeacon-atomic-");
    writeFileSync(join(dir, "not-a-folder"), "x");
    const spool = new Spool(join(dir, "not-a-folder"));
    expect(() => spool.claim("x.json", () => {})).toThrow(StorageError);
    const helper = getHelper("github", {
      confirm: false,
      quiet: true,
      flushOnStart: false,
      baseUrl: "http://127.0.0.1:9",
      spoolDir: join(dir, "not-a-folder"),
      env: { BUGBEACON_GITHUB_TOKEN: "ghp_faketokenfaketokenfaketokenfake1234" },
    });
    const result = helper.runHeadless({ title: "t", repo: "octo/app" });
    await expect(result).rejects.toBeInstanceOf(StorageError);
    await expect(result).rejects.toMatchObject({ code: "ERR_STORAGE" });
  });
});
