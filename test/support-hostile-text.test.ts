/**
 * Untrusted text never gains power: report fields in bot comments (judged by a markdown renderer with
 * HTML and autolinks on, as GitHub renders), folder names that must check out on every OS, and control
 * characters that must never reach a terminal (stats, db check, logs).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { neutralise } from "../src/support/bot-text.js";
import { fillTemplate } from "../src/support/rules.js";
import { isPortableName, isSafeVersion, showUntrusted, terminalSafe } from "../src/support/safe-names.js";
import { computeStats, renderTable } from "../src/support/stats.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { cloneOf, issuesEvent, makeRemote, reportBody, writeEvent } from "./support/git-fixtures.js";

const TOKEN = "ghs_hostiletokenhostiletokenhostile";
const REPO = "octo/support";
const fake = useFakeGitHub({ repos: [REPO], tokens: [{ token: TOKEN, login: "github-actions[bot]" }] });

const HOSTILE = [
  "@acme/security-team",
  "[click](https://evil.example/x)",
  "![pixel](https://evil.example/p.png)",
  "<img src=x onerror=alert(1)>",
  "<!-- hide the rest",
  "# Heading\n\n- list item\n> quote",
  "`code` then @someone",
  "``` fence",
  "https://evil.example/autolink",
  "www.evil.example",
  "a\n\n@after-a-paragraph",
  "\u001b[31mred\u009b2J\u202etxet",
  "| a | b |\n|---|---|",
  "x".repeat(500),
];

/** Renders like GitHub (HTML allowed, autolinks on) and lists what the text gained: tags other than p/code, and mentions outside code. */
function powers(markdown: string): string[] {
  const html = new MarkdownIt({ html: true, linkify: true }).render(markdown);
  const found: string[] = [];
  for (const m of html.matchAll(/<\/?([a-z][a-z0-9]*)/gi)) if (!["p", "code"].includes(m[1]!.toLowerCase())) found.push(`<${m[1]}>`);
  const outsideCode = html.replace(/<code>[\s\S]*?<\/code>/g, "");
  if (/@[A-Za-z0-9]/.test(outsideCode)) found.push("mention");
  if (/https?:\/\/|www\./.test(outsideCode)) found.push("link text");
  return found;
}

describe("bot comments neutralise untrusted text", () => {
  it.each(HOSTILE.map((h) => [JSON.stringify(h).slice(0, 40), h]))("%s gains no mention, link, image, HTML or structure", (_n, value) => {
    const comment = `Seen again in #2 (app ${neutralise(value)}, ${neutralise(value)}, Node ${neutralise(value)}).`;
    expect(powers(comment)).toEqual([]);
    expect(comment.split("\n")).toHaveLength(1);
    // eslint-disable-next-line no-control-regex
    expect(comment).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    // A rule template's values too.
    expect(powers(fillTemplate("Seen {count} times ({identifier})", { count: 3, identifier: value }))).toEqual([]);
  });

  it("the oracle is live: the same values unneutralised do gain powers", () => {
    expect(powers("@acme/security-team")).toEqual(["mention"]);
    expect(powers("[click](https://evil.example/x)")).toContain("<a>");
    expect(powers("<img src=x onerror=alert(1)>")).toContain("<img>");
  });

  it("end to end: a report whose app name, version and platform are hostile makes a harmless comment", async () => {
    fake.seedIssue(REPO, { title: "issue 1" });
    fake.seedIssue(REPO, { title: "issue 2" });
    const extra = {
      app: { name: "@acme/security-team", version: "[x](https://evil.example)" },
      platform: { node: "<img src=x>", os: "@acme/ops", osRelease: "6", arch: "![p](https://evil.example/p.png)" },
    };
    const a = reportBody("hostile", extra);
    const bare = makeRemote();
    const db = cloneOf(bare);
    for (const n of [1, 2]) {
      const code = await runCli(["triage", "--event", writeEvent(issuesEvent("opened", { number: n, title: "t", body: a.body })), "--db", db], {
        stdout: () => {},
        stderr: () => {},
        env: { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: fake.url, BUGBEACON_PACING_MS: "0" },
        cwd: db,
      });
      expect(code).toBe(0);
    }
    const comments = fake.issues(REPO).flatMap((i) => i.comments.map((c) => c.body));
    expect(comments).toHaveLength(2);
    for (const c of comments) {
      // The marker is an HTML comment the bot wrote; judge what the reader sees.
      expect(powers(c.replace(/<!-- bugbeacon:bot v1 [^>]* -->$/, ""))).toEqual([]);
    }
    expect(comments.join("\n")).toContain("`[x](https://evil.example)`");
  });
});

