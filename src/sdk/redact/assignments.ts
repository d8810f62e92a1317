/**
 * Values given to a sensitive name, in every syntax people log: `k=v`, `k: v`, `"k":"v"`, `'k': 'v'`,
 * `\"k\":\"v\"` (JSON inside a JSON string), env-file lines (`DB_PASS=…`, `export TOKEN="…"`), query and
 * connection-string parameters (`&sig=…`, `;AccountKey=…`), headers (`Authorization: Bearer …`,
 * `Cookie: …`, also inside `-H "…"`), and command-line flags (`--db-password=v`, `--api-key v`).
 *
 * One pass over the text: at each `=` or `:` the name before it is read backwards (at most 100
 * characters, stopping at the first character that cannot be in a name, which every operator is), and a
 * consumed value is never scanned again, so each character is looked at a bounded number of times.
 */
import { NAME, TOKEN, inClass, isLineBreak, looksRandom } from "./chars.js";
import { couldBeSecret, isCredentialHeader, isGenericName, isSensitiveName } from "./names.js";
import { afterLineBreak } from "./rules.js";
import type { Spans } from "./spans.js";

const MAX_NAME = 100;
const MAX_GAP = 16;
const MAX_STRUCTURE = 4096;
/** Values that say a secret is absent, not what it is. */
const HARMLESS = new Set(["", "null", "undefined", "true", "false", "none", "nil", "[REDACTED]", "[Object]", "[Array]"]);
const AUTH_SCHEMES = new Set(["bearer", "basic", "token", "digest", "bot", "negotiate", "ntlm", "oauth", "aws4-hmac-sha256", "apikey", "sso-key"]);

export function findAssignments(text: string, out: Spans): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    // = : > , | ?  (every assignment operator, XML's `>`, a call's `,`, a default's `||` / `??`)
    if (c !== 61 && c !== 58 && c !== 62 && c !== 44 && c !== 124 && c !== 63) {
      i++;
      continue;
    }
    const consumed = assignmentAt(text, i, out);
    i = consumed > i ? consumed : i + 1;
  }
}

/** The operator at `op`: where the name before it ends and the value after it starts, or undefined. */
function operatorAt(text: string, op: number): { nameEnd: number; valueStart: number; kind: "colon" | "equals" | "element" | "call" } | undefined {
  const c = text.charCodeAt(op);
  const next = text.charCodeAt(op + 1);
  const prev = text.charCodeAt(op - 1);
  if (c === 58) {
    if (next === 47 && text.charCodeAt(op + 2) === 47) return undefined; // scheme://
    if (prev === 58) return undefined;
    if (next === 58) {
      // ::= and :::= (make)
      const eq = text.charCodeAt(op + 2) === 58 ? op + 3 : op + 2;
      return text.charCodeAt(eq) === 61 ? { nameEnd: op, valueStart: eq + 1, kind: "equals" } : undefined;
    }
    if (next === 61) return { nameEnd: op, valueStart: op + 2, kind: "equals" }; // :=
    if (next === 45 && isNameEndChar(prev)) return { nameEnd: op, valueStart: op + 2, kind: "equals" }; // \${X:-default}
    return { nameEnd: op, valueStart: op + 1, kind: "colon" };
  }
  if (c === 61) {
    if (next === 61 || prev === 61 || prev === 33 || prev === 60 || prev === 62) return undefined; // ==, !=, <=, >=
    if (prev === 58) return undefined; // := and ::= are read at their colon
    let nameEnd = op;
    // .= ?= ??= += |= ||= &&=
    while (op - nameEnd < 3 && isCompoundChar(text.charCodeAt(nameEnd - 1))) nameEnd--;
    return { nameEnd, valueStart: next === 62 ? op + 2 : op + 1, kind: "equals" };
  }
  if (c === 62) return prev === 61 || prev === 45 ? undefined : { nameEnd: op, valueStart: op + 1, kind: "element" };
  if (c === 44) return { nameEnd: op, valueStart: op + 1, kind: "call" };
  if ((c === 124 && next === 124) || (c === 63 && next === 63)) return { nameEnd: op, valueStart: op + 2, kind: "call" };
  return undefined;
}

