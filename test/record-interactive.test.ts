import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { startFakeAsciinema, type FakeAsciinema } from "./support/fake-asciinema/index.js";
import { KEY, spawnPty } from "./support/pty.js";
import { baseEnv } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const root = new URL("..", import.meta.url).pathname;
const cli = join(root, "dist/cli.js");
const example = join(root, "examples/record-failing-build.mjs");
const REPO = "octo/app";
const TOKEN = "ghp_recordttytokenrecordttytokenrec12";
const DEPLOY_TOKEN = "ghp_R8xk2LmQ9vT4nW7pZ3yB6cD1fG5hJ0aS2eU4";
const fake = useFakeGitHub({ repos: [REPO], tokens: [TOKEN] });
let asciinema: FakeAsciinema;
beforeAll(async () => {
  asciinema = await startFakeAsciinema();
});
afterAll(async () => {
  await asciinema.close();
});

const terminalEnv = () => baseEnv({ TERM: "xterm-256color", BUGBEACON_GITHUB_API_URL: fake.url, BUGBEACON_GITHUB_TOKEN: TOKEN, DEPLOY_TOKEN, HOME: tempDir("bugbeacon-home-"), USER: "tester" });

describe("bugbeacon report --record on a terminal", () => {
  it("shows the whole redacted recording first; the person leaves it out, and nothing of it is sent", async () => {
    const session = spawnPty([process.execPath, cli, "report", "--repo", REPO, "--record", "--upload", asciinema.url, "--", process.execPath, example], { env: terminalEnv(), cwd: tempDir("bugbeacon-cwd-") });
    await session.waitFor("The recording, as it would be sent (redacted):");
    await session.waitFor("debug: deploying with DEPLOY_TOKEN=[REDACTED]");
    // Choices: include it (and upload), last lines only, leave it out.
    await session.answer(`all of it uploaded to ${asciinema.url}`, KEY.down, KEY.down, KEY.enter);
    await session.answer("Title of the issue", KEY.enter); // pre-filled: "<command> exited with code 2"
    await session.answer("What were you doing", "Building", KEY.enter);
    await session.answer("What did you expect", KEY.enter);
    await session.answer("Environment values", KEY.enter);
    await session.answer("What now?", KEY.enter);
    expect(await session.exit).toBe(0);
    const [issue] = fake.issues(REPO);
    expect(issue?.title).toMatch(/record-failing-build\.mjs exited with code 2$/);
    expect(issue?.body).not.toContain("Recorded command");
    expect(issue?.body).not.toContain("DEPLOY_TOKEN");
    expect(asciinema.uploads).toEqual([]);
    // The live output was the person's own terminal; the review screen showed only the redacted text.
    const review = session.text.slice(session.text.indexOf("The recording, as it would be sent"));
    expect(review).not.toContain(DEPLOY_TOKEN);
  });

  it("includes it: the preview says where it will be uploaded, and the issue links what the server answered", async () => {
    const before = asciinema.uploads.length;
    const session = spawnPty([process.execPath, cli, "report", "--repo", REPO, "--title", "Build fails", "--record", "--upload", asciinema.url, "--", process.execPath, example], { env: terminalEnv(), cwd: tempDir("bugbeacon-cwd-") });
    await session.answer(`all of it uploaded to ${asciinema.url}`, KEY.enter);
    await session.answer("Title of the issue", KEY.enter);
    await session.answer("What were you doing", "Building", KEY.enter);
    await session.answer("What did you expect", KEY.enter);
    await session.answer("Environment values", KEY.enter);
    await session.waitFor(`uploaded to ${asciinema.url} once this issue is submitted, and linked here.`);
    expect(asciinema.uploads.length).toBe(before);
    await session.answer("What now?", KEY.enter);
    expect(await session.exit).toBe(0);
    expect(asciinema.uploads.length).toBe(before + 1);
    const body = fake.issues(REPO)[0]?.body ?? "";
    expect(body).toContain(`**Recording**: ${asciinema.url}/a/${before + 1}`);
    expect(body).toContain("exited with code 2");
    expect(body).toContain("debug: deploying with DEPLOY_TOKEN=[REDACTED]");
  });
});
