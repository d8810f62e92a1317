import { describe, expect, it } from "vitest";
import { REDACTED, createRedactor } from "../src/sdk/redact.js";

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
  ["PEM private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----", `-----BEGIN RSA PRIVATE KEY----- ${R} -----END RSA PRIVATE KEY-----`],
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
