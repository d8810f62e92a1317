/**
 * Personal paths: the home folder (as a path with either slash, JSON-escaped, or a file URL) becomes
 * `~`; other people's user folders (`/home/x`, `/Users/x`, `C:\Users\x`, also with spaces in the name
 * and with JSON-escaped backslashes) become `<user>`; the user name as a word becomes `<user>`.
 */

/** Names too common to replace wherever they appear as a word ("root cause", "node"). */
const COMMON_USER_NAMES = new Set(["root", "user", "admin", "node", "runner", "app", "ubuntu", "debian", "test"]);

/** `/home/`, `/Users/`, `C:\Users\`, `C:\\Users\\` (JSON), `C:/Users/`, `\Documents and Settings\`. Literal alternatives only. */
const USER_FOLDER = /(?:[A-Za-z]:)?(?:\\\\|\\|\/)(?:home|Users|Documents and Settings)(?:\\\\|\\|\/)/gi;
const MAX_USER = 64;

export interface PathScrubber {
  (text: string): string;
}

export function createPathScrubber(home: string | undefined, username: string | undefined): PathScrubber {
  const homeForms = home !== undefined && home.length > 1 ? homeVariants(home) : [];
  const userWord =
    username !== undefined && username.length >= 3 && !COMMON_USER_NAMES.has(username.toLowerCase())
      ? new RegExp(`(?<![A-Za-z0-9_.-])${escapeRegExp(username)}(?![A-Za-z0-9_-])`, "g")
      : undefined;
  return (input) => {
    let text = input;
    for (const form of homeForms) if (text.includes(form)) text = text.split(form).join("~");
    text = otherUserFolders(text);
    if (userWord !== undefined) text = text.replace(userWord, "<user>");
    return text;
  };
}

function otherUserFolders(text: string): string {
  const finder = new RegExp(USER_FOLDER.source, "gi");
  const parts: string[] = [];
  let at = 0;
  let match: RegExpExecArray | null;
  while ((match = finder.exec(text)) !== null) {
    const start = match.index;
    const nameStart = start + match[0].length;
    if (!leftBoundary(text, start, match[0])) continue;
    const nameEnd = userNameEnd(text, nameStart);
    finder.lastIndex = Math.max(nameEnd, nameStart);
    if (nameEnd === nameStart) continue;
    const name = text.slice(nameStart, nameEnd);
    if (name === "<user>" || name === "~") continue;
    parts.push(text.slice(at, nameStart), "<user>");
    at = nameEnd;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(at));
  return parts.join("");
}

/** The folder starts a path: at the start, after a space, quote, bracket, `=`, `:`, or `file://`. */
function leftBoundary(text: string, start: number, matched: string): boolean {
  if (start === 0) return true;
  const before = text.charCodeAt(start - 1);
  if (/^[A-Za-z]:/.test(matched)) return !isWordChar(before);
  if (before === 47 && text.slice(Math.max(0, start - 6), start) === "file:/") return true; // file:///home/x
  if (before === 47 && text.slice(Math.max(0, start - 7), start) === "file://") return true;
  return before <= 32 || before === 40 || before === 34 || before === 39 || before === 96 || before === 91 || before === 61 || before === 58 || before === 44 || before === 62;
}

/**
 * The user name: up to the next path separator when one comes within 64 characters on the same line
 * (so `John Smith` in `C:\Users\John Smith\app` goes whole), else up to the first space or delimiter.
 */
function userNameEnd(text: string, from: number): number {
  let firstStop = -1;
  for (let i = from; i < text.length && i - from <= MAX_USER; i++) {
    const c = text.charCodeAt(i);
    if (c === 47 || c === 92) return i;
    if (c === 10 || c === 13 || c === 34 || c === 39 || c === 96 || c === 40 || c === 41 || c === 58 || c === 60 || c === 62 || c === 124 || c === 91 || c === 93) {
      return firstStop >= 0 ? firstStop : i;
    }
    if (firstStop < 0 && (c === 32 || c === 9 || c === 44 || c === 59)) firstStop = i;
  }
  if (firstStop >= 0) return firstStop;
  let i = from;
  while (i < text.length && i - from <= MAX_USER && text.charCodeAt(i) > 32) i++;
  return i;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** The forms a home path takes in text: as is, with the other slash, JSON-escaped, and as a file URL. */
function homeVariants(home: string): string[] {
  const forms = new Set<string>([home, home.replace(/\\/g, "/"), home.replace(/\//g, "\\")]);
  if (home.includes("\\")) forms.add(home.replace(/\\/g, "\\\\"));
  for (const f of [home, home.replace(/\\/g, "/")]) forms.add(`file://${f.startsWith("/") ? "" : "/"}${f.replace(/\\/g, "/")}`);
  // Longest first, so a file URL is replaced whole before the bare path inside it.
  return [...forms].sort((a, b) => b.length - a.length);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
