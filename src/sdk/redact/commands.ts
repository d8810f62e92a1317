/**
 * Credentials in the forms commands and config files write them: `curl -u user:pass`, `--user=u:p`,
 * `mysql -u root -pPASS`, `.netrc` (`login u password p`), SQL (`WITH PASSWORD '…'`, `IDENTIFIED BY
 * '…'`), and `<add key="Password" value="…"/>` (NuGet, .NET app settings). Each is found from a
 * literal anchor with indexOf, and only a bounded stretch after it is read.
 */
import { isSensitiveName } from "./names.js";
import type { Spans } from "./spans.js";

const MAX_VALUE = 256;

export function findCommandCredentials(text: string, out: Spans): void {
  userFlags(text, out);
  gluedPassword(text, out);
  afterWords(text, out);
  keyValueAttributes(text, out);
}

/** `-u user:pass`, `--user user:pass`, `--user=user:pass`, quoted or not: the part after the colon. */
function userFlags(text: string, out: Spans): void {
  for (const anchor of [" -u ", " --user ", " --user=", " -U "]) {
    for (let at = text.indexOf(anchor); at >= 0; at = text.indexOf(anchor, at + anchor.length)) {
      let v = at + anchor.length;
      while (text.charCodeAt(v) === 32) v++;
      const q = text.charCodeAt(v);
      const quote = q === 34 || q === 39 ? q : 0;
      if (quote !== 0) v++;
      const end = tokenEnd(text, v, quote);
      const colon = text.slice(v, end).indexOf(":") + v;
      if (colon > v && colon < end - 1) out.add(colon + 1, end);
    }
  }
}

/** `mysql … -pSECRET`: a password glued to `-p`, on a line that runs a database client or passes `-u`. */
function gluedPassword(text: string, out: Spans): void {
  for (let at = text.indexOf(" -p"); at >= 0; at = text.indexOf(" -p", at + 3)) {
    const v = at + 3;
    const c = text.charCodeAt(v);
    if (!(c > 32) || c === 45 || c === 61) continue;
    const before = text.slice(Math.max(0, at - 512), at);
    const line = before.slice(before.lastIndexOf("\n") + 1);
    if (!/mysql|mariadb|mysqldump|mysqladmin| -u ?\S/.test(line)) continue;
    out.add(v, tokenEnd(text, v, 0));
  }
}

/** `password p` (.netrc), `PASSWORD 'p'` and `IDENTIFIED BY 'p'` (SQL): the word, spaces, the value. */
function afterWords(text: string, out: Spans): void {
  const lower = text.length <= 4_000_000 ? text.toLowerCase() : text;
  if (lower.length !== text.length) return;
  for (const word of ["password ", "passwd ", "identified by "]) {
    for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + word.length)) {
      if (at > 0 && /[a-z0-9_]/i.test(text[at - 1]!)) continue;
      let v = at + word.length;
      while (text.charCodeAt(v) === 32) v++;
      const q = text.charCodeAt(v);
      if (q === 34 || q === 39) {
        const end = tokenEnd(text, v + 1, q);
        if (end > v + 1) out.add(v + 1, end);
        continue;
      }
      // Unquoted: only a value that mixes letters with digits or symbols (.netrc), never prose.
      const end = tokenEnd(text, v, 0);
      const value = text.slice(v, end);
      if (value.length >= 6 && /[a-z]/i.test(value) && /[0-9]/.test(value) && !/[:=,]$/.test(value) && !value.startsWith("[")) out.add(v, end);
    }
  }
}

/** `<add key="ClearTextPassword" value="…" />`, `name="db.password" value="…"`: the value attribute. */
function keyValueAttributes(text: string, out: Spans): void {
  for (let at = text.indexOf(' value="'); at >= 0; at = text.indexOf(' value="', at + 8)) {
    const before = text.slice(Math.max(0, at - 200), at);
    const tagStart = before.lastIndexOf("<");
    if (tagStart < 0) continue;
    const m = /\b(?:key|name)="([^"]{1,100})"/.exec(before.slice(tagStart));
    if (m === null || !isSensitiveName(m[1]!)) continue;
    const v = at + 8;
    const end = tokenEnd(text, v, 34);
    if (end > v) out.add(v, end);
  }
}

/** End of a value at `from`: up to the closing quote, or (unquoted) the first space or quote. */
function tokenEnd(text: string, from: number, quote: number): number {
  let i = from;
  const limit = Math.min(text.length, from + MAX_VALUE);
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) break;
    if (quote !== 0 ? c === quote : c <= 32 || c === 34 || c === 39 || c === 96) break;
    i++;
  }
  return i;
}
