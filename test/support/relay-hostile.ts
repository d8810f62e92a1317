/**
 * Random and adversarial bodies for POST /v1/reports, each with the answer the relay documents for it
 * (docs/relay.md): oversized, gzip bombs, deep JSON, bad UTF-8, random bytes, wrong shapes, forged
 * identifiers, another repository, unknown encodings; and valid reports carrying markdown injection,
 * mentions, links, images and HTML in every free field (accepted, and neutralised before they reach GitHub).
 */
import { gzipSync } from "node:zlib";
import { wireReport } from "./relay-harness.js";
import { mulberry32 } from "./fake-github/faults.js";

export interface Hostile {
  kind: string;
  body: Buffer;
  headers: Record<string, string>;
  expect: number;
}

const INJECT = [
  "@octocat @everyone please look",
  "[click](https://evil.example/phish) and https://evil.example and www.evil.example",
  "![tracker](https://evil.example/pixel.png)",
  "<img src=x onerror=alert(1)><script>alert(1)</script><details open>",
  "```\n@admin\n```\n<b>escaped the fence?</b> https://evil.example",
  "octo/other#1 #2 GH-3",
  "\u202eevil\u202c text with a right-to-left override",
  "<!-- bugbeacon:report v1\n{\"schema\":1} -->",
  "javascript:alert(1) mailto:someone@example.com",
];

export function hostileBodies(repo: string, otherRepo: string, n: number, seed = 1): Hostile[] {
  const r = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const ct = { "content-type": "application/json" };
  const out: Hostile[] = [];
  for (let i = 0; i < n; i++) {
    const base = wireReport(repo, { identifier: `md5.${(i % 4).toString(16).repeat(32)}`, reportId: `hostile-${seed}-${i}` });
    const m = base.metadata as Record<string, unknown>;
    switch (i % 14) {
      case 0:
        out.push({ kind: "oversized", body: Buffer.alloc(64 * 1024 + 1 + Math.floor(r() * 100_000), 0x20), headers: ct, expect: 413 });
        break;
      case 1:
        out.push({ kind: "gzip bomb", body: gzipSync(Buffer.alloc(300_000 + Math.floor(r() * 1e6), 0x5b)), headers: { ...ct, "content-encoding": "gzip" }, expect: 413 });
        break;
      case 2: {
        const d = 7 + Math.floor(r() * 20_000);
        out.push({ kind: "deep JSON", body: Buffer.from(`${"[".repeat(d)}${"]".repeat(d)}`), headers: ct, expect: 400 });
        break;
      }
      case 3: {
        const b = json(base);
        b[Math.floor(r() * b.length)] = pick([0xff, 0xc0, 0xed, 0x80]);
        out.push({ kind: "bad UTF-8", body: b, headers: ct, expect: 400 });
        break;
      }
      case 4:
        out.push({ kind: "random bytes", body: Buffer.from(Array.from({ length: 1 + Math.floor(r() * 2000) }, () => Math.floor(r() * 256))), headers: ct, expect: 400 });
        break;
      case 5: {
        const field = pick(["schema", "repo", "reportId", "install", "title", "metadata"]);
        const v = { ...base, [field]: pick([null, 7, [], {}, true, "", "x".repeat(5000)]) };
        out.push({ kind: `bad ${field}`, body: json(v), headers: ct, expect: 400 });
        break;
      }
      case 6: {
        const ident = pick(["../../etc/passwd", "CON", "nul.txt", "a".repeat(200), "md5.", "x..y", "has space", "trail.", "", "<script>"]);
        out.push({ kind: "forged identifier", body: json({ ...base, metadata: { ...m, identifier: ident } }), headers: ct, expect: 400 });
        break;
      }
      case 7:
        out.push({ kind: "another repository", body: json({ ...base, repo: otherRepo }), headers: ct, expect: 403 });
        break;
      case 8:
        out.push({ kind: "unknown encoding", body: json(base), headers: { ...ct, "content-encoding": pick(["br", "deflate", "zstd", "gzip, gzip"]) }, expect: 415 });
        break;
      case 9:
        out.push({ kind: "content type", body: json(base), headers: { "content-type": pick(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) }, expect: 415 });
        break;
      case 10: {
        const env = { [pick(["A`B", "1X", "__proto__x y", "PATH\n"])]: "v" };
        out.push({ kind: "bad environment name", body: json({ ...base, metadata: { ...m, environment: env } }), headers: ct, expect: 400 });
        break;
      }
      case 11:
        out.push({ kind: "control characters", body: json({ ...base, text: `line\u0000${pick(INJECT)}\u001b[31m` }), headers: ct, expect: 400 });
        break;
      default: {
        // Valid reports with injection in every free field: accepted (202) and neutralised.
        const v = wireReport(repo, {
          identifier: `md5.${(i % 4).toString(16).repeat(32)}`,
          reportId: `hostile-${seed}-${i}`,
          title: pick(INJECT).slice(0, 200),
          text: Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(INJECT)).join("\n"),
          version: pick(INJECT).slice(0, 60),
          os: pick(INJECT).replace(/\n/g, " ").slice(0, 40),
        });
        (v.metadata as { environment: Record<string, string> }).environment = { NODE_ENV: pick(INJECT).slice(0, 200) };
        const gz = r() < 0.3;
        out.push({ kind: "injection (valid)", body: gz ? gzipSync(json(v)) : json(v), headers: gz ? { ...ct, "content-encoding": "gzip" } : ct, expect: 202 });
      }
    }
  }
  return out;
}

/** What of an issue's text GitHub would render: HTML comments and fenced blocks removed, escapes applied. */
export function renderedOutsideFences(markdown: string): string {
  return markdown
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, "")
    .replace(/\\[\\`*_[\]<>|!~]/g, "");
}

/** Problems a rendered text shows: a mention, a link or autolink, an image, raw HTML. */
export function renderProblems(text: string): string[] {
  const problems: string[] = [];
  if (/(^|[^\w`])@[A-Za-z0-9]/.test(text)) problems.push("mention");
  if (/[a-z]+:\/\//i.test(text) || /\bwww\.[a-z]/i.test(text)) problems.push("link");
  if (/!\[/.test(text)) problems.push("image");
  if (/<[a-z!/]/i.test(text)) problems.push("html");
  if (/\]\(/.test(text)) problems.push("markdown link");
  if (/[\u202a-\u202e\u2066-\u2069]/.test(text)) problems.push("bidi override");
  return problems;
}
