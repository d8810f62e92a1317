/** The parts of interactive reporting that need no terminal: layout, answers, files, flags. */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { getHelper, InvalidOptionError } from "../src/index.js";
import { parseIssueBody, renderIssueBody, type ReportDocument } from "../src/format/report-format.js";
import { DETAIL_LABEL, withDetail } from "../src/sdk/prompts/confirm-report.js";
import { formatPreview, visible } from "../src/sdk/prompts/preview.js";
import { composeBody } from "../src/sdk/prompts/report-flow.js";
import { FileExistsError, reportFileContent, saveReportFile } from "../src/sdk/prompts/save-report.js";
import { whyNotInteractive } from "../src/sdk/prompts/interactive.js";
import { colorEnabled, createStyle, terminalColumns } from "../src/sdk/prompts/terminal.js";
import { tempDir } from "./support/temp.js";

const document: ReportDocument = {
  text: "### What I was doing\n\nExporting",
  metadata: {
    schema: 1,
    identifier: "md5.0123456789abcdef0123456789abcdef",
    reportId: "11111111-2222-4333-8444-555555555555",
    createdAt: "2026-11-22T10:00:00.000Z",
    kind: "manual",
    platform: { node: "v20.20.2", os: "linux", osRelease: "6.1", arch: "x64" },
    bugbeacon: "0.1.0",
    environment: { LANG: "C.UTF-8" },
  },
};
const body = renderIssueBody(document).body;
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/;

