import { describe, expect, it } from "vitest";
import { InvalidOptionError, InvalidRepoError, MissingTokenError, UnknownBackendError, getHelper, hashIdentifier } from "../src/index.js";
import { parseIssueBody } from "../src/format.js";
import { GITHUB_BODY_LIMIT } from "../src/format/report-format.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { tempDir } from "./support/temp.js";

const TOKEN = "ghp_faketokenfaketokenfaketokenfake1234";
const OTHER = "ghp_othertokenothertokenothertoken5678";
const fake = useFakeGitHub({ repos: ["octo/app"], tokens: [TOKEN, OTHER] });

/** A helper wired to the fake, with an environment that holds only what the test gives it. */
function helper(env: NodeJS.ProcessEnv = {}, options: Parameters<typeof getHelper<"github">>[1] = {}) {
  return getHelper("github", { baseUrl: fake.url, confirm: false, open: false, quiet: true, retryAfterBaseMs: 10, spoolDir: tempDir("bugbeacon-spool-"), env, ...options });
}

const creates = () => fake.requests.filter((r) => r.method === "POST" && r.path === "/repos/octo/app/issues");

describe("runHeadless with a token", () => {
  it("creates the issue through the API and resolves its number and URL", async () => {
    const result = await helper({ BUGBEACON_GITHUB_TOKEN: TOKEN, SHELL: "/bin/zsh" }).runHeadless({
      identifier: "TypeError: boom",
      title: "TypeError: boom",
      body: "It broke.",
      repo: "octo/app",
    });
    expect(result).toMatchObject({ kind: "created", number: 1 });
    expect(result.identifier).toBe(hashIdentifier("TypeError: boom"));
    expect(result.identifier).toMatch(/^md5\.[0-9a-f]{32}$/);
    expect(result.kind === "created" && result.url).toMatch(/\/octo\/app\/issues\/1$/);
    const [issue] = fake.issues("octo/app");
    expect(issue?.title).toBe("TypeError: boom");
    const parsed = parseIssueBody(issue?.body);
    expect(parsed?.identifier).toBe(result.identifier);
    expect(parsed?.text).toBe("It broke.");
    expect(parsed?.metadata?.environment).toEqual({ SHELL: "/bin/zsh" });
    expect(creates()[0]?.token).toBe(TOKEN);
  });

  it("uses the same md5 identifier for the same text, a different one for different text", async () => {
    const h = helper({ BUGBEACON_GITHUB_TOKEN: TOKEN });
    const a = await h.runHeadless({ identifier: "same", title: "t", repo: "octo/app", generateMd5: true });
    const b = (await h.prepare({ identifier: "same", title: "t", repo: "octo/app" })).document.metadata.identifier;
    const c = (await h.prepare({ identifier: "other", title: "t", repo: "octo/app" })).document.metadata.identifier;
    expect(a.identifier).toBe(b);
    expect(c).not.toBe(b);
  });

  it("takes the token from the option, then BUGBEACON_GITHUB_TOKEN, then HELPME_GITHUB_TOKEN", async () => {
    await helper({ BUGBEACON_GITHUB_TOKEN: OTHER, HELPME_GITHUB_TOKEN: "nope" }, { token: TOKEN }).runHeadless({ title: "a", repo: "octo/app" });
    await helper({ BUGBEACON_GITHUB_TOKEN: OTHER, HELPME_GITHUB_TOKEN: TOKEN }).runHeadless({ title: "b", repo: "octo/app" });
    await helper({ HELPME_GITHUB_TOKEN: TOKEN }).runHeadless({ title: "c", repo: "octo/app" });
    expect(creates().map((r) => r.token)).toEqual([TOKEN, OTHER, TOKEN]);
  });

  it("sends labels, the title prefix and helpme's footer line", async () => {
    const result = await helper({ BUGBEACON_GITHUB_TOKEN: TOKEN }, { labels: ["bug"], prefix: "[helpme]", footer: "helpme" }).runHeadless({
      identifier: "x",
      title: "Crash",
      repo: "octo/app",
      labels: ["crash", "bug"],
    });
    const [issue] = fake.issues("octo/app");
    expect(issue?.title).toBe("[helpme] Crash");
    expect(issue?.labels).toEqual(["bug", "crash"]);
    expect(issue?.body?.endsWith(`\n\nHelpMe Github Issue: ${result.identifier}`)).toBe(true);
  });

  it("keeps a 1 MB body within GitHub's 65,536 characters, with identifier and metadata intact", async () => {
    const body = `first line\n${"stack frame\n".repeat(90_000)}last line`;
    const result = await helper({ BUGBEACON_GITHUB_TOKEN: TOKEN }).runHeadless({ identifier: "big", title: "Big", body, repo: "octo/app" });
    const [issue] = fake.issues("octo/app");
    expect(issue?.body?.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(issue?.body?.startsWith("first line")).toBe(true);
    expect(issue?.body).toContain("last line");
    expect(parseIssueBody(issue?.body)?.metadata?.identifier).toBe(result.identifier);
  });

  it("reaches GitHub Enterprise through BUGBEACON_GITHUB_API_URL", async () => {
    const h = getHelper("github", { spoolDir: tempDir("bugbeacon-spool-"), confirm: false, open: false, quiet: true, env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url } });
    const result = await h.runHeadless({ title: "GHE", repo: "octo/app" });
    expect(result.kind).toBe("created");
    expect(creates()).toHaveLength(1);
  });

  it("redacts secrets in the title and body before they leave", async () => {
    await helper({ BUGBEACON_GITHUB_TOKEN: TOKEN }).runHeadless({
      title: `Failed with token ${OTHER}`,
      body: "connect postgres://app:hunter2@db/prod failed; api_key=abc123def456",
      repo: "octo/app",
    });
    const sent = JSON.stringify(creates()[0]?.body);
    expect(sent).not.toContain(OTHER);
    expect(sent).not.toContain("hunter2");
    expect(sent).not.toContain("abc123def456");
    expect(sent).toContain("postgres://[REDACTED]@db/prod");
  });
});

