/**
 * Facts about the terminal a prompt lays its text out for: how wide it is and whether colour is
 * wanted. Loaded with the prompts (whether to prompt at all is in interactive.ts).
 */

import type { TerminalStreams } from "./interactive.js";

export type { TerminalStreams };

/** Narrowest width the preview is laid out for; narrower terminals wrap it. */
export const MIN_COLUMNS = 20;
/** Used when the terminal does not say how wide it is. */
export const DEFAULT_COLUMNS = 80;

/** Colour unless `NO_COLOR` is set (any non-empty value, per no-color.org) or `TERM=dumb`. */
export function colorEnabled(env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return env.TERM !== "dumb";
}

/** The width to lay text out for. */
export function terminalColumns(stdout: TerminalStreams["stdout"] = process.stdout): number {
  const columns = typeof stdout.columns === "number" && stdout.columns > 0 ? stdout.columns : DEFAULT_COLUMNS;
  return Math.max(MIN_COLUMNS, columns);
}

export function defaultStreams(): TerminalStreams {
  return { stdin: process.stdin, stdout: process.stdout };
}

/** Minimal styling that disappears when colour is off. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  cyan(text: string): string;
}

export function createStyle(color: boolean): Style {
  const wrap = (open: number, close: number) => (text: string) => (color ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { bold: wrap(1, 22), dim: wrap(2, 22), cyan: wrap(36, 39) };
}
