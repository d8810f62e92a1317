/**
 * Every field is cut to what can be sent anyway before it is scanned, so redaction cost is bounded by
 * what GitHub accepts, not by what the app threw.
 */

/** Kept past a title's limit so a secret crossing the limit is still whole when scanned. */
const TITLE_MARGIN = 1024;

/** A title cut to its limit plus a margin (only the start of a title is ever shown). */
export function cutTitleForScan(title: string, limit: number): string {
  return title.length > limit + TITLE_MARGIN ? title.slice(0, limit + TITLE_MARGIN) : title;
}

/**
 * A body longer than twice `limit` keeps its first and last `limit` characters (the renderer keeps
 * the head and tail and cuts the middle), cut at line ends where one is near, so no token is split.
 */
export function cutBodyForScan(body: string, limit: number): string {
  if (body.length <= 2 * limit) return body;
  const headEnd = lineEndNear(body, limit, -1);
  const tailStart = lineEndNear(body, body.length - limit, 1);
  return `${body.slice(0, headEnd)}\n… (${tailStart - headEnd} characters cut before sending) …\n${body.slice(tailStart)}`;
}

function lineEndNear(text: string, at: number, direction: 1 | -1): number {
  const window = 512;
  const found = direction < 0 ? text.lastIndexOf("\n", at) : text.indexOf("\n", at);
  return found >= 0 && Math.abs(found - at) <= window ? found : at;
}

/**
 * Where to cut `text` to at most `max` characters without leaving part of a token: when the cut falls
 * inside a run of token characters (letters, digits, `_-+/=.~%`), the whole run goes, so what is kept
 * never ends in a fragment that redaction could no longer recognise (`ghp_A1b2C3d4E5f6G7`).
 */
export function cleanCutEnd(text: string, max: number): number {
  if (text.length <= max) return text.length;
  if (!isTokenChar(text.charCodeAt(max)) || !isTokenChar(text.charCodeAt(max - 1))) return max;
  let i = max;
  while (i > 0 && isTokenChar(text.charCodeAt(i - 1))) i--;
  // `password=hunter2…`: the name goes with its value; `\nghp_…`: the escape's letter is not a word.
  return i;
}

function isTokenChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 43 || c === 47 || c === 61 || c === 46 || c === 126 || c === 37;
}
