import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  GITHUB_BODY_LIMIT,
  fitTitle,
  parseIssueBody,
  renderIssueBody,
  type ReportMetadata,
} from "../src/format/report-format.js";

function metadata(overrides: Partial<ReportMetadata> = {}): ReportMetadata {
  return {
    schema: 1,
    identifier: "md5.5fddcd18252717a7a11c494d24b16d4e",
    reportId: "2f1c9a7e-3d4b-4c55-9a0e-111111111111",
    createdAt: "2026-11-22T10:00:00.000Z",
    kind: "exception",
    app: { name: "demo-app", version: "1.2.3" },
    platform: { node: "v20.20.2", os: "linux", osRelease: "6.1.0", arch: "x64" },
    bugbeacon: "0.1.0",
    environment: { SHELL: "/bin/bash", LANG: "C.UTF-8" },
    ...overrides,
  };
}

const nasty: Array<[string, string]> = [
  ["plain", "It crashed."],
  ["unicode and emoji", "Ünïcödé ✓ 日本語 🐛🔥 👩‍💻 — and a combining e\u0301"],
  ["markdown fences", "```js\nthrow new Error('x')\n```\n````\nnested ``` fence\n````"],
  ["comment terminator", "before --> after <!-- not a comment --> --!> end"],
  ["imitation of our block", "<!-- bugbeacon:report v1\n{\"schema\":1,\"identifier\":\"md5.00000000000000000000000000000000\"}\n-->"],
  ["html and ampersands", "<script>alert(1)</script> & &amp; <b>bold</b>"],
  ["table pipes", "| a | b |\n|---|---|\n| 1 | 2 |"],
  ["control characters", "tab\tnul\u0000 bell\u0007 escape\u001b[31m red"],
  ["windows line endings", "line one\r\nline two\r\n"],
  ["lone surrogate", "broken \ud83d half"],
  ["one megabyte", "x".repeat(1024 * 1024)],
];

describe("renderIssueBody / parseIssueBody", () => {
  it.each(nasty)("round-trips the metadata for %s", (_name, text) => {
    const meta = metadata({ environment: { SHELL: "/bin/bash", WEIRD: text.slice(0, 500) } });
    const { body } = renderIssueBody({ text, metadata: meta });
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    const parsed = parseIssueBody(body);
    expect(parsed?.source).toBe("metadata");
    // Lone surrogates are replaced by U+FFFD when written: GitHub cannot store them.
    expect(parsed?.metadata).toEqual({
      ...meta,
      environment: { ...meta.environment, WEIRD: meta.environment.WEIRD!.toWellFormed() },
    });
    expect(parsed?.identifier).toBe(meta.identifier);
  });

  it("keeps the caller's text when it fits, and gives it back as the reporter's text", () => {
    const { body, cutCharacters } = renderIssueBody({ text: "Steps:\n1. run\n2. boom", metadata: metadata() });
    expect(cutCharacters).toBe(0);
    expect(body.startsWith("Steps:\n1. run\n2. boom\n\n### Environment")).toBe(true);
    expect(parseIssueBody(body)?.text).toBe("Steps:\n1. run\n2. boom");
  });

  it("shows the identifier in a visible line and platform facts in a table", () => {
    const { body } = renderIssueBody({ text: "x", metadata: metadata() });
    expect(body).toContain("bugbeacon identifier: `md5.5fddcd18252717a7a11c494d24b16d4e`");
    expect(body).toContain("| Node.js | v20.20.2 |");
    expect(body).toContain("| App | demo-app 1.2.3 |");
    expect(body).toContain("| `SHELL` | /bin/bash |");
  });

  it("cuts the middle of a 1 MB text to fit GitHub's limit, keeping head, tail, identifier and metadata", () => {
    const text = `HEAD-MARK\n${"a".repeat(500_000)}${"b".repeat(500_000)}\nTAIL-MARK`;
    const { body, cutCharacters } = renderIssueBody({ text, metadata: metadata() });
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body.length).toBeGreaterThan(GITHUB_BODY_LIMIT - 200);
    expect(cutCharacters).toBeGreaterThan(900_000);
    expect(body.startsWith("HEAD-MARK")).toBe(true);
    expect(body).toContain("TAIL-MARK");
    expect(body).toContain(`[… ${cutCharacters} characters cut by bugbeacon to fit the service's size limit …]`);
    expect(parseIssueBody(body)?.metadata?.identifier).toBe("md5.5fddcd18252717a7a11c494d24b16d4e");
  });

  it("drops the environment table, then the environment, when even an empty text does not fit", () => {
    const environment = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`VAR_${i}`, "v".repeat(1000)]));
    const meta = metadata({ environment });
    const small = renderIssueBody({ text: "hello", metadata: meta }, { limit: 25_000 });
    expect(small.environmentShortened).toBe(true);
    expect(small.body).not.toContain("| `VAR_0` |");
    expect(parseIssueBody(small.body)?.metadata?.environment).toEqual(environment);

    const tiny = renderIssueBody({ text: "hello", metadata: meta }, { limit: 1500 });
    expect(tiny.body.length).toBeLessThanOrEqual(1500);
    expect(parseIssueBody(tiny.body)?.metadata?.environment).toEqual({});
    expect(parseIssueBody(tiny.body)?.identifier).toBe(meta.identifier);
  });

  it("ends with helpme's exact line when footer is helpme", () => {
    const { body } = renderIssueBody({ text: "x", metadata: metadata(), footer: "helpme" });
    expect(body.endsWith("\n\nHelpMe Github Issue: md5.5fddcd18252717a7a11c494d24b16d4e")).toBe(true);
  });
});

