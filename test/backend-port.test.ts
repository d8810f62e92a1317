/**
 * The open port: a backend is a record (defineBackend) that getHelper takes directly or, once registered,
 * by name; bad records are refused with a typed error; Gitea, built only on the port, takes its token and
 * labels the way Gitea's API description says.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendNames, getHelper, InvalidOptionError, isBugbeaconError, UnknownBackendError, type BackendDefinition } from "../src/index.js";
import { defineBackend, registerBackend, unregisterBackend } from "../src/backend.js";
import { renderIssueBody } from "../src/format.js";
import { startFakeGitea, type FakeGitea } from "./support/fake-gitea/index.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const cli = new URL("../dist/cli.js", import.meta.url).pathname;

const quiet = { confirm: false, open: false, quiet: true, flushOnStart: false, pacingMs: 0, retryAfterBaseMs: 1 };
let gt: FakeGitea;
beforeAll(async () => {
  gt = await startFakeGitea({ repos: ["team/app"], tokens: ["gt-option", "gt-bugbeacon", "gt-gitea"], labels: { bug: 11, crash: 12 } });
});
afterAll(async () => {
  expect(gt.contractViolations).toEqual([]);
  await gt.close();
});

/** A backend that only makes manual URLs (no API), enough to see the registry at work. */
const manualOnly = (name: string): BackendDefinition<{ site?: string }> =>
  defineBackend<{ site?: string }>({
    name,
    credentials: { env: [] },
    limits: { title: 80, body: 10_000, comment: 10_000 },
    create: (options) => ({
      targetNoun: "board",
      defaults: { prefix: "", labels: [], assignees: [] },
      checkTarget: () => undefined,
      canSubmit: () => false,
      render: (document, limit) => renderIssueBody(document, { limit }).body,
      manualUrl: (report) => ({ url: `${options.site ?? "https://board.example"}/new?title=${encodeURIComponent(report.title)}`, cutCharacters: 0 }),
      describeCreate: () => ({ method: "POST", url: "-", body: {} }),
      client: () => Promise.reject(new Error("no API")),
      classify: (error) => {
        throw error;
      },
    }),
  });

describe("defineBackend and the registry", () => {
  it("a record is taken by getHelper directly, and by name once registered; its title limit applies", async () => {
    const board = manualOnly("board-one");
    const direct = await getHelper(board, { ...quiet, site: "https://b.example", env: {} }).runHeadless({ title: "t".repeat(120), repo: "any" });
    expect(direct.kind).toBe("url");
    if (direct.kind === "url") expect(decodeURIComponent(direct.url)).toBe(`https://b.example/new?title=${"t".repeat(79)}…`);
    expect(() => getHelper("board-one" as "github", { env: {} })).toThrow(UnknownBackendError);
    registerBackend(board);
    try {
      registerBackend(board); // the same record again: nothing happens
      expect(backendNames()).toEqual(["github", "gitlab", "discourse", "gitea", "board-one"]);
      expect((await getHelper("board-one" as "github", { ...quiet, env: {} }).runHeadless({ title: "by name", repo: "any" })).kind).toBe("url");
      expect(() => registerBackend(manualOnly("board-one"))).toThrow(InvalidOptionError);
      expect(() => registerBackend(manualOnly("github"))).toThrow(InvalidOptionError);
    } finally {
      expect(unregisterBackend(board)).toBe(true);
    }
    expect(backendNames()).toEqual(["github", "gitlab", "discourse", "gitea"]);
    expect(() => getHelper("board-one" as "github", { env: {} })).toThrow(UnknownBackendError);
  });

  it("refuses a record that is not one, naming what is wrong", () => {
    const bad = (record: unknown) => {
      try {
        defineBackend(record as BackendDefinition);
      } catch (error) {
        expect(isBugbeaconError(error)).toBe(true);
        return (error as Error).message;
      }
      return "accepted";
    };
    expect(bad({ name: "Jira", credentials: { env: [] }, limits: { title: 1, body: 5000, comment: 1 }, create: () => ({}) })).toContain("name must be lower-case");
    expect(bad({ name: "jira", credentials: { env: [] }, limits: { title: 0, body: 5000, comment: 1 }, create: () => ({}) })).toContain("limits.title");
    expect(bad({ name: "jira", credentials: { env: ["NOT A NAME"] }, limits: { title: 1, body: 5000, comment: 1 }, create: () => ({}) })).toContain("credentials.env");
    expect(bad({ name: "jira", credentials: { env: [] }, limits: { title: 1, body: 100, comment: 1 }, create: () => ({}) })).toContain("limits.body");
    expect(() => registerBackend({ name: "x" } as never)).toThrow(InvalidOptionError);
    expect(() => getHelper({ name: "x" } as never)).toThrow(UnknownBackendError);
  });
});

