/** docs/redaction.md lists exactly the rule book's detectors (regenerate: `npm run docs:detectors`). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withDetectorList } from "./support/detector-docs.js";

describe("docs/redaction.md", () => {
  it("its detector list is the one generated from the table (run `npm run docs:detectors` if not)", () => {
    const doc = readFileSync(new URL("../docs/redaction.md", import.meta.url), "utf8");
    expect(doc).toBe(withDetectorList(doc));
  });
});
