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
import { readFile, readdir, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { BugbeaconError } from "../errors.js";
import { writeAtomicAsync as atomicWrite } from "../util/atomic-write.js";
import { InvalidRecordError, recordProblems, type ReportRecord } from "./record.js";
import { isSafeIdentifier, isSafeVersion, showUntrusted } from "./safe-names.js";

export type Layout = "flat" | "by-version";
export const UNKNOWN_VERSION = "unknown";

export class UnsafeNameError extends BugbeaconError {
  override name = "UnsafeNameError";
  constructor(kind: string, value: unknown) {
    super(`Refusing ${kind} ${showUntrusted(value)}: only md5.<32 lowercase hex> identifiers and plain version names may become folder names.`, {
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
    await atomicWrite(join(this.root, rel), `${JSON.stringify(entry)}\n`);
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
    const folders =
      this.layout === "flat" ? [join("issues", identifier)] : (await listDirs(this.issuesDir)).map((v) => join("issues", v, identifier));
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

  /** Validates and writes a record atomically (temporary file, then rename). Returns its relative path. */
  async write(record: ReportRecord): Promise<string> {
    const path = this.pathFor(record);
    const problems = await recordProblems(record);
    if (problems.length > 0) throw new InvalidRecordError(`Issue #${record.number}`, problems);
    await atomicWrite(path, `${JSON.stringify(record, null, 2)}\n`);
    return relative(this.root, path);
  }

  /** Issue numbers stored for an identifier, ascending. Reads only that identifier's folder(s). */
  async numbersFor(identifier: string): Promise<number[]> {
    if (!isSafeIdentifier(identifier)) throw new UnsafeNameError("identifier", identifier);
    const folders =
      this.layout === "flat"
        ? [join(this.issuesDir, identifier)]
        : (await listDirs(this.issuesDir)).map((v) => join(this.issuesDir, v, identifier));
    const numbers: number[] = [];
    for (const folder of folders) {
      for (const name of await listFiles(folder)) {
        const m = /^([1-9]\d{0,15})\.json$/.exec(name);
        if (m?.[1]) numbers.push(Number(m[1]));
      }
    }
    return [...new Set(numbers)].sort((a, b) => a - b);
  }

  /** Every record file with its parsed content or the problem with it. */
  async *entries(): AsyncGenerator<{ path: string; record?: ReportRecord; problem?: string }> {
    const depth = this.layout === "by-version" ? 2 : 1;
    for await (const file of walkJson(this.issuesDir, depth)) {
      const path = relative(this.root, file);
      let value: unknown;
      try {
        value = JSON.parse(await readFile(file, "utf8"));
      } catch (error) {
        yield { path, problem: `not JSON (${error instanceof Error ? error.message : String(error)})` };
        continue;
      }
      yield { path, record: value as ReportRecord };
    }
  }
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
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

/** JSON files exactly `depth` folders below `dir` (issues/<id>/<n>.json or issues/<v>/<id>/<n>.json). */
async function* walkJson(dir: string, depth: number): AsyncGenerator<string> {
  if (depth === 0) {
    for (const name of await listFiles(dir)) if (name.endsWith(".json")) yield join(dir, name);
    return;
  }
  for (const sub of (await listDirs(dir)).sort()) yield* walkJson(join(dir, sub), depth - 1);
}
