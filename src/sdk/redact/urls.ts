/**
 * Credentials in URLs of any scheme, found the way a URL parser finds them (WHATWG): the authority runs
 * from `://` to the first `/` or `\`, and the user info ends at its last `@`, so a password with `@` in
 * it, or an empty user (`redis://:pw@host`), is handled. Unlike a strict parser, a raw `?` or `#` does
 * not end the authority when an `@` follows: hand-written connection strings carry such passwords
 * unencoded, and cutting there would leave the rest of the password in the text.
 */
import { looksRandom } from "./chars.js";
import type { Spans } from "./spans.js";

const MAX_SCHEME = 32;

export function findUrlCredentials(text: string, out: Spans): void {
  let from = 0;
  for (;;) {
    const sep = text.indexOf("://", from);
    if (sep < 0) return;
    const authStart = sep + 3;
    from = authStart;
    if (!hasScheme(text, sep)) continue;
    let lastAt = -1;
    let colon = -1;
    let i = authStart;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 47 || c === 92 || c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96) break;
      if (c === 64) lastAt = i;
      else if (c === 58 && colon < 0 && lastAt < 0) colon = i;
    }
    if (text.charCodeAt(i) === 47 && colon > 0 && lastAt < 0 && !/^[0-9]*$/.test(text.slice(colon + 1, i))) {
      // `user:pa/ss@host`: an unencoded `/` in the password (a port is only digits).
      for (let k = i + 1; k < text.length && k - i < 128; k++) {
        const c = text.charCodeAt(k);
        if (c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96) break;
        if (c === 64) lastAt = k;
      }
      if (lastAt > 0) i = lastAt;
    }
    from = Math.max(i, authStart);
    if (lastAt <= authStart) continue;
    const userinfo = text.slice(authStart, lastAt);
    // A bare user name (`ssh://git@host`) is not a secret; a bare token used as the user name is.
    if (colon < 0 && userinfo.length < 24 && !looksRandom(userinfo, 16)) continue;
    out.add(authStart, lastAt);
  }
}

function hasScheme(text: string, sep: number): boolean {
  let i = sep - 1;
  while (i >= 0 && sep - i <= MAX_SCHEME) {
    const c = text.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45;
    if (!ok) break;
    i--;
  }
  const first = text.charCodeAt(i + 1);
  return i + 1 < sep && ((first >= 97 && first <= 122) || (first >= 65 && first <= 90));
}

/** `%XX` → character; malformed escapes stay as they are. UTF-8 sequences decode when valid. */
export function percentDecode(s: string): string {
  if (!s.includes("%") && !s.includes("+")) return s;
  const plus = s.replace(/\+/g, " ");
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}
