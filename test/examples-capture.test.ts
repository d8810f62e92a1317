import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseIssueBody } from "../src/format/report-format.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { appFrom } from "./support/app-fixture.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { trackChild } from "./support/cleanup.js";
import { tempDir } from "./support/temp.js";

const TOKEN = "ghp_capturetokencapturetokencapture12";
const fake = useFakeGitHub({ repos: ["octo/app"], tokens: [TOKEN] });

const env = (extra: NodeJS.ProcessEnv = {}) =>
  baseEnv({ EXAMPLE_REPO: "octo/app", BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url, ...extra });

/** Node's crash output, from the error line on (the header above it names the re-throw site). */
function crashTail(stderr: string, dir: string): string {
  const lines = stderr.replaceAll(dir, "<dir>").split("\n");
  const start = lines.findIndex((l) => /^(\w*Error|UnhandledPromiseRejection)\b/.test(l));
  if (start < 0) throw new Error(`no error line in:\n${stderr}`);
  return lines.slice(start).join("\n");
}

const issues = () => fake.issues("octo/app");

describe("examples/cli-crash.mjs with installHandlers", () => {
  it("reports the crash, then prints it as Node would and exits 1", async () => {
    const app = appFrom("cli-crash.mjs");
    const plain = appFrom("cli-crash.mjs", { withoutBugbeacon: true });
    const withReporting = await runNode([join(app, "app.mjs")], { env: env(), cwd: app });
    const nodeAlone = await runNode([join(plain, "app.mjs")], { env: env(), cwd: plain });

    expect(nodeAlone.code).toBe(1);
    expect(withReporting.code).toBe(1);
    expect(crashTail(withReporting.stderr, app)).toBe(crashTail(nodeAlone.stderr, plain));
    expect(withReporting.stderr).toContain("TypeError: Cannot read properties of undefined (reading 'trim')");

    const [issue] = issues();
    expect(issue?.title).toBe("TypeError: Cannot read properties of undefined (reading 'trim')");
    const parsed = parseIssueBody(issue?.body);
    expect(parsed?.metadata?.kind).toBe("exception");
    expect(parsed?.metadata?.app).toEqual({ name: "demo-app", version: "3.1.4" });
    expect(parsed?.identifier).toMatch(/^md5\.[0-9a-f]{32}$/);
    expect(parsed?.text).toContain("at parseRow (");
    expect(parsed?.text).toContain("reading demo.csv");
    expect(parsed?.text).toMatch(/\*\*Command line\*\*: `node .*app\.mjs`/);
  });

  it("gives the same identifier for the same crash from another install path, so it lands on the same issue", async () => {
    const a = appFrom("cli-crash.mjs");
    const b = appFrom("cli-crash.mjs");
    await runNode([join(a, "app.mjs")], { env: env(), cwd: a });
    await runNode([join(b, "app.mjs")], { env: env(), cwd: b });
    const [issue, ...others] = issues();
    expect(others).toEqual([]);
    expect(issue?.comments).toHaveLength(1);
    const first = parseIssueBody(issue?.body)?.identifier;
    expect(first).toMatch(/^md5\.[0-9a-f]{32}$/);
    expect(parseIssueBody(issue?.comments[0]?.body)?.identifier).toBe(first);
  });

  it("sends nothing with BUGBEACON_DISABLE=1, says so, and still crashes as Node would", async () => {
    const app = appFrom("cli-crash.mjs");
    const run = await runNode([join(app, "app.mjs")], { env: env({ BUGBEACON_DISABLE: "1" }), cwd: app });
    expect(run.code).toBe(1);
    expect(run.stderr.match(/reporting is disabled/g)).toHaveLength(1);
    expect(fake.requests).toEqual([]);
  });

  it("gives up after timeoutMs when GitHub hangs, and exits promptly with the app's error", async () => {
    fake.faults.add({ kind: "slow", delayMs: 30_000, method: "POST" });
    const app = appFrom(`import { installHandlers } from "bugbeacon";
installHandlers({ repo: "octo/app", confirm: false, timeoutMs: 500 });
null.boom;
`);
    // GitHub would answer after 30 s; runNode gives the app 15 s, so a reporter that waited fails the test.
    const spoolDir = tempDir("bugbeacon-spool-");
    const run = await runNode([join(app, "app.mjs")], { env: env({ BUGBEACON_SPOOL_DIR: spoolDir }), cwd: app, timeoutMs: 15_000 });
    expect(run.code).toBe(1);
    // The crash path gives up within the budget (by itself, or the handler's timer does), and the report
    // is on disk for the next flush either way.
    expect(run.stderr).toMatch(/could not send the report now \(no answer from GitHub \(.*\)\); it is queued at |reporting took longer than 500 ms/);
    const onDisk = ["queue", "inflight"].flatMap((sub) => (existsSync(join(spoolDir, sub)) ? readdirSync(join(spoolDir, sub)) : []));
    expect(onDisk.filter((n) => n.endsWith(".json"))).toHaveLength(1);
    expect(run.stderr).toContain("TypeError: Cannot read properties of null (reading 'boom')");
  });

  it("never lets an error inside reporting replace the app's error or re-enter the handler", async () => {
    const app = appFrom(`import { installHandlers } from "bugbeacon";
installHandlers({
  repo: "octo/app", confirm: false, timeoutMs: 800,
  beforeSend: () => { setTimeout(() => { throw new Error("inside bugbeacon"); }, 0); return new Promise(() => {}); },
});
throw new RangeError("the app's own error");
`);
    const run = await runNode([join(app, "app.mjs")], { env: env(), cwd: app });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("another error happened while reporting the crash; it is not reported: Error: inside bugbeacon");
    expect(crashTail(run.stderr, app).split("\n")[0]).toBe("RangeError: the app's own error");
    expect(run.stderr.match(/another error happened/g)).toHaveLength(1);
    expect(issues()).toEqual([]);
  });

  it("leaves the exit decision to the app's own uncaughtException listener", async () => {
    const app = appFrom(`import { installHandlers } from "bugbeacon";
installHandlers({ repo: "octo/app", confirm: false });
process.on("uncaughtException", (e) => { console.log("app handled: " + e.message); process.exitCode = 3; });
throw new Error("handled by the app");
`);
    const run = await runNode([join(app, "app.mjs")], { env: env(), cwd: app });
    expect(run.stdout).toContain("app handled: handled by the app");
    expect(run.code).toBe(3);
    expect(issues().map((i) => i.title)).toEqual(["Error: handled by the app"]);
  });
});

