/**
 * Saves a report to a file atomically: the text goes to a temporary file next to the target, is
 * flushed to disk, then linked into place, so the target is either the whole report or absent. An
 * existing file is never overwritten.
 */
import { nodePath } from "../../_builtins.js";
import { FileExistsError } from "../../errors.js";
import { writeAtomic } from "../../util/atomic-write.js";

export { FileExistsError };

/** Writes `content` to `target` (resolved against the working folder); never overwrites. Returns the full path. */
export function saveReportFile(target: string, content: string): string {
  const absolute = nodePath().resolve(target);
  writeAtomic(absolute, content, { overwrite: false });
  return absolute;
}

/** The saved file: the title as a heading, then the body exactly as it would be sent. */
export function reportFileContent(title: string, body: string, url: string | undefined): string {
  const where = url !== undefined ? ` To file it, open ${url.split("?")[0]} and paste the title and the text below.` : "";
  return `<!-- Saved by bugbeacon.${where} -->\n# ${title}\n\n${body}\n`;
}
