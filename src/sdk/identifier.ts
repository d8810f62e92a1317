import { nodeCrypto } from "../_builtins.js";
import { InvalidOptionError } from "../errors.js";
import { IDENTIFIER_RULE_TEXT, isReportIdentifier } from "../format/report-format.js";
import { hashIdentifier } from "./hash-identifier.js";

// hashIdentifier is a root export, on the import path: it lives apart from the identifier rules (report-format).
export { hashIdentifier };

/**
 * Turns the caller's identifier into the one that goes into the report.
 * - hashed (default): `md5.<hex>`;
 * - `generateMd5: false`: used verbatim after checking it is safe as a folder name;
 * - empty (`""`): hashed, as helpme does (`md5.d41d8cd98f00b204e9800998ecf8427e`), whatever `generateMd5` says;
 * - missing: a random `run.<uuid>`, which never matches another report (no dedupe).
 */
export function resolveIdentifier(
  identifier: string | undefined,
  generateMd5: boolean,
  guard?: { redact: (text: string) => string; warn: (message: string) => void },
): string {
  if (identifier === undefined) return `run.${nodeCrypto().randomUUID()}`;
  if (identifier === "") return hashIdentifier("");
  if (typeof identifier !== "string") {
    throw new InvalidOptionError("identifier", identifier, "a string");
  }
  if (generateMd5) return hashIdentifier(identifier);
  // The same rule triage files by (src/format/report-format.ts): what the SDK sends, the support side accepts.
  if (!isReportIdentifier(identifier)) throw new InvalidOptionError("identifier", identifier, `with generateMd5: false, ${IDENTIFIER_RULE_TEXT}`);
  // Published verbatim (the issue body, the folder name): one that holds a secret is hashed instead.
  if (guard !== undefined && guard.redact(identifier) !== identifier) {
    const hashed = hashIdentifier(identifier);
    guard.warn(
      `the identifier (generateMd5: false) holds what looks like a secret (${guard.redact(identifier)}); it is published as ${hashed} instead of verbatim. Pass an identifier without a token or password in it.`,
    );
    return hashed;
  }
  return identifier;
}

export function newReportId(): string {
  return nodeCrypto().randomUUID();
}
