import { REDACTED } from "./marker.js";

/** A stretch of the text to replace. */
export interface Span {
  start: number;
  end: number;
  replacement: string;
}

/** Where the scanners put what they found. */
export class Spans {
  readonly list: Span[] = [];

  add(start: number, end: number, replacement: string = REDACTED): void {
    if (end > start) this.list.push({ start, end, replacement });
  }

  get size(): number {
    return this.list.length;
  }
}

/**
 * The text with every span replaced. Overlapping spans merge into one: the one that starts first (the
 * longer one on a tie) gives the replacement, stretched to cover the others.
 */
export function applySpans(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: string[] = [];
  let at = 0;
  let current: Span | undefined;
  for (const span of sorted) {
    if (current !== undefined && span.start < current.end) {
      if (span.end > current.end) current = { ...current, end: span.end, replacement: stretched(current.replacement) };
      continue;
    }
    if (current !== undefined) {
      parts.push(text.slice(at, current.start), current.replacement);
      at = current.end;
    }
    current = span;
  }
  if (current !== undefined) parts.push(text.slice(at, current.start), current.replacement);
  at = current?.end ?? at;
  parts.push(text.slice(at));
  return parts.join("");
}

/** A replacement that keeps text after the marker (a PEM footer) cannot cover more: use the bare marker. */
function stretched(replacement: string): string {
  return replacement.endsWith(REDACTED) ? replacement : REDACTED;
}
