/**
 * Long random-looking tokens right after a sensitive word, with no `=` or `:` between them:
 * `Bearer abc…`, `token 9f8e…`, `twilio secret Jx4…`, `password for db is Tz9…`.
 * Only the few tokens within a short window after the word are looked at.
 */
import { LETTERS, TOKEN, inClass, isLineBreak, looksRandom } from "./chars.js";
import { continueAcrossBreak } from "./assignments.js";
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
    i = scanWindow(text, i, word === "bearer", out);
  }
}

/** Looks at the tokens within the window after a sensitive word; returns where the outer scan goes on. */
function scanWindow(text: string, from: number, bearer: boolean, out: Spans): number {
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
    const token = text.slice(start, end);
    if ((bearer && token.length >= 8 && token.toLowerCase() !== "token") || looksRandom(token, 16)) {
      end = continueAcrossBreak(text, start, end);
      out.add(start, end);
      resume = end;
      i = end;
      if (bearer) break;
    }
  }
  return resume;
}
