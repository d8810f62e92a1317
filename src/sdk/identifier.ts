import { nodeCrypto } from "../_builtins.js";
import { InvalidOptionError } from "../errors.js";

/** Characters safe in a folder name on every OS the support repository may be checked out on. */
const VERBATIM_IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `md5.<32 lowercase hex>`: the md5 of the identifier's UTF-8 text, as helpme writes it. */
export function hashIdentifier(text: string): string {
  return `md5.${nodeCrypto().createHash("md5").update(text, "utf8").digest("hex")}`;
}

/**
 * Turns the caller's identifier into the one that goes into the report.
 * - hashed (default): `md5.<hex>`;
 * - `generateMd5: false`: used verbatim after checking it is safe as a folder name;
 * - missing: a random `run.<uuid>`, which never matches another report (no dedupe).
 */
export function resolveIdentifier(identifier: string | undefined, generateMd5: boolean): string {
  if (identifier === undefined || identifier === "") return `run.${nodeCrypto().randomUUID()}`;
  if (typeof identifier !== "string") {
    throw new InvalidOptionError("identifier", identifier, "a string");
  }
  if (generateMd5) return hashIdentifier(identifier);
  if (!VERBATIM_IDENTIFIER.test(identifier) || identifier.includes("..")) {
    throw new InvalidOptionError(
      "identifier",
      identifier,
      'with generateMd5: false, 1 to 128 characters of letters, digits, ".", "-" and "_", starting with a letter or digit and without ".." (it becomes a folder name)',
    );
  }
  return identifier;
}

export function newReportId(): string {
  return nodeCrypto().randomUUID();
}
