/**
 * Prefilled "new report" URLs, for every backend: each part percent-encoded (a `&` or `#` in a title cannot
 * cut the URL), and the whole within `maxLength` by cutting the middle of the caller's text (the report's
 * identifier and metadata stay whole).
 */
import { renderIssueBody, type ReportDocument, type RenderedBody } from "../format/report-format.js";

/** Browsers and the services' front ends handle URLs up to about this length; longer ones fail or get cut. */
export const MAX_URL_LENGTH = 8192;

export interface PrefilledUrl extends RenderedBody {
  url: string;
}

/**
 * `page?<before…>&<bodyKey>=<body><after…>`, the body rendered to fit.
 * @example buildPrefilledUrl("https://gitlab.com/g/p/-/issues/new", [["issue[title]", t]], "issue[description]", doc)
 */
export function buildPrefilledUrl(
  page: string,
  before: ReadonlyArray<readonly [string, string]>,
  bodyKey: string,
  doc: ReportDocument,
  after: ReadonlyArray<readonly [string, string]> = [],
  maxLength = MAX_URL_LENGTH,
): PrefilledUrl {
  const part = ([k, v]: readonly [string, string]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
  const head = `${page}?${before.map(part).join("&")}`;
  const bodyPrefix = `${before.length > 0 ? "&" : ""}${encodeURIComponent(bodyKey)}=`;
  const tail = after.map((p) => `&${part(p)}`).join("");
  const fixed = head.length + bodyPrefix.length + tail.length;
  const rendered = renderIssueBody(doc, { limit: maxLength - fixed, measure: (body) => encodedLength(body) });
  return { ...rendered, url: `${head}${bodyPrefix}${encodeURIComponent(rendered.body)}${tail}` };
}

/** Length of `encodeURIComponent(s)` without building it (the body may be a megabyte). */
function encodedLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (
      (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
      c === 0x2d || c === 0x5f || c === 0x2e || c === 0x21 || c === 0x7e || c === 0x2a || c === 0x27 ||
      c === 0x28 || c === 0x29
    ) n += 1;
    else if (c < 0x80) n += 3;
    else if (c < 0x800) n += 6;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 12;
      i += 1;
    } else n += 9;
  }
  return n;
}