describe("Gitea", () => {
  const send = (options: Record<string, unknown>, labels?: string[]) =>
    getHelper("gitea", { ...quiet, baseUrl: gt.url, spoolDir: tempDir("bugbeacon-spool-"), ...options }).runHeadless({ title: "Gitea report", repo: "team/app", ...(labels ? { labels } : {}) });

  it("takes the token from the option, then BUGBEACON_GITEA_TOKEN, then GITEA_TOKEN, sent as `Authorization: token`", async () => {
    const env = { BUGBEACON_GITEA_TOKEN: "gt-bugbeacon", GITEA_TOKEN: "gt-gitea" };
    for (const [options, token] of [
      [{ token: "gt-option", env }, "gt-option"],
      [{ env }, "gt-bugbeacon"],
      [{ env: { GITEA_TOKEN: "gt-gitea" } }, "gt-gitea"],
    ] as const) {
      gt.requests.length = 0;
      expect((await send(options)).kind).toBe("created");
      expect(new Set(gt.requests.map((r) => r.headers.authorization))).toEqual(new Set([`token ${token}`]));
    }
  });

  it("sends label names as the repository's label ids, leaving out names it does not have", async () => {
    gt.reset();
    expect((await send({ token: "gt-option", env: {} }, ["crash", "no-such-label"])).kind).toBe("created");
    expect(gt.issues[0]!.labels).toEqual([12]);
    expect(gt.requests.find((r) => r.method === "POST")!.body).toMatchObject({ labels: [12] });
  });

  it("needs the instance; takes an API root (…/api/v1) as the instance; without a token, the prefilled page", async () => {
    expect(() => getHelper("gitea", { env: {} })).toThrow(InvalidOptionError);
    gt.reset();
    expect((await send({ baseUrl: `${gt.url}/api/v1`, token: "gt-option", env: {} })).kind).toBe("created");
    const url = await getHelper("gitea", { ...quiet, baseUrl: "https://codeberg.example", env: {} }).runHeadless({ title: "Crash & co", body: "x".repeat(40_000), repo: "team/app" });
    expect(url.kind).toBe("url");
    if (url.kind !== "url") return;
    expect(url.url.startsWith("https://codeberg.example/team/app/issues/new?title=Crash%20%26%20co&body=")).toBe(true);
    expect(url.url.length).toBeLessThanOrEqual(8192);
    await expect(getHelper("gitea", { baseUrl: gt.url, env: {} }).prepare({ title: "t", repo: "team/app/extra" })).rejects.toThrow(InvalidOptionError);
  });

  it("the CLI's --backend gitea reports and flushes, the token from --token-env", async () => {
    gt.reset();
    const spool = tempDir("bugbeacon-spool-");
    const env = baseEnv({ BUGBEACON_SPOOL_DIR: spool, MY_FORGE_TOKEN: "gt-option", BUGBEACON_PACING_MS: "0", BUGBEACON_RETRY_BASE_MS: "1" });
    const run = await runNode([cli, "report", "--backend", "gitea", "--repo", "team/app", "--title", "From the CLI", "--api-url", gt.url, "--token-env", "MY_FORGE_TOKEN"], { env });
    expect(run.stdout).toBe(`created ${gt.url}/team/app/issues/1\n`);
    expect(run.code).toBe(0);
    gt.fault({ method: "POST", path: /\/issues$/, kind: "status", status: 503 });
    const queued = await runNode([cli, "report", "--backend", "gitea", "--repo", "team/app", "--title", "Queued one", "--api-url", gt.url, "--token-env", "MY_FORGE_TOKEN"], { env });
    expect(queued.stdout).toMatch(/^queued at /);
    const flushed = await runNode([cli, "flush", "--backend", "gitea", "--api-url", gt.url], { env: { ...env, BUGBEACON_GITEA_TOKEN: "gt-option" } });
    expect(flushed.stdout).toContain("delivered 1: created 1, already there 0, merged 0, counted 0; waiting 0; failed 0");
    expect(gt.issues.map((i) => i.title)).toEqual(["From the CLI", "Queued one"]);
  });
});
