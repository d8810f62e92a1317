import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedactor } from "../src/sdk/redact.js";
import { fenced, plainTranscript, redactedEvents, toAsciicast } from "../src/sdk/record/asciicast.js";
import { recordCommand, type Recording } from "../src/sdk/record/record.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { startFakeAsciinema, type FakeAsciinema } from "./support/fake-asciinema/index.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const root = new URL("..", import.meta.url).pathname;
const cli = join(root, "dist/cli.js");
const example = join(root, "examples/record-failing-build.mjs");
const TOKEN = "ghp_recordtokenrecordtokenrecordtok12";
// A token shaped like GitHub's, printed by the recorded command: it must never reach the issue or the cast.
const DEPLOY_TOKEN = "ghp_R8xk2LmQ9vT4nW7pZ3yB6cD1fG5hJ0aS2eU4";
const fake = useFakeGitHub({ repos: ["octo/app"], tokens: [TOKEN] });
const redact = createRedactor();
const ESC = "\u001b";

let asciinema: FakeAsciinema;
beforeAll(async () => {
  asciinema = await startFakeAsciinema();
});
afterAll(async () => {
  await asciinema.close();
});

/** A folder on PATH holding only the named programs (links to the real ones), to choose what recording finds. */
function pathWith(...programs: Array<[string, string]>): string {
  const dir = tempDir("bugbeacon-path-");
  for (const [name, target] of programs) symlinkSync(target, join(dir, name));
  return dir;
}

describe("recording a command", () => {
  const argv = [process.execPath, "-e", "process.stdout.write(String(process.stdout.isTTY) + ' ' + process.stdout.columns + '\\n'); process.exit(3)"];
  it("runs it in a pseudo-terminal through script(1), with the size the cast declares, and keeps the exit code", async () => {
    let live = "";
    const rec = await recordCommand(argv, { env: baseEnv(), cwd: root, live: (t) => (live += t), interactive: false, width: 91, height: 20, method: "script" });
    expect(rec.method).toBe("script");
    expect(rec.exitCode).toBe(3);
    expect(plainTranscript(rec.events.map(([, t]) => t).join(""))).toBe("true 91\n");
    expect(live).toContain("true 91");
  });

  it("falls back to Python's pty without script(1), and to pipes without either (and says so)", async () => {
    const py = await recordCommand(argv, { env: baseEnv({ PATH: pathWith(["python3", "/usr/bin/python3"], ["stty", "/usr/bin/stty"]) }), cwd: root, live: () => {}, interactive: false, width: 77, height: 20 });
    expect(py.method).toBe("python3");
    expect(py.exitCode).toBe(3);
    expect(plainTranscript(py.events.map(([, t]) => t).join(""))).toBe("true 77\n");
    const pipes = await recordCommand(argv, { env: baseEnv({ PATH: pathWith() }), cwd: root, live: () => {}, interactive: false });
    expect(pipes.method).toBe("pipes");
    expect(pipes.exitCode).toBe(3);
    expect(pipes.events.map(([, t]) => t).join("")).toBe("undefined undefined\n");
  });
});

