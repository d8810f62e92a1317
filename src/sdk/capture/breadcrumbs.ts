/**
 * What happened just before the crash: the last N events the app recorded, and optionally the last
 * lines written to console.warn / console.error. Kept in a ring buffer, shown oldest first.
 */
import { safeStringify, truncate } from "./safe-serialize.js";

export interface Breadcrumb {
  /** ISO time it was recorded. */
  at: string;
  message: string;
  /** Rendered safely and shortened. */
  data?: string;
  /** `"app"` for addBreadcrumb, `"console.warn"` / `"console.error"` for recorded console lines. */
  source: "app" | "console.warn" | "console.error";
}

export const DEFAULT_BREADCRUMB_LIMIT = 50;

export class BreadcrumbTrail {
  private readonly items: Array<Breadcrumb | undefined>;
  private next = 0;
  private count = 0;

  constructor(readonly limit = DEFAULT_BREADCRUMB_LIMIT) {
    this.items = new Array<Breadcrumb | undefined>(Math.max(1, limit));
  }

  add(message: unknown, data?: unknown, source: Breadcrumb["source"] = "app"): void {
    const crumb: Breadcrumb = {
      at: new Date().toISOString(),
      message: truncate(typeof message === "string" ? message : safeStringify(message), 500),
      source,
    };
    if (data !== undefined) crumb.data = truncate(safeStringify(data), 500);
    this.items[this.next] = crumb;
    this.next = (this.next + 1) % this.items.length;
    this.count = Math.min(this.count + 1, this.items.length);
  }

  /** Oldest first. */
  list(): Breadcrumb[] {
    const out: Breadcrumb[] = [];
    const start = (this.next - this.count + this.items.length) % this.items.length;
    for (let i = 0; i < this.count; i++) {
      const crumb = this.items[(start + i) % this.items.length];
      if (crumb !== undefined) out.push(crumb);
    }
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
    this.count = 0;
  }
}

/** The process-wide trail used by `addBreadcrumb` and every helper. */
export const globalTrail = new BreadcrumbTrail();

/** Records a breadcrumb: a short line about what the app was doing. Shown in the next report. */
export function addBreadcrumb(message: string, data?: unknown): void {
  try {
    globalTrail.add(message, data);
  } catch {
    // Recording context must never break the app.
  }
}

let consoleRestore: (() => void) | undefined;

/**
 * Also records lines written to console.warn and console.error. Returns a function that stops it.
 * Calling it twice does not wrap twice.
 */
export function recordConsole(trail: BreadcrumbTrail = globalTrail): () => void {
  if (consoleRestore !== undefined) return consoleRestore;
  const original = { warn: console.warn, error: console.error };
  const wrap =
    (level: "warn" | "error") =>
    (...args: unknown[]): void => {
      try {
        trail.add(args.map((a) => (typeof a === "string" ? a : safeStringify(a))).join(" "), undefined, `console.${level}`);
      } catch {
        // ignore
      }
      original[level].apply(console, args);
    };
  console.warn = wrap("warn");
  console.error = wrap("error");
  consoleRestore = () => {
    console.warn = original.warn;
    console.error = original.error;
    consoleRestore = undefined;
  };
  return consoleRestore;
}
