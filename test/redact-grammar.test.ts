/**
 * The assignment grammar, key material and pairs: a password-like value under every sensitive name
 * (English and other languages, numbered, suffixed) in every carrier; the command-line, .netrc, SQL and
 * URL forms; keys that are not PEM; a key id next to its secret. Fresh values each run (seed printed).
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createRedactor } from "../src/sdk/redact.js";
import { CARRIERS, SEED, seededRandom } from "./support/detector-values.js";
import { fragmentsOf } from "./support/secret-corpus.js";

const redact = createRedactor({ home: "/home/alice", username: "alice" });
const rand = seededRandom(SEED + 1);
const pick = (chars: string, n: number) => Array.from({ length: n }, () => chars[Math.floor(rand() * chars.length)]).join("");
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const password = () => `${pick("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", 7)}${pick("0123456789", 3)}${pick("!#%*+-_", 1)}${pick(ALNUM, 7)}`;

function leftOf(out: string, value: string, n = 16): string[] {
  return fragmentsOf(value, Math.min(n, value.length)).filter((f) => out.includes(f));
}

const NAMES = [
  "password", "db_password", "DB_PASS", "passwd", "client_secret", "api_key", "apiKey", "access_token", "auth_token",
  "private_key", "secret", "password1", "password_confirmation", "newPassword2", "smtp.password", "Passwort", "Kennwort",
  "contraseña", "mot_de_passe", "senha", "wachtwoord", "пароль", "密码", "令牌", "パスワード", "비밀번호",
];

describe(`sensitive names in every carrier (REDACT_SEED=${SEED})`, () => {
  it.each(NAMES)("%s", (name) => {
    const leaks: string[] = [];
    for (const carrier of CARRIERS) {
      const value = password();
      const out = redact(carrier.make(name, value));
      if (leftOf(out, value, 8).length > 0) leaks.push(`${carrier.id}: ${out}`);
    }
    expect(leaks, `seed ${SEED}`).toEqual([]);
  });
});

describe(`other forms (REDACT_SEED=${SEED})`, () => {
  const cases: Array<[string, (v: string) => string]> = [
    ["URL password with an unencoded /", (v) => `connect postgres://app:${v.slice(0, 6)}/${v.slice(6)}@db.internal:5432/prod failed`],
    ["curl -u user:pass", (v) => `curl -s -u deploy:${v} https://api.internal/x`],
    ["curl --user 'user:pass'", (v) => `curl --user 'deploy:${v}' https://api.internal/x`],
    ["mysql -pV", (v) => `mysqldump -u root -p${v} --databases prod`],
    ["--password V", (v) => `pg_dump --password ${v} prod`],
    [".netrc", (v) => `machine api.internal login deploy password ${v}`],
    [".netrc lines", (v) => `machine api.internal\n  login deploy\n  password ${v}\n`],
    ["SQL WITH PASSWORD", (v) => `CREATE USER app WITH PASSWORD '${v}';`],
    ["SQL IDENTIFIED BY", (v) => `ALTER USER app IDENTIFIED BY '${v}';`],
    ["XML password element", (v) => `<password>${v}</password>`],
    ["nuget add key", (v) => `<add key="ClearTextPassword" value="${v}" />`],
    ["getenv default", (v) => `os.getenv("DB_PASSWORD", "${v}")`],
    ["env || default", (v) => `const pw = process.env.DB_PASSWORD || "${v}";`],
    ["shell default", (v) => `psql "host=db password=\${PGPASSWORD:-${v}}"`],
    ["JSON in a JSON string", (v) => JSON.stringify(JSON.stringify({ password: v }))],
    ["Map in util.inspect", (v) => `Map(2) { 'user' => 'svc', 'password' => '${v}' }`],
    ["Authorization header, escaped newline before", (v) => JSON.stringify(`GET /x\nAuthorization: Bearer ${v}`)],
  ];
  it.each(cases)("%s", (_name, make) => {
    const value = password();
    const out = redact(make(value));
    expect(leftOf(out, value, 8), `seed ${SEED}: ${out}`).toEqual([]);
  });

  it("a passphrase with spaces loses every word", () => {
    const words = Array.from({ length: 4 }, () => pick("abcdefghijklmnopqrstuvwxyz", 7));
    const phrase = words.join(" ");
    for (const text of [`Password=${phrase}`, `Server=db;User Id=app;Password=${phrase};Encrypt=true`, `password: "${phrase}"`]) {
      const out = redact(text);
      expect(words.filter((w) => out.includes(w)), `seed ${SEED}: ${out}`).toEqual([]);
    }
  });
});

describe("key material", () => {
  it("PuTTY private lines and MAC", () => {
    const lines = Array.from({ length: 4 }, () => randomBytes(48).toString("base64"));
    const mac = randomBytes(32).toString("hex");
    const text = `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIOn\nAAAAB3Nza\nPrivate-Lines: 4\n${lines.join("\n")}\nPrivate-MAC: ${mac}\n`;
    const out = redact(text);
    for (const secret of [...lines, mac]) expect(leftOf(out, secret), out).toEqual([]);
    expect(out).toContain("[REDACTED PuTTY key file]: ssh-ed25519");
  });

  it("SSH2 encrypted private key", () => {
    const body = Array.from({ length: 5 }, () => randomBytes(48).toString("base64"));
    const text = `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: "2048-bit rsa"\n${body.join("\n")}\n---- END SSH2 ENCRYPTED PRIVATE KEY ----`;
    const out = redact(text);
    for (const line of body) expect(leftOf(out, line), out).toEqual([]);
  });

  it("JWK and JWKS private members, public members kept", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const jwk = privateKey.export({ format: "jwk" }) as Record<string, string>;
    for (const text of [JSON.stringify(jwk), JSON.stringify({ keys: [jwk] }, null, 2), `key loaded: ${JSON.stringify(jwk)}`]) {
      const out = redact(text);
      for (const member of ["d", "p", "q", "dp", "dq", "qi"]) expect(leftOf(out, jwk[member]!), member).toEqual([]);
      expect(out).toContain('"kty":');
    }
    const oct = JSON.stringify({ kty: "oct", k: randomBytes(32).toString("base64url"), alg: "HS256" });
    expect(redact(oct)).not.toContain(JSON.parse(oct).k.slice(0, 16));
  });

  it("PKCS#12 and bare DER private keys in base64", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const der = privateKey.export({ format: "der", type: "pkcs8" }).toString("base64");
    const out = redact(`key=${"x"} blob ${der} end`);
    expect(leftOf(out, der)).toEqual([]);
    // The start of a PFX (version 3) around random content.
    const pfx = Buffer.concat([Buffer.from([0x30, 0x82, 0x09, 0xd1, 0x02, 0x01, 0x03, 0x30, 0x82]), randomBytes(300)]).toString("base64");
    expect(leftOf(redact(`cert bundle: ${pfx}`), pfx)).toEqual([]);
  });

  it("a certificate (public) is kept", () => {
    const cert = [
      "-----BEGIN CERTIFICATE-----",
      "MIIBszCCAVmgAwIBAgIUYxY7nL0q3c1Xv0vJ4Z2b3JqvG8MwCgYIKoZIzj0EAwIw",
      "LzEtMCsGA1UEAwwkYnVnYmVhY29uLXRlc3QtY2VydGlmaWNhdGUtcHVibGljMB4X",
      "-----END CERTIFICATE-----",
    ].join("\n");
    expect(redact(`server presented:\n${cert}`)).toBe(`server presented:\n${cert}`);
  });
});

describe("pairs: a secret next to its key id", () => {
  it("twilio(AC…, secret) and an SK key with its secret", () => {
    const sid = `AC${pick("0123456789abcdef", 32)}`;
    const secret = pick("0123456789abcdef", 32);
    const out = redact(`client = twilio(${sid}, ${secret})`);
    expect(leftOf(out, secret), out).toEqual([]);
    const sk = `SK${pick("0123456789abcdef", 32)}`;
    const skSecret = pick(ALNUM, 32);
    const out2 = redact(`new Twilio("${sk}", "${skSecret}", { accountSid })`);
    expect(leftOf(out2, skSecret), out2).toEqual([]);
    const akia = `AKIA${pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`;
    const aws = pick(`${ALNUM}+/`, 40);
    const out3 = redact(`new S3Client({ credentials: ["${akia}", "${aws}"] })`);
    expect(leftOf(out3, aws), out3).toEqual([]);
  });
});
