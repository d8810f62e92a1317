import { nodeCrypto } from "../_builtins.js";

/** `md5.<32 lowercase hex>`: the md5 of the identifier's UTF-8 text, as helpme writes it. */
export function hashIdentifier(text: string): string {
  return `md5.${nodeCrypto().createHash("md5").update(text, "utf8").digest("hex")}`;
}
