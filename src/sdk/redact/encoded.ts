/**
 * Secrets hidden by an encoding: base64 blobs that decode to text with a credential in it (a docker
 * `auth`, a basic-auth pair, a config with a password), and percent-encoded URL parts whose decoded
 * form holds one. Decoded views are checked by the same scanners, all views of a text in one batch.
 */
import { BASE64, HEX, inClass } from "./chars.js";
import { percentDecode } from "./urls.js";
import type { Spans } from "./spans.js";

/** Checks several decoded texts at once; true for each that holds a secret. */
export type BatchCheck = (texts: string[]) => boolean[];

const MIN_BLOB = 16;
/** `user:password` as found in a docker `auth` or a Basic header. Bounded input, no nested quantifier. */
const CREDENTIAL_PAIR = /^[^\s:]{1,64}:[^\s]{4,128}$/;

export function findEncodedBlobs(text: string, out: Spans, check: BatchCheck): void {
  const blobs: Array<[number, number]> = [];
  const decoded: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!inClass(BASE64, text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let upper = 0;
    let lower = 0;
    let digit = 0;
    while (i < n && inClass(BASE64, text.charCodeAt(i))) {
      const c = text.charCodeAt(i);
      if (c >= 65 && c <= 90) upper = 1;
      else if (c >= 97 && c <= 122) lower = 1;
      else if (c >= 48 && c <= 57) digit = 1;
      i++;
    }
    if (i - start < MIN_BLOB || upper + lower + digit < 2) continue;
    if (i - start >= 64 && isPrivateDer(text, start)) {
      out.add(start, i);
      continue;
    }
    const plain = decodeBase64Text(text.slice(start, i));
    if (plain === undefined) continue;
    blobs.push([start, i]);
    decoded.push(plain);
  }
  if (blobs.length === 0) return;
  const found = check(decoded);
  for (let k = 0; k < blobs.length; k++) {
    const plain = decoded[k]!;
    if (found[k] || (plain.length <= 200 && CREDENTIAL_PAIR.test(plain))) out.add(blobs[k]![0], blobs[k]![1]);
  }
}

/** The decoded text when it is mostly printable (text, not bytes), else undefined. */
function decodeBase64Text(blob: string): string | undefined {
  const bytes = Buffer.from(blob, "base64");
  if (bytes.length < 8) return undefined;
  let printable = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if ((b >= 32 && b < 127) || b === 9 || b === 10 || b === 13) printable++;
  }
  if (printable < bytes.length * 0.9) return undefined;
  return bytes.toString("latin1");
}

/** Percent-encoded parts of URLs and query strings (`?next=https%3A%2F%2Fu%3Apw%40h`, `q=token%3D…`). */
export function findPercentEncoded(text: string, out: Spans, check: BatchCheck): void {
  const parts: Array<[number, number]> = [];
  const decoded: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const p = text.indexOf("%", i);
    if (p < 0) break;
    // The run around it, up to whitespace, quotes or angle brackets.
    let start = p;
    while (start > i && !isRunBreak(text.charCodeAt(start - 1))) start--;
    let end = p;
    while (end < n && !isRunBreak(text.charCodeAt(end))) end++;
    // Its parts between & ? ; #, each decoded on its own.
    let s = start;
    for (let k = start; k <= end; k++) {
      const c = k < end ? text.charCodeAt(k) : 38;
      if (c !== 38 && c !== 63 && c !== 59 && c !== 35) continue;
      const piece = text.slice(s, k);
      if (hasEscape(piece)) {
        let plain = percentDecode(piece);
        if (hasEscape(plain)) {
          // Decoded once and twice: a value may hold a `%` of its own (`%25` once decoded).
          const twice = percentDecode(plain);
          if (twice !== plain) plain = `${plain}\n${twice}`;
        }
        // Nothing shorter than `k=secret` holds a secret worth decoding for.
        if (plain.length < 8) {
          s = k + 1;
          continue;
        }
        const eq = piece.indexOf("=");
        const valueStart = eq >= 0 && eq < piece.indexOf("%") ? s + eq + 1 : s;
        parts.push([valueStart, k]);
        decoded.push(plain);
      }
      s = k + 1;
    }
    i = Math.max(end, p + 1);
  }
  if (parts.length === 0) return;
  const found = check(decoded);
  for (let k = 0; k < parts.length; k++) if (found[k]) out.add(parts[k]![0], parts[k]![1]);
}

function hasEscape(s: string): boolean {
  for (let p = s.indexOf("%"); p >= 0 && p + 2 < s.length; p = s.indexOf("%", p + 1)) {
    if (inClass(HEX, s.charCodeAt(p + 1)) && inClass(HEX, s.charCodeAt(p + 2))) return true;
  }
  return false;
}

function isRunBreak(c: number): boolean {
  return c <= 32 || c === 34 || c === 39 || c === 96 || c === 60 || c === 62;
}

/**
 * Base64 of DER key material without PEM armour: a PKCS#12 file (SEQUENCE, INTEGER 3), or a private
 * key (SEQUENCE, INTEGER 0 or 1, then an INTEGER or the algorithm's SEQUENCE). A certificate (SEQUENCE,
 * SEQUENCE) does not match and is kept.
 */
function isPrivateDer(text: string, start: number): boolean {
  if (text.charCodeAt(start) !== 77 /* M */) return false;
  const head = Buffer.from(text.slice(start, start + 16), "base64");
  if (head[0] !== 0x30) return false;
  const lenBytes = head[1]! >= 0x80 ? head[1]! - 0x80 : 0;
  if (lenBytes > 3) return false;
  const at = 2 + lenBytes;
  if (head[at] !== 0x02 || head[at + 1] !== 0x01) return false;
  const version = head[at + 2];
  if (version === 3) return head[at + 3] === 0x30;
  return (version === 0 || version === 1) && (head[at + 3] === 0x02 || head[at + 3] === 0x30 || head[at + 3] === 0x04);
}
