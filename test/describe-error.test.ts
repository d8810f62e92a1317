import { describe, expect, it } from "vitest";
import { describeError } from "../src/sdk/capture/describe-error.js";
import { safeStringify } from "../src/sdk/capture/safe-serialize.js";

const opts = { argv: ["/usr/bin/node", "/srv/app/cli.js", "--input", "data file.csv"], appRoot: "/srv/app" };

describe("describeError", () => {
  it("titles an error as Node prints it and fences its stack", () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'x')");
    const d = describeError(error, opts);
    expect(d.title).toBe("TypeError: Cannot read properties of undefined (reading 'x')");
    expect(d.body.startsWith("```text\nTypeError: Cannot read properties of undefined (reading 'x')\n    at ")).toBe(true);
    expect(d.body).toContain('**Command line**: `node /srv/app/cli.js --input "data file.csv"`');
    expect(d.identifierSource.split("\n")[0]).toBe("TypeError: Cannot read properties of undefined (reading <str>)");
  });

  it("shows the cause chain and AggregateError members, and survives a cause cycle", () => {
    const root = new Error("socket hang up");
    const mid = new Error("fetch failed", { cause: root });
    const top = new Error("could not load results", { cause: mid });
    (root as { cause?: unknown }).cause = top; // cycle
    const d = describeError(top, opts);
    expect(d.body).toContain("**Caused by** (1): `Error: fetch failed`");
    expect(d.body).toContain("**Caused by** (2): `Error: socket hang up`");
    expect(d.body).not.toContain("**Caused by** (3)");

    const agg = new AggregateError([new Error("a"), new RangeError("b"), "c"], "all failed");
    const da = describeError(agg, opts);
    expect(da.title).toBe("AggregateError: all failed");
    expect(da.body).toContain("**Errors** (3):\n\n1. `Error: a`\n2. `RangeError: b`\n3. `Thrown string: c`");
  });

  it("shows the error's own fields safely: throwing getter, circular object, 10 MB string", () => {
    const error = new Error("with fields") as Error & Record<string, unknown>;
    error.code = "E_CUSTOM";
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    error.context = circular;
    error.huge = "x".repeat(10 * 1024 * 1024);
    Object.defineProperty(error, "explodes", { enumerable: true, get: () => { throw new Error("getter says no"); } });
    const d = describeError(error, opts);
    expect(d.body).toContain('code: "E_CUSTOM"');
    expect(d.body).toContain('context: {"name": "loop", "self": [Circular]}');
    expect(d.body).toContain("more characters)");
    expect(d.body).toContain("explodes: [getter threw: Error: getter says no]");
    expect(d.body.length).toBeLessThan(20_000);
  });

  const proxyThatThrows = new Proxy({}, {
    get() { throw new Error("proxy get"); },
    ownKeys() { throw new Error("proxy keys"); },
    getPrototypeOf() { throw new Error("proxy proto"); },
    has() { throw new Error("proxy has"); },
  });
  const circularPlain: Record<string, unknown> = { a: 1 };
  circularPlain.me = circularPlain;

  it.each([
    ["a string", "disk full", "Thrown string: disk full"],
    ["a number", 42, "Thrown number: 42"],
    ["null", null, "Thrown null"],
    ["undefined", undefined, "Thrown undefined"],
    ["a plain object", { code: 7, reason: "nope" }, 'Thrown object: {"code": 7, "reason": "nope"}'],
    ["a circular object", circularPlain, 'Thrown object: {"a": 1, "me": [Circular]}'],
    ["a Symbol", Symbol("odd"), "Thrown symbol: Symbol(odd)"],
    ["a Proxy that throws", proxyThatThrows, "Thrown object: [unreadable: Error: proxy proto]"],
  ])("gives a sensible report for %s", (_name, thrown, title) => {
    const d = describeError(thrown, opts);
    expect(d.title).toBe(title);
    expect(d.body.length).toBeGreaterThan(0);
    expect(d.identifierSource.length).toBeGreaterThan(0);
  });

  it("lists breadcrumbs oldest first", () => {
    const d = describeError(new Error("x"), {
      ...opts,
      breadcrumbs: [
        { at: "2026-11-22T10:00:00.000Z", message: "opened file", source: "app" },
        { at: "2026-11-22T10:00:01.500Z", message: "low disk", source: "console.warn" },
      ],
    });
    expect(d.body).toContain("**Breadcrumbs** (oldest first):\n\n```text\n10:00:00.000 opened file\n10:00:01.500 [console.warn] low disk\n```");
  });

  it("fences text that itself contains backtick fences", () => {
    const error = new Error("bad ```markdown``` in message");
    expect(describeError(error, opts).body.startsWith("````text\n")).toBe(true);
  });
});

describe("safeStringify", () => {
  it("bounds depth, keys and total size", () => {
    const deep = { a: { b: { c: { d: { e: 1 } } } } };
    expect(safeStringify(deep)).toBe('{"a": {"b": {"c": [Object]}}}');
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
    expect(safeStringify(wide)).toContain("… 10 more");
    expect(safeStringify(Array.from({ length: 10_000 }, () => "y".repeat(1000))).length).toBeLessThan(40_000);
  });
});