function isCompoundChar(c: number): boolean {
  return c === 46 || c === 63 || c === 43 || c === 124 || c === 38;
}

function isNameEndChar(c: number): boolean {
  return inClass(NAME, c);
}

/** Words that are types, not names: `const key: string = …`, `var key string = …`. */
const TYPE_WORDS = new Set(["string", "str", "String", "&str", "[]byte", "bytes", "char*", "const", "var", "let", "val", "int", "Secret", "SecretString", "SecureString", "Option<String>", "string?", "String?", "str?"]);

/** Start of the name ending at `end` (spaces and one closing quote skipped before it), and whether it was quoted. */
function nameBefore(text: string, end: number): { start: number; end: number; quoted: boolean } {
  let j = end - 1;
  let gap = 0;
  while (j >= 0 && gap < 4 && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) {
    j--;
    gap++;
  }
  let quoted = false;
  const q = text.charCodeAt(j);
  if (q === 34 || q === 39 || q === 96) {
    quoted = true;
    j--;
    // `\"name\"`, `\\\"name\\\"`: JSON inside JSON, escaped once or more.
    for (let k = 0; k < 7 && text.charCodeAt(j) === 92; k++) j--;
  }
  const nameEnd = j + 1;
  while (j >= 0 && nameEnd - j <= MAX_NAME && isNameChar(text.charCodeAt(j))) j--;
  let start = j + 1;
  // `\npassword=`: the letter of an escape is not part of the name.
  const e = text.charCodeAt(start);
  if (text.charCodeAt(start - 1) === 92 && (e === 110 || e === 116 || e === 114) && start + 1 < nameEnd) start++;
  return { start, end: nameEnd, quoted };
}

/** Name characters, and letters of other scripts (`contraseña`, `пароль`, `密码`). */
function isNameChar(c: number): boolean {
  return inClass(NAME, c) || (c >= 0xc0 && !(c >= 0x2000 && c <= 0x206f) && !(c >= 0x3000 && c <= 0x303f) && !(c >= 0xff00 && c <= 0xff0f));
}

