import { chmodSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIssueBody } from "../src/format/report-format.js";
import { startFakeGitHub, type FakeGitHub } from "./support/fake-github/index.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const root = new URL("..", import.meta.url).pathname;
const demo = join(root, "examples/demo-crash.mjs");

/** A fake `xdg-open` that records its arguments: the only stand-in here, for a desktop browser. */
function fakeXdgOpen(): { bin: string; log: string } {
  const dir = tempDir("bugbeacon-xdg-");
  const log = join(dir, "opened.log");
  const bin = join(dir, "xdg-open");
  writeFileSync(bin, `#!/bin/sh\nprintf '%s\\n' "$@" >> "${log}"\n`);
  chmodSync(bin, 0o755);
  return { bin: dir, log };
}

function printedUrl(stderr: string): string {
  const line = stderr.split("\n").find((l) => l.startsWith("https://github.com/"));
  if (line === undefined) throw new Error(`no URL printed:\n${stderr}`);
  return line;
}

async function waitForFile(path: string, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (existsSync(path) && readFileSync(path, "utf8").length > 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

const secrets = {
  GITHUB_TOKEN: "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  DATABASE_PASSWORD: "hunter2-correct-horse",
  NPM_TOKEN: "npm_abcdefghijklmnopqrstuvwxyz0123456789",
  MY_DB_URL: "postgres://admin:s3cr3t-pw@db.internal:5432/app",
};

describe("npm run example (examples/demo-crash.mjs)", () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    if (!existsSync(join(root, "dist/index.js"))) throw new Error("run `npm run build` first (npm test does it)");
    fake = await startFakeGitHub({ repos: ["octo/app"], tokens: ["ghp_demotokendemotokendemotoken123456"] });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("with no token and no display: prints the prefilled URL, opens nothing", async () => {
    const xdg = fakeXdgOpen();
    const run = await runNode([demo], { env: baseEnv({ PATH: `${xdg.bin}:${process.env.PATH}` }) });
    expect(run.code).toBe(0);
    const url = new URL(printedUrl(run.stderr));
    expect(url.origin + url.pathname).toBe("https://github.com/bugbeacon-demo/support/issues/new");
    expect(url.searchParams.get("title")).toBe("[demo] TypeError: Cannot read properties of undefined (reading 'settings')");
    const parsed = parseIssueBody(url.searchParams.get("body"));
    expect(parsed?.identifier).toMatch(/^md5\.[0-9a-f]{32}$/);
    expect(parsed?.metadata?.environment).toEqual({ LANG: "C.UTF-8", SHELL: "/bin/bash" });
    expect(parsed?.text).toContain("at readSettings");
    expect(run.stdout).toContain('"kind": "url"');
    expect(run.stdout).toContain('"opened": false');
    expect(await waitForFile(xdg.log, 500)).toBe(false);
  });

  it("on a desktop: opens exactly the printed URL through xdg-open", async () => {
    const xdg = fakeXdgOpen();
    const run = await runNode([demo], { env: baseEnv({ PATH: `${xdg.bin}:${process.env.PATH}`, DISPLAY: ":0" }) });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"opened": true');
    expect(await waitForFile(xdg.log)).toBe(true);
    expect(readFileSync(xdg.log, "utf8").trim()).toBe(printedUrl(run.stderr));
  });

  it("under CI=true: never opens a browser, even with a display", async () => {
    const xdg = fakeXdgOpen();
    const run = await runNode([demo], { env: baseEnv({ PATH: `${xdg.bin}:${process.env.PATH}`, DISPLAY: ":0", CI: "true" }) });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"opened": false');
    expect(await waitForFile(xdg.log, 500)).toBe(false);
  });

  it("lets no secret from the environment reach the URL", async () => {
    const run = await runNode([demo], {
      env: baseEnv({ ...secrets, BUGBEACON_ENV_ALLOWLIST: "MY_DB_URL" }),
    });
    const url = printedUrl(run.stderr);
    const decoded = decodeURIComponent(url);
    for (const value of Object.values(secrets)) expect(decoded).not.toContain(value);
    expect(decoded).not.toContain("s3cr3t-pw");
    // Allow-listed, but its password is redacted.
    expect(parseIssueBody(new URL(url).searchParams.get("body"))?.metadata?.environment.MY_DB_URL).toBe(
      "postgres://[REDACTED]@db.internal:5432/app",
    );
    for (const value of Object.values(secrets)) expect(run.stdout + run.stderr).not.toContain(value);
  });

  it("with a token: posts the issue, and no secret from the environment reaches the server", async () => {
    const run = await runNode([demo], {
      env: baseEnv({
        ...secrets,
        BUGBEACON_ENV_ALLOWLIST: "MY_DB_URL",
        EXAMPLE_REPO: "octo/app",
        BUGBEACON_GITHUB_TOKEN: "ghp_demotokendemotokendemotoken123456",
        BUGBEACON_GITHUB_API_URL: fake.url,
      }),
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"kind": "created"');
    const [issue] = fake.issues("octo/app");
    expect(issue?.title).toBe("[demo] TypeError: Cannot read properties of undefined (reading 'settings')");
    const everythingSent = JSON.stringify(fake.requests.map((r) => ({ body: r.body, query: r.query, path: r.path })));
    for (const value of Object.values(secrets)) expect(everythingSent).not.toContain(value);
    expect(everythingSent).not.toContain("s3cr3t-pw");
    expect(everythingSent).not.toContain("ghp_demotoken");
    expect(fake.contractViolations).toEqual([]);
  });
});
