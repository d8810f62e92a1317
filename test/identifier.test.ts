import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { InvalidOptionError } from "../src/errors.js";
import { hashIdentifier, resolveIdentifier } from "../src/sdk/identifier.js";
import { isReportIdentifier } from "../src/format/report-format.js";
import { isSafeIdentifier } from "../src/support/safe-names.js";
import { recordProblems } from "../src/support/record.js";

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
    for (const bad of ["../etc", "a/b", "a\\b", ".hidden", "x".repeat(129), "with space", "nul\u0000", "a..b", "CON", "nul.txt", "Com1.tar", "crash."]) {
      expect(() => resolveIdentifier(bad, false), bad).toThrow(InvalidOptionError);
    }
    expect(() => resolveIdentifier("../etc", false)).toThrow(/Invalid identifier: "\.\.\/etc"\. Expected with generateMd5: false/);
  });

  it("hashes an empty identifier as helpme does (md5 of the empty string), whatever generateMd5 says", () => {
    expect(resolveIdentifier("", true)).toBe("md5.d41d8cd98f00b204e9800998ecf8427e");
    expect(resolveIdentifier("", false)).toBe("md5.d41d8cd98f00b204e9800998ecf8427e");
  });

  it("is one rule on both sides: whatever the SDK produces, triage and the record schema accept; what it refuses, they refuse", async () => {
    const candidates = ["import-error.v2", "ImportError_42", "md5.0123456789ABCDEF0123456789ABCDEF", "x".repeat(128), "x".repeat(129), "../etc", "CON", "lpt9.log", "a..b", "crash.", "-dash", "é", ""];
    for (const text of candidates) {
      let produced: string | undefined;
      try {
        produced = resolveIdentifier(text, false);
      } catch {
        produced = undefined;
      }
      if (produced !== undefined) {
        expect(isSafeIdentifier(produced), text).toBe(true);
        expect(await recordProblems(sampleRecord(produced)), text).toEqual([]);
      } else {
        expect(isReportIdentifier(text), text).toBe(false);
        expect((await recordProblems(sampleRecord(text))).length, text).toBeGreaterThan(0);
      }
      // Hashed identifiers always pass.
      expect(isSafeIdentifier(resolveIdentifier(text, true)), text).toBe(true);
    }
    expect(isSafeIdentifier(resolveIdentifier(undefined, true))).toBe(true);
  });

  it("gives a missing identifier a random run id (never deduplicated)", () => {
    const a = resolveIdentifier(undefined, true);
    const b = resolveIdentifier(undefined, true);
    expect(a).toMatch(/^run\.[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });
});

function sampleRecord(identifier: string) {
  return {
    schema: 1,
    identifier,
    number: 1,
    title: "t",
    created_at: "2026-11-20T10:00:00Z",
    reporter: "someone",
    app_version: null,
    platform: null,
    environment: {},
    report_id: null,
    labels: [],
    source: "helpme-line",
    url: "https://github.com/o/r/issues/1",
  };
}

function md5OfBytes(bytes: number[]): string {
  return `md5.${createHash("md5").update(Buffer.from(bytes)).digest("hex")}`;
}
