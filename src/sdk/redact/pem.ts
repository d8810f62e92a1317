/**
 * PEM blocks of every type (private keys, certificates, PGP blocks), with LF, CRLF or escaped `\n`
 * line ends: from `-----BEGIN <label>-----` to the matching `-----END <label>-----`, or, when the end
 * is missing (a cut message), over the base64 lines that follow.
 */
import { BASE64_STD, inClass, isSpace } from "./chars.js";
import { REDACTED } from "./marker.js";
import type { Spans } from "./spans.js";

const BEGIN = "-----BEGIN ";
const DASHES = "-----";
const MAX_LABEL = 64;

export function findPemBlocks(text: string, out: Spans): void {
  if (!text.includes(BEGIN)) return;
  const ends = endMarkers(text);
  let from = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, from);
    if (begin < 0) return;
    const labelStart = begin + BEGIN.length;
    const labelEnd = text.indexOf(DASHES, labelStart);
    if (labelEnd < 0 || labelEnd - labelStart > MAX_LABEL || !isLabel(text, labelStart, labelEnd)) {
      from = labelStart;
      continue;
    }
    const label = text.slice(labelStart, labelEnd);
    const bodyStart = labelEnd + DASHES.length;
    const endAt = nextEnd(ends.get(label), bodyStart);
    let end: number;
    if (endAt >= 0) {
      end = endAt + `-----END ${label}-----`.length;
    } else {
      end = bodyStart;
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (inClass(BASE64_STD, c) || isSpace(c) || c === 92 /* \ of an escaped \n */) end++;
        else break;
      }
    }
    out.add(begin, end, `-----BEGIN ${label}----- ${REDACTED} -----END ${label}-----`);
    from = end;
  }
}

/** Every `-----END <label>-----` by label, in order: one pass instead of a search per BEGIN. */
function endMarkers(text: string): Map<string, { at: number[]; next: number }> {
  const ends = new Map<string, { at: number[]; next: number }>();
  const END = "-----END ";
  for (let i = text.indexOf(END); i >= 0; i = text.indexOf(END, i + END.length)) {
    const labelStart = i + END.length;
    const labelEnd = text.indexOf(DASHES, labelStart);
    if (labelEnd < 0) break;
    if (labelEnd - labelStart > MAX_LABEL || !isLabel(text, labelStart, labelEnd)) continue;
    const label = text.slice(labelStart, labelEnd);
    let list = ends.get(label);
    if (list === undefined) ends.set(label, (list = { at: [], next: 0 }));
    list.at.push(i);
  }
  return ends;
}

/** The first end marker at or after `from` (BEGINs are met in order, so a cursor suffices). */
function nextEnd(list: { at: number[]; next: number } | undefined, from: number): number {
  if (list === undefined) return -1;
  while (list.next < list.at.length && list.at[list.next]! < from) list.next++;
  return list.next < list.at.length ? list.at[list.next]! : -1;
}

function isLabel(text: string, start: number, end: number): boolean {
  if (end === start) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 32)) return false;
  }
  return true;
}
