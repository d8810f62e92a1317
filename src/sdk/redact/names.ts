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
  "authorization", "auth", "bearer", "jwt", "sastoken", "connectionstring", "dsn", "creds",
  // Other languages: German, Spanish, French, Portuguese, Dutch, Italian, Polish, Swedish, Finnish, Turkish,
  // Russian, Chinese, Japanese, Korean.
  "passwort", "kennwort", "contraseña", "contrasena", "motdepasse", "senha", "wachtwoord", "parola", "haslo",
  "hasło", "lösenord", "losenord", "salasana", "şifre", "sifre", "пароль", "токен", "密码", "密碼", "口令", "令牌",
  "密钥", "秘钥", "パスワード", "暗証番号", "비밀번호", "토큰",
];

/** Whole last words that mark a secret: too short to match inside other words. */
const SECRET_WORDS = new Set(["pass", "pwd", "pw", "pswd", "sig", "sid", "otp", "psk", "sas"]);

/** `key` alone, or after one of these: `api_key`, `private-key`, but not `cacheKey` or `primaryKey`. */
const KEY_QUALIFIERS = new Set([
  "api", "access", "secret", "private", "account", "auth", "client", "master", "signing", "encryption",
  "shared", "app", "license", "subscription", "service", "x", "storage", "admin", "write", "read", "deploy",
]);

/** Trailing words that do not change what the value is: `session_id`, `tokenValue`, `password_b64`. */
const NEUTRAL_TAILS = new Set([
  "id", "ids", "value", "val", "str", "string", "b64", "base64", "hex", "raw", "data", "header", "enc", "encoded",
  "confirmation", "confirm", "again", "repeat", "new", "old", "current", "plain", "cleartext", "hash", "verify",
  "verification", "input", "field", "text", "file", "env", "var", "secure", "override", "default",
]);

/**
 * Last words that name a secret only sometimes (`key: 'Enter'`, `credentials: "include"`, `pass: 41`,
 * `session: expired`, `cookie: true`): their value is redacted only when it could be one.
 */
const GENERIC_LAST = new Set(["key", "token", "session", "pass", "credentials", "credential", "cookie", "auth", "sid", "sig", "signature", "creds"]);

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
    if (c >= 0xc0) {
      // Letters of other scripts continue the word (handled below).
    } else if (!lower && !upper && !digit) {
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
    if (c >= 0xc0) {
      word += name[i]!.toLowerCase();
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
  // `password1`, `pass_2`: a number at the end does not change what the value is.
  const words = nameWords(name)
    .map((w) => w.replace(/[0-9]+$/, ""))
    .filter((w) => w !== "");
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

/** Whether the name's last word is one of the generic ones (`key`, `token`, `session`…). */
export function isGenericName(name: string): boolean {
  const words = nameWords(name).map((w) => w.replace(/[0-9]+$/, ""));
  while (words.length > 1 && NEUTRAL_TAILS.has(words[words.length - 1]!)) words.pop();
  const last = words[words.length - 1];
  return words.length === 1 && last !== undefined && GENERIC_LAST.has(last);
}

/**
 * Whether a value given to a sensitive name could be a secret. Password-like names (`password`,
 * `client_secret`, `api_key`) take any value but the harmless ones; a generic name alone (`key`,
 * `token`, `session`, `pass`, `credentials`, `cookie`) takes a value only when it has the make of
 * one: long enough, not a plain word, number, path or dotted name.
 */
export function couldBeSecret(name: string, value: string): boolean {
  if (!isGenericName(name)) return true;
  if (value.length < 6) return false;
  if (/^[0-9]+$/.test(value) || /^[a-z]+$/i.test(value)) return false;
  if (value.length < 8 && !(/[0-9]/.test(value) && /[a-z]/i.test(value))) return false;
  // An object key, a Redis key, a file: words joined by / : . - _ (`uploads/2024/photo.jpg`, `user:42:cart`).
  // Each part a word or a number; a part mixing letters and digits (`abc123`) is token-like.
  if (value.length < 96 && /[/:._-]/.test(value) && value.split(/[/:._-]+/).every((part) => /^(?:[a-z]*|[0-9]*)$/i.test(part))) return false;
  return /[0-9]/.test(value) || value.length >= 16;
}

/**
 * Whether an object member or error field is replaced whole: a password-like name always; a generic
 * name (`key`, `session`, `credentials`) only when its value is a string that could be a secret
 * (`key: 'Enter'`, `pass: 41` and `credentials: "include"` stay; an object is shown member by member).
 */
export function redactsMember(name: string, value: unknown): boolean {
  if (!isSensitiveName(name)) return false;
  if (!isGenericName(name)) return true;
  return typeof value === "string" && couldBeSecret(name, value);
}
