/**
 * The one way bugbeacon writes a file whole or not at all: a temporary file beside the target (same
 * folder, so the rename never crosses a file system), written, fsync'd, renamed into place, then the
 * folder fsync'd. A crash or `kill -9` leaves either the old file, the new one, or a stray `.tmp`.
 * Used by the spool, the identifier cache, the seen-again marks, saved reports and the support database.
 * Folder and file names come from `node:path` (or the `pathApi` given), never from splitting on "/".
 */
import { nodeFs, nodePath } from "../_builtins.js";
import { FileExistsError, StorageError } from "../errors.js";

type PathApi = Pick<typeof import("node:path"), "dirname" | "basename" | "join">;

export interface AtomicWriteOptions {
  /** `false`: fail with `FileExistsError` when the target exists (never overwrites, even racing). @default true */
  overwrite?: boolean;
  /** File mode of the new file. @default 0o600 */
  mode?: number;
  /** Path functions (tests pass `path.win32`). @default node:path */
  pathApi?: PathApi;
}

/** Where the temporary file goes: in the target's folder, named after the target, unique per process and call. */
export function atomicTemp(path: string, pathApi: PathApi = nodePath()): { dir: string; temp: string } {
  const dir = pathApi.dirname(path);
  const unique = `${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
  return { dir, temp: pathApi.join(dir, `.${pathApi.basename(path)}.${unique}.tmp`) };
}

/**
 * Writes `text` to `path` atomically, creating the folder. Filesystem failures become a `StorageError`
 * naming the path (code ERR_STORAGE); an existing target with `overwrite: false` a `FileExistsError`.
 */
export function writeAtomic(path: string, text: string, options: AtomicWriteOptions = {}): void {
  const fs = nodeFs();
  const { dir, temp } = atomicTemp(path, options.pathApi);
  try {
    fs.mkdirSync(dir, { recursive: true });
    if (options.overwrite === false && fs.existsSync(path)) throw new FileExistsError(path);
    const fd = fs.openSync(temp, "wx", options.mode ?? 0o600);
    try {
      fs.writeFileSync(fd, text, "utf8");
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (options.overwrite === false) {
      try {
        fs.linkSync(temp, path); // fails if the target appeared meanwhile: never overwrites
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new FileExistsError(path);
        if (fs.existsSync(path)) throw error;
        fs.renameSync(temp, path); // file systems without hard links
      }
    } else {
      fs.renameSync(temp, path);
    }
  } catch (error) {
    throw wrap(error, path);
  } finally {
    try {
      fs.unlinkSync(temp);
    } catch {
      // already renamed, or never created
    }
  }
  fsyncFolder(dir);
}

/** The same, with promises (the support database writes many records). */
export async function writeAtomicAsync(path: string, text: string, options: Omit<AtomicWriteOptions, "overwrite"> = {}): Promise<void> {
  const fsp = nodeFs().promises;
  const { dir, temp } = atomicTemp(path, options.pathApi);
  try {
    await fsp.mkdir(dir, { recursive: true });
    const handle = await fsp.open(temp, "wx", options.mode ?? 0o644);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temp, path);
  } catch (error) {
    await fsp.unlink(temp).catch(() => {});
    throw wrap(error, path);
  }
  fsyncFolder(dir);
}

function fsyncFolder(dir: string): void {
  const fs = nodeFs();
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a folder; the rename is still atomic.
  }
}

function wrap(error: unknown, path: string): unknown {
  if (error instanceof FileExistsError || error instanceof StorageError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === "string") return new StorageError(path, code, error);
  return error;
}
