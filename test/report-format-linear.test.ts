/**
 * The body parser is linear on adversarial bodies: measured as a ratio between two sizes in the same run
 * (8x the input may cost about 8x the time; a quadratic parser costs 64x). No absolute time is asserted;
 * the 1 MB figure is a bench line (test/bench/support.bench.ts).
 */
import { describe, expect, it } from "vitest";
import { parseIssueBody } from "../src/format/report-format.js";

const OPEN = "<!-- bugbeacon:report v";
export const adversarial: Record<string, (size: number) => string> = {
  "openers with a version line, no closer": (size) => `${OPEN}1\n`.repeat(Math.ceil(size / (OPEN.length + 2))),
  "openers without a newline": (size) => OPEN.repeat(Math.ceil(size / OPEN.length)),
  "openers then one closer far away": (size) => `${`${OPEN}1\n{"a":`.repeat(Math.ceil(size / (OPEN.length + 8)))}-->`,
  "one opener, JSON-like filler, no closer": (size) => `${OPEN}1\n${'{"x":['.repeat(Math.ceil(size / 6))}`,
  "visible identifier labels": (size) => "bugbeacon identifier: `".repeat(Math.ceil(size / 23)),
  "closers only": (size) => "-->".repeat(Math.ceil(size / 3)),
};

function time(body: string): number {
  let best = Infinity;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    parseIssueBody(body);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

describe("parseIssueBody on adversarial bodies", () => {
  it.each(Object.entries(adversarial))("%s: 8x the input costs well under 64x the time", (_name, make) => {
    const small = make(128 * 1024);
    const large = make(1024 * 1024);
    expect(parseIssueBody(large)).toBeUndefined();
    // Noise floor: tiny timings are dominated by the timer; compare against at least 1 ms.
    const ratio = time(large) / Math.max(time(small), 1);
    // Linear is about 8; the quadratic parser this replaced measured in the hundreds. 24 leaves room for a noisy machine.
    expect(ratio).toBeLessThan(24);
  });

  it("still finds the real block after 1 MB of openers before it", async () => {
    const { renderIssueBody } = await import("../src/format/report-format.js");
    const metadata = {
      schema: 1 as const, identifier: "md5.0123456789abcdef0123456789abcdef", reportId: "r1", createdAt: "2026-11-20T10:00:00.000Z",
      kind: "exception" as const, platform: { node: "v20", os: "linux", osRelease: "6", arch: "x64" }, bugbeacon: "0.1.0", environment: {},
    };
    const real = renderIssueBody({ text: "t", metadata }, { limit: 10_000_000 }).body;
    const body = `${`${OPEN}1\n`.repeat(40_000)}\n\n${real}`;
    expect(parseIssueBody(body)?.identifier).toBe(metadata.identifier);
    expect(parseIssueBody(body)?.source).toBe("metadata");
  });
});
