/**
 * Parses V8 stack lines (`    at fn (file:///app/x.mjs:12:17)`), including Windows paths, into frames.
 * Lines that are not frames (the message, source context) are skipped.
 */
export interface StackFrame {
  /** `readSettings`, `Server.handle`, `new Config`, or `<anonymous>`. */
  function: string;
  /** The file as written in the stack: a path, a `file://` URL, `node:internal/...`, or `<anonymous>`. */
  file: string;
  line?: number;
  column?: number;
  /** True for `node:` built-ins and Node's own internals. */
  native: boolean;
}

const WITH_FUNCTION = /^\s*at (?:async )?(.*?) \((.*)\)\s*$/;
const BARE_LOCATION = /^\s*at (?:async )?(.*)\s*$/;
const LOCATION = /^(.*?):(\d+):(\d+)$/;

export function parseStack(stack: string | undefined, stop?: (frames: StackFrame[]) => boolean): StackFrame[] {
  if (typeof stack !== "string") return [];
  const frames: StackFrame[] = [];
  for (const raw of stack.split("\n")) {
    if (stop?.(frames)) break;
    if (!/^\s*at /.test(raw)) continue;
    const withFn = WITH_FUNCTION.exec(raw);
    let fn = "<anonymous>";
    let location: string;
    if (withFn) {
      fn = withFn[1] || "<anonymous>";
      location = withFn[2] ?? "";
    } else {
      location = BARE_LOCATION.exec(raw)?.[1]?.trim() ?? "";
    }
    // `eval at fn (file:1:2), <anonymous>:1:1`: the outer location is the useful one.
    const evalOuter = /^eval at .*? \((.*?)\)/.exec(location);
    if (evalOuter?.[1]) location = evalOuter[1];
    const loc = LOCATION.exec(location);
    const file = loc?.[1] ?? location;
    const frame: StackFrame = { function: fn, file, native: isNative(file) };
    if (loc) {
      frame.line = Number(loc[2]);
      frame.column = Number(loc[3]);
    }
    frames.push(frame);
  }
  return frames;
}

function isNative(file: string): boolean {
  return file.startsWith("node:") || file === "native" || file.startsWith("internal/") || file === "<anonymous>";
}

/** Forward slashes, no `file://` scheme, percent-decoding undone, Windows drive letters kept. */
export function normalizePath(file: string): string {
  let path = file;
  if (path.startsWith("file://")) {
    path = path.slice("file://".length);
    try {
      path = decodeURIComponent(path);
    } catch {
      // keep as is
    }
    // file:///C:/Users/... → C:/Users/...
    if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
  }
  return path.replace(/\\/g, "/");
}

/** True when the frame is in a dependency (`node_modules`). */
export function isDependencyFrame(frame: StackFrame): boolean {
  return /(^|\/)node_modules\//.test(normalizePath(frame.file));
}
