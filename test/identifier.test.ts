import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { InvalidOptionError } from "../src/errors.js";
import { hashIdentifier, resolveIdentifier } from "../src/sdk/identifier.js";

describe("identifiers", () => {
  it("is md5.<32 lowercase hex> of the UTF-8 text", () => {
    expect(hashIdentifier("hello")).toBe("md5.5d41402abc4b2a76b9719d911017c592");
    // UTF-8, not UTF-16: md5 of the bytes c3 a9 ("é").
    expect(hashIdentifier("é")).toBe(md5OfBytes([0xc3, 0xa9]));
    expect(hashIdentifier("é")).not.toBe(md5OfBytes([0xe9, 0x00]));
    expect(resolveIdentifier("ImportError: no module named foo", true)).toMatch(/^md5\.[0-9a-f]{32}$/);
  });

  it("uses the identifier verbatim with generateMd5: false when it is folder-safe", () => {
    expect(resolveIdentifier("import-error.v2", false)).toBe("import-error.v2");
    for (const bad of ["../etc", "a/b", "a\\b", ".hidden", "x".repeat(129), "with space", "nul\u0000", "a..b"]) {
      expect(() => resolveIdentifier(bad, false), bad).toThrow(InvalidOptionError);
    }
    expect(() => resolveIdentifier("../etc", false)).toThrow(/Invalid identifier: "\.\.\/etc"\. Expected with generateMd5: false/);
  });

  it("gives a missing identifier a random run id (never deduplicated)", () => {
    const a = resolveIdentifier(undefined, true);
    const b = resolveIdentifier(undefined, true);
    expect(a).toMatch(/^run\.[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });
});

function md5OfBytes(bytes: number[]): string {
  return `md5.${createHash("md5").update(Buffer.from(bytes)).digest("hex")}`;
}
