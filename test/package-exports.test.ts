import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const root = new URL("..", import.meta.url).pathname;
const TOKEN = "ghp_cjstokencjstokencjstokencjstoken1234";
const fake = useFakeGitHub({ repos: ["octo/app"], tokens: [TOKEN] });

describe("the built package", () => {
  it("works with require() from its own root, and loads no dependency on import", async () => {
    // The root entry, one file; no dependency and nothing lazily loaded (the report path, prompts, delivery).
    const run = await runNode(
      ["-e", `const b = require("bugbeacon");
        const loaded = Object.keys(require.cache).filter((p) => !/\\/dist\\/index\\.cjs$/.test(p));
        console.log(JSON.stringify({ getHelper: typeof b.getHelper, error: new b.InvalidRepoError("x") instanceof b.BugbeaconError, loaded }));`],
      { env: baseEnv(), cwd: root },
    );
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ getHelper: "function", error: true, loaded: [] });
  });

  it("delivers through the CommonJS build: the parts loaded on first use load from require() too", async () => {
    const spoolDir = tempDir("bugbeacon-spool-");
    const run = await runNode(
      ["-e", `const { getHelper } = require("bugbeacon");
        const options = { confirm: false, open: false, quiet: true, pacingMs: 0, spoolDir: ${JSON.stringify(spoolDir)}, env: { BUGBEACON_GITHUB_TOKEN: ${JSON.stringify(TOKEN)} } };
        (async () => {
          const created = await getHelper("github", { ...options, baseUrl: ${JSON.stringify(fake.url)} }).captureException(new Error("from CommonJS"), { repo: "octo/app" });
          const queued = await getHelper("github", { ...options, baseUrl: "http://127.0.0.1:9", timeoutMs: 300 }).runHeadless({ title: "Queued", repo: "octo/app" });
          const flushed = await getHelper("github", { ...options, baseUrl: ${JSON.stringify(fake.url)} }).flush();
          console.log(JSON.stringify({ created: created.kind, queued: queued.kind, sent: flushed.sent }));
        })();`],
      { env: baseEnv(), cwd: root },
    );
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ created: "created", queued: "queued", sent: 1 });
    expect(fake.issues("octo/app").map((i) => i.title)).toEqual(["Error: from CommonJS", "Queued"]);
  });

  it("works with import from its own root, and resolves nothing but itself on import", async () => {
    // A resolve hook records every module the import pulls in.
    const dir = tempDir("bugbeacon-hooks-");
    writeFileSync(join(dir, "hooks.mjs"), `export async function resolve(s, c, next) { const r = await next(s, c); console.error("resolved " + r.url); return r; }`);
    writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module"; register(${JSON.stringify(`file://${dir}/hooks.mjs`)});`);
    const run = await runNode(
      ["--import", join(dir, "register.mjs"), "--input-type=module", "-e",
        `import { getHelper, installHandlers, VERSION } from "bugbeacon"; console.log(typeof getHelper, typeof installHandlers, VERSION);`],
      { env: baseEnv(), cwd: root },
    );
    const resolved = run.stderr.split("\n").filter((l) => l.startsWith("resolved ")).map((l) => l.slice(9));
    expect(run.stdout.trim()).toMatch(/^function function \d+\.\d+\.\d+/);
    // Only bugbeacon's own ESM files: no dependency, no built-in module.
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved.filter((u) => !u.startsWith(`file://${root}dist/`))).toEqual([]);
  });

  // The synchronous utilities are subpath entries (issue 23): each loads for import and for require, shares
  // the root's classes (an error a subpath throws is the root's BugbeaconError), and is gone from the root.
  const subpathProbe = (load: (specifier: string) => string) => `
    const root = ${load("bugbeacon")};
    const { createRedactor, REDACTED } = ${load("bugbeacon/redact")};
    const format = ${load("bugbeacon/format")};
    const doc = { text: "hi", metadata: { schema: 1, identifier: "md5.0123456789abcdef0123456789abcdef", reportId: "r", createdAt: "2026-01-01T00:00:00.000Z", kind: "manual", platform: { node: "v20", os: "linux", osRelease: "6", arch: "x64" }, bugbeacon: "0.1.0", environment: {} } };
    let thrown;
    try { format.renderIssueBody(doc, { limit: 10 }); } catch (e) { thrown = e; }
    console.log(JSON.stringify({
      redacted: createRedactor()("token=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB").includes(REDACTED),
      parsed: format.parseIssueBody(format.renderIssueBody(doc).body)?.identifier,
      described: format.describeError(new TypeError("boom")).title,
      template: format.templateMessage("user 42 not found"),
      constants: [format.MD5_IDENTIFIER.test("md5.0123456789abcdef0123456789abcdef"), format.REPORT_SCHEMA_VERSION],
      sameClass: thrown instanceof root.BugbeaconError && root.isBugbeaconError(thrown),
      goneFromRoot: ["createRedactor", "REDACTED", "parseIssueBody", "renderIssueBody", "MD5_IDENTIFIER", "REPORT_SCHEMA_VERSION", "describeError", "templateMessage"].filter((n) => n in root),
    }));`;

  for (const [mode, args, load] of [
    ["import", ["--input-type=module", "-e"], (s: string) => `await import(${JSON.stringify(s)})`],
    ["require", ["-e"], (s: string) => `require(${JSON.stringify(s)})`],
  ] as const) {
    it(`bugbeacon/redact and bugbeacon/format work with ${mode}, and share the root's error classes`, async () => {
      const code = mode === "require" ? `(async () => {${subpathProbe(load)}})();` : subpathProbe(load);
      const run = await runNode([...args, code], { env: baseEnv(), cwd: root });
      expect(run.stderr).toBe("");
      const out = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(out).toMatchObject({ redacted: true, parsed: "md5.0123456789abcdef0123456789abcdef", described: "TypeError: boom", sameClass: true, goneFromRoot: [] });
      expect(out.template).not.toContain("42");
      expect(out.constants).toEqual([true, 1]);
    });
  }

  // The backend port is the subpath bugbeacon/backend (issue 23): a record it makes is one the root's
  // getHelper takes and its registry names, and the DeliveryFailure an app's backend throws is the class the
  // report path (a file of its own, loaded on the first report) recognises, for import and for require.
  const portProbe = (load: (specifier: string) => string) => `
    const root = ${load("bugbeacon")};
    const port = ${load("bugbeacon/backend")};
    const record = port.defineBackend({
      name: "tracker",
      credentials: { env: ["TRACKER_TOKEN"] },
      limits: { title: 200, body: 10000, comment: 10000 },
      create: () => ({
        targetNoun: "board",
        defaults: { prefix: "", labels: [], assignees: [] },
        checkTarget: () => undefined,
        canSubmit: () => true,
        render: (document) => document.text,
        manualUrl: () => ({ url: "http://127.0.0.1:9/new", cutCharacters: 0 }),
        describeCreate: (_target, draft) => ({ method: "POST", url: "http://127.0.0.1:9/issues", body: draft }),
        reportUrl: (_target, ref) => "http://127.0.0.1:9/" + ref,
        classify: (error) => new port.DeliveryFailure(String(error), true, false, undefined),
        client: async () => ({
          listOpen: async () => [],
          listChanged: async () => ({ reports: [], occurrences: [] }),
          findByReportId: async () => undefined,
          create: async () => { throw new port.DeliveryFailure("the tracker refused it", false, false, 422, true); },
        }),
      }),
    });
    port.registerBackend(record);
    const result = await root.getHelper("tracker", { confirm: false, open: false, quiet: true, flushOnStart: false, dedupe: false, spoolDir: process.env.SPOOL, env: {} })
      .runHeadless({ title: "Refused", repo: "board" });
    console.log(JSON.stringify({
      registered: root.backendNames().includes("tracker"),
      goneFromRoot: ["defineBackend", "registerBackend", "unregisterBackend", "DeliveryFailure", "createRest", "classifyRest", "HttpStatusError", "markdownMessages"].filter((n) => n in root),
      kind: result.kind,
      reason: result.reason,
    }));`;

  for (const [mode, args, load] of [
    ["import", ["--input-type=module", "-e"], (s: string) => `await import(${JSON.stringify(s)})`],
    ["require", ["-e"], (s: string) => `require(${JSON.stringify(s)})`],
  ] as const) {
    it(`bugbeacon/backend works with ${mode}: the root takes its records, and the report path knows its DeliveryFailure`, async () => {
      const code = mode === "require" ? `(async () => {${portProbe(load)}})();` : portProbe(load);
      const run = await runNode([...args, code], { env: { ...baseEnv(), SPOOL: tempDir("bugbeacon-spool-") }, cwd: root });
      // The one line the person sees says the service's own words: the failure was read as a DeliveryFailure.
      expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^bugbeacon: warning: could not send the report now \(the tracker refused it\)/)]);
      // Kept for the next flush, with the failure's own message: a class the report path did not know would go
      // through the backend's classify, which names it ("DeliveryFailure: the tracker refused it").
      expect(JSON.parse(run.stdout)).toEqual({ registered: true, goneFromRoot: [], kind: "queued", reason: "the tracker refused it" });
    });
  }

  it("a DeliveryFailure or HttpStatusError of one build is one to the other: an ES module app's crash can run the CommonJS report path", async () => {
    const run = await runNode(
      ["--input-type=module", "-e", `import { createRequire } from "node:module";
        const esm = await import("bugbeacon/backend");
        const cjs = createRequire(process.cwd() + "/x.js")("bugbeacon/backend");
        class Mine extends esm.DeliveryFailure {}
        const failure = new esm.DeliveryFailure("refused", false, false, 422, true);
        const status = new cjs.HttpStatusError(503, "POST", "/issues", undefined, "");
        console.log(JSON.stringify({
          distinct: esm.DeliveryFailure !== cjs.DeliveryFailure,
          failure: [failure instanceof cjs.DeliveryFailure, new cjs.DeliveryFailure("x", true, false, undefined) instanceof esm.DeliveryFailure],
          status: [status instanceof esm.HttpStatusError, status instanceof cjs.HttpStatusError],
          // classifyRest of one build reads the other's failures as its own.
          classified: [cjs.classifyRest(failure, "Svc", "T", "t") === failure, esm.classifyRest(status, "Svc", "T", "t").message],
          subclass: [new Mine("x", true, false, undefined) instanceof Mine, failure instanceof Mine, new Mine("x", true, false, undefined) instanceof cjs.DeliveryFailure],
          others: [new Error("x") instanceof esm.DeliveryFailure, null instanceof cjs.HttpStatusError, Object.assign(new Error("x"), { retryable: true }) instanceof cjs.DeliveryFailure],
        }));`],
      { env: baseEnv(), cwd: root },
    );
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({
      distinct: true,
      failure: [true, true],
      status: [true, true],
      classified: [true, "Svc answered 503"],
      subclass: [true, false, true],
      others: [false, false, false],
    });
  });

  it("getHelper names the known helpers for an unknown one", async () => {
    const run = await runNode(
      ["--input-type=module", "-e", `import { getHelper } from "bugbeacon"; try { getHelper("jira"); } catch (e) { console.log(e.name + ": " + e.message); }`],
      { env: baseEnv(), cwd: root },
    );
    expect(run.stdout.trim()).toBe('UnknownBackendError: Unknown helper "jira". Known helpers: "github", "gitlab", "discourse", "gitea".');
  });
});
