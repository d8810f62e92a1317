/**
 * Tokens with a known prefix: one regular expression made only of literal alternatives finds the
 * prefixes (constant work per position), then a plain loop extends each over its character set.
 */
import { ALNUM, ALNUM_, ALNUM_DASH, ALNUM_DOT_DASH, BASE64_STD, HEX, UPPER_DIGIT, WEBHOOK_PATH, inClass, withChars, isLineBreak, looksRandom, type CharClass } from "./chars.js";
import type { Spans } from "./spans.js";

export interface TokenKind {
  /** What it is, for documentation. */
  kind: string;
  prefixes: readonly string[];
  /** Characters after the prefix. */
  chars: CharClass;
  /** Fewest characters after the prefix. */
  min: number;
  /** Usual total length: a shorter token followed by a line break continues on the next line. */
  full?: number;
  /** Keep the prefix visible (webhook URLs): only what follows is replaced. */
  keepPrefix?: boolean;
  /** Must contain this character after the prefix (the dots of a JWT). */
  needs?: string;
}

export const TOKEN_KINDS: readonly TokenKind[] = Object.freeze([
  { kind: "GitHub token", prefixes: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], chars: ALNUM_, min: 20, full: 40 },
  { kind: "GitHub fine-grained token", prefixes: ["github_pat_"], chars: ALNUM_, min: 20, full: 93 },
  { kind: "npm token", prefixes: ["npm_"], chars: ALNUM, min: 30, full: 40 },
  {
    kind: "AWS access key id",
    prefixes: ["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ABIA", "ACCA", "A3T"],
    chars: UPPER_DIGIT,
    min: 16,
    full: 20,
  },
  { kind: "Slack token", prefixes: ["xoxb-", "xoxa-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe-", "xoxe.", "xapp-"], chars: ALNUM_DASH, min: 10 },
  { kind: "Stripe key", prefixes: ["sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_", "whsec_"], chars: ALNUM, min: 10 },
  { kind: "SendGrid key", prefixes: ["SG."], chars: ALNUM_DOT_DASH, min: 30, full: 69 },
  { kind: "OpenAI or Anthropic key", prefixes: ["sk-proj-", "sk-svcacct-", "sk-admin-", "sk-ant-", "sk-"], chars: ALNUM_DASH, min: 20 },
  { kind: "Hugging Face token", prefixes: ["hf_"], chars: ALNUM, min: 30, full: 37 },
  { kind: "GitLab token", prefixes: ["glpat-", "gldt-", "glptt-", "glrt-", "glcbt-", "GR1348941"], chars: ALNUM_DASH, min: 20 },
  { kind: "Groq key", prefixes: ["gsk_"], chars: ALNUM, min: 40 },
  { kind: "Linear key", prefixes: ["lin_api_"], chars: ALNUM_, min: 32 },
  { kind: "Notion token", prefixes: ["ntn_"], chars: ALNUM, min: 40 },
  { kind: "Shopify token", prefixes: ["shpat_", "shpca_", "shppa_", "shpss_"], chars: ALNUM, min: 32 },
  { kind: "Vercel token", prefixes: ["vcp_", "vci_", "vca_", "vcr_", "vck_"], chars: ALNUM, min: 20 },
  { kind: "Databricks token", prefixes: ["dapi"], chars: HEX, min: 32 },
  { kind: "Docker Hub token", prefixes: ["dckr_pat_"], chars: ALNUM_DASH, min: 20 },
  { kind: "Figma token", prefixes: ["figd_"], chars: ALNUM_DASH, min: 30 },
  { kind: "Grafana token", prefixes: ["glc_", "glsa_"], chars: withChars(BASE64_STD, "_"), min: 32 },
  { kind: "1Password token", prefixes: ["ops_ey"], chars: BASE64_STD, min: 50 },
  { kind: "HashiCorp Vault token", prefixes: ["hvs.", "hvb.", "hvr."], chars: ALNUM_DASH, min: 24 },
  { kind: "Google API key", prefixes: ["AIza"], chars: ALNUM_DASH, min: 30, full: 39 },
  { kind: "Google OAuth token", prefixes: ["ya29."], chars: ALNUM_DOT_DASH, min: 20 },
  { kind: "DigitalOcean token", prefixes: ["dop_v1_", "doo_v1_", "dor_v1_"], chars: HEX, min: 40 },
  { kind: "PyPI token", prefixes: ["pypi-AgE"], chars: ALNUM_DASH, min: 40 },
  { kind: "Postman key", prefixes: ["PMAK-"], chars: ALNUM_DASH, min: 30 },
  { kind: "Atlassian token", prefixes: ["ATATT3"], chars: ALNUM_DASH, min: 40 },
  { kind: "Heroku key", prefixes: ["HRKU-"], chars: ALNUM_DASH, min: 30 },
  { kind: "Square token", prefixes: ["sq0atp-", "sq0csp-", "EAAA"], chars: ALNUM_DASH, min: 22 },
  { kind: "Mailgun key", prefixes: ["key-"], chars: HEX, min: 32 },
  { kind: "Twilio key SID", prefixes: ["SK"], chars: HEX, min: 32, full: 34 },
  { kind: "Doppler token", prefixes: ["dp.pt.", "dp.st.", "dp.sa."], chars: ALNUM, min: 40 },
  { kind: "JSON Web Token", prefixes: ["eyJ"], chars: ALNUM_DOT_DASH, min: 20, needs: "." },
  { kind: "Slack webhook", prefixes: ["hooks.slack.com/services/"], chars: WEBHOOK_PATH, min: 8, keepPrefix: true },
  { kind: "Discord webhook", prefixes: ["discord.com/api/webhooks/", "discordapp.com/api/webhooks/"], chars: WEBHOOK_PATH, min: 8, keepPrefix: true },
  { kind: "Microsoft Teams webhook", prefixes: [".webhook.office.com/webhookb2/"], chars: withChars(WEBHOOK_PATH, "@"), min: 8, keepPrefix: true },
]);