describe("examples/unhandled-rejection.mjs", () => {
  it("with Node's default mode: reports, then crashes with exit code 1 as Node would", async () => {
    const app = appFrom("unhandled-rejection.mjs");
    const plain = appFrom("unhandled-rejection.mjs", { withoutBugbeacon: true });
    const run = await runNode([join(app, "app.mjs")], { env: env(), cwd: app });
    const nodeAlone = await runNode([join(plain, "app.mjs")], { env: env(), cwd: plain });
    expect(nodeAlone.code).toBe(1);
    expect(run.code).toBe(1);
    // Whether the app's 300 ms timer fires while the report is being sent depends on the machine's load
    // (the event loop runs during reporting), so stdout is not checked: the exit code and Node's own
    // crash output, identical to a run without bugbeacon, are what "crashes as Node would" means.
    expect(crashTail(run.stderr, app)).toBe(crashTail(nodeAlone.stderr, plain));
    expect(issues().map((i) => i.title)).toEqual(["Error: connection refused: postgres://db.internal:5432/results"]);
  });

  it.each(["warn", "none"])("with --unhandled-rejections=%s: reports and the app keeps running", async (mode) => {
    const app = appFrom("unhandled-rejection.mjs");
    const run = await runNode([`--unhandled-rejections=${mode}`, join(app, "app.mjs")], { env: env(), cwd: app });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("still running");
    expect(issues()).toHaveLength(1);
    if (mode === "warn") expect(run.stderr).toContain("connection refused");
  });
});

describe("examples/catch-block.mjs", () => {
  it("reports each failure and carries on", async () => {
    const app = appFrom("catch-block.mjs");
    const run = await runNode([join(app, "app.mjs")], { env: env(), cwd: app });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("plugin core skipped; report: created");
    expect(run.stdout).toContain("plugin extras skipped; report: created");
    const titles = issues().map((i) => i.title);
    expect(titles).toEqual(["RangeError: plugin core needs API version 3, found 2", "RangeError: plugin extras needs API version 3, found 2"]);
    expect(issues()[0]?.body).toContain("Loading plugin `core` failed; the app went on without it.");
  });
});

describe("examples/http-server.mjs", () => {
  it("answers 500, reports the failure, and keeps serving", async () => {
    const app = appFrom("http-server.mjs");
    const child = trackChild(spawn(process.execPath, [join(app, "app.mjs")], { env: env(), cwd: app, stdio: ["ignore", "pipe", "pipe"] }));
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          out += d;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
        setTimeout(() => reject(new Error("server did not start")), 10_000);
      });
      const failed = await fetch(`${base}/report`);
      expect(failed.status).toBe(500);
      const deadline = Date.now() + 10_000;
      while (issues().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const [issue] = issues();
      expect(issue?.title).toBe("TypeError: Cannot read properties of undefined (reading 'count')");
      expect(issue?.body).toContain("While serving `GET /report`.");
      expect(issue?.body).toContain("GET /report");
      const ok = await fetch(`${base}/`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe("hello\n");
    } finally {
      child.kill();
    }
  });

  it("on SIGTERM, close() waits for the report in flight, then the server exits 0", async () => {
    const app = appFrom("http-server.mjs");
    // GitHub takes 700 ms to answer the create: the report is still in flight when SIGTERM comes.
    fake.faults.add({ kind: "slow", delayMs: 700, method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 });
    const child = spawn(process.execPath, [join(app, "app.mjs")], { env: env(), cwd: app, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      const base = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          out += d;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        setTimeout(() => reject(new Error("server did not start")), 10_000);
      });
      expect((await fetch(`${base}/report`)).status).toBe(500);
      // Wait until the create request reached GitHub (it answers later), then ask the server to stop.
      const deadline = Date.now() + 10_000;
      while (!fake.requests.some((r) => r.method === "POST") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(fake.requests.find((r) => r.method === "POST")?.status).toBe(0);
      child.kill("SIGTERM");
      const code = await new Promise<number | null>((r) => child.on("exit", r));
      expect(code).toBe(0);
      expect(out).toContain("reports flushed, exiting");
      expect(fake.requests.find((r) => r.method === "POST")?.status).toBe(201);
      expect(issues().map((i) => i.title)).toEqual(["TypeError: Cannot read properties of undefined (reading 'count')"]);
    } finally {
      child.kill();
    }
  });
});