describe("what leaves the machine from a recording", () => {
  const rec = (chunks: string[]): Recording => ({ argv: ["x"], method: "script", width: 80, height: 24, startedAt: 1, events: chunks.map((c, i) => [i / 10, c]), exitCode: 1, durationSeconds: 1, truncated: false });

  it("strips control sequences and applies carriage returns and backspaces", () => {
    expect(plainTranscript(`${ESC}[1mbold${ESC}[0m\r\n50%\r100%\nab\bc ${ESC}]0;title\u0007x\n`)).toBe("bold\n100%\nac x\n");
  });

  it("redacts a token split across two output chunks", () => {
    const events = redactedEvents(rec(["token ghp_R8xk2LmQ9vT4n", "W7pZ3yB6cD1fG5hJ0aS2eU4\nnext\n"]), redact);
    const text = events.map(([, t]) => t).join("");
    expect(text).not.toContain("ghp_R8xk2LmQ9vT4n");
    expect(text).toContain("[REDACTED]");
    expect(text).toContain("next\n");
  });

  it("falls back to one event when redacting line by line would miss a key block across lines", () => {
    const pem = ["-----BEGIN OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", "QyNTUxOQAAACDh3FQWQ8V1Yn7dlVz5M1V9fRYgY0a5t3oYF0YJbX0m2wAAAJgAAAAA", "-----END OPENSSH PRIVATE KEY-----"];
    const events = redactedEvents(rec(pem.map((l) => `${l}\n`)), redact);
    const text = events.map(([, t]) => t).join("");
    expect(text).not.toContain("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ");
    expect(text).toBe(redact(pem.map((l) => `${l}\n`).join("")));
  });

  it("writes a valid asciicast v2 file", () => {
    const cast = toAsciicast(rec(["hi\n", "there\n"]), redact, { SHELL: "/bin/bash", TERM: "xterm" });
    const [header, ...events] = cast.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown);
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, timestamp: 1, command: "x", env: { SHELL: "/bin/bash", TERM: "xterm" } });
    expect(events).toEqual([[0, "o", "hi\n"], [0.1, "o", "there\n"]]);
  });

  it("fences text that holds backticks with a longer fence", () => {
    expect(fenced("a ``` b")).toBe("````text\na ``` b\n````");
  });
});

