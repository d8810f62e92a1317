/**
 * The relay writes the issue itself, from data: redacted again with the SDK's redactor, rendered with the
 * format module, and with everything a client chose neutralised, so the relay cannot be used to post
 * arbitrary content under the App's name:
 * - the text (error, stack, breadcrumbs, the reporter's words) goes in a fenced code block whose fence is
 *   longer than any run of backticks in it: inside it nothing renders (no mention, image, HTML or link);
 * - short values (title, versions, platform, environment values) get a word joiner (U+2060) after `@`, `#`
 *   and in `://`, `www.`, `![` and `](`, so no mention, reference, image or link forms; `<` and `>` become
 *   `‹` and `›` (no HTML); in tables and messages markdown punctuation is escaped too;
 * - bidirectional overrides are dropped everywhere (they can make text read other than it is).
 */
import { fitTitle, renderIssueBody, type ReportMetadata } from "../../format/report-format.js";
import { createRedactor, type Redactor } from "../../sdk/redact.js";
import type { RelayReport } from "./report.js";

const WJ = "\u2060";
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/g;

let shared: Redactor | undefined;
/** The SDK's redactor, as is; the relay's own home folder and user name are not the reporter's. */
export function relayRedactor(): Redactor {
  shared ??= createRedactor({ home: "/nonexistent-relay-home", username: "nonexistent-relay-user" });
  return shared;
}

/** Breaks mentions, references and autolinks in a short value; markdown punctuation escaped. */
export function plain(value: string): string {
  return inline(value).replace(/[\\`*_[\]<>|!~]/g, (c) => `\\${c}`);
}

/** Breaks mentions, references and autolinks (no escaping: for titles, where GitHub renders no markdown links). */
export function inline(value: string): string {
  return value
    .replace(BIDI, "")
    .replace(/[\r\n\t]+/g, " ")
    .replace(/@/g, `@${WJ}`)
    .replace(/#/g, `#${WJ}`)
    .replace(/:\/\//g, `:${WJ}//`)
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}${WJ}.`)
    .replace(/!\[/g, `!${WJ}[`)
    .replace(/\]\(/g, `]${WJ}(`)
    .replace(/</g, "‹")
    .replace(/>/g, "›");
}

/** The text in a fenced block nothing can close early. */
export function fenced(text: string): string {
  const clean = text.replace(BIDI, "").replace(/\r\n?/g, "\n").trimEnd();
  if (clean.trim() === "") return "";
  let longest = 0;
  for (const run of clean.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}text\n${clean}\n${fence}`;
}

function neutralMetadata(m: ReportMetadata, redact: Redactor): ReportMetadata {
  const v = (s: string) => inline(redact(s));
  const out: ReportMetadata = {
    ...m,
    platform: { node: v(m.platform.node), os: v(m.platform.os), osRelease: v(m.platform.osRelease), arch: v(m.platform.arch) },
    bugbeacon: v(m.bugbeacon),
    environment: Object.fromEntries(Object.entries(m.environment).map(([k, x]) => [k, v(x)])),
  };
  if (m.app !== undefined) {
    out.app = {};
    if (m.app.name !== undefined) out.app.name = v(m.app.name);
    if (m.app.version !== undefined) out.app.version = v(m.app.version);
  }
  delete out.labels;
  return out;
}

/** Title and body of the issue the relay opens for `report`. */
export function renderRelayIssue(report: RelayReport, redact: Redactor = relayRedactor()): { title: string; body: string } {
  const text = fenced(redact(report.text));
  const intro = "_Sent through the bugbeacon relay: the report's text is shown as the app sent it, as plain text._";
  const body = renderIssueBody({ text: text === "" ? intro : `${intro}\n\n${text}`, metadata: neutralMetadata(report.metadata, redact) }).body;
  return { title: fitTitle(inline(redact(report.title))), body };
}
