/**
 * PEM blocks (private keys, PGP blocks, anything not known to be public), with LF, CRLF or escaped
 * `\n` line ends: from `-----BEGIN <label>-----` to the matching `-----END <label>-----`, or, when the
 * end is missing (a cut message), over the base64 lines that follow; replaced by `[REDACTED <label>]`.
 * Certificates and public keys stay. Also PuTTY key files and SSH2 (RFC 4716 style) private keys.
 */
import { BASE64_STD, inClass, isSpace } from "./chars.js";
import type { Spans } from "./spans.js";

const BEGIN = "-----BEGIN ";
const DASHES = "-----";
const MAX_LABEL = 64;

/** Certificates, public keys, signatures and requests are public: they stay, a maintainer may need them. */
function isPublic(label: string): boolean {
  return !label.includes("PRIVATE") && /CERTIFICATE|PUBLIC KEY|SIGNATURE|CERTIFICATE REQUEST|X509 CRL|PARAMETERS/.test(label);
}

export function findPemBlocks(text: string, out: Spans): void {
  findPuttyKeys(text, out);
  findSsh2Keys(text, out);
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
    if (isPublic(label)) {
      from = labelEnd;
      continue;
    }
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
    // A header with nothing after it holds nothing to hide.
    // The markers go too: secret scanners flag a `BEGIN … PRIVATE KEY` line even around `[REDACTED]`.
    if (end > bodyStart + 1) out.add(begin, end, `[REDACTED ${label}]`);
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

/** PuTTY key files: the `Private-Lines: N` lines that follow, and the `Private-MAC`/`Private-Hash`. */
function findPuttyKeys(text: string, out: Spans): void {
  for (let at = text.indexOf("Private-Lines:"); at >= 0; at = text.indexOf("Private-Lines:", at + 14)) {
    let i = at + 14;
    while (text.charCodeAt(i) === 32) i++;
    let count = 0;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57 && count < 1000) count = count * 10 + text.charCodeAt(i++) - 48;
    const start = nextLine(text, i);
    let end = start;
    for (let k = 0; k < Math.min(count, 256) && end < text.length; k++) end = nextLine(text, end);
    out.add(start, trimBreak(text, start, end));
    at = Math.max(at, end - 14);
  }
  for (let at = text.indexOf("PuTTY-User-Key-File-"); at >= 0; at = text.indexOf("PuTTY-User-Key-File-", at + 20)) {
    out.add(at, at + 21, "[REDACTED PuTTY key file]");
  }
  for (const label of ["Private-MAC:", "Private-Hash:"]) {
    for (let at = text.indexOf(label); at >= 0; at = text.indexOf(label, at + label.length)) {
      let i = at + label.length;
      while (text.charCodeAt(i) === 32) i++;
      out.add(i, lineEnd(text, i, 256));
    }
  }
}

/** `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----` (RFC 4716 style, as ssh.com and PuTTYgen export it). */
function findSsh2Keys(text: string, out: Spans): void {
  const BEGIN_SSH2 = "---- BEGIN SSH2 ";
  if (!text.includes(BEGIN_SSH2)) return;
  let nextEndAt = text.indexOf("---- END SSH2 ");
  for (let at = text.indexOf(BEGIN_SSH2); at >= 0; at = text.indexOf(BEGIN_SSH2, at + BEGIN_SSH2.length)) {
    const headerEnd = text.indexOf("----", at + BEGIN_SSH2.length);
    if (headerEnd < 0 || headerEnd - at > 80) continue;
    const label = text.slice(at + BEGIN_SSH2.length, headerEnd).trim();
    if (!label.includes("PRIVATE")) continue;
    const bodyStart = headerEnd + 4;
    // The next end marker, searched again only once passed: one forward search over the whole text.
    if (nextEndAt >= 0 && nextEndAt < bodyStart) nextEndAt = text.indexOf("---- END SSH2 ", bodyStart);
    const end = nextEndAt >= 0 && nextEndAt - bodyStart <= 65536 ? nextEndAt : lineEnd(text, bodyStart, 65536);
    out.add(at, end, `[REDACTED SSH2 ${label}]\n`);
    at = end;
  }
}

function lineEnd(text: string, from: number, max: number): number {
  let i = from;
  while (i < text.length && i - from < max && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13 && !(text.charCodeAt(i) === 92 && text[i + 1] === "n")) i++;
  return i;
}

function nextLine(text: string, from: number): number {
  let i = lineEnd(text, from, 4096);
  if (text.charCodeAt(i) === 13) i++;
  if (text.charCodeAt(i) === 10) i++;
  else if (text.charCodeAt(i) === 92 && text[i + 1] === "n") i += 2;
  return i;
}

function trimBreak(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && (text.charCodeAt(e - 1) === 10 || text.charCodeAt(e - 1) === 13)) e--;
  if (e - 2 >= start && text.charCodeAt(e - 2) === 92 && text[e - 1] === "n") e -= 2;
  return e;
}