/** Handles the operator at `op`; returns where scanning goes on (past the value when one was redacted). */
function assignmentAt(text: string, op: number, out: Spans): number {
  const operator = operatorAt(text, op);
  if (operator === undefined) return op + 1;
  const { kind } = operator;
  const isColon = kind === "colon";
  let { start: nameStart, end: nameEnd, quoted } = nameBefore(text, operator.nameEnd);
  if (nameStart === nameEnd) return op;
  let name = text.slice(nameStart, nameEnd);
  if (kind === "element") {
    // `<password>value</password>`: the name follows `<`; the value runs to the next `<`.
    if (text.charCodeAt(nameStart - 1) !== 60 || quoted || !isSensitiveName(name)) return op + 1;
    return elementValue(text, op + 1, out);
  }
  if (kind === "call") {
    // `setProperty("password", v)`, `getenv("DB_PASSWORD", "default")`, `env.PASSWORD || "x"`.
    const c = text.charCodeAt(op);
    if (c === 44 && !quoted) return op + 1;
  }
  if (TYPE_WORDS.has(name) && kind === "equals") {
    // `const key: string = …` / `var key string = …`: the name is the word before the type.
    let j = nameStart - 1;
    while (j >= 0 && nameStart - j < 6 && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 58)) j--;
    const before = nameBefore(text, j + 1);
    if (before.start < before.end) {
      nameStart = before.start;
      nameEnd = before.end;
      quoted = before.quoted;
      name = text.slice(nameStart, nameEnd);
    }
  }
  if (!isSensitiveName(name) && !(quoted && isJwkPrivateMember(text, name, nameStart))) return op;
  const bare = name.replace(/^[-$@]+/, "");
  const header = isCredentialHeader(bare);

  let v = operator.valueStart;
  let skipped = 0;
  while (v < text.length && skipped < MAX_GAP && (text.charCodeAt(v) === 32 || text.charCodeAt(v) === 9)) {
    v++;
    skipped++;
  }
  if (v >= text.length) return op;
  const c = text.charCodeAt(v);

  // Quoted value: "…", '…', `…`, or \"…\" inside a JSON string.
  if (c === 34 || c === 39 || c === 96) return quotedValue(text, v + 1, String.fromCharCode(c), name, out);
  if (c === 92) {
    let b = v;
    while (b < text.length && b - v < 7 && text.charCodeAt(b) === 92) b++;
    const q = text.charCodeAt(b);
    if (q === 34 || q === 39) return quotedValue(text, b + 1, text.slice(v, b + 1), name, out);
  }
  if (kind === "call") return op + 1;
  // Structured value: the whole object or array, whatever it holds.
  if (c === 123 || c === 91) {
    // A generic name's object (`auth: { type: 'oauth2' }`) is read member by member instead.
    if (isGenericName(name)) return v + 1;
    const end = structureEnd(text, v);
    out.add(v, end);
    return end;
  }
  if (header && isColon && !quoted && startsLine(text, nameStart) && !HARMLESS.has(firstWord(text, v))) {
    // `Authorization: Bearer x`, `Cookie: a=b; c=d`: to the end of the line or a closing quote.
    const start = afterScheme(text, v);
    let end = start;
    while (end < text.length && !isLineBreak(text.charCodeAt(end)) && !isQuoteOrEscape(text, end)) end++;
    out.add(start, trimEnd(text, start, end));
    return end;
  }
  const start = header ? afterScheme(text, v) : v;
  let end = unquotedEnd(text, start, isColon);
  const value = text.slice(start, end);
  // YAML block scalars (`password: |` then indented lines): the lines are the value.
  if (isColon && /^[|>][-+]?$/.test(value)) return blockValue(text, end, out);
  if (HARMLESS.has(value) || value.startsWith("[REDACTED")) return end;
  // `key: string = "…"`: a type annotation; the `=` that follows carries the value.
  if (isColon && isTypeAnnotation(text, start, end)) return end;
  if (!couldBeSecret(name, value)) return end;
  end = continueAcrossBreak(text, start, end);
  if (!isColon && !header && skipped === 0) end = phraseEnd(text, end, name);
  out.add(start, end);
  return end;
}

const JWK_PRIVATE = new Set(["d", "p", "q", "dp", "dq", "qi", "k", "r", "t", "oth"]);

/** `"d": "…"` in a JSON Web Key (a `"kty"` member close by): the private parts of the key. */
function isJwkPrivateMember(text: string, name: string, at: number): boolean {
  if (!JWK_PRIVATE.has(name)) return false;
  // Bounded windows: a text of many `"d":` members costs a bounded amount per member.
  return text.slice(Math.max(0, at - 2048), Math.min(text.length, at + 2048)).includes('"kty"') || text.slice(Math.max(0, at - 2048), at + 2048).includes("'kty'") || text.slice(Math.max(0, at - 2048), at + 2048).includes(" kty:");
}

