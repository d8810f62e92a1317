/**
 * Interactive reporting, driven through a real pseudo-terminal (test/support/pty.ts): keystrokes go in,
 * and what arrives at the fake GitHub server (or the URL printed, the file saved) is asserted.
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseIssueBody } from "../src/format/report-format.js";
import { appFrom } from "./support/app-fixture.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { KEY, spawnPty } from "./support/pty.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const root = new URL("..", import.meta.url).pathname;
const cli = join(root, "dist/cli.js");
const TOKEN = "ghp_interactivetokeninteractivetoken12";
const REPO = "octo/app";
const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN] });

/** A person's terminal: no CI, a real TERM, the fake GitHub as the API. */
const terminalEnv = (extra: NodeJS.ProcessEnv = {}) =>
  baseEnv({ TERM: "xterm-256color", BUGBEACON_GITHUB_API_URL: fake.url, EXAMPLE_REPO: REPO, ...extra });
const issues = () => fake.issues(REPO);
const writes = () => fake.requests.filter((r) => r.method !== "GET");
/** Select Graphic Rendition sequences: colours and bold. */
// eslint-disable-next-line no-control-regex
const COLOR = /\u001b\[[0-9;]*m/;

const cwdDir = (): string => tempDir("bugbeacon-cwd-");

/** Programs on PATH that record what they were given: a desktop's xdg-open and xclip. */
function desktopTools(): { bin: string; opened: string; clipboard: string } {
  const bin = cwdDir();
  const opened = join(bin, "opened.txt");
  const clipboard = join(bin, "clipboard.txt");
  writeFileSync(join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
  writeFileSync(join(bin, "xclip"), `#!/bin/sh\ncat > '${clipboard}'\n`);
  chmodSync(join(bin, "xdg-open"), 0o755);
  chmodSync(join(bin, "xclip"), 0o755);
  return { bin, opened, clipboard };
}

async function waitForFile(path: string, timeoutMs = 5000): Promise<string> {
  const start = Date.now();
  while (!existsSync(path) || readFileSync(path, "utf8") === "") {
    if (Date.now() - start > timeoutMs) throw new Error(`${path} was not written`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return readFileSync(path, "utf8");
}

describe("bugbeacon report on a terminal", () => {
  it("asks the title, what they did and expected, drops the environment value they untick, and submits", async () => {
    const session = spawnPty([process.execPath, cli, "report", "--repo", REPO, "--app-version", "2.4.1"], {
      env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_ENV_ALLOWLIST: "MYAPP_MODE", MYAPP_MODE: "turbo" }),
      cwd: cwdDir(),
    });
    await session.answer("Title of the issue", "Export fails on big files", KEY.enter);
    await session.answer("What were you doing", "Exporting a 2 GB project", KEY.enter);
    await session.answer("What did you expect", "A CSV file in the export folder", KEY.enter);
    // Sorted: LANG, MYAPP_MODE, SHELL, TERM. Untick the second.
    await session.answer("Environment values sent with the report", KEY.down, KEY.space, KEY.enter);
    await session.waitFor("Preview of the issue for octo/app");
    await session.waitFor("Title: Export fails on big files");
    await session.answer("What now?", KEY.enter); // the first choice: submit
    expect(await session.exit).toBe(0);

    const [issue, ...more] = issues();
    expect(more).toEqual([]);
    expect(issue?.title).toBe("Export fails on big files");
    expect(issue?.body).toContain("### What I was doing\n\nExporting a 2 GB project");
    expect(issue?.body).toContain("### What I expected\n\nA CSV file in the export folder");
    const report = parseIssueBody(issue?.body ?? "");
    expect(report?.metadata?.environment).toEqual({ LANG: "C.UTF-8", SHELL: "/bin/bash", TERM: "xterm-256color" });
    expect(issue?.body).not.toContain("turbo");
    expect(report?.metadata?.app).toEqual({ name: "app", version: "2.4.1" });
    expect(report?.metadata?.kind).toBe("manual");
    expect(session.text).toContain("created https://github.com/octo/app/issues/1");
    expect(session.raw).toMatch(COLOR); // colour is on unless NO_COLOR says otherwise
  });

  it("without a token: saves the report to a file, never over an existing one, and sends nothing", async () => {
    const cwd = cwdDir();
    writeFileSync(join(cwd, "taken.md"), "someone else's notes\n");
    const session = spawnPty([process.execPath, cli, "report", "--repo", REPO, "--title", "Crash on start"], { env: terminalEnv(), cwd });
    await session.answer("Title of the issue", KEY.enter); // keeps the pre-filled title
    await session.answer("What were you doing", "Starting it", KEY.enter);
    await session.answer("What did you expect", KEY.enter); // optional: skipped
    await session.answer("Environment values", KEY.enter);
    await session.waitFor("Title: Crash on start");
    await session.waitFor("What now?");
    expect(session.text).not.toContain("Submit the issue"); // no token, no submit
    // Choices: copy the URL, save, cancel.
    await session.answer("Save the report to a file", KEY.down, KEY.enter);
    await session.answer("Save to which file?", KEY.ctrlU, "taken.md", KEY.enter);
    await session.answer("already exists", KEY.ctrlU, "report.md", KEY.enter);
    expect(await session.exit).toBe(0);

    expect(readFileSync(join(cwd, "taken.md"), "utf8")).toBe("someone else's notes\n");
    const saved = readFileSync(join(cwd, "report.md"), "utf8");
    expect(saved.startsWith(`<!-- Saved by bugbeacon. To file it, open ${fake.url}/octo/app/issues/new and paste`)).toBe(true);
    expect(saved).toContain("# Crash on start\n");
    expect(saved).toContain("### What I was doing\n\nStarting it");
    expect(saved).not.toContain("### What I expected");
    expect(parseIssueBody(saved)?.identifier).toMatch(/^run\./);
    expect(readdirSync(cwd).sort()).toEqual(["report.md", "taken.md"]); // no temporary file left
    expect(fake.requests).toEqual([]);
    expect(session.text).toContain(`saved to ${join(cwd, "report.md")}`);
  });

  it("on a desktop without a token: opens the exact prefilled URL in the browser, or copies it", async () => {
    const tools = desktopTools();
    const env = terminalEnv({ DISPLAY: ":0", PATH: `${tools.bin}:${process.env.PATH ?? ""}` });
    const answerAll = async (session: ReturnType<typeof spawnPty>) => {
      await session.answer("Title of the issue", "Slow search", KEY.enter);
      await session.answer("What were you doing", "Searching 10k notes", KEY.enter);
      await session.answer("What did you expect", "Results in a second", KEY.enter);
      await session.answer("Environment values", KEY.enter);
    };

    const opening = spawnPty([process.execPath, cli, "report", "--repo", REPO], { env, cwd: cwdDir() });
    await answerAll(opening);
    await opening.answer("Open the prefilled issue page in the browser", KEY.enter); // first choice
    expect(await opening.exit).toBe(0);
    const opened = await waitForFile(tools.opened);
    const url = new URL(opened);
    // The web address comes from the API address (as for GitHub Enterprise): here, the fake's.
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/octo/app/issues/new`);
    expect(url.searchParams.get("title")).toBe("Slow search");
    expect(url.searchParams.get("body")).toContain("### What I expected\n\nResults in a second");
    expect(opening.text.replace(/\s+/g, "")).toContain(opened); // the same URL is printed (wrapped by the terminal)

    const copying = spawnPty([process.execPath, cli, "report", "--repo", REPO], { env, cwd: cwdDir() });
    await answerAll(copying);
    await copying.answer("Copy the prefilled issue URL", KEY.down, KEY.enter);
    expect(await copying.exit).toBe(0);
    const copied = await waitForFile(tools.clipboard);
    expect(new URL(copied).searchParams.get("title")).toBe("Slow search");
    expect(copying.text).toContain("Copied the URL to the clipboard (xclip)");
    expect(fake.requests).toEqual([]);
  });

  it("Escape cancels: exit code 130, nothing sent, nothing written", async () => {
    const cwd = cwdDir();
    const session = spawnPty([process.execPath, cli, "report", "--repo", REPO], { env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }), cwd });
    await session.answer("Title of the issue", "Half a report", KEY.enter);
    await session.answer("What were you doing", KEY.escape);
    expect(await session.exit).toBe(130);
    expect(session.text).toContain("Cancelled; nothing was sent.");
    expect(writes()).toEqual([]);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("with a closed stdin: no prompt, the headless result, and a note that says why", async () => {
    const session = spawnPty([process.execPath, cli, "report", "--repo", REPO, "--title", "Nightly export failed"], {
      env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }),
      closeStdin: true,
    });
    expect(await session.exit).toBe(0);
    expect(session.text).toContain("no questions asked (stdin is not a terminal)");
    expect(session.text).not.toContain("Title of the issue");
    expect(issues().map((i) => i.title)).toEqual(["Nightly export failed"]);
  });

  it("headless with --body-file and --identifier: the file's text is sent and the identifier is hashed", async () => {
    const cwd = cwdDir();
    writeFileSync(join(cwd, "steps.md"), "1. Open a 2 GB project\n2. Export as CSV\n");
    const run = await runNode([cli, "report", "--repo", REPO, "--title", "Export fails", "--body-file", "steps.md", "--identifier", "export: out of memory"], {
      env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }),
      cwd,
      input: "",
    });
    expect(run.code).toBe(0);
    const [issue] = issues();
    expect(issue?.body?.startsWith("1. Open a 2 GB project\n2. Export as CSV")).toBe(true);
    expect(parseIssueBody(issue?.body ?? "")?.identifier).toBe(`md5.${createHash("md5").update("export: out of memory", "utf8").digest("hex")}`);
  });

  it("without a terminal and without --title: a clear error, exit code 2 (bad arguments), nothing sent", async () => {
    const run = await runNode([cli, "report", "--repo", REPO], { env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }), input: "" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("bugbeacon report: --title is required when there is no terminal to ask for one (stdin is not a terminal).");
    expect(fake.requests).toEqual([]);
  });

  it("in CI, even on a terminal, asks nothing", async () => {
    const session = spawnPty([process.execPath, cli, "report", "--repo", REPO, "--title", "From CI"], { env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN, CI: "true" }) });
    expect(await session.exit).toBe(0);
    expect(session.text).toContain("no questions asked (running in CI)");
    expect(issues().map((i) => i.title)).toEqual(["From CI"]);
  });

  it("respects NO_COLOR and lays the preview out for a 40-column terminal", async () => {
    const session = spawnPty([process.execPath, cli, "report", "--repo", REPO], {
      env: terminalEnv({ NO_COLOR: "1", BUGBEACON_GITHUB_TOKEN: TOKEN }),
      columns: 40,
    });
    await session.answer("Title", "A title much longer than forty columns, to see it wrap", KEY.enter);
    await session.answer("doing", "Something", KEY.enter);
    await session.answer("expect", KEY.enter);
    await session.answer("Environment", KEY.enter);
    await session.answer("What now?", KEY.up, KEY.enter); // the last choice: cancel
    expect(await session.exit).toBe(130);
    expect(session.raw).not.toMatch(COLOR);
    const text = session.text;
    const preview = text.slice(text.indexOf("── Preview"), text.indexOf("? What now?"));
    const lines = preview.split(/\r?\n/).filter((l) => l !== "");
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(Array.from(line).length, line).toBeLessThanOrEqual(40);
    expect(preview).toContain("Title: A title much longer than forty");
    expect(writes()).toEqual([]);
  });
});

describe("helper.run() from an app (examples/report-problem.mjs)", () => {
  it("pre-fills the title from the error and sends the stack with the person's answers", async () => {
    const app = appFrom("report-problem.mjs");
    const session = spawnPty([process.execPath, join(app, "app.mjs")], { env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }), cwd: app });
    await session.answer("Title of the issue", KEY.enter);
    await session.answer("What were you doing", "Opening the app after the update", KEY.enter);
    await session.answer("What did you expect", KEY.enter);
    await session.answer("Environment values", KEY.enter);
    await session.answer("What now?", KEY.enter);
    expect(await session.exit).toBe(1); // the example's own exit code for a failed command
    const [issue] = issues();
    expect(issue?.title).toMatch(/^SyntaxError: /);
    expect(issue?.body).toContain("### What I was doing\n\nOpening the app after the update");
    expect(issue?.body).toContain("### Details\n\nThe settings file was written by version 1 of the app.");
    expect(issue?.body).toContain("at loadSettings");
    expect(parseIssueBody(issue?.body ?? "")?.metadata).toMatchObject({ kind: "exception", app: { name: "demo-app", version: "3.1.4" } });
    expect(session.text).toContain(`report: created https://github.com/octo/app/issues/${issue?.number}`);
  });

  it("with piped stdin it asks nothing and reports headless", async () => {
    const app = appFrom("report-problem.mjs");
    const run = await runNode([join(app, "app.mjs")], { env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }), cwd: app, input: "" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no questions asked (stdin is not a terminal)");
    expect(run.stdout).toMatch(/^report: created /);
    expect(issues()).toHaveLength(1);
  });
});

const captureApp = `import { getHelper } from "bugbeacon";
const helper = getHelper("github", { repo: "octo/app" });
try {
  JSON.parse(undefined);
} catch (error) {
  const result = await helper.captureException(error);
  console.log("result:", result.kind);
}
`;

// The crash handler asks only when the app opted in with interactive: true.
const crashApp = (timeoutMs: number) => `import { getHelper } from "bugbeacon";
getHelper("github", { repo: "octo/app" }).installHandlers({ timeoutMs: ${timeoutMs}, interactive: true });
setTimeout(() => {
  throw new Error("disk full while saving");
}, 10);
`;

describe("the short confirmation before an automatic report", () => {
  it("captureException on a terminal: preview, a line of detail, an environment value left out, send", async () => {
    const app = appFrom(captureApp);
    const session = spawnPty([process.execPath, join(app, "app.mjs")], { env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }), cwd: app });
    await session.waitFor("Preview of the issue for octo/app");
    await session.waitFor(/Title: SyntaxError: /);
    await session.answer("Add a line of detail?", "It broke after I renamed a project", KEY.enter);
    // Send / leave out environment values / don't send: review the environment first.
    await session.answer("Send this report?", KEY.down, KEY.enter);
    await session.answer("Environment values", KEY.space, KEY.enter); // untick LANG (the first)
    await session.answer("Send this report?", KEY.enter);
    expect(await session.exit).toBe(0);
    expect(session.text).toContain("result: created");
    const [issue] = issues();
    expect(issue?.body).toContain("**Note from the person who hit this:** It broke after I renamed a project");
    expect(issue?.body).toContain("SyntaxError");
    expect(Object.keys(parseIssueBody(issue?.body ?? "")?.metadata?.environment ?? {})).toEqual(["SHELL", "TERM"]);
  });

  it("two reports at once ask one after the other, each with its own detail", async () => {
    const app = appFrom(`import { getHelper } from "bugbeacon";
const helper = getHelper("github", { repo: "octo/app" });
const results = await Promise.all([helper.captureException(new Error("first failure")), helper.captureException(new RangeError("second failure"))]);
console.log("results:", results.map((r) => r.kind).join(","));
`);
    const session = spawnPty([process.execPath, join(app, "app.mjs")], { env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }), cwd: app });
    await session.waitFor("Title: Error: first failure");
    await session.answer("Add a line of detail?", "detail for the first", KEY.enter);
    await session.answer("Send this report?", KEY.enter);
    await session.waitFor("Title: RangeError: second failure");
    await session.answer("Add a line of detail?", "detail for the second", KEY.enter);
    await session.answer("Send this report?", KEY.enter);
    expect(await session.exit).toBe(0);
    expect(session.text).toContain("results: created,created");
    const byTitle = Object.fromEntries(issues().map((i) => [i.title, i.body ?? ""]));
    expect(byTitle["Error: first failure"]).toContain("this:** detail for the first\n");
    expect(byTitle["RangeError: second failure"]).toContain("this:** detail for the second\n");
  });

  it("a crash, then Ctrl-C at the prompt: nothing sent, and the app exits with its own error and code", async () => {
    const app = appFrom(crashApp(5000));
    const env = terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN });
    const session = spawnPty([process.execPath, join(app, "app.mjs")], { env, cwd: app });
    await session.answer("Add a line of detail?", KEY.ctrlC);
    expect(await session.exit).toBe(1);
    expect(readdirSync(env.BUGBEACON_SPOOL_DIR ?? "", { recursive: true })).toEqual([]); // nothing queued either
    expect(session.text).toContain("report cancelled; nothing was sent.");
    expect(session.text).toMatch(/Error: disk full while saving\r?\n\s+at Timeout\._onTimeout/);
    expect(writes()).toEqual([]);
  });

  it("the crash handler's time limit does not cut off a person who takes their time", async () => {
    // The limit (1 s) still leaves time to send after the last answer on a busy machine.
    const app = appFrom(crashApp(1000));
    const session = spawnPty([process.execPath, join(app, "app.mjs")], { env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }), cwd: app });
    await session.waitFor("Add a line of detail?");
    await new Promise((r) => setTimeout(r, 1500)); // longer than the limit
    await session.answer("", KEY.enter);
    await session.answer("Send this report?", KEY.enter);
    expect(await session.exit).toBe(1);
    expect(session.text).not.toContain("giving up so the app can exit");
    expect(issues().map((i) => i.title)).toEqual(["Error: disk full while saving"]);
  });

  it("nobody at the keyboard: after confirmTimeoutMs nothing is sent and the crash goes on", async () => {
    const app = appFrom(`import { getHelper } from "bugbeacon";
getHelper("github", { repo: "octo/app", confirmTimeoutMs: 700 }).installHandlers({ timeoutMs: 300, interactive: true });
setTimeout(() => {
  throw new Error("nobody is watching");
}, 10);
`);
    const session = spawnPty([process.execPath, join(app, "app.mjs")], { env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }), cwd: app });
    await session.waitFor("Add a line of detail?");
    const started = Date.now();
    expect(await session.exit).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(session.text).toContain("no answer within 0.7 s; the report was not sent.");
    expect(session.text).toMatch(/Error: nobody is watching\r?\n\s+at Timeout\._onTimeout/);
    expect(writes()).toEqual([]);
  });

  it("an ES module app that crashes before the report path was imported: the question is not cut off by the handler's time limit", async () => {
    // No background flush, so nothing imports the report path before the crash: the handler loads its
    // CommonJS build synchronously (src/sdk/lazy-sync.ts), whose prompt must count as the person's time
    // for the handler in the app's ES module copy too (it gave up after 300 ms while the question was shown).
    const app = appFrom(`import { getHelper } from "bugbeacon";
getHelper("github", { repo: "octo/app", confirmTimeoutMs: 1500, flushOnStart: false }).installHandlers({ timeoutMs: 300, interactive: true });
setTimeout(() => {
  throw new Error("nobody is watching either");
}, 10);
`);
    const session = spawnPty([process.execPath, join(app, "app.mjs")], { env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }), cwd: app });
    await session.waitFor("Add a line of detail?");
    expect(await session.exit).toBe(1);
    expect(session.text).not.toContain("giving up");
    expect(session.text).toContain("no answer within 1.5 s; the report was not sent.");
    expect(session.text).toMatch(/Error: nobody is watching either\r?\n\s+at Timeout\._onTimeout/);
    expect(writes()).toEqual([]);
  });

  it("with default options a crash on a terminal asks nothing: reported, and the process exits within a second of the report", async () => {
    const app = appFrom(`import { installHandlers } from "bugbeacon";
installHandlers({ repo: "octo/app" });
setTimeout(() => {
  throw new Error("crashed at a terminal");
}, 10);
setInterval(() => {}, 1000); // an app that would otherwise keep running
`);
    const session = spawnPty([process.execPath, join(app, "app.mjs")], { env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }), cwd: app });
    await session.waitFor("reported as http");
    const reportedAt = Date.now();
    expect(await session.exit).toBe(1);
    expect(Date.now() - reportedAt).toBeLessThan(1000);
    expect(session.text).not.toContain("Add a line of detail");
    expect(session.text).toMatch(/Error: crashed at a terminal\r?\n\s+at Timeout\._onTimeout/);
    expect(issues().map((i) => i.title)).toEqual(["Error: crashed at a terminal"]);
  });

  it("without a terminal the crash is reported without a question", async () => {
    const app = appFrom(crashApp(5000));
    const run = await runNode([join(app, "app.mjs")], { env: terminalEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN }), cwd: app, input: "" });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain("Add a line of detail");
    expect(issues()).toHaveLength(1);
  });
});
