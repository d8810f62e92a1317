/**
 * The flat-file database in git: one JSON file per issue, so two triage runs never edit the same file.
 *
 *   layout "flat":        issues/<identifier>/<number>.json
 *   layout "by-version":  issues/<version>/<identifier>/<number>.json   (version "unknown" when missing)
 *
 * Finding the reports of one identifier reads only that identifier's folder(s): the triage decision
 * does not grow with the size of the database.
 */
import { mkdir, readFile, readdir, rename, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { BugbeaconError } from "../errors.js";
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

  /** Validates and writes a record atomically (temporary file, then rename). Returns its relative path. */
  async write(record: ReportRecord): Promise<string> {
    const path = this.pathFor(record);
    const problems = await recordProblems(record);
    if (problems.length > 0) throw new InvalidRecordError(`Issue #${record.number}`, problems);
    await mkdir(join(path, ".."), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`);
    await rename(temp, path);
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
