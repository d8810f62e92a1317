import { renderIssueBody, type ReportDocument, type RenderedBody } from "../../format/report-format.js";
import type { RepoRef } from "./repo.js";

/** Browsers and GitHub's front end handle URLs up to about this length; longer ones fail or get cut. */
export const MAX_URL_LENGTH = 8192;

export interface NewIssueUrl extends RenderedBody {
  url: string;
}

/**
 * The prefilled "new issue" URL. Every part is percent-encoded, so a `&` or `#` in a title cannot cut the
 * URL, and the whole URL stays within `MAX_URL_LENGTH` by cutting the middle of the caller's text.
 */
export function buildNewIssueUrl(
  webUrl: string,
  repo: RepoRef,
  title: string,
  doc: ReportDocument,
  labels: readonly string[] = [],
  maxLength = MAX_URL_LENGTH,
): NewIssueUrl {
  const base = `${webUrl.replace(/\/+$/, "")}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}/issues/new`;
  const head = `${base}?title=${encodeURIComponent(title)}`;
  const labelPart = labels.length > 0 ? `&labels=${encodeURIComponent(labels.join(","))}` : "";
  const fixed = head.length + "&body=".length + labelPart.length;
  const rendered = renderIssueBody(doc, {
    limit: maxLength - fixed,
    measure: (body) => encodedLength(body),
  });
  return { ...rendered, url: `${head}&body=${encodeURIComponent(rendered.body)}${labelPart}` };
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
