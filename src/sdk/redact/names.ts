/**
 * Whether a field, key, variable, flag or header name says its value is a secret: `password`,
 * `DB_PASS`, `clientSecret`, `X-Api-Key`, `--db-password`, `AccountKey`, `sig`, `Set-Cookie`, `sessionId`.
 * Used for `k=v` text, JSON keys, error fields, breadcrumb data, command-line flags and env variables.
 */

/** Endings of the joined, lower-cased name that mark a secret wherever the word boundary falls. */
const SECRET_ENDINGS = [
  "password", "passwd", "passphrase", "secret", "token", "apikey", "credential", "credentials", "signature",
  "cookie", "cookies", "privatekey", "accesskey", "accountkey", "secretkey", "signingkey", "masterkey",
  "encryptionkey", "sharedkey", "clientkey", "authkey", "licensekey", "subscriptionkey", "session", "sessid",
  "authorization", "auth", "bearer", "jwt", "sastoken", "connectionstring", "dsn",
];

/** Whole last words that mark a secret: too short to match inside other words. */
const SECRET_WORDS = new Set(["pass", "pwd", "pw", "pswd", "sig", "sid", "otp", "psk", "sas"]);

/** `key` alone, or after one of these: `api_key`, `private-key`, but not `cacheKey` or `primaryKey`. */
const KEY_QUALIFIERS = new Set([
  "api", "access", "secret", "private", "account", "auth", "client", "master", "signing", "encryption",
  "shared", "app", "license", "subscription", "service", "x", "storage", "admin", "write", "read", "deploy",
]);

/** Trailing words that do not change what the value is: `session_id`, `tokenValue`, `password_b64`. */
const NEUTRAL_TAILS = new Set(["id", "ids", "value", "val", "str", "string", "b64", "base64", "hex", "raw", "data", "header", "enc", "encoded"]);

const MAX_NAME = 100;

/** The words of a name: split at non-alphanumerics and camelCase humps, lower-cased. */
export function nameWords(name: string): string[] {
  const words: string[] = [];
  let word = "";
  let prev = 0;
  const n = Math.min(name.length, MAX_NAME);
  for (let i = name.length - n; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const lower = c >= 97 && c <= 122;
    const upper = c >= 65 && c <= 90;
    const digit = c >= 48 && c <= 57;
    if (!lower && !upper && !digit) {
      if (word !== "") words.push(word);
      word = "";
    } else {
      const prevLowerOrDigit = (prev >= 97 && prev <= 122) || (prev >= 48 && prev <= 57);
      if (upper && prevLowerOrDigit && word !== "") {
        words.push(word);
        word = "";
      }
      word += String.fromCharCode(upper ? c + 32 : c);
    }
    prev = c;
  }
  if (word !== "") words.push(word);
  return words;
}

/** Names repeat (the same keys in every line): remember the last answers. */
const cache = new Map<string, boolean>();

export function isSensitiveName(name: string): boolean {
  let known = cache.get(name);
  if (known === undefined) {
    known = judgeName(name);
    if (cache.size >= 2048) cache.clear();
    cache.set(name, known);
  }
  return known;
}

function judgeName(name: string): boolean {
  const words = nameWords(name);
  while (words.length > 1 && NEUTRAL_TAILS.has(words[words.length - 1]!)) words.pop();
  if (words.length === 0) return false;
  const last = words[words.length - 1]!;
  if (SECRET_WORDS.has(last)) return true;
  if (last === "key") return words.length === 1 || KEY_QUALIFIERS.has(words[words.length - 2]!);
  const joined = words.join("");
  return SECRET_ENDINGS.some((ending) => joined.endsWith(ending));
}

/** Header names whose whole value (to the end of the line) is a credential. */
export function isCredentialHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === "authorization" || n === "proxy-authorization" || n === "cookie" || n === "set-cookie" || n === "x-api-key";
}
