/**
 * Saves a report to a file atomically (shared atomic-write module): the target is either the whole
 * report or absent. An existing file is never overwritten.
 */
import { nodePath } from "../../_builtins.js";
import { writeFileAtomic } from "../../_internal/atomic-write.js";

/** The file already exists (nothing was written); one class for the whole package, from errors.ts. */
export { FileExistsError } from "../../errors.js";

/** Writes `content` to `target` (resolved against the working folder); never overwrites. Returns the full path. */
export function saveReportFile(target: string, content: string): string {
  return writeFileAtomic(nodePath().resolve(target), content, { mode: 0o600, overwrite: false, mkdir: false });
}

/** The saved file: the title as a heading, then the body exactly as it would be sent. */
export function reportFileContent(title: string, body: string, url: string | undefined): string {
  const where = url !== undefined ? ` To file it, open ${url.split("?")[0]} and paste the title and the text below.` : "";
  return `<!-- Saved by bugbeacon.${where} -->\n# ${title}\n\n${body}\n`;
}
