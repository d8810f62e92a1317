/**
 * The flat-file database in git: one JSON file per issue, so two triage runs never edit the same file.
 *
 *   layout "flat":        issues/<identifier>/<number>.json
 *   layout "by-version":  issues/<version>/<identifier>/<number>.json   (version "unknown" when missing)
 *
 * Finding the reports of one identifier reads only that identifier's folder(s): the triage decision
 * does not grow with the size of the database.
 *
 * The number index, `numbers/<number div 1000>/<number>.json`, records under which identifier (and
 * version folder) an issue was filed. It is written by the run that first files the issue and fixes the
 * issue's identity: a later edit of the body cannot move the report or file it a second time.
 */
import { statSync } from "node:fs";
import { readFile, readdir, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { writeFileAtomic } from "../_internal/atomic-write.js";
import { BugbeaconError } from "../errors.js";
import { foldersOf, legacyFilesOf, readEntry, recordFiles, type Layout } from "./layout.js";
import { InvalidRecordError, recordProblems, type ReportRecord } from "./record.js";
import { isSafeIdentifier, isSafeVersion, showUntrusted } from "./safe-names.js";

export type { Layout } from "./layout.js";
export const UNKNOWN_VERSION = "unknown";

/** A folder with neither the config `bugbeacon init` writes nor an `issues/` folder: no database to read. */
export class NoDatabaseError extends BugbeaconError {
  override name = "NoDatabaseError";
  readonly root: string;
  constructor(root: string) {
    super(`no bugbeacon database here: run \`bugbeacon init\` (or pass --db <folder>); ${JSON.stringify(root)} has no bugbeacon.config.json and no issues/ folder.`);
    this.root = root;
  }
}

/**
 * Throws NoDatabaseError unless `root` holds a database: the config `bugbeacon init` writes, or an
 * `issues/` folder (a database triage filled before it had a config, or github-support's). Reading an
 * empty answer ("0 records") from the wrong folder would look like a healthy empty database.
 */
export function assertDatabase(root: string, configFile: string): void {
  const exists = (path: string, dir: boolean) => {
    try {
      const s = statSync(path);
      return dir ? s.isDirectory() : s.isFile();
    } catch {
      return false;
    }
  };
  if (!exists(join(root, configFile), false) && !exists(join(root, "issues"), true)) throw new NoDatabaseError(root);
}

export class UnsafeNameError extends BugbeaconError {
  override name = "UnsafeNameError";
  constructor(kind: string, value: unknown) {
    super(`Refusing ${kind} ${showUntrusted(value)}: only identifiers that pass the report format's rule (md5.<32 hex>, or letters, digits, ".", "-", "_") and plain version names may become folder names.`, {
      code: "ERR_UNSAFE_NAME",
    });
  }
}

/** `numbers/<n div 1000>/<n>.json`: where issue n's report is filed. */
export interface IndexEntry {
  schema: 1;
  number: number;
  identifier: string;
  /** The version folder (layout by-version), else null. */
  folder: string | null;
}

export interface StoredRecord {
  /** Path relative to the database root. */
  path: string;
  record: ReportRecord;
}

export class Database {
  constructor(
    readonly root: string,
    readonly layout: Layout = "flat",
  ) {}

  get issuesDir(): string {
    return join(this.root, "issues");
  }

  /** The version folder a record goes into (by-version layout): its app version when safe, else "unknown". */
  versionFolder(record: Pick<ReportRecord, "app_version">): string {
    return record.app_version !== null && isSafeVersion(record.app_version) ? record.app_version : UNKNOWN_VERSION;
  }

  /** Absolute path of a record's file. Throws `UnsafeNameError` for anything but a safe identifier. */
  pathFor(record: Pick<ReportRecord, "identifier" | "number" | "app_version">): string {
    if (!isSafeIdentifier(record.identifier)) throw new UnsafeNameError("identifier", record.identifier);
    if (!Number.isSafeInteger(record.number) || record.number < 1) throw new UnsafeNameError("issue number", record.number);
    const parts = this.layout === "by-version" ? [this.versionFolder(record), record.identifier] : [record.identifier];
    return join(this.issuesDir, ...parts, `${record.number}.json`);
  }

  /** The index file of an issue number, relative to the root. */
  indexPath(number: number): string {
    if (!Number.isSafeInteger(number) || number < 1) throw new UnsafeNameError("issue number", number);
    return join("numbers", String(Math.floor(number / 1000)), `${number}.json`);
  }

  /** The folder `numbers/<n div 1000>` of an issue number (what a sparse checkout needs). */
  indexFolder(number: number): string {
    return join("numbers", String(Math.floor(number / 1000)));
  }

  /** Where issue `number` was filed, or undefined when it never was (or the entry is unusable). */
  async readIndex(number: number): Promise<IndexEntry | undefined> {
    let value: Partial<IndexEntry>;
    try {
      value = JSON.parse(await readFile(join(this.root, this.indexPath(number)), "utf8")) as Partial<IndexEntry>;
    } catch {
      return undefined;
    }
    if (value.number !== number || !isSafeIdentifier(value.identifier)) return undefined;
    const folder = value.folder === null || value.folder === undefined ? null : value.folder;
    if (folder !== null && folder !== UNKNOWN_VERSION && !isSafeVersion(folder)) return undefined;
    return { schema: 1, number, identifier: value.identifier, folder };
  }

  async writeIndex(entry: IndexEntry): Promise<string> {
    const rel = this.indexPath(entry.number);
    writeFileAtomic(join(this.root, rel), `${JSON.stringify(entry)}\n`);
    return rel;
  }

  /** The record file an index entry points at, relative to the root. */
  entryPath(entry: IndexEntry): string {
    if (!isSafeIdentifier(entry.identifier)) throw new UnsafeNameError("identifier", entry.identifier);
    const parts = this.layout === "by-version" ? [entry.folder ?? UNKNOWN_VERSION, entry.identifier] : [entry.identifier];
    return join("issues", ...parts, `${entry.number}.json`);
  }

  /** Reads a record by relative path; undefined when missing or not JSON. */
  async readRecord(rel: string): Promise<ReportRecord | undefined> {
    try {
      return JSON.parse(await readFile(join(this.root, rel), "utf8")) as ReportRecord;
    } catch {
      return undefined;
    }
  }

  async remove(rel: string): Promise<void> {
    await rm(join(this.root, rel), { force: true });
  }

  /** Every readable record of an identifier (all version folders), ascending by number. */
  async recordsFor(identifier: string): Promise<StoredRecord[]> {
    if (!isSafeIdentifier(identifier)) throw new UnsafeNameError("identifier", identifier);
    const folders = foldersOf(this.root, this.layout, identifier);
    const out: StoredRecord[] = [];
    for (const folder of folders) {
      for (const name of await listFiles(join(this.root, folder))) {
        if (!/^[1-9]\d{0,15}\.json$/.test(name)) continue;
        const record = await this.readRecord(join(folder, name));
        if (record !== undefined && record.identifier === identifier && Number.isSafeInteger(record.number)) out.push({ path: join(folder, name), record });
      }
    }
    return out.sort((a, b) => a.record.number - b.record.number);
  }

  /** Validates and writes a record atomically (shared atomic-write module). Returns its relative path. */
  async write(record: ReportRecord): Promise<string> {
    const path = this.pathFor(record);
    const problems = await recordProblems(record);
    if (problems.length > 0) throw new InvalidRecordError(`Issue #${record.number}`, problems);
    writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
    return relative(this.root, path);
  }

  /** Issue numbers stored for an identifier, ascending. Reads only that identifier's folder(s). */
  async numbersFor(identifier: string): Promise<number[]> {
    if (!isSafeIdentifier(identifier)) throw new UnsafeNameError("identifier", identifier);
    const numbers: number[] = [];
    for (const folder of foldersOf(this.root, this.layout, identifier)) {
      for (const name of await listFiles(join(this.root, folder))) {
        const m = /^([1-9]\d{0,15})\.json$/.exec(name);
        if (m?.[1]) numbers.push(Number(m[1]));
      }
    }
    return [...new Set(numbers)].sort((a, b) => a - b);
  }

  /** Every record file with its parsed content or the problem with it. */
  *entries(): Generator<{ path: string; record?: ReportRecord; problem?: string }> {
    for (const rel of recordFiles(this.root, this.layout)) yield readEntry(this.root, rel);
  }

  /** github-support `.md` records in an identifier's folders (to be imported before triage can decide). */
  legacyFor(identifier: string): string[] {
    if (!isSafeIdentifier(identifier)) throw new UnsafeNameError("identifier", identifier);
    return legacyFilesOf(this.root, this.layout, identifier);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
