/**
 * Shows any value as bounded text without ever throwing: getters that throw, Proxies that throw on
 * every trap, circular objects, huge strings and deep nesting all come out as something readable.
 * A key with a sensitive name (`password`, `apiKey`, `cookie`, `sessionId`…) has its whole value
 * replaced by `[REDACTED]`, whatever it holds.
 */
import { REDACTED } from "../redact/marker.js";
import { cleanCutEnd } from "../redact/cut.js";
import { redactsMember } from "../redact/names.js";

export const MAX_STRING = 1000;
const MAX_KEYS = 30;
const MAX_DEPTH = 3;
const MAX_TOTAL = 8000;

/** Reads `value[key]` without letting a throwing getter or Proxy escape. */
export function safeGet(value: unknown, key: PropertyKey): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: (value as Record<PropertyKey, unknown>)[key] };
  } catch (error) {
    return { ok: false, error: safeMessage(error) };
  }
}

/** The own enumerable string keys, or `[]` when even listing them throws. */
export function safeKeys(value: unknown): string[] {
  try {
    return Object.keys(value as object);
  } catch {
    return [];
  }
}

export function safeMessage(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    return "(unprintable)";
  }
}

/** Cut before a token straddling the limit, never inside it: redaction runs later, on what is kept. */
export function truncate(text: string, max = MAX_STRING): string {
  if (text.length <= max) return text;
  const end = cleanCutEnd(text, max);
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

/** A short, safe, single-value rendering (JSON-like) for reports. */
export function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  let budget = MAX_TOTAL;
  const render = (v: unknown, depth: number): string => {
    if (budget <= 0) return "…";
    let out: string;
    try {
      out = renderInner(v, depth);
    } catch (error) {
      out = `[unreadable: ${truncate(safeMessage(error), 200)}]`;
    }
    budget -= out.length;
    return out;
  };
  const renderInner = (v: unknown, depth: number): string => {
    switch (typeof v) {
      case "string":
        return JSON.stringify(truncate(v));
      case "number":
      case "boolean":
      case "undefined":
        return String(v);
      case "bigint":
        return `${v}n`;
      case "symbol":
        return v.toString();
      case "function":
        return `[Function ${(v as { name?: string }).name || "anonymous"}]`;
    }
    if (v === null) return "null";
    const obj = v as object;
    if (seen.has(obj)) return "[Circular]";
    seen.add(obj);
    if (obj instanceof Error) return `[${safeMessage(obj)}]`;
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? "[Invalid Date]" : obj.toISOString();
    if (depth >= MAX_DEPTH) return Array.isArray(obj) ? "[Array]" : "[Object]";
    if (Array.isArray(obj)) {
      const items = obj.slice(0, MAX_KEYS).map((item) => render(item, depth + 1));
      if (obj.length > MAX_KEYS) items.push(`… ${obj.length - MAX_KEYS} more`);
      return `[${items.join(", ")}]`;
    }
    const keys = safeKeys(obj);
    const parts = keys.slice(0, MAX_KEYS).map((key) => {
      const got = safeGet(obj, key);
      if (redactsMember(key, got.ok ? got.value : "")) return `${JSON.stringify(key)}: ${JSON.stringify(REDACTED)}`;
      return `${JSON.stringify(key)}: ${got.ok ? render(got.value, depth + 1) : `[getter threw: ${truncate(got.error, 200)}]`}`;
    });
    if (keys.length > MAX_KEYS) parts.push(`… ${keys.length - MAX_KEYS} more`);
    return `{${parts.join(", ")}}`;
  };
  return render(value, 0);
}
