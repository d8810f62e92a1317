/**
 * The one way bugbeacon writes a file whole or not at all: the text goes to a temporary file beside the
 * target (same folder, so the same file system), is fsynced, then renamed over the target (or, with
 * `overwrite: false`, hard-linked into place, which fails if the target exists); finally the folder is
 * fsynced where the platform allows, so the new name survives a power cut. A crash or `kill -9` at any
 * point leaves the old file or the new one, never half of either, and at most a stray `*.tmp` file.
 *
 * Used by the spool, the identifier cache, seen-again, save-report and the support database.
 */
import { nodeFs, nodePath } from "../_builtins.js";
import { FileExistsError } from "../errors.js";

/** The parts of `node:path` this module needs; pass `path.win32` or `path.posix` to test either. */
export type PathApi = Pick<typeof import("node:path"), "dirname" | "basename" | "join">;

export interface AtomicWriteOptions {
  /** File mode of a newly created file (default 0o666 minus the umask). The spool uses 0o600. */
  mode?: number;
  /**
   * `false`: never replace an existing file; throws `FileExistsError` (nothing written) if the target
   * exists, even if it appeared a moment before the write finished. Default `true`.
   */
  overwrite?: boolean;
  /** Creates the target's folder first (default true). */
  mkdir?: boolean;
}

let counter = 0;

/**
 * The temporary file for `target`: a hidden name in the same folder, unique per process and call,
 * ending in `.tmp` so leftovers are recognisable.
 */
export function tempPathFor(target: string, path: PathApi = nodePath(), pid: number = process.pid): string {
  counter = (counter + 1) % 0x7fffffff;
  const unique = `${pid}.${Date.now().toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${unique}.tmp`);
}

/** Writes `content` to `target` atomically; see the module comment. Returns `target`. */
export function writeFileAtomic(target: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): string {
  const fs = nodeFs();
  const path = nodePath();
  const dir = path.dirname(target);
  if (options.mkdir !== false) fs.mkdirSync(dir, { recursive: true });
  const overwrite = options.overwrite !== false;
  if (!overwrite && fs.existsSync(target)) throw new FileExistsError(target);
  const temp = tempPathFor(target, path);
  const fd = fs.openSync(temp, "wx", options.mode ?? 0o666);
  let placed = false;
  try {
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (overwrite) {
      fs.renameSync(temp, target);
      placed = true;
    } else {
      try {
        fs.linkSync(temp, target); // fails with EEXIST if the target appeared meanwhile: never overwrites
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EEXIST") throw new FileExistsError(target, { cause: error });
        // File systems without hard links (some network and FAT volumes): a checked rename instead.
        if (fs.existsSync(target)) throw new FileExistsError(target, { cause: error });
        fs.renameSync(temp, target);
        placed = true;
      }
    }
  } finally {
    if (!placed) {
      try {
        fs.unlinkSync(temp);
      } catch {
        // Never created, or already gone.
      }
    }
  }
  syncFolder(dir);
  return target;
}

/** fsync of a folder makes a rename in it durable; Windows and some file systems cannot, which is fine. */
function syncFolder(dir: string): void {
  const fs = nodeFs();
  try {
    const dfd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // The rename itself is still atomic.
  }
}