describe("bugbeacon report --record", () => {
  const env = (extra: NodeJS.ProcessEnv = {}) => baseEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url, DEPLOY_TOKEN, HOME: tempDir("bugbeacon-home-"), USER: "tester", ...extra });

  it("files the exit code and the redacted last lines of a failing command that printed a secret, and saves the cast", async () => {
    const cwd = tempDir("bugbeacon-rec-");
    const run = await runNode([cli, "report", "--repo", "octo/app", "--record", "--", process.execPath, example], { env: env(), cwd });
    expect(run.code).toBe(0);
    // Shown live, as it ran.
    expect(run.stdout).toContain("debug: deploying with DEPLOY_TOKEN=");
    expect(run.stdout).toMatch(/^created \S+\/octo\/app\/issues\/1$/m);
    expect(run.stderr).toContain("in a pseudo-terminal, script(1)");
    const [issue] = fake.issues("octo/app");
    expect(issue?.title).toMatch(/record-failing-build\.mjs exited with code 2$/);
    const body = issue?.body ?? "";
    expect(body).toMatch(/\*\*Recorded command\*\*: `\S+ \S+record-failing-build\.mjs` exited with code 2 after \d+\.\d s \(in a pseudo-terminal, through script\(1\)\)\./);
    expect(body).toContain("<details><summary>The terminal's last 4 lines</summary>");
    expect(body).toContain("```text\nbuilding widgets\ncompiling 100%\ndebug: deploying with DEPLOY_TOKEN=[REDACTED]\nerror: widgets/core.ts:12: cannot find module 'left-pad'\n");
    expect(body).not.toContain(DEPLOY_TOKEN);
    expect(body).not.toContain(ESC);
    const casts = readdirSync(cwd).filter((f) => f.endsWith(".cast"));
    expect(casts).toHaveLength(1);
    const cast = readFileSync(join(cwd, casts[0]!), "utf8");
    expect(JSON.parse(cast.split("\n")[0]!)).toMatchObject({ version: 2, width: 80, height: 24 });
    expect(cast).not.toContain(DEPLOY_TOKEN);
    expect(cast).toContain("[REDACTED]");
    expect(asciinema.uploads).toEqual([]);
  });

  it("--upload sends the redacted asciicast v2 file as the asciinema CLI does, and links the URL the server answers", async () => {
    const cwd = tempDir("bugbeacon-rec-");
    const home = tempDir("bugbeacon-home-");
    const cast = join(cwd, "build.cast");
    const run = await runNode([cli, "report", "--repo", "octo/app", "--title", "build fails", "--record", "--upload", asciinema.url, "--cast", cast, "--", process.execPath, example], { env: env({ HOME: home }), cwd });
    expect(run.stderr).toContain(`uploaded the recording: ${asciinema.url}/a/`);
    expect(run.code).toBe(0);
    const [upload, ...more] = asciinema.uploads;
    expect(more).toEqual([]);
    expect(upload).toMatchObject({ path: "/api/v1/recordings", field: "file", username: "tester", filename: "bugbeacon.cast" });
    expect(upload?.userAgent).toMatch(/^bugbeacon\//);
    // The install id asciinema would use, saved where asciinema keeps it.
    expect(upload?.installId).toBe(readFileSync(join(home, ".local/state/asciinema/install-id"), "utf8"));
    expect(upload?.header).toMatchObject({ version: 2 });
    expect(upload?.cast).toBe(readFileSync(cast, "utf8"));
    expect(upload?.cast).not.toContain(DEPLOY_TOKEN);
    expect(upload?.events.map(([, code]) => code)).toEqual(upload?.events.map(() => "o"));
    const url = `${asciinema.url}/a/${upload ? asciinema.uploads.indexOf(upload) + 1 : 0}`;
    const body = fake.issues("octo/app")[0]?.body ?? "";
    expect(body).toContain(`**Recording**: ${url}`);
    expect(body).not.toContain("once this issue is submitted");
  });

  it("uses an install id asciinema saved already; a refused upload leaves the report without the link and says why", async () => {
    const state = tempDir("bugbeacon-state-");
    mkdirSync(join(state, "asciinema"));
    writeFileSync(join(state, "asciinema/install-id"), "0f6b6c6e-5b7a-4c39-9d7e-2f0a1b2c3d4e\n");
    const cwd = tempDir("bugbeacon-rec-");
    const ok = await runNode([cli, "report", "--repo", "octo/app", "--title", "t", "--record", `--upload=${asciinema.url}`, "--", process.execPath, example], { env: env({ XDG_STATE_HOME: state }), cwd });
    expect(ok.code).toBe(0);
    expect(asciinema.uploads.at(-1)?.installId).toBe("0f6b6c6e-5b7a-4c39-9d7e-2f0a1b2c3d4e");
    writeFileSync(join(state, "asciinema/install-id"), "not-a-uuid");
    const refused = await runNode([cli, "report", "--repo", "octo/app", "--title", "t2", "--record", "--upload", asciinema.url, "--", process.execPath, example], { env: env({ XDG_STATE_HOME: state }), cwd });
    expect(refused.code).toBe(0);
    expect(refused.stderr).toContain(`could not upload the recording (${asciinema.url} answered 401: Invalid installation ID)`);
    const body = fake.issues("octo/app").find((i) => i.title === "t2")?.body ?? "";
    expect(body).toContain("**Recording**: not uploaded (");
    expect(body).toContain("exited with code 2");
  });

  it("refuses --upload or a command without --record, and --record without a command, naming the flag", async () => {
    const cwd = tempDir("bugbeacon-rec-");
    const noRecord = await runNode([cli, "report", "--repo", "octo/app", "--title", "t", "--upload"], { env: env(), cwd });
    expect(noRecord.code).toBe(2);
    expect(noRecord.stderr).toMatch(/^bugbeacon report: --upload goes with --record/);
    const noCommand = await runNode([cli, "report", "--repo", "octo/app", "--title", "t", "--record"], { env: env(), cwd });
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toMatch(/^bugbeacon report: --record needs the command after --/);
    const badServer = await runNode([cli, "report", "--repo", "octo/app", "--record", "--upload=ftp://x", "--", "true"], { env: env(), cwd });
    expect(badServer.code).toBe(2);
    expect(badServer.stderr).toMatch(/--upload must be an http\(s\) URL/);
    expect(fake.requests).toEqual([]);
    expect(existsSync(join(cwd, "x"))).toBe(false);
  });
});