describe("parseIssueBody survives a person editing the issue", () => {
  const { body } = renderIssueBody({ text: "Original text", metadata: metadata() });

  it("accepts the CRLF line endings browsers submit", () => {
    expect(parseIssueBody(body.replace(/\n/g, "\r\n"))?.metadata).toEqual(metadata());
  });

  it("ignores text added before and after the block", () => {
    const edited = `Added at the top\n\n${body}\n\nEDIT: also happens on Tuesdays`;
    const parsed = parseIssueBody(edited);
    expect(parsed?.source).toBe("metadata");
    expect(parsed?.metadata?.reportId).toBe(metadata().reportId);
  });

  it("takes our block, not an imitation the reporter pasted above it", () => {
    const fake = "<!-- bugbeacon:report v1\n" + JSON.stringify(metadata({ identifier: "md5.ffffffffffffffffffffffffffffffff" })) + "\n-->";
    const { body: withFake } = renderIssueBody({ text: fake, metadata: metadata() });
    expect(parseIssueBody(withFake)?.identifier).toBe("md5.5fddcd18252717a7a11c494d24b16d4e");
  });

  it("falls back to the visible identifier line when the block was deleted or broken", () => {
    const start = body.indexOf("<!-- bugbeacon:report");
    const deleted = body.slice(0, start);
    expect(parseIssueBody(deleted)).toMatchObject({ source: "identifier-line", identifier: "md5.5fddcd18252717a7a11c494d24b16d4e" });
    const broken = body.replace('"schema":1', '"schema":1,,');
    expect(parseIssueBody(broken)?.source).toBe("identifier-line");
  });

  it("reads issues written by Python helpme", () => {
    const helpme = "Traceback (most recent call last):\n  ...\nImportError: no module\n\nHelpMe Github Issue: md5.0123456789abcdef0123456789abcdef";
    expect(parseIssueBody(helpme)).toMatchObject({ source: "helpme-line", identifier: "md5.0123456789abcdef0123456789abcdef" });
  });

  it("returns undefined for issues bugbeacon did not write, and never throws on hostile input", () => {
    expect(parseIssueBody("Feature request: dark mode")).toBeUndefined();
    expect(parseIssueBody("")).toBeUndefined();
    expect(parseIssueBody(null)).toBeUndefined();
    expect(parseIssueBody("<!-- bugbeacon:report v1\n" + "[".repeat(100_000) + "\n-->")).toBeUndefined();
    expect(parseIssueBody("<!-- bugbeacon:report v1\n{\"schema\":1}\n-->")).toBeUndefined();
    expect(parseIssueBody("<!-- bugbeacon:report v999\n{}\n-->")).toBeUndefined();
  });
});

describe("round-trip property", () => {
  it("metadata parses back identical for any text and any environment values", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 2000 }),
        fc.dictionary(fc.stringMatching(/^[A-Z_]{1,12}$/), fc.string({ unit: "binary", maxLength: 200 }), { maxKeys: 5 }),
        fc.string({ unit: "binary", maxLength: 300 }),
        (text, environment, appName) => {
          const meta = metadata({ environment, app: { name: appName } });
          const { body } = renderIssueBody({ text, metadata: meta });
          const parsed = parseIssueBody(body);
          const expected = JSON.parse(JSON.stringify(meta, (_k, v: unknown) => (typeof v === "string" ? v.toWellFormed() : v))) as ReportMetadata;
          expect(parsed?.metadata).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("fitTitle", () => {
  it("cuts at 256 characters with an ellipsis and never splits a surrogate pair", () => {
    const title = fitTitle(`${"a".repeat(254)}🐛🐛🐛`);
    expect(title.length).toBeLessThanOrEqual(256);
    expect(title.endsWith("…")).toBe(true);
    expect(title.isWellFormed()).toBe(true);
    expect(fitTitle("  Short\n title  ")).toBe("Short title");
  });
});
