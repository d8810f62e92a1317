/**
 * GitLab and Discourse beyond the shared contract: where their tokens come from, what targets they accept,
 * their prefilled pages, and the CLI's --backend (the built CLI as a real child process, against the fakes).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidOptionError, InvalidTargetError, getHelper, isBugbeaconError } from "../src/index.js";
import { startFakeGitLab, type FakeGitLab } from "./support/fake-gitlab/index.js";
import { startFakeDiscourse, type FakeDiscourse } from "./support/fake-discourse/index.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const cli = join(new URL("..", import.meta.url).pathname, "dist/cli.js");
const quiet = { confirm: false, open: false, quiet: true, flushOnStart: false, pacingMs: 0, retryAfterBaseMs: 1 };
let gl: FakeGitLab;
let dc: FakeDiscourse;
beforeAll(async () => {
  gl = await startFakeGitLab({ projects: ["lab/app"], tokens: ["glpat-option", "glpat-bugbeacon", "glpat-gitlab"] });
  dc = await startFakeDiscourse({ categories: [7], apiKeys: ["dkey-0123456789"], username: "system" });
});
afterAll(async () => {
  expect(gl.contractViolations).toEqual([]);
  expect(dc.contractViolations).toEqual([]);
  await gl.close();
  await dc.close();
});

describe("GitLab", () => {
  it("takes the token from the option, then BUGBEACON_GITLAB_TOKEN, then GITLAB_TOKEN", async () => {
    const env = { BUGBEACON_GITLAB_TOKEN: "glpat-bugbeacon", GITLAB_TOKEN: "glpat-gitlab" };
    const send = (options: Record<string, unknown>) =>
      getHelper("gitlab", { ...quiet, baseUrl: gl.url, spoolDir: tempDir("bugbeacon-spool-"), ...options }).runHeadless({ title: "t", repo: "lab/app" });
    for (const [options, token] of [
      [{ token: "glpat-option", env }, "glpat-option"],
      [{ env }, "glpat-bugbeacon"],
      [{ env: { GITLAB_TOKEN: "glpat-gitlab" } }, "glpat-gitlab"],
    ] as const) {
      gl.requests.length = 0;
      expect((await send(options)).kind).toBe("created");
      expect(gl.requests.map((r) => r.headers["private-token"])).toEqual([token]);
      // The project goes by its URL-encoded path, as GitLab's namespaced-path rule asks.
      expect(gl.requests[0]!.path).toBe("/api/v4/projects/lab%2Fapp/issues");
    }
  });

  it("checks project paths when the report is made, and a bad baseUrl when the helper is", async () => {
    const h = getHelper("gitlab", { ...quiet, env: {} });
    for (const bad of ["app", "../x", "group/../x", "a//b", "group/app.git", 42]) {
      await expect(h.prepare({ title: "t", repo: bad as string })).rejects.toThrow(InvalidTargetError);
    }
    expect((await h.prepare({ title: "t", repo: "a/b/c/d" })).repo).toBe("a/b/c/d");
    expect(() => getHelper("gitlab", { baseUrl: "ftp://gitlab.example", env: {} })).toThrow('Invalid baseUrl: "ftp://gitlab.example"');
    expect(() => getHelper("gitlab", { env: { BUGBEACON_GITLAB_URL: "not a url" } })).toThrow("Invalid BUGBEACON_GITLAB_URL");
  });

  it("without a token: GitLab's prefilled new-issue page on the instance, within 8,192 characters", async () => {
    const result = await getHelper("gitlab", { ...quiet, baseUrl: "https://gitlab.example.org", env: {} }).runHeadless({ title: "Crash & co", body: "x".repeat(50_000), repo: "lab/sub/app" });
    expect(result.kind).toBe("url");
    if (result.kind !== "url") return;
    expect(result.url.startsWith("https://gitlab.example.org/lab/sub/app/-/issues/new?issue%5Btitle%5D=Crash%20%26%20co&issue%5Bdescription%5D=")).toBe(true);
    expect(result.url.length).toBeLessThanOrEqual(8192);
    expect(decodeURIComponent(result.url)).toContain(result.identifier);
  });
});

describe("Discourse", () => {
  it("needs the forum's address, named in a typed error when the helper is made", () => {
    let caught: unknown;
    try {
      getHelper("discourse", { env: {} });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidOptionError);
    expect(isBugbeaconError(caught)).toBe(true);
    expect((caught as Error).message).toContain("BUGBEACON_DISCOURSE_URL");
  });

  it("sends Api-Key and the configured Api-Username, a short title lengthened to Discourse's 15-character minimum", async () => {
    const result = await getHelper("discourse", { ...quiet, baseUrl: dc.url, spoolDir: tempDir("bugbeacon-spool-"), env: { BUGBEACON_DISCOURSE_API_KEY: "dkey-0123456789", BUGBEACON_DISCOURSE_API_USERNAME: "system" } }).runHeadless({ title: "Boom", repo: "7" });
    expect(result.kind).toBe("created");
    const create = dc.requests.find((r) => r.method === "POST")!;
    expect(create.headers["api-key"]).toBe("dkey-0123456789");
    expect(create.headers["api-username"]).toBe("system");
    expect(create.body).toMatchObject({ title: "Boom (crash report)", category: 7 });
    await expect(getHelper("discourse", { baseUrl: dc.url, env: {} }).prepare({ title: "t", repo: "bugs" })).rejects.toThrow(InvalidTargetError);
  });
});

describe("the CLI's --backend", () => {
  const bugbeacon = (args: string[], env: NodeJS.ProcessEnv = {}) => runNode([cli, ...args], { env: baseEnv({ BUGBEACON_PACING_MS: "0", BUGBEACON_RETRY_BASE_MS: "1", ...env }) });

  it("report --backend gitlab creates the issue; flush --backend gitlab sends what was queued, once", async () => {
    const spool = tempDir("bugbeacon-spool-");
    const env = { BUGBEACON_GITLAB_TOKEN: "glpat-bugbeacon", BUGBEACON_SPOOL_DIR: spool };
    const before = gl.issues.length;
    const run = await bugbeacon(["report", "--backend", "gitlab", "--repo", "lab/app", "--title", "From the CLI", "--api-url", gl.url], env);
    expect(run.stdout).toMatch(new RegExp(`^created ${gl.url}/lab/app/-/issues/\\d+\\n$`));
    expect(run.code).toBe(0);
    gl.fault({ method: "POST", path: /\/issues$/, kind: "status", status: 503 });
    const queued = await bugbeacon(["report", "--backend", "gitlab", "--repo", "lab/app", "--title", "Queued one", "--api-url", gl.url], env);
    expect(queued.stdout).toMatch(/^queued at /);
    const flushed = await bugbeacon(["flush", "--backend", "gitlab", "--api-url", gl.url], env);
    expect(flushed.stdout.split("\n")[0]).toBe("delivered 1: created 1, already there 0, merged 0, counted 0; waiting 0; failed 0");
    expect(flushed.code).toBe(0);
    expect(gl.issues.length).toBe(before + 2);
  });

  it("report --backend discourse without a key gives the prefilled topic page; a bad --backend or target is a usage error", async () => {
    const url = await bugbeacon(["report", "--backend", "discourse", "--repo", "7", "--title", "No key here", "--api-url", "https://forum.example.org"]);
    expect(url.stdout).toMatch(/^file the issue at https:\/\/forum\.example\.org\/new-topic\?title=No%20key%20here&body=.+&category_id=7\n$/);
    const bad = await bugbeacon(["report", "--backend", "jira", "--repo", "x/y", "--title", "t"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--backend must be one of github, gitlab, discourse, gitea, not "jira".');
    const badTarget = await bugbeacon(["report", "--backend", "gitlab", "--repo", "nogroup", "--title", "t"]);
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toContain("--repo");
    expect(badTarget.stderr).toContain("GitLab project path");
  });
});