/** A header name stands at the start of a line (or of a quoted `-H "…"` argument, or after an escaped `\n`). */
function startsLine(text: string, at: number): boolean {
  let i = at;
  while (i > 0 && at - i < 16 && (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) i--;
  if (i === 0) return true;
  const c = text.charCodeAt(i - 1);
  return isLineBreak(c) || c === 34 || c === 39 || (text.charCodeAt(i - 2) === 92 && (c === 110 || c === 114));
}

function firstWord(text: string, at: number): string {
  let e = at;
  while (e < text.length && e - at < 12 && inClass(NAME, text.charCodeAt(e))) e++;
  return text.slice(at, e).toLowerCase();
}

/** `word =` (not `==`) after a colon's value: the value was a type. */
function isTypeAnnotation(text: string, start: number, end: number): boolean {
  if (!TYPE_WORDS.has(text.slice(start, end)) && !/^[A-Za-z][\w.<>[\]?]{0,30}$/.test(text.slice(start, end))) return false;
  let i = end;
  while (text.charCodeAt(i) === 32) i++;
  return i > end && text.charCodeAt(i) === 61 && text.charCodeAt(i + 1) !== 61;
}

/**
 * `Password=correct horse battery staple`: a password-like name's unquoted value goes on over spaces
 * when the words that follow are not another `name=value` and the run ends the line or a `;` field.
 */
function phraseEnd(text: string, end: number, name: string): number {
  if (text.charCodeAt(end) !== 32 || isGenericName(name)) return end;
  let i = end;
  const limit = Math.min(text.length, end + 80);
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 59 || isLineBreak(c) || c === 34 || c === 39 || (c === 92 && text.charCodeAt(i + 1) === 110)) break;
    if (c === 61 || c === 58 || c === 44 || c === 38 || c === 40 || c === 91 || c === 123) return end;
    i++;
  }
  if (i === limit && i < text.length) return end;
  while (i > end && text.charCodeAt(i - 1) === 32) i--;
  return i;
}

/** The indented lines after a YAML `|` or `>` (raw or with escaped `\n`), at most 4 kB. */
function blockValue(text: string, from: number, out: Spans): number {
  let line = afterLineBreak(text, from);
  let end = from;
  let first = -1;
  while (line !== undefined && line - from < MAX_STRUCTURE && text.charCodeAt(line) === 32) {
    let e = line;
    while (e < text.length && !isLineBreak(text.charCodeAt(e)) && !(text.charCodeAt(e) === 92 && text[e + 1] === "n")) e++;
    let s = line;
    while (s < e && text.charCodeAt(s) === 32) s++;
    if (first < 0) first = s;
    end = e;
    line = afterLineBreak(text, e);
  }
  if (first >= 0 && end > first) out.add(first, end);
  return Math.max(end, from);
}

/** `<password>\n  value\n</password>`: the value up to the next `<`, spaces around it kept. */
function elementValue(text: string, from: number, out: Spans): number {
  let i = from;
  const limit = Math.min(text.length, from + MAX_STRUCTURE);
  while (i < limit && text.charCodeAt(i) !== 60) i++;
  let s = from;
  while (s < i && isSpaceCode(text.charCodeAt(s))) s++;
  let e = i;
  while (e > s && isSpaceCode(text.charCodeAt(e - 1))) e--;
  const value = text.slice(s, e);
  if (e > s && !HARMLESS.has(value) && !value.startsWith("[REDACTED")) out.add(s, e);
  return i;
}

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function quotedValue(text: string, from: number, quote: string, name: string, out: Spans): number {
  const single = quote.length === 1 ? quote.charCodeAt(0) : -1;
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isLineBreak(c)) break;
    if (single >= 0) {
      if (c === 92) {
        i += 2;
        continue;
      }
      if (c === single) break;
    } else if (c === 92 && text.startsWith(quote, i)) {
      break;
    } else if (c === 92) {
      i += 2;
      continue;
    }
    i++;
  }
  const end = Math.min(i, text.length);
  const value = text.slice(from, end);
  if (!HARMLESS.has(value) && !value.startsWith("[REDACTED") && couldBeSecret(name, value)) out.add(from, end);
  return end + quote.length;
}

