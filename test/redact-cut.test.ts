/**
 * Redact, then cut: a token straddling the 500-character breadcrumb cut or the 1,000-character field
 * cut leaves no fragment; a verbatim identifier (generateMd5: false) that holds a secret is hashed,
 * with a warning that says why and does not repeat the secret.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BreadcrumbTrail } from "../src/sdk/capture/breadcrumbs.js";
import { describeError } from "../src/sdk/capture/describe-error.js";
import { resolveIdentifier } from "../src/sdk/identifier.js";
import { createRedactor } from "../src/sdk/redact.js";
import { fragmentsOf } from "./support/secret-corpus.js";

const redact = createRedactor({ home: "/home/alice", username: "alice" });
const token = () => `ghp_${randomBytes(27).toString("base64").replace(/[+/=]/g, "x").slice(0, 36)}`;

function left(out: string, secret: string): string[] {
  return fragmentsOf(secret, 6).filter((f) => out.includes(f));
}

describe("redact, then cut", () => {
  it("a token across the 500-character breadcrumb cut leaves nothing, at every offset", () => {
    for (let at = 470; at <= 500; at++) {
      const secret = token();
      const trail = new BreadcrumbTrail(2);
      const text = `${"x ".repeat(at / 2)}${at % 2 ? "y" : ""}${secret} tail`.slice(0, 2000);
      trail.add(text, { note: text });
      const [crumb] = trail.list();
      const out = redact(`${crumb!.message}\n${crumb!.data}`);
      expect(left(out, secret), `offset ${at}: ${out.slice(-80)}`).toEqual([]);
    }
  });

  it("a token across the 1,000-character field cut leaves nothing, at every offset", () => {
    for (let at = 970; at <= 1000; at++) {
      const secret = token();
      const error = Object.assign(new Error("boom"), { details: `${"w".repeat(at - 1)} ${secret} and more` });
      const out = redact(describeError(error).body);
      expect(left(out, secret), `offset ${at}`).toEqual([]);
    }
  });

  it("the cut still keeps ordinary text up to the limit", () => {
    const trail = new BreadcrumbTrail(1);
    trail.add("word ".repeat(200));
    expect(trail.list()[0]!.message.startsWith("word ".repeat(99))).toBe(true);
  });
});

describe("a verbatim identifier holding a secret", () => {
  it("is hashed, with a warning that says why and shows only the redacted form", () => {
    const secret = token();
    const warnings: string[] = [];
    const id = resolveIdentifier(`deploy-${secret}`, false, { redact, warn: (m) => warnings.push(m) });
    expect(id).toMatch(/^md5\.[0-9a-f]{32}$/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/looks like a secret/);
    expect(left(warnings[0]!, secret)).toEqual([]);
  });

  it("an identifier without a secret stays verbatim", () => {
    const warnings: string[] = [];
    expect(resolveIdentifier("import-error.v2", false, { redact, warn: (m) => warnings.push(m) })).toBe("import-error.v2");
    expect(warnings).toEqual([]);
  });
});
