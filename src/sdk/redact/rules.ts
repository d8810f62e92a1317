/**
 * Runs the rule book (`./detectors.ts`) over a text in one pass: a table indexed by the first two
 * characters of every keyword finds the keywords (ignoring case), and only there does a rule's pattern
 * run, anchored, within a bounded window. Work per character is bounded, so the scan is linear.
 */
import { entropy, inClass, TOKEN, isLineBreak, looksRandom } from "./chars.js";
import { parseDetectors, type Detector } from "./detectors.js";
import type { Spans } from "./spans.js";

interface Keyword {
  text: string;
  detectors: Detector[];
}

/** Keywords by their first two characters (ASCII, folded): index c1 * 128 + c2. Built on first use, not at import. */
let byBigram: Array<Keyword[] | undefined> | undefined;
const singles: Array<Keyword[] | undefined> = new Array(128);

function keywordIndex(): Array<Keyword[] | undefined> {
  if (byBigram !== undefined) return byBigram;
  const index: Array<Keyword[] | undefined> = new Array(128 * 128);
  const keywords = new Map<string, Keyword>();
  for (const d of parseDetectors()) {
    for (const text of d.keywords) {
      let k = keywords.get(text);
      if (k === undefined) keywords.set(text, (k = { text, detectors: [] }));
      if (!k.detectors.includes(d)) k.detectors.push(d);
    }
  }
  for (const k of keywords.values()) {
    if (k.text.length === 1) (singles[k.text.charCodeAt(0)] ??= []).push(k);
    else (index[fold(k.text.charCodeAt(0)) * 128 + fold(k.text.charCodeAt(1))] ??= []).push(k);
  }
  return (byBigram = index);
}

/** Lower case, and `-` read as `_`: `SECRET_KEY`, `secret-key` and `secret_key` are one keyword. */
function fold(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c === 45 ? 95 : c;
}

const MAX_NAME_TAIL = 30;

/**
 * Per detector, the end of a stretch its pattern matched but that was rejected (low entropy, a word
 * going on after it): keywords inside that stretch are not tried again (`sk-sk-sk-…` costs one try).
 */
let rejectedUntil = new Map<Detector, number>();

export function findRuleMatches(text: string, out: Spans): void {
  const index = keywordIndex();
  rejectedUntil = new Map();
  const n = text.length;
  // A value a rule has taken is not looked at again by a keyword inside it.
  let taken = 0;
  for (let i = 0; i < n; i++) {
    const c1 = fold(text.charCodeAt(i));
    if (c1 >= 128) continue;
    const one = singles[c1];
    if (one !== undefined) taken = tryKeywords(text, i, one, taken, out);
    if (i + 1 >= n) break;
    const c2 = fold(text.charCodeAt(i + 1));
    if (c2 >= 128) continue;
    const list = index[c1 * 128 + c2];
    if (list === undefined) continue;
    for (const k of list) if (hasAt(text, i, k.text)) taken = tryKeywords(text, i, [k], taken, out);
  }
}

function hasAt(text: string, at: number, keyword: string): boolean {
  if (at + keyword.length > text.length) return false;
  for (let j = 2; j < keyword.length; j++) if (fold(text.charCodeAt(at + j)) !== fold(keyword.charCodeAt(j))) return false;
  return true;
}

function tryKeywords(text: string, at: number, keywords: Keyword[], taken: number, out: Spans): number {
  for (const k of keywords) {
    for (const d of k.detectors) {
      const end = d.near ? nearValue(text, at + k.text.length, d, out) : ownValue(text, at, d, taken, out);
      if (end > taken) taken = end;
    }
  }
  return taken;
}

/** The keyword starts the value (or sits `back` characters inside it). Returns the value's end, or 0. */
function ownValue(text: string, at: number, d: Detector, taken: number, out: Spans): number {
  if ((rejectedUntil.get(d) ?? -1) > at) return 0;
  const from = Math.max(at - d.back, taken, 0);
  for (let start = at - d.backMin; start >= from; start--) {
    if (start < at && !inClass(TOKEN, text.charCodeAt(start))) break;
    if (d.first >= 0 && text.charCodeAt(start) !== d.first) continue;
    if (!boundaryBefore(text, start)) continue;
    let end = matchAt(text, start, d);
    if (end < 0 && d.wrap > 0) end = wrappedMatch(text, start, d);
    if (end < 0) continue;
    const full = d.wrap > 0 ? wrapped(text, start, end, d.wrap) : end;
    out.add(start + d.keep, full);
    return d.pair ? pairedSecret(text, full, out) : full;
  }
  return 0;
}

