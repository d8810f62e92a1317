/** The README and its parts, for the tests that hold it to what the code does. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const root = new URL("../..", import.meta.url).pathname;
export const readme = readFileSync(join(root, "README.md"), "utf8");

/** The text of the section under `## <title>`, up to the next `## `. */
export function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The fenced blocks of a given language in `text`. */
export function fenced(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```$", "gm"))].map((m) => m[1]!);
}

export const printed_ = (text: string) => text.split("\n");

