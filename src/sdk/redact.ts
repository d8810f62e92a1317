import { nodeOs } from "../_builtins.js";

/**
 * Scrubs secrets and personal paths out of text before it is sent, printed or put in a URL.
 * Every string bugbeacon builds a report from passes through one redactor.
 */
export type Redactor = (text: string) => string;

export const REDACTED = "[REDACTED]";

interface Rule {
  /** What it catches, for documentation and tests. */
  kind: string;
  /** Lower-case substrings one of which must be in the text for the rule to apply: a cheap pre-check. */
  hints: readonly string[];
  pattern: RegExp;
  replace: string | ((substring: string, ...groups: string[]) => string);
}

const ASSIGNMENT_NAMES =
  "(?:[A-Za-z0-9_.-]*?(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key|client[_-]?secret|credentials?))";

/** Built-in rules, most specific first. Exported for documentation and tests. */
export const BUILTIN_RULES: readonly Rule[] = Object.freeze([
  {
    kind: "PEM private key block",
    hints: ["private key"],
    pattern: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: `-----BEGIN PRIVATE KEY----- ${REDACTED} -----END PRIVATE KEY-----`,
  },
  {
    kind: "password in URL",
    hints: ["://"],
    pattern: /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s:@/?#]+):([^\s@/?#]+)@/gi,
    replace: (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`,
  },
  {
    kind: "Authorization header",
    hints: ["authorization"],
    pattern: /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|token|digest)\s+)?[^\s"',;]+/gi,
    replace: (_m, prefix: string, scheme: string | undefined) => `${prefix}${scheme ? `${scheme} ` : ""}${REDACTED}`,
  },
  {
    kind: "Bearer token",
    hints: ["bearer"],
    pattern: /\b(bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi,
    replace: (_m, word: string) => `${word} ${REDACTED}`,
  },
  { kind: "GitHub token",
    hints: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], pattern: /\bgh[pousr]_[A-Za-z0-9]{20,255}\b/g, replace: REDACTED },
  { kind: "GitHub fine-grained token",
    hints: ["github_pat_"], pattern: /\bgithub_pat_[A-Za-z0-9_]{20,255}\b/g, replace: REDACTED },
  { kind: "npm token",
    hints: ["npm_"], pattern: /\bnpm_[A-Za-z0-9]{36}\b/g, replace: REDACTED },
  {
    kind: "AWS access key id",
    hints: ["akia", "asia", "agpa", "aida", "aroa", "aipa", "anpa", "anva", "abia", "acca"],
    pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
    replace: REDACTED,
  },
  {
    kind: "AWS secret access key",
    hints: ["secret"],
    pattern: /\b(aws_?secret(?:_?access)?_?key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}/gi,
    replace: (_m, prefix: string) => `${prefix}${REDACTED}`,
  },
  { kind: "Slack token",
    hints: ["xox"], pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,}\b/g, replace: REDACTED },
  {
    kind: "Slack webhook",
    hints: ["hooks.slack.com"],
    pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g,
    replace: `https://hooks.slack.com/services/${REDACTED}`,
  },
  { kind: "Stripe key",
    hints: ["_live_", "_test_"], pattern: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}\b/g, replace: REDACTED },
  {
    kind: "JSON Web Token",
    hints: ["eyj"],
    pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g,
    replace: REDACTED,
  },
  {
    kind: "secret assignment",
    hints: ["pass", "secret", "token", "key", "credential"],
    // A value another rule already replaced is left alone.
    pattern: new RegExp(`\\b(${ASSIGNMENT_NAMES}["']?\\s*[=:]\\s*)(?!["']?\\[REDACTED\\])("[^"\\n]*"|'[^'\\n]*'|[^\\s,;&"'}\\])]+)`, "gi"),
    replace: (_m, prefix: string, value: string) =>
      value.startsWith('"') ? `${prefix}"${REDACTED}"` : value.startsWith("'") ? `${prefix}'${REDACTED}'` : `${prefix}${REDACTED}`,
  },
]);

/** Names too common to replace wherever they appear as a word ("root cause", "node"). */
const COMMON_USER_NAMES = new Set(["root", "user", "admin", "node", "runner", "app", "ubuntu", "debian", "test"]);

export interface RedactorOptions {
  /** Extra patterns; every match is replaced by `[REDACTED]`. Strings are matched literally. */
  patterns?: ReadonlyArray<RegExp | string>;
  /** Home directory to replace by `~`. @default os.homedir() */
  home?: string;
  /** User name to replace by `<user>`. @default os.userInfo().username */
  username?: string;
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const home = options.home ?? safe(() => nodeOs().homedir());
  const username = options.username ?? safe(() => nodeOs().userInfo().username);
  const extra = (options.patterns ?? []).map((p) =>
    typeof p === "string" ? new RegExp(escapeRegExp(p), "g") : p.global ? p : new RegExp(p.source, `${p.flags}g`),
  );
  const homeForms = home !== undefined && home.length > 1 ? homeVariants(home) : [];
  const userWord =
    username !== undefined && username.length >= 3 && !COMMON_USER_NAMES.has(username.toLowerCase())
      ? new RegExp(`(?<![A-Za-z0-9_.-])${escapeRegExp(username)}(?![A-Za-z0-9_-])`, "g")
      : undefined;

  return (input: string): string => {
    if (typeof input !== "string" || input.length === 0) return input;
    let text = input;
    const lower = input.toLowerCase();
    for (const rule of BUILTIN_RULES) {
      if (!rule.hints.some((h) => lower.includes(h))) continue;
      rule.pattern.lastIndex = 0;
      text = text.replace(rule.pattern, rule.replace as (s: string, ...a: string[]) => string);
    }
    for (const pattern of extra) {
      pattern.lastIndex = 0;
      text = text.replace(pattern, REDACTED);
    }
    for (const form of homeForms) text = text.split(form).join("~");
    // Other people's home folders (a path from a shared machine, a Windows stack line).
    text = text.replace(/(^|[\s("'=:`[]|file:\/\/)(\/home|\/Users)\/[^/\s"'`)\]]+/g, "$1$2/<user>");
    text = text.replace(/\b([A-Za-z]:\\Users\\)[^\\\s"'`)\]]+/gi, "$1<user>");
    if (userWord !== undefined) text = text.replace(userWord, "<user>");
    return text;
  };
}

/** The forms a home path takes in text: as is, with the other slash, and as a file URL. */
function homeVariants(home: string): string[] {
  const forms = new Set<string>([home, home.replace(/\\/g, "/"), home.replace(/\//g, "\\")]);
  for (const f of [...forms]) forms.add(`file://${f.startsWith("/") ? "" : "/"}${f.replace(/\\/g, "/")}`);
  // Longest first, so a file URL is replaced whole before the bare path inside it.
  return [...forms].sort((a, b) => b.length - a.length);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
