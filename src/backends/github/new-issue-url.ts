import type { ReportDocument } from "../../format/report-format.js";
import { buildPrefilledUrl, MAX_URL_LENGTH, type PrefilledUrl } from "../prefilled-url.js";
import type { RepoRef } from "./repo.js";

export { MAX_URL_LENGTH };
export type NewIssueUrl = PrefilledUrl;

/** GitHub's prefilled "new issue" page: `/owner/name/issues/new?title=…&body=…[&labels=…]`. */
export function buildNewIssueUrl(
  webUrl: string,
  repo: RepoRef,
  title: string,
  doc: ReportDocument,
  labels: readonly string[] = [],
  maxLength = MAX_URL_LENGTH,
): NewIssueUrl {
  const page = `${webUrl.replace(/\/+$/, "")}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}/issues/new`;
  return buildPrefilledUrl(page, [["title", title]], "body", doc, labels.length > 0 ? [["labels", labels.join(",")]] : [], maxLength);
}