describe("runHeadless without a token", () => {
  it("rejects with MissingTokenError naming BUGBEACON_GITHUB_TOKEN before any network, when requireToken", async () => {
    const h = helper({}, { requireToken: true });
    await expect(h.runHeadless({ title: "x", repo: "octo/app" })).rejects.toThrow(MissingTokenError);
    await expect(h.runHeadless({ title: "x", repo: "octo/app" })).rejects.toThrow(/BUGBEACON_GITHUB_TOKEN/);
    expect(fake.requests).toEqual([]);
  });

  it("resolves the prefilled URL on the matching web root, with labels only when asked", async () => {
    const h = helper({}, { webUrl: "https://ghe.example.com", labels: ["bug"] });
    const result = await h.runHeadless({ identifier: "id", title: "Crash & burn #1", body: "b", repo: "octo/app" });
    expect(result.kind).toBe("url");
    if (result.kind !== "url") return;
    const url = new URL(result.url);
    expect(`${url.origin}${url.pathname}`).toBe("https://ghe.example.com/octo/app/issues/new");
    expect(url.searchParams.get("title")).toBe("Crash & burn #1");
    expect(url.searchParams.has("labels")).toBe(false);
    expect(result.opened).toBe(false);
    const withLabels = await helper({}, { webUrl: "https://ghe.example.com", labels: ["bug"], labelsInUrl: true }).runHeadless({ title: "t", repo: "octo/app" });
    expect(withLabels.kind === "url" && new URL(withLabels.url).searchParams.get("labels")).toBe("bug");
    expect(fake.requests).toEqual([]);
  });
});

