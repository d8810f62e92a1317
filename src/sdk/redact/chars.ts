/**
 * Character classes as lookup tables, so every scanner walks the text with plain loops: no regular
 * expression that could backtrack, and each character is looked at a bounded number of times.
 */
export type CharClass = Uint8Array;

function classOf(...ranges: string[]): CharClass {
  const table = new Uint8Array(128);
  for (const r of ranges) {
    if (r.length === 3 && r[1] === "-") {
      for (let c = r.charCodeAt(0); c <= r.charCodeAt(2); c++) table[c] = 1;
    } else {
      for (const ch of r) table[ch.charCodeAt(0)] = 1;
    }
  }
  return table;
}

export const ALNUM = classOf("a-z", "A-Z", "0-9");
export const ALNUM_ = classOf("a-z", "A-Z", "0-9", "_");
export const ALNUM_DASH = classOf("a-z", "A-Z", "0-9", "_", "-");
export const ALNUM_DOT_DASH = classOf("a-z", "A-Z", "0-9", "_", "-", ".");
export const UPPER_DIGIT = classOf("A-Z", "0-9");
export const LETTERS = classOf("a-z", "A-Z");
export const HEX = classOf("a-f", "A-F", "0-9");
export const BASE64 = classOf("a-z", "A-Z", "0-9", "+", "/", "=", "_", "-");
export const BASE64_STD = classOf("a-z", "A-Z", "0-9", "+", "/", "=");
export const WEBHOOK_PATH = classOf("a-z", "A-Z", "0-9", "/", "_", "-");
/** Characters of a name in `name=value`: `db_pass`, `X-Api-Key`, `--api-key`, `spring.datasource.password`. */
export const NAME = classOf("a-z", "A-Z", "0-9", "_", "-", ".", "$", "@");
/** Characters of a token next to a sensitive word. */
export const TOKEN = classOf("a-z", "A-Z", "0-9", "+", "/", "=", "_", "-", ".", "~");

/** `cls` plus the given characters. */
export function withChars(cls: CharClass, chars: string): CharClass {
  const table = new Uint8Array(cls);
  for (const ch of chars) table[ch.charCodeAt(0)] = 1;
  return table;
}

export function inClass(cls: CharClass, code: number): boolean {
  return code < 128 && cls[code] === 1;
}

export function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 11 || code === 12;
}

export function isLineBreak(code: number): boolean {
  return code === 10 || code === 13;
}

/** End of the run of `cls` characters starting at `from`. */
export function runEnd(text: string, from: number, cls: CharClass): number {
  let i = from;
  while (i < text.length && inClass(cls, text.charCodeAt(i))) i++;
  return i;
}

/**
 * A value that looks machine-made rather than a word: long enough, mixed character kinds, and
 * spread over many different characters (Shannon entropy per character).
 */
export function looksRandom(value: string, minLength = 16): boolean {
  if (value.length < minLength || value.length > 1024) return false;
  let lower = 0;
  let upper = 0;
  let digit = 0;
  counts.fill(0);
  let distinct = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i) & 255;
    if (c >= 97 && c <= 122) lower++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 48 && c <= 57) digit++;
    if (counts[c] === 0) distinct++;
    counts[c] = counts[c]! + 1;
  }
  const kinds = (lower > 0 ? 1 : 0) + (upper > 0 ? 1 : 0) + (digit > 0 ? 1 : 0);
  if (kinds < 2 || distinct < 8) return false;
  if (digit === 0 && value.length < 24) return false;
  let entropy = 0;
  for (let c = 0; c < 256; c++) {
    const n = counts[c]!;
    if (n === 0) continue;
    const p = n / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy >= 3;
}

const counts = new Uint32Array(256);

/** Shannon entropy of `value` in bits per character (characters above 255 folded). */
export function entropy(value: string): number {
  counts.fill(0);
  for (let i = 0; i < value.length; i++) counts[value.charCodeAt(i) & 255]!++;
  let bits = 0;
  for (let c = 0; c < 256; c++) {
    const n = counts[c]!;
    if (n === 0) continue;
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
