/**
 * Long random-looking tokens right after a sensitive word, with no `=` or `:` between them:
 * `Bearer abc…`, `token 9f8e…`, `twilio secret Jx4…`, `password for db is Tz9…`.
 * Only the few tokens within a short window after the word are looked at.
 */
import { LETTERS, TOKEN, inClass, isLineBreak, looksRandom } from "./chars.js";
import { continueAcrossBreak } from "./assignments.js";
import { couldBeSecret } from "./names.js";
import type { Spans } from "./spans.js";

const WORDS = new Set([
  "password", "passwd", "passphrase", "pwd", "secret", "secrets", "token", "key", "apikey", "bearer", "credential",
  "credentials", "signature", "cookie", "session", "auth", "sid",
]);
const WINDOW = 48;
const MAX_TOKENS = 3;
/** A run longer than this is not a token (and is not read further from here). */
const MAX_RUN = 256;

export function findTokensNearSensitiveWords(text: string, out: Spans): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!inClass(LETTERS, text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && inClass(LETTERS, text.charCodeAt(i))) i++;
    const length = i - start;
    if (length < 3 || length > 11) continue;
    const word = text.slice(start, i).toLowerCase();
    if (!WORDS.has(word)) continue;
    // `-----BEGIN PUBLIC KEY-----`, `cache key <sha256>`, `sort key`: not a secret's key.
    if (text.charCodeAt(i) === 45 || (word === "key" && NOT_SECRET_KEYS.has(wordBefore(text, start)))) continue;
    i = scanWindow(text, i, word, out);
  }
}

/** Looks at the tokens within the window after a sensitive word; returns where the outer scan goes on. */
/** Kinds of key that are names or hashes, not credentials. */
const NOT_SECRET_KEYS = new Set([
  "cache", "sort", "partition", "primary", "foreign", "unique", "composite", "object", "s3", "redis", "idempotency",
  "dedupe", "dedup", "lookup", "hash", "index", "dup", "row", "map", "public", "routing", "shard", "group", "query", "react",
]);
/** Words whose value is judged like a generic name's (`key: 'Enter'` is not a secret). */
const GENERIC_WORDS = new Set(["key", "token", "session", "cookie", "auth", "sid", "credentials", "credential"]);

/** The word ending just before `at` (one space or tab between), lower-cased. */
function wordBefore(text: string, at: number): string {
  let e = at;
  while (e > 0 && at - e < 2 && (text.charCodeAt(e - 1) === 32 || text.charCodeAt(e - 1) === 9)) e--;
  let s = e;
  while (s > 0 && e - s < 16 && inClass(LETTERS, text.charCodeAt(s - 1))) s--;
  return text.slice(s, e).toLowerCase();
}

function scanWindow(text: string, from: number, word: string, out: Spans): number {
  const bearer = word === "bearer";
  let i = from;
  let resume = from;
  let lineBreaks = 0;
  for (let tokens = 0; tokens < MAX_TOKENS && i - from < WINDOW && i < text.length; ) {
    const c = text.charCodeAt(i);
    if (isLineBreak(c)) {
      if (++lineBreaks > 1) break;
      i++;
      continue;
    }
    if (!inClass(TOKEN, c)) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && i - start <= MAX_RUN && inClass(TOKEN, text.charCodeAt(i))) i++;
    tokens++;
    if (i - start > MAX_RUN) break;
    let end = i;
    while (end > start + 1 && text.charCodeAt(end - 1) === 46) end--; // a full stop ends a sentence
    if (text.charCodeAt(start) === 61) continue; // `=value`: the assignment scanner reads it
    const token = text.slice(start, end);
    const nextIsName = text.charCodeAt(end) === 58 || text.charCodeAt(end) === 61;
    const bearerToken = bearer && !nextIsName && token.length >= 8 && token.toLowerCase() !== "token" && (/[0-9]/.test(token) || token.length >= 20);
    if (bearerToken || (looksRandom(token, 16) && (!GENERIC_WORDS.has(word) || couldBeSecret(word, token)))) {
      end = continueAcrossBreak(text, start, end);
      out.add(start, end);
      resume = end;
      i = end;
      if (bearer) break;
    }
  }
  // A long run read from here (`password=password=…`) is not read again from the words inside it.
  return i - from > WINDOW ? Math.max(resume, i) : resume;
}
