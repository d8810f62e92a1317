import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REDACTED, createRedactor } from "../src/sdk/redact.js";
import { findLeaks, generateCorpus } from "./support/secret-corpus.js";

const redact = createRedactor({ home: "/home/alice", username: "alice" });
const R = REDACTED;

// Each secret below is a made-up value in the real format of its kind.
const table: Array<[string, string, string]> = [
  ["GitHub classic token", "token ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8 leaked", `token ${R} leaked`],
  ["GitHub OAuth token", "gho_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", R],
  ["GitHub user-to-server token", "ghu_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", R],
  ["GitHub server-to-server token", "ghs_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", R],
  ["GitHub refresh token", "ghr_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", R],
  ["GitHub fine-grained token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEF", R],
  ["npm token", "//registry.npmjs.org/:_authToken=npm_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", `//registry.npmjs.org/:_authToken=${R}`],
  ["AWS access key id", "key AKIAIOSFODNN7EXAMPLE used", `key ${R} used`],
  ["AWS secret access key", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", `aws_secret_access_key = ${R}`],
  ["Slack bot token", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", R],
  ["Slack webhook", "post https://hooks.slack.com/services/T000/B000/XXXXXXXX", `post https://hooks.slack.com/services/${R}`],
  ["Stripe live key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", R],
  ["Stripe test key", "rk_test_4eC39HqLyjWDarjtT1zdp7dc", R],
  ["JWT", "session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", `session ${R}`],
  ["Authorization header", "Authorization: Bearer abc.def-ghi_jkl~mno", `Authorization: Bearer ${R}`],
  ["Authorization basic", "authorization=Basic dXNlcjpwYXNz", `authorization=Basic ${R}`],
  ["Bearer value", "sent bearer 0123456789abcdef0123", `sent bearer ${R}`],
  ["PEM private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----", "[REDACTED RSA PRIVATE KEY]"],
  // The whole user info goes: `user:[REDACTED]@` still reads as a credential to scanners, and user names can be personal.
  ["password in URL", "connect postgres://app:s3cret@db:5432/x failed", `connect postgres://${R}@db:5432/x failed`],
  ["password= assignment", "login failed password=hunter2 user=x", `login failed password=${R} user=x`],
  ["secret: in JSON", '{"client_secret": "abc123", "id": 7}', `{"client_secret": "${R}", "id": 7}`],
  ["token= in a query string", "GET /cb?state=1&token=abcd1234&x=2", `GET /cb?state=1&token=${R}&x=2`],
  ["api_key= assignment", "API_KEY='zzz-111'", `API_KEY='${R}'`],
  ["home directory", "open /home/alice/projects/x.csv", "open ~/projects/x.csv"],
  ["home directory as file URL", "at file:///home/alice/app/x.mjs:1:1", "at ~/app/x.mjs:1:1"],
  ["another user's home", "read /home/bob/notes.txt", "read /home/<user>/notes.txt"],
  ["a Windows user folder", "at run (C:\\Users\\carol\\app\\x.js:1:1)", "at run (C:\\Users\\<user>\\app\\x.js:1:1)"],
  ["the user name alone", "owner alice lacks access", "owner <user> lacks access"],
];

describe("redaction", () => {
  it.each(table)("removes %s", (_kind, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it("removes secrets inside an error message and its stack frames", () => {
    const error = new Error("request to https://x:ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8@api.example.com failed");
    const stack = `${error.message}\n    at call (/home/alice/app/net.js:3:1)\n    at retry (/home/alice/app/token=abc123/run.js:9:9)`;
    const out = redact(stack);
    expect(out).not.toContain("ghp_");
    expect(out).not.toContain("/home/alice");
    expect(out).not.toContain("abc123");
    expect(out).toContain("at call (~/app/net.js:3:1)");
  });

  it("leaves ordinary text alone", () => {
    const text = "TypeError: Cannot read properties of undefined (reading 'token') at root cause analysis; tokens: 5";
    expect(redact(text)).toBe(text);
  });

  it("applies extra patterns, literal strings matched literally", () => {
    const custom = createRedactor({ home: "/nonexistent", username: "zz", patterns: [/ORDER-\d+/, "a.b*c"] });
    expect(custom("ORDER-1234 and a.b*c and aXbbc")).toBe(`${R} and ${R} and aXbbc`);
  });
});

describe("every kind of secret in the generated corpus, alone in its line", () => {
  const corpus = generateCorpus();
  it.each(corpus.map((s) => [s.kind, s] as const))("%s", (_kind, secret) => {
    const out = redact(secret.line);
    expect(findLeaks(out, [secret])).toEqual([]);
    expect(out).toMatch(/\[REDACTED(?: [A-Z0-9 ]+)?\]|<user>/);
  });
});

describe("what must survive untouched", () => {
  const survivors: Array<[string, string]> = [
    ["an in-app stack frame", "    at parseRow (/srv/app/src/csv/parse.js:41:17)"],
    ["a stack frame with token in the file name", "    at Object.<anonymous> (/srv/app/src/token.js:12:5)"],
    ["a Windows in-app frame", "    at load (D:\\build\\app\\src\\config.js:3:9)"],
    ["a node_modules frame", "    at Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)"],
    ["a file URL frame", "    at file:///srv/app/dist/main.mjs:1:2048"],
    ["a users route in the app", "GET /api/users/42/home/settings 404"],
    ["a report id", "report 2b1f8c9e-7d4a-4f6b-9a1e-3c5d7e9f1a2b queued"],
    ["a UUID", "request-id: 123e4567-e89b-12d3-a456-426614174000"],
    ["a git SHA", "built from commit 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b on main"],
    ["a short SHA", "HEAD is now at 9fceb02 fix parser"],
    ["semver strings", "bugbeacon 0.1.0, node v20.20.2, typescript ~5.9, range ^7.8.6 || >=8.0.0-rc.1+build.5"],
    ["the md5 identifier", "bugbeacon identifier: `md5.5fddcd18252717a7a11c494d24b16d4e`"],
    ["ordinary words and numbers", "TypeError: Cannot read properties of undefined (reading 'token') at root cause analysis; tokens: 5, keys: 12, 3.14159 ms"],
    ["words that contain secret words", "the tokenizer, keyboard, passage, secretary, authored, design, signal, cookbook and sessions are fine"],
    ["a harmless key", "cacheKey=users:42 primaryKey: id sortKey=name"],
    ["a missing password says so", "password: undefined, token: null, secret=false"],
    ["a time and a port", "at 12:30:45 listening on 0.0.0.0:8080 and [::1]:8080"],
    ["a URL without credentials", "fetch https://api.example.com/v1/items?page=2&sort=asc failed: ECONNRESET"],
    ["an e-mail address in text", "sent to ops@example.com from git@github.com:octo/app.git"],
    ["an ssh URL with a plain user", "cloning ssh://git@github.com/octo/app.git"],
    ["a dotted version list", "1.2.3.4.5.6.7.8.9.10"],
    ["a hex dump", "bytes 0x7f454c46 0xdeadbeef"],
    ["a base64 image prefix", "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="],
    ["a command line without secrets", "node server.js --port 8080 --log-level debug --config ./app.json"],
  ];
  it.each(survivors)("%s", (_kind, text) => {
    expect(redact(text)).toBe(text);
  });
});

describe("linear time on hostile input", () => {
  /**
   * CPU time of the best of a few runs, in ms: CPU time is not inflated by other processes sharing
   * the machine, and the minimum is the steadiest figure.
   */
  const time = (text: string): number => {
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const t0 = process.cpuUsage();
      redact(text);
      const used = process.cpuUsage(t0);
      best = Math.min(best, (used.user + used.system) / 1000);
    }
    return best;
  };
  /** Linear: 4x the input → about 4x the time. Quadratic would be 16x. */
  const BOUND = 9;
  /** Time ratio of 4x the input; measured again (up to three times) when above the bound, since noise only raises it. */
  const ratio4x = (small: string, large: string): number => {
    time(small); // warm up
    let lowest = Infinity;
    for (let attempt = 0; attempt < 3 && lowest >= BOUND; attempt++) lowest = Math.min(lowest, time(large) / Math.max(time(small), 0.05));
    return lowest;
  };
  const hostile: Array<[string, (n: number) => string]> = [
    ["a long run of 'a-'", (n) => `${"a-".repeat(n / 2)} token`],
    ["base64", (n) => randomBytes(n).toString("base64").slice(0, n)],
    ["base64 of text", (n) => Buffer.from("password=hunter2 ".repeat(n / 20)).toString("base64").slice(0, n)],
    ["dotted numbers", (n) => Array.from({ length: n / 4 }, (_, i) => i % 1000).join(".").slice(0, n)],
    ["nested brackets after a sensitive name", (n) => `password: ${"[".repeat(n / 2)}${"]".repeat(n / 2)}`],
    ["repeated assignments", (n) => "password=".repeat(n / 9)],
    ["repeated PEM headers", (n) => "-----BEGIN A-----".repeat(n / 17)],
    ["repeated URL schemes", (n) => "a://".repeat(n / 4)],
    ["repeated percent escapes", (n) => "%41 ".repeat(n / 4)],
    ["repeated sensitive words", (n) => "token ".repeat(n / 6)],
  ];
  it.each(hostile)("%s: twice the input takes about twice the time", (_kind, make) => {
    expect(ratio4x(make(50_000), make(200_000))).toBeLessThan(BOUND);
  });

  it("a property: any mix of hostile fragments, repeated, scales linearly", () => {
    const fragments = fc.constantFrom("a-", "a", "-", "=", ":", "%4", "%41", "token ", "password=", "key: ", "://", "@", "/", "\\", "\"", "'", "[", "{", "]", "AKIA", "ghp_", "eyJ", ".", "1.", "-----BEGIN X-----", "\n", " ", "C:\\Users\\", "/home/", "sk-", "QUFB");
    fc.assert(
      fc.property(fc.array(fragments, { minLength: 1, maxLength: 6 }), (parts) => {
        const unit = parts.join("");
        const small = unit.repeat(Math.ceil(25_000 / unit.length));
        const large = unit.repeat(Math.ceil(100_000 / unit.length));
        return ratio4x(small, large) < BOUND;
      }),
      { numRuns: 15 },
    );
  });
});