/** End of `{…}` or `[…]` at `from`, strings respected; unbalanced or longer than 4 kB: end of the line. */
function structureEnd(text: string, from: number): number {
  let depth = 0;
  let inString = 0;
  const limit = Math.min(text.length, from + MAX_STRUCTURE);
  for (let i = from; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (inString !== 0) {
      if (c === 92) i++;
      else if (c === inString) inString = 0;
      continue;
    }
    if (c === 34 || c === 39) inString = c;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  let end = from;
  while (end < text.length && !isLineBreak(text.charCodeAt(end))) end++;
  return end;
}

/** Keeps `Bearer `, `Basic ` and other scheme words; returns where the credential starts. */
function afterScheme(text: string, from: number): number {
  let i = from;
  while (i < text.length && i - from < 20 && inClass(NAME, text.charCodeAt(i))) i++;
  if (i > from && text.charCodeAt(i) === 32 && AUTH_SCHEMES.has(text.slice(from, i).toLowerCase())) {
    while (text.charCodeAt(i) === 32) i++;
    return i;
  }
  return from;
}

function unquotedEnd(text: string, from: number, isColon: boolean): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 38 || c === 59 || c === 44 || c === 34 || c === 39 || c === 96 || c === 60 || c === 62 || c === 41 || c === 93 || c === 125) break;
    if (c === 92) {
      const e = text.charCodeAt(i + 1);
      if (e === 34 || e === 39 || e === 110 || e === 114 || e === 116) break;
    }
    i++;
  }
  // `key: value.` at the end of a sentence: the full stop is not part of it.
  if (isColon && i > from + 1 && text.charCodeAt(i - 1) === 46) i--;
  return i;
}

function isQuoteOrEscape(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c === 34 || c === 39 || c === 96 || (c === 92 && (text[i + 1] === "n" || text[i + 1] === "r" || text[i + 1] === '"'));
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && (text.charCodeAt(e - 1) === 32 || text.charCodeAt(e - 1) === 9)) e--;
  return e;
}

/** A random-looking value cut by a line break goes on with the next line's random-looking start. */
export function continueAcrossBreak(text: string, start: number, end: number): number {
  let e = end;
  for (let k = 0; k < 3; k++) {
    const next = afterLineBreak(text, e);
    if (next === undefined || !looksRandom(text.slice(Math.max(start, e - 64), e), 12)) return e;
    let r = next;
    while (r < text.length && r - next < 512 && inClass(TOKEN, text.charCodeAt(r))) r++;
    const c = text.charCodeAt(r);
    const wholeRun = r >= text.length || c <= 32 || c === 34 || c === 39 || c === 92 || c === 44 || c === 59;
    if (r === next || !wholeRun || !looksRandom(text.slice(next, r), 8)) return e;
    e = r;
  }
  return e;
}

/** `--db-password value`, `--token value`: a sensitive flag whose value is the next argument. */
export function findFlagValues(text: string, out: Spans): void {
  let from = 0;
  for (;;) {
    const at = text.indexOf("--", from);
    if (at < 0) return;
    from = at + 2;
    const before = at === 0 ? 32 : text.charCodeAt(at - 1);
    if (!(before <= 32 || before === 34 || before === 39 || before === 91 || before === 40 || before === 44 || before === 96)) continue;
    let e = at + 2;
    while (e < text.length && e - at < MAX_NAME && inClass(NAME, text.charCodeAt(e))) e++;
    from = e;
    if (e === at + 2) continue;
    // The flag may sit inside quotes: `"--api-key" "value"`.
    let v = e;
    if (text.charCodeAt(v) === 34 || text.charCodeAt(v) === 39) v++;
    if (text.charCodeAt(v) !== 32 && text.charCodeAt(v) !== 9) continue;
    if (!isSensitiveName(text.slice(at + 2, e))) continue;
    while (text.charCodeAt(v) === 32 || text.charCodeAt(v) === 9) v++;
    const q = text.charCodeAt(v);
    if (q === 34 || q === 39) {
      let i = v + 1;
      while (i < text.length && text.charCodeAt(i) !== q && !isLineBreak(text.charCodeAt(i))) i += text.charCodeAt(i) === 92 ? 2 : 1;
      out.add(v + 1, Math.min(i, text.length));
      from = i + 1;
    } else if (q !== 45 || text.charCodeAt(v + 1) !== 45) {
      let i = v;
      while (i < text.length && text.charCodeAt(i) > 32 && text.charCodeAt(i) !== 96 && text.charCodeAt(i) !== 34 && text.charCodeAt(i) !== 39) i++;
      out.add(v, i);
      from = i;
    }
  }
}
