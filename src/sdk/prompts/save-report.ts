/**
 * Saves a report to a file atomically: the text goes to a temporary file next to the target, is
 * flushed to disk, then linked into place, so the target is either the whole report or absent. An
 * existing file is never overwritten.
 */
import { nodeFs, nodePath } from "../../_builtins.js";

/** The file already exists (nothing was written). */
export class FileExistsError extends Error {
  override name = "FileExistsError";
}

export function saveReportFile(target: string, content: string): string {
  const fs = nodeFs();
  const path = nodePath();
  const absolute = path.resolve(target);
  if (fs.existsSync(absolute)) throw new FileExistsError(`${absolute} already exists; choose another name.`);
  const temp = path.join(path.dirname(absolute), `.${path.basename(absolute)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    const fd = fs.openSync(temp, "wx", 0o600);
    try {
      fs.writeFileSync(fd, content, "utf8");
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(temp, absolute); // fails if the target appeared meanwhile: never overwrites
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new FileExistsError(`${absolute} already exists; choose another name.`);
      if (fs.existsSync(absolute)) throw error;
      fs.renameSync(temp, absolute); // file systems without hard links
    }
  } finally {
    try {
      fs.unlinkSync(temp);
    } catch {
      // already moved or never created
    }
  }
  return absolute;
}

/** The saved file: the title as a heading, then the body exactly as it would be sent. */
export function reportFileContent(title: string, body: string, url: string | undefined): string {
  const where = url !== undefined ? ` To file it, open ${url.split("?")[0]} and paste the title and the text below.` : "";
  return `<!-- Saved by bugbeacon.${where} -->\n# ${title}\n\n${body}\n`;
}
