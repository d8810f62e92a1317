/**
 * The identifier rule: what makes two crashes "the same bug" on every machine and install path.
 *
 *   <error type>: <message with variable parts templated>
 *   <function> <path relative to the app root>      (top 3 in-app frames, no line or column)
 *
 * In-app frames exclude `node:` internals and `node_modules`, unless nothing else is left. Paths are
 * made relative to the app root (the folder of the app's nearest package.json), with forward slashes,
 * so `/home/alice/app/src/x.js` and `C:\Users\bob\app\src\x.js` both become `src/x.js`.
 */
import { isDependencyFrame, normalizePath, parseStack, type StackFrame } from "./stack-frames.js";

export const FINGERPRINT_FRAMES = 3;

/** Only the head of a message identifies it; the rest is not templated (bounded work on any message). */
export const MAX_TEMPLATED_MESSAGE = 2000;

/** Replaces the parts of a message that change from run to run with placeholders. */
export function templateMessage(message: string): string {
  return (
    message
      .slice(0, MAX_TEMPLATED_MESSAGE)
      // URLs before paths: both contain slashes. The scheme is bounded: unbounded, a long run of
      // `a-a-a-…` made every word boundary scan to its end (quadratic).
      .replace(/\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s'"`<>)\]]+/gi, "<url>")
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>")
      // Quoted values: 'x', "x", `x`.
      .replace(/'[^'\n]*'|"[^"\n]*"|`[^`\n]*`/g, "<str>")
      // Windows and POSIX paths (at least two segments).
      .replace(/(?:\b[A-Za-z]:)?(?:[\\/][^\s\\/:'"`<>|?*]+){2,}[\\/]?/g, "<path>")
      .replace(/\b0x[0-9a-f]+\b/gi, "<hex>")
      .replace(/\b[0-9a-f]*[0-9][0-9a-f]*[a-f][0-9a-f]*\b|\b[0-9a-f]*[a-f][0-9a-f]*[0-9][0-9a-f]*\b/gi, (m) => (m.length >= 8 ? "<hex>" : m))
      .replace(/-?\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, "<n>")
      .replace(/\s+/g, " ")
      .trim()
  );
}

/** The frames that say where in the app the error happened, relative to `appRoot`. */
export function appFrames(frames: StackFrame[], appRoot: string | undefined): string[] {
  const inApp = frames.filter((f) => !f.native && !isDependencyFrame(f));
  const chosen = (inApp.length > 0 ? inApp : frames.filter((f) => !f.native)).slice(0, FINGERPRINT_FRAMES);
  const pool = chosen.length > 0 ? chosen : frames.slice(0, FINGERPRINT_FRAMES);
  return pool.map((f) => `${normalizeFunction(f.function)} ${relativeToApp(f.file, appRoot)}`);
}

/** The text an error's identifier is hashed from. */
export function fingerprintSource(type: string, message: string, stack: string | undefined, appRoot: string | undefined): string {
  // Parsing stops once enough in-app frames are found: the rest of a deep stack does not matter here.
  let inApp = 0;
  const frames = parseStack(stack, (parsed) => {
    const last = parsed[parsed.length - 1];
    if (last !== undefined && !last.native && !isDependencyFrame(last)) inApp += 1;
    return inApp >= FINGERPRINT_FRAMES;
  });
  const lines = [`${type}: ${templateMessage(message)}`, ...appFrames(frames, appRoot)];
  return lines.join("\n");
}

function normalizeFunction(fn: string): string {
  // `async fn`, `Object.<anonymous>`, `new Foo` are kept; proxied names like `[as x]` dropped.
  return fn.replace(/ \[as [^\]]+\]$/, "").trim() || "<anonymous>";
}

/** `src/x.js` for a file under the app root; else the path after the last `node_modules/`, else the last two segments. */
export function relativeToApp(file: string, appRoot: string | undefined): string {
  const path = normalizePath(file);
  if (appRoot !== undefined && appRoot !== "") {
    const root = normalizePath(appRoot).replace(/\/+$/, "");
    const windows = /^[A-Za-z]:\//.test(root);
    const [p, r] = windows ? [path.toLowerCase(), root.toLowerCase()] : [path, root];
    if (p.startsWith(`${r}/`)) return path.slice(root.length + 1);
  }
  const nm = path.lastIndexOf("node_modules/");
  if (nm >= 0) return path.slice(nm);
  return path.split("/").filter(Boolean).slice(-2).join("/");
}