const byPrefix = new Map<string, TokenKind>();
for (const kind of TOKEN_KINDS) for (const p of kind.prefixes) byPrefix.set(p, kind);

/** Literal alternatives only, longest first; the lookbehind is a single character. */
const PREFIX_FINDER = new RegExp(
  `(?<![A-Za-z0-9])(?:${[...byPrefix.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|")})`,
  "g",
);

export function findPrefixedTokens(text: string, out: Spans): void {
  const finder = new RegExp(PREFIX_FINDER.source, "g");
  let match: RegExpExecArray | null;
  while ((match = finder.exec(text)) !== null) {
    const prefix = match[0];
    const kind = byPrefix.get(prefix);
    const start = match.index;
    if (kind === undefined) continue;
    const end = extend(text, start + prefix.length, kind, start);
    const body = end - start - prefix.length;
    if (body >= kind.min && (kind.needs === undefined || text.slice(start + prefix.length, end).includes(kind.needs))) {
      out.add(kind.keepPrefix === true ? start + prefix.length : start, end);
    }
    finder.lastIndex = Math.max(end, start + 1);
  }
}

/**
 * End of a token whose body starts at `from`. A token cut short by a line break (a wrapped log line)
 * continues on the next line when it is shorter than its kind's usual length, or when the next line
 * starts with more of the same random-looking characters.
 */
function extend(text: string, from: number, kind: TokenKind, start: number): number {
  let end = from;
  for (let breaks = 0; breaks < 4; breaks++) {
    while (end < text.length && inClass(kind.chars, text.charCodeAt(end))) end++;
    const next = afterLineBreak(text, end);
    if (next === undefined) return end;
    const nextEnd = runOf(text, next, kind.chars);
    if (nextEnd === next || !isRunEnd(text, nextEnd)) return end;
    const short = kind.full !== undefined ? end - start < kind.full : looksRandom(text.slice(next, nextEnd), 8);
    if (!short) return end;
    end = next;
  }
  return end;
}

/** Index just after a line break at `at` (LF, CRLF, or an escaped `\n` inside a JSON string). */
export function afterLineBreak(text: string, at: number): number | undefined {
  const c = text.charCodeAt(at);
  if (c === 13 && text.charCodeAt(at + 1) === 10) return at + 2;
  if (isLineBreak(c)) return at + 1;
  if (c === 92 && (text[at + 1] === "n" || text[at + 1] === "r")) {
    return text[at + 1] === "r" && text[at + 2] === "\\" && text[at + 3] === "n" ? at + 4 : at + 2;
  }
  return undefined;
}

function runOf(text: string, from: number, chars: CharClass): number {
  let i = from;
  while (i < text.length && i - from < 512 && inClass(chars, text.charCodeAt(i))) i++;
  return i;
}

/** The next line's run is a whole word of its own, not the start of `at foo (...)` or prose. */
function isRunEnd(text: string, at: number): boolean {
  if (at >= text.length) return true;
  const c = text.charCodeAt(at);
  return c === 32 || c === 9 || isLineBreak(c) || c === 34 || c === 39 || c === 92 || c === 44 || c === 59 || c === 41 || c === 125 || c === 93 || c === 38;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