/**
 * The keyword names the value: past the rest of the name (`adafruit_api_key`), closing quotes, an
 * assignment (`=`, `:`, `:=`, `=>`, `?=`, `,`, `(`, `>`…), opening quotes: the value.
 */
function nearValue(text: string, from: number, d: Detector, out: Spans): number {
  const n = text.length;
  let i = from;
  const nameEnd = Math.min(n, from + MAX_NAME_TAIL);
  while (i < nameEnd && isNameChar(text.charCodeAt(i))) i++;
  i = skip(text, i, 12, isQuoteOrSpace);
  const opStart = i;
  let ops = 0;
  // A type between the name and the assignment: `var x string =`, `x: string =`, `String x =`.
  for (let round = 0; round < 2; round++) {
    const before = i;
    i = skip(text, i, 3, isOperator);
    ops += i - before;
    const typeEnd = typeWordEnd(text, i);
    if (typeEnd < 0) break;
    i = typeEnd;
  }
  if (ops === 0) return 0;
  i = skipLead(text, i);
  const lead = i;
  let end = matchAt(text, i, d);
  // A value may itself start with `=` or `-` (the skips took them for part of the operator).
  while (end < 0 && i > opStart + 1 && lead - i < 3) end = matchAt(text, --i, d);
  if (end < 0) return 0;
  out.add(i, end);
  return end;
}

/** Spaces, quotes, line breaks and their JSON escapes (`\n`, `\t`, also doubled) before a value. */
function skipLead(text: string, from: number): number {
  let i = from;
  while (i < text.length && i - from < 32) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      let j = i;
      while (text.charCodeAt(j) === 92 && j - i < 4) j++;
      const e = text.charCodeAt(j);
      if (e === 110 || e === 116 || e === 114) {
        i = j + 1;
        continue;
      }
    }
    // A YAML block scalar's `|` or `>` (and `-`/`+`) before the line that holds the value.
    if ((c === 124 || c === 62) && i > from) {
      let j = i + 1;
      if (text.charCodeAt(j) === 45 || text.charCodeAt(j) === 43) j++;
      if (afterLineBreak(text, j) !== undefined) {
        i = j;
        continue;
      }
    }
    if (!isValueLead(c)) break;
    i++;
  }
  return i;
}

function skip(text: string, from: number, max: number, accept: (c: number) => boolean): number {
  let i = from;
  while (i < text.length && i - from < max && accept(text.charCodeAt(i))) i++;
  return i;
}

/** End of ` string ` (a type word followed by `=`) at `from`, or -1. */
function typeWordEnd(text: string, from: number): number {
  let i = skip(text, from, 4, isQuoteOrSpace);
  const start = i;
  while (i < text.length && i - start < 24 && (isNameChar(text.charCodeAt(i)) || text.charCodeAt(i) === 91 || text.charCodeAt(i) === 93 || text.charCodeAt(i) === 42 || text.charCodeAt(i) === 38 || text.charCodeAt(i) === 60 || text.charCodeAt(i) === 62)) i++;
  const first = text.charCodeAt(start);
  if (i === start || (first >= 48 && first <= 57)) return -1;
  const after = skip(text, i, 4, isQuoteOrSpace);
  // Types stand apart: `string =`, never `a=b`.
  return after > i && text.charCodeAt(after) === 61 && text.charCodeAt(after + 1) !== 61 ? after : -1;
}

/** A random-looking value within a few characters after a key id, on its line: the id's secret. */
function pairedSecret(text: string, from: number, out: Spans): number {
  let i = from;
  const limit = Math.min(text.length, from + 48);
  while (i < limit && !inClass(TOKEN, text.charCodeAt(i)) && !isLineBreak(text.charCodeAt(i))) i++;
  if (i >= limit || isLineBreak(text.charCodeAt(i))) return from;
  let e = i;
  while (e < text.length && e - i < 256 && inClass(TOKEN, text.charCodeAt(e))) e++;
  if (!looksRandom(text.slice(i, e), 16)) return from;
  out.add(i, e);
  return e;
}