describe("bad input gets a clear error naming the value", () => {
  it.each([
    [{ title: "x", repo: "../x" }, InvalidRepoError, 'Invalid repo: "../x"'],
    [{ title: "x", repo: "a/b/c" }, InvalidRepoError, 'Invalid repo: "a/b/c"'],
    [{ title: "", repo: "octo/app" }, InvalidOptionError, 'Invalid title: "". Expected a non-empty string.'],
    [{ title: "   ", repo: "octo/app" }, InvalidOptionError, "Invalid title"],
    [{ title: "x", repo: "octo/app", body: 42 }, InvalidOptionError, "Invalid body: 42"],
    [{ title: "x", repo: "octo/app", labels: "bug" }, InvalidOptionError, 'Invalid labels: "bug". Expected an array of label names.'],
  ])("%j", async (input, type, message) => {
    const h = helper({ BUGBEACON_GITHUB_TOKEN: TOKEN });
    const attempt = h.runHeadless(input as never);
    await expect(attempt).rejects.toThrow(type);
    await expect(h.runHeadless(input as never)).rejects.toThrow(message);
    expect(fake.requests).toEqual([]);
  });

  it.each([
    [{ footer: "python" }, 'Invalid footer: "python". Expected "bugbeacon" or "helpme".'],
    [{ baseUrl: "ftp://x" }, 'Invalid baseUrl: "ftp://x". Expected an http:// or https:// URL.'],
    [{ baseUrl: "https://user:pw@ghe.example.com" }, "Expected a URL without user:password"],
    [{ envAllowlist: ["OK", "no-dashes"] }, 'Invalid envAllowlist entry: "no-dashes"'],
    [{ timeoutMs: -1 }, "Invalid timeoutMs: -1. Expected a positive whole number of milliseconds."],
    [{ confirm: "yes" }, 'Invalid confirm: "yes". Expected true or false.'],
    [{ retryAfterBaseMs: 1.5 }, "Invalid retryAfterBaseMs: 1.5. Expected a whole number of milliseconds (0 or more)."],
  ])("getHelper options %j", (options, message) => {
    expect(() => getHelper("github", options as never)).toThrow(message);
  });

  it("rejects a bad BUGBEACON_RETRY_BASE_MS, BUGBEACON_PACING_MS or BUGBEACON_TEST_REPO naming the variable, when the helper is made (not at the first crash)", () => {
    const make = (env: NodeJS.ProcessEnv) => () => getHelper("github", { baseUrl: fake.url, confirm: false, open: false, quiet: true, spoolDir: tempDir("bugbeacon-spool-"), env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN, ...env } });
    expect(make({ BUGBEACON_RETRY_BASE_MS: "fast" })).toThrow('Invalid BUGBEACON_RETRY_BASE_MS: "fast". Expected a whole number of milliseconds, e.g. BUGBEACON_RETRY_BASE_MS=10.');
    expect(make({ BUGBEACON_PACING_MS: "-1" })).toThrow('Invalid BUGBEACON_PACING_MS: "-1". Expected a whole number of milliseconds, e.g. BUGBEACON_PACING_MS=1000.');
    expect(make({ BUGBEACON_TEST_REPO: "not a repo" })).toThrow('Invalid BUGBEACON_TEST_REPO: "not a repo". Expected a GitHub repository as "owner/name"');
    expect(() => getHelper("github", { testRepo: "a/b/c", env: {} })).toThrow('Invalid testRepo: "a/b/c"');
  });

  it("rejects a bad BUGBEACON_ENV_ALLOWLIST and BUGBEACON_GITHUB_API_URL naming the variable", () => {
    expect(() => getHelper("github", { env: { BUGBEACON_ENV_ALLOWLIST: "A,B C" } })).toThrow('Invalid BUGBEACON_ENV_ALLOWLIST entry: "B C"');
    expect(() => getHelper("github", { env: { BUGBEACON_GITHUB_API_URL: "not a url" } })).toThrow('Invalid BUGBEACON_GITHUB_API_URL: "not a url"');
  });

  it("rejects an unknown helper name listing the known ones", () => {
    expect(() => getHelper("jira" as never)).toThrow(UnknownBackendError);
    expect(() => getHelper("jira" as never)).toThrow('Unknown helper "jira". Known helpers: "github", "gitlab", "discourse", "gitea".');
  });

  it("does not prompt without a terminal even when confirm is asked for", async () => {
    const h = getHelper("github", { spoolDir: tempDir("bugbeacon-spool-"), baseUrl: fake.url, confirm: true, open: false, quiet: true, env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } });
    expect((await h.runHeadless({ title: "no tty", repo: "octo/app" })).kind).toBe("created");
  });
});
