/**
 * What the triage bot writes into comments, and how it recognises what it wrote before.
 *
 * - `neutralise`: untrusted text (report fields, values filled into a rule's template) becomes an inline
 *   code span with no backtick, line break or control character inside, so it can produce no mention,
 *   link, image, HTML or markdown structure. Only the bot's own fixed wording is markdown.
 * - `botMarker`: every bot comment ends with a hidden HTML comment naming what it is, for which issue and
 *   which identifier. Before posting, triage looks for the marker in the bot's own comments; a rerun finds it
 *   and posts nothing. Only comments written by a bot account count: a reporter cannot paste a marker to
 *   silence the bot.
 */
import { wellFormed } from "../format/report-format.js";

/** Untrusted text as an inline code span, at most `max` characters inside. */
export function neutralise(value: unknown, max = 64): string {
  const text = wellFormed(typeof value === "string" ? value : String(value))
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, " ")
    .replace(/`+/g, "'")
    .trim();
  const cut = text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
  return cut === "" ? "`-`" : `\`${cut}\``;
}

export interface MarkerFields {
  /** `duplicate`, `seen-again`, `rule:<id>` or `identifier-changed`. */
  what: string;
  /** The issue the comment is posted on. */
  issue: number;
  identifier: string;
  /** The other issue the comment is about (the duplicate a "seen again" mentions), if any. */
  about?: number;
}

/** The hidden marker that ends a bot comment. Every field is a safe token: no `-->` can appear. */
export function botMarker(m: MarkerFields): string {
  const fields = [`what=${m.what}`, `issue=${m.issue}`, `identifier=${m.identifier}`];
  if (m.about !== undefined) fields.push(`about=${m.about}`);
  for (const f of fields) if (!/^[a-z]+=[A-Za-z0-9._:-]+$/.test(f)) throw new Error(`unsafe marker field ${JSON.stringify(f)}`);
  return `<!-- bugbeacon:bot v1 ${fields.join(" ")} -->`;
}

/** A comment body with its marker. */
export function withMarker(body: string, marker: string): string {
  return `${body}\n\n${marker}`;
}

/** True for a comment author whose markers count: a GitHub App or Actions bot, or the configured login. */
export function isTrustedAuthor(user: { login?: string; type?: string } | null | undefined, botLogin?: string): boolean {
  if (user === null || user === undefined) return false;
  if (user.type === "Bot") return true;
  // `[` and `]` cannot appear in a person's login: only bot accounts end in `[bot]`.
  if (typeof user.login === "string" && /\[bot\]$/.test(user.login)) return true;
  return botLogin !== undefined && botLogin !== "" && user.login?.toLowerCase() === botLogin.toLowerCase();
}
