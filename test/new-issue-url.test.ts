import { describe, expect, it } from "vitest";
import { parseIssueBody, type ReportMetadata } from "../src/format/report-format.js";
import { MAX_URL_LENGTH, buildNewIssueUrl } from "../src/backends/github/new-issue-url.js";

const metadata: ReportMetadata = {
  schema: 1,
  identifier: "md5.5fddcd18252717a7a11c494d24b16d4e",
  reportId: "r-1",
  createdAt: "2026-11-22T10:00:00.000Z",
  kind: "manual",
  platform: { node: "v20.20.2", os: "linux", osRelease: "6.1.0", arch: "x64" },
  bugbeacon: "0.1.0",
  environment: { SHELL: "/bin/bash" },
};
const repo = { owner: "octo-org", name: "the.app" };

function decode(url: string) {
  const parsed = new URL(url);
  return {
    path: parsed.pathname,
    title: parsed.searchParams.get("title"),
    body: parsed.searchParams.get("body") ?? "",
    labels: parsed.searchParams.get("labels"),
    keys: [...parsed.searchParams.keys()],
  };
}

describe("buildNewIssueUrl", () => {
  it("percent-encodes every part: & and # in a title do not cut the URL", () => {
    const title = "Crash & burn #42 ? = + % 🐛";
    const { url } = buildNewIssueUrl("https://github.com", repo, title, { text: "a & b # c", metadata });
    const d = decode(url);
    expect(d.path).toBe("/octo-org/the.app/issues/new");
    expect(d.keys).toEqual(["title", "body"]);
    expect(d.title).toBe(title);
    expect(d.body.startsWith("a & b # c\n\n### Environment")).toBe(true);
    expect(parseIssueBody(d.body)?.metadata).toEqual(metadata);
  });

  it("adds labels only when given", () => {
    const without = decode(buildNewIssueUrl("https://github.com", repo, "t", { text: "", metadata }).url);
    expect(without.labels).toBeNull();
    const withLabels = decode(buildNewIssueUrl("https://github.com", repo, "t", { text: "", metadata }, ["bug", "crash report"]).url);
    expect(withLabels.labels).toBe("bug,crash report");
  });

  it.each([
    ["ascii", "x"],
    ["three-byte characters", "日"],
    ["emoji", "🐛"],
    ["characters that encode as %XX", "&"],
  ])("stays within 8192 characters for a 1 MB body of %s, keeping head, tail and metadata", (_name, unit) => {
    const text = `START ${unit.repeat(Math.floor(1_000_000 / unit.length))} END`;
    const result = buildNewIssueUrl("https://github.com", repo, "A title", { text, metadata });
    expect(result.url.length).toBeLessThanOrEqual(MAX_URL_LENGTH);
    expect(result.url.length).toBeGreaterThan(MAX_URL_LENGTH - 200);
    expect(result.cutCharacters).toBeGreaterThan(0);
    const d = decode(result.url);
    expect(d.body.startsWith("START ")).toBe(true);
    expect(d.body).toContain(" END\n\n### Environment");
    expect(d.body).toContain("characters cut by bugbeacon");
    expect(parseIssueBody(d.body)?.metadata).toEqual(metadata);
  });

  it("uses the GitHub Enterprise web root", () => {
    const { url } = buildNewIssueUrl("https://ghe.example.com/", repo, "t", { text: "", metadata });
    expect(url.startsWith("https://ghe.example.com/octo-org/the.app/issues/new?title=t&body=")).toBe(true);
  });
});