/** End of the detector's value at `start`, or -1: pattern, then a boundary, then enough entropy. */
function matchAt(text: string, start: number, d: Detector): number {
  d.pattern.lastIndex = start;
  const m = d.pattern.exec(text);
  if (m === null) return -1;
  const end = start + m[0].length;
  if ((end < text.length && isAlnum(text.charCodeAt(end)) && !endsOnEscape(text, end)) || (d.entropy > 0 && entropy(m[0]) < d.entropy)) {
    if (!d.near) rejectedUntil.set(d, end);
    return -1;
  }
  return end;
}

/** `…abc\nnext` inside JSON: the `n` after a backslash is not part of the value. */
function endsOnEscape(text: string, end: number): boolean {
  return text.charCodeAt(end - 1) === 92;
}

/** A token cut by a line break before its pattern's shortest length: matched over the break. */
function wrappedMatch(text: string, start: number, d: Detector): number {
  let r = start;
  while (r < text.length && r - start < d.wrap && inClass(TOKEN, text.charCodeAt(r))) r++;
  const next = afterLineBreak(text, r);
  if (next === undefined) return -1;
  let r2 = next;
  while (r2 < text.length && r2 - next < d.wrap && inClass(TOKEN, text.charCodeAt(r2))) r2++;
  const joined = text.slice(start, r) + text.slice(next, r2);
  d.pattern.lastIndex = 0;
  const m = d.pattern.exec(joined);
  const head = r - start;
  if (m === null || m[0].length <= head) return -1;
  return next + m[0].length - head;
}

/** A value shorter than its usual length, cut by a line break, goes on with the next line's run. */
function wrapped(text: string, start: number, end: number, full: number): number {
  if (end - start >= full) return end;
  const next = afterLineBreak(text, end);
  if (next === undefined) return end;
  let r = next;
  while (r < text.length && r - next < full && inClass(TOKEN, text.charCodeAt(r))) r++;
  return r > next ? r : end;
}

/** Index just after a line break at `at` (LF, CRLF, or an escaped `\n` inside a JSON string). */
export function afterLineBreak(text: string, at: number): number | undefined {
  const c = text.charCodeAt(at);
  if (c === 13 && text.charCodeAt(at + 1) === 10) return at + 2;
  if (isLineBreak(c)) return at + 1;
  if (c === 92 && (text[at + 1] === "n" || text[at + 1] === "r")) {
    return text[at + 1] === "r" && text[at + 2] === "\\" && text[at + 3] === "n" ? at + 4 : at + 2;
  }
  return undefined;
}

/**
 * Nothing of a word before `start`, reading escapes as what they stand for: `\n`, `\t`, `\r` (JSON,
 * also double-escaped), `%0A`/`%20` (percent-encoding) and `\u0022` end the word before a token.
 */
export function boundaryBefore(text: string, start: number): boolean {
  if (start === 0 || !isAlnum(text.charCodeAt(start - 1))) return true;
  const c = text.charCodeAt(start - 1);
  if ((c === 110 || c === 116 || c === 114 || c === 98 || c === 102) && text.charCodeAt(start - 2) === 92) return true;
  if (start >= 3 && text.charCodeAt(start - 3) === 37 && isHex(text.charCodeAt(start - 2)) && isHex(c)) return true;
  return start >= 6 && text.charCodeAt(start - 6) === 92 && text.charCodeAt(start - 5) === 117 && isHex(c);
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isNameChar(c: number): boolean {
  return isAlnum(c) || c === 95 || c === 45 || c === 46;
}

function isQuoteOrSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 34 || c === 39 || c === 96 || c === 92 || c === 93;
}

/** `=` `:` `>` `,` `(` `|` `?` `.` `!` `-` `+` `&`: the pieces of every assignment operator we read. */
function isOperator(c: number): boolean {
  return c === 61 || c === 58 || c === 62 || c === 44 || c === 40 || c === 124 || c === 63 || c === 33 || c === 45 || c === 46 || c === 43 || c === 38;
}

/** Between an assignment and its value: spaces, line breaks (multi-line XML), quotes, escapes, `=`. */
function isValueLead(c: number): boolean {
  return isQuoteOrSpace(c) || c === 10 || c === 13 || c === 61 || c === 64;
}