describe("formatPreview", () => {
  it("shows the title and body as sent, with the hidden metadata block folded to one line", () => {
    const preview = formatPreview("Export fails", body, { columns: 80, target: "octo/app" });
    expect(preview).toContain("Preview of the issue for octo/app");
    expect(preview).toContain("Title: Export fails\n");
    expect(preview).toContain("### What I was doing\n\nExporting\n");
    expect(preview).toContain("bugbeacon identifier: `md5.0123456789abcdef0123456789abcdef`");
    expect(preview).toMatch(/<!-- bugbeacon metadata: \d+ characters, hidden on GitHub -->/);
    expect(preview).not.toContain('"reportId"');
    expect(preview).not.toMatch(SGR);
  });

  it("keeps every line within the width, wide or narrow", () => {
    const long = `${"word ".repeat(60)}\n${"x".repeat(300)}`;
    for (const columns of [20, 33, 80, 200]) {
      const preview = formatPreview("T".repeat(120), `${long}\n\n${body}`, { columns, style: createStyle(true) });
      // eslint-disable-next-line no-control-regex
      for (const line of preview.replace(/\u001b\[[0-9;]*m/g, "").split("\n")) expect(Array.from(line).length).toBeLessThanOrEqual(columns);
    }
  });

  it("cuts a long body in the middle and says how many lines are not shown", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i + 1}`).join("\n");
    const preview = formatPreview("Many lines", lines, { columns: 80, maxBodyLines: 21 });
    expect(preview).toContain("line 1\n");
    expect(preview).toContain("line 10\n");
    expect(preview).not.toContain("line 11\n");
    expect(preview).toContain("[… 180 more lines, sent but not shown here …]");
    expect(preview).toContain("line 191\n");
    expect(preview).toContain("line 200\n");
  });

  it("shows control characters from error messages instead of letting them drive the terminal", () => {
    const hostile = "boom \u001b[2J\u001b]0;owned\u0007 \r done";
    const preview = formatPreview(hostile, hostile, { columns: 80 });
    expect(preview).not.toContain("\u001b");
    expect(preview).not.toContain("\u0007");
    expect(preview).not.toContain("\r");
    expect(visible("a\u001b[31mb")).toBe("a␛[31mb");
    expect(visible("bell\u0007")).toBe("bell\\x07");
  });
});

describe("the person's answers in the body", () => {
  it("puts what they did and expected first, then the caller's text under Details", () => {
    expect(composeBody("Exporting", "A CSV", "stack")).toBe("### What I was doing\n\nExporting\n\n### What I expected\n\nA CSV\n\n### Details\n\nstack");
    expect(composeBody("  ", "", "stack")).toBe("stack");
    expect(composeBody("", "A CSV", undefined)).toBe("### What I expected\n\nA CSV");
    expect(composeBody("", "", undefined)).toBe("");
  });

  it("adds the line of detail above the report text", () => {
    const report = { repo: "octo/app", title: "T", labels: [], document };
    const edited = withDetail(report, "after the update");
    expect(edited.document.text).toBe(`${DETAIL_LABEL} after the update\n\n${document.text}`);
    expect(report.document.text).toBe(document.text); // the original is not changed
  });
});

describe("terminal facts", () => {
  const tty = { stdin: { isTTY: true } as NodeJS.ReadStream, stdout: { isTTY: true, columns: 120 } as NodeJS.WriteStream };
  it("asks only with a terminal on both ends and outside CI", () => {
    expect(whyNotInteractive({}, tty)).toBeUndefined();
    expect(whyNotInteractive({}, { ...tty, stdin: { isTTY: false } as NodeJS.ReadStream })).toBe("stdin is not a terminal");
    expect(whyNotInteractive({}, { ...tty, stdout: {} as NodeJS.WriteStream })).toBe("stdout is not a terminal");
    expect(whyNotInteractive({ CI: "true" }, tty)).toBe("running in CI");
    expect(whyNotInteractive({ CI: "1" }, tty)).toBe("running in CI");
    expect(whyNotInteractive({ CI: "false" }, tty)).toBeUndefined();
    expect(whyNotInteractive({ CI: "0" }, tty)).toBeUndefined();
  });

  it("follows NO_COLOR (any non-empty value) and TERM=dumb", () => {
    expect(colorEnabled({})).toBe(true);
    expect(colorEnabled({ NO_COLOR: "" })).toBe(true);
    expect(colorEnabled({ NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled({ TERM: "dumb" })).toBe(false);
    expect(createStyle(false).bold("x")).toBe("x");
    expect(createStyle(true).bold("x")).toMatch(SGR);
  });

  it("lays out for the terminal's width, 80 when it does not say, 20 at the least", () => {
    expect(terminalColumns({ columns: 132 } as NodeJS.WriteStream)).toBe(132);
    expect(terminalColumns({} as NodeJS.WriteStream)).toBe(80);
    expect(terminalColumns({ columns: 8 } as NodeJS.WriteStream)).toBe(20);
  });
});

describe("saving a report to a file", () => {
  it("writes the whole report, which parses back, and never overwrites a file", () => {
    const dir = tempDir("bugbeacon-save-");
    const content = reportFileContent("Export fails", body, "https://github.com/octo/app/issues/new?title=x");
    const path = saveReportFile(join(dir, "report.md"), content);
    const saved = readFileSync(path, "utf8");
    expect(saved).toBe(content);
    expect(saved).toContain("open https://github.com/octo/app/issues/new and paste");
    expect(saved).not.toContain("?title=");
    expect(parseIssueBody(saved)?.metadata?.reportId).toBe(document.metadata.reportId);
    expect(() => saveReportFile(join(dir, "report.md"), "other")).toThrow(FileExistsError);
    expect(readFileSync(path, "utf8")).toBe(content);
    expect(readdirSync(dir)).toEqual(["report.md"]);
  });
});

async function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = tmpdir()) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env, cwd });
  return { code, stdout, stderr };
}

describe("bugbeacon report flags", () => {
  it("--help documents every flag", async () => {
    const { code, stdout } = await cli(["report", "--help"]);
    expect(code).toBe(0);
    for (const flag of ["--repo <owner/name>", "--title <text>", "--body-file <path>", "--identifier <text>", "--app-version <ver>", "--token-env <NAME>", "--api-url <url>", "-h, --help"]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain("NO_COLOR");
  });

  it("names the bad value and what was expected, before asking or sending anything", async () => {
    const dir = tempDir("bugbeacon-flags-");
    writeFileSync(join(dir, "big.md"), "x".repeat(1024 * 1024 + 1));
    const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
      [["report"], {}, '--repo is required: the repository to report to, as "owner/name".'],
      [["report", "--repo", "not a repo", "--title", "t"], {}, '--repo must be a GitHub repository as "owner/name", not "not a repo".'],
      [["report", "--repo", "octo/app", "--token-env", "1BAD"], {}, '--token-env must be an environment variable name like MY_GITHUB_TOKEN, not "1BAD".'],
      [["report", "--repo", "octo/app", "--token-env", "MY_TOKEN"], {}, "--token-env names $MY_TOKEN, which is empty or unset"],
      [["report", "--repo", "octo/app", "--body-file", "missing.md"], {}, '--body-file must be an existing file; "missing.md" does not exist.'],
      [["report", "--repo", "octo/app", "--body-file", "big.md"], {}, '--body-file must be at most 1048576 bytes; "big.md" has 1048577.'],
      [["report", "--repo", "octo/app", "--app-version", "1.0; rm -rf"], {}, "--app-version must be a version like 2.4.1"],
      [["report", "--repo", "octo/app", "--colour"], {}, "unknown flag --colour: expected one of --repo, --title,"],
    ];
    for (const [args, env, message] of cases) {
      const run = await cli(args, env, dir);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toContain(`bugbeacon report: ${message}`);
      // One line with the problem, then where the help is: nothing more.
      expect(run.stderr.split("\n").slice(1)).toEqual(['Run "bugbeacon report --help" for usage.', ""]);
      expect(run.stderr).not.toMatch(/undefined|\n\s+at /);
    }
  });

});

describe("confirmTimeoutMs", () => {
  it("takes a whole number of milliseconds and names a bad value", () => {
    expect(() => getHelper("github", { confirmTimeoutMs: 0 })).not.toThrow();
    for (const bad of [-1, 1.5, "60s", Number.NaN]) {
      expect(() => getHelper("github", { confirmTimeoutMs: bad as number })).toThrow(InvalidOptionError);
      expect(() => getHelper("github", { confirmTimeoutMs: bad as number })).toThrow(/confirmTimeoutMs/);
    }
  });
});
