/**
 * The preview of an issue as GitHub will get it, laid out for a terminal: control characters made
 * visible (an error message must not drive the person's terminal), long lines wrapped to the width,
 * the hidden metadata block folded to one line, and a long body cut in the middle with a note saying
 * how many lines are not shown (they are still sent).
 */
import { createStyle, type Style } from "./terminal.js";

export interface PreviewOptions {
  /** Terminal width; every line of the preview fits in it. */
  columns: number;
  /** Most body lines shown; the middle of a longer body is left out of the preview. @default 40 */
  maxBodyLines?: number;
  /** @default no styling */
  style?: Style;
  /** Where the report goes, shown in the header, e.g. "octo/app". */
  target?: string;
}

const METADATA_BLOCK = /<!-- bugbeacon:report v\d+\r?\n([\s\S]*?)\r?\n-->/g;

/** The preview text, ending with a newline. */
export function formatPreview(title: string, body: string, options: PreviewOptions): string {
  const columns = Math.max(10, Math.floor(options.columns));
  const style = options.style ?? createStyle(false);
  const maxBodyLines = Math.max(4, options.maxBodyLines ?? 40);
  const header = options.target !== undefined ? `Preview of the issue for ${options.target}` : "Preview of the issue";
  const out: string[] = [];
  out.push(style.dim(rule(` ${header} `, columns)));
  for (const line of wrap(`Title: ${visible(title)}`, columns)) out.push(style.bold(line));
  out.push("");
  const folded = body.replace(METADATA_BLOCK, (_block, json: string) => `<!-- bugbeacon metadata: ${json.length} characters, hidden on GitHub -->`);
  const lines = folded.split(/\r?\n/).flatMap((line) => wrap(visible(line), columns));
  if (lines.length <= maxBodyLines) {
    out.push(...lines);
  } else {
    const head = Math.ceil((maxBodyLines - 1) / 2);
    const tail = maxBodyLines - 1 - head;
    out.push(...lines.slice(0, head));
    out.push(style.dim(fit(`[… ${lines.length - head - tail} more lines, sent but not shown here …]`, columns)));
    out.push(...lines.slice(lines.length - tail));
  }
  out.push(style.dim("─".repeat(columns)));
  return `${out.join("\n")}\n`;
}

/** Shows control characters (ANSI escapes, bells, carriage returns) as text instead of obeying them. */
export function visible(text: string): string {
  return text
    .replace(/\t/g, "    ")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => (c === "\u001b" ? "␛" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
}

/** Hard-wraps a line to `columns` code points (an empty line stays one empty line). */
export function wrap(line: string, columns: number): string[] {
  const chars = Array.from(line);
  if (chars.length <= columns) return [line];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += columns) out.push(chars.slice(i, i + columns).join(""));
  return out;
}

function fit(text: string, columns: number): string {
  const chars = Array.from(text);
  return chars.length <= columns ? text : `${chars.slice(0, columns - 1).join("")}…`;
}

function rule(label: string, columns: number): string {
  const text = fit(`──${label}`, columns);
  return text + "─".repeat(Math.max(0, columns - Array.from(text).length));
}
