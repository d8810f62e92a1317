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
export function resolveIdentifier(identifier: string | undefined, generateMd5: boolean): string {
  if (identifier === undefined) return `run.${nodeCrypto().randomUUID()}`;
  if (identifier === "") return hashIdentifier("");
  if (typeof identifier !== "string") {
    throw new InvalidOptionError("identifier", identifier, "a string");
  }
  if (generateMd5) return hashIdentifier(identifier);
  // The same rule triage files by (src/format/report-format.ts): what the SDK sends, the support side accepts.
  if (!isReportIdentifier(identifier)) throw new InvalidOptionError("identifier", identifier, `with generateMd5: false, ${IDENTIFIER_RULE_TEXT}`);
  return identifier;
}

export function newReportId(): string {
  return nodeCrypto().randomUUID();
}