describe("portable folder names", () => {
  it.each(["CON", "con", "Con.txt", "nul.tar.gz", "PRN", "aux.1.2", "COM1", "com9.x", "LPT1", "lpt3", "1.0.", "1.0.0.", "a".repeat(65), "..", "1..2", "-x", ".x", "a b", "a/b", "a\\b", "x\u0000"])(
    "refuses %j as a version folder",
    (name) => {
      expect(isSafeVersion(name)).toBe(false);
    },
  );
  it.each(["1.0.0", "2.1.0-beta.1", "1.0.0+build.5", "console", "CONx", "com10", "nullable", "v3", "a".repeat(64)])("accepts %j", (name) => {
    expect(isSafeVersion(name)).toBe(true);
    expect(isPortableName(name)).toBe(true);
  });
});

describe("control characters never reach a terminal", () => {
  const evil = "\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202eevil\u200b";
  // eslint-disable-next-line no-control-regex
  const raw = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

  it("terminalSafe and showUntrusted escape C0, C1, bidi and zero-width controls", () => {
    expect(terminalSafe(evil)).not.toMatch(raw);
    expect(terminalSafe(evil)).toContain("\\u{1b}[2J");
    expect(showUntrusted(evil)).not.toMatch(raw);
  });

  it("stats prints hostile titles and versions escaped", () => {
    const record = {
      schema: 1 as const, identifier: "md5.0123456789abcdef0123456789abcdef", number: 1, title: `Crash ${evil}`, created_at: "2026-11-20T10:00:00Z",
      reporter: "x", app_version: `1.0${evil}`, platform: null, environment: {}, report_id: null, labels: [], source: "metadata" as const, url: "",
    };
    const table = renderTable(computeStats([record], { top: 5, trendDays: 7, skipped: 0, now: Date.parse("2026-11-21T00:00:00Z") }));
    expect(table).toContain("Crash \\u{1b}[2J");
    // The sparkline and layout use no control characters; only the newline separates lines.
    expect(table.replace(/\n/g, "")).not.toMatch(raw);
  });

  it("db check prints hostile file names escaped", async () => {
    const db = cloneOf(makeRemote());
    const folder = join(db, "issues", "md5.0123456789abcdef0123456789abcdef");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `1${evil}.json`), "not json");
    let out = "";
    const code = await runCli(["db", "check"], { stdout: (s) => (out += s), stderr: (s) => (out += s), env: {}, cwd: db });
    expect(code).toBe(1);
    expect(out).toContain("\\u{1b}[2J");
    expect(out.replace(/\n/g, "")).not.toMatch(raw);
    expect(readFileSync(join(folder, `1${evil}.json`), "utf8")).toBe("not json");
  });

  it("triage logs a hostile identifier escaped", async () => {
    const db = cloneOf(makeRemote());
    let err = "";
    const body = `HelpMe Github Issue: md5.${evil.replace(/\s/g, "")}x`;
    await runCli(["triage", "--event", writeEvent(issuesEvent("opened", { number: 1, title: "t", body })), "--db", db], {
      stdout: () => {},
      stderr: (s) => (err += s),
      env: { GITHUB_REPOSITORY: REPO },
      cwd: db,
    });
    expect(err).toContain("refusing issue #1");
    expect(err.replace(/\n/g, "")).not.toMatch(raw);
  });
});
