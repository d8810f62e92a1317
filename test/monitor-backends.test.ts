/**
 * Monitors with every built-in backend: the same scenarios as the GitHub monitor tests (test/monitor.test.ts)
 * through the public API (getHelper, helper.monitorOnce) against each service's local fake over real HTTP
 * (each fake following its service's source or API description; contract violations fail the test):
 * - a check that fails twice, passes twice and fails again: one issue (topic) opened once, closed once,
 *   reopened once, its body edited once besides, and no comment but the one "resolved" comment;
 * - a record check whose failing set goes {a, b} -> {b} -> {} -> {}: the checklist edited in place, then
 *   the issue closed;
 * - with onClosed: "new", a new incident opens a second issue linking the first.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getHelper } from "../src/index.js";
import type { MonitorRun } from "../src/sdk/monitor/options.js";
import { startFakeDiscourse, type FakeDiscourse } from "./support/fake-discourse/index.js";
import { startFakeGitea, type FakeGitea } from "./support/fake-gitea/index.js";
import { startFakeGitHub, type FakeGitHub } from "./support/fake-github/index.js";
import { startFakeGitLab, type FakeGitLab } from "./support/fake-gitlab/index.js";
import { quiesce } from "./support/cleanup.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const cli = join(new URL("..", import.meta.url).pathname, "dist/cli.js");

interface Writes {
  created: number;
  closed: number;
  reopened: number;
  /** Body edits that did not open or close. */
  edited: number;
  comments: number;
}

interface Stored {
  state: "open" | "closed";
  body: string;
  comments: string[];
}

interface Subject {
  name: string;
  target: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  reset(): void;
  violations(): readonly unknown[];
  options(): Record<string, unknown>;
  /** The service's address for the CLI's --api-url, and the token's variable. */
  cli(): { url: string; env: Record<string, string> };
  stored(): Stored[];
  writes(): Writes;
}

const GH_TOKEN = "ghp_monitorbackendsmonitorbackends12";
const GL_TOKEN = "glpat-monitorbackends0123";
const DC_KEY = "discourse-monitor-api-key-0123456789ab";
const GT_TOKEN = "gitea-monitor-token-0123456789abcdef01";
let gh: FakeGitHub;
let gl: FakeGitLab;
let dc: FakeDiscourse;
let gt: FakeGitea;

type Req = { method: string; path: string; body?: unknown };
const field = (r: Req, key: string) => ((r.body ?? {}) as Record<string, unknown>)[key];

const subjects: Subject[] = [
  {
    name: "github",
    target: "octo/app",
    start: async () => void (gh = await startFakeGitHub({ repos: ["octo/app"], tokens: [GH_TOKEN] })),
    stop: () => gh.close(),
    reset: () => {
      gh.faults.clear();
      gh.reset();
    },
    violations: () => gh.contractViolations,
    options: () => ({ baseUrl: gh.url, env: { BUGBEACON_GITHUB_TOKEN: GH_TOKEN } }),
    cli: () => ({ url: gh.url, env: { BUGBEACON_GITHUB_TOKEN: GH_TOKEN } }),
    stored: () => gh.issues("octo/app").map((i) => ({ state: i.state === "open" ? "open" : "closed", body: i.body ?? "", comments: i.comments.map((c) => c.body) })),
    writes() {
      const w = gh.requests.filter((r) => r.method !== "GET" && r.status < 300);
      return {
        created: w.filter((r) => r.method === "POST" && r.path === "/repos/octo/app/issues").length,
        closed: w.filter((r) => r.method === "PATCH" && field(r, "state") === "closed").length,
        reopened: w.filter((r) => r.method === "PATCH" && field(r, "state") === "open").length,
        edited: w.filter((r) => r.method === "PATCH" && field(r, "state") === undefined).length,
        comments: w.filter((r) => r.method === "POST" && r.path.endsWith("/comments")).length,
      };
    },
  },
  {
    name: "gitlab",
    target: "research-group/tools/app",
    start: async () => void (gl = await startFakeGitLab({ projects: ["research-group/tools/app"], tokens: [GL_TOKEN] })),
    stop: () => gl.close(),
    reset: () => gl.reset(),
    violations: () => gl.contractViolations,
    options: () => ({ baseUrl: gl.url, env: { BUGBEACON_GITLAB_TOKEN: GL_TOKEN } }),
    cli: () => ({ url: gl.url, env: { BUGBEACON_GITLAB_TOKEN: GL_TOKEN } }),
    stored: () => gl.issues.map((i) => ({ state: i.state === "opened" ? "open" : "closed", body: i.description, comments: i.notes.map((n) => n.body) })),
    writes() {
      const w = gl.requests.filter((r) => r.method !== "GET");
      return {
        created: w.filter((r) => r.method === "POST" && r.path.endsWith("/issues")).length,
        closed: w.filter((r) => r.method === "PUT" && field(r, "state_event") === "close").length,
        reopened: w.filter((r) => r.method === "PUT" && field(r, "state_event") === "reopen").length,
        edited: w.filter((r) => r.method === "PUT" && field(r, "state_event") === undefined).length,
        comments: w.filter((r) => r.method === "POST" && r.path.endsWith("/notes")).length,
      };
    },
  },
  {
    name: "gitea",
    target: "team/app",
    start: async () => void (gt = await startFakeGitea({ repos: ["team/app"], tokens: [GT_TOKEN] })),
    stop: () => gt.close(),
    reset: () => gt.reset(),
    violations: () => gt.contractViolations,
    options: () => ({ baseUrl: gt.url, env: { BUGBEACON_GITEA_TOKEN: GT_TOKEN } }),
    cli: () => ({ url: gt.url, env: { BUGBEACON_GITEA_TOKEN: GT_TOKEN } }),
    stored: () => gt.issues.map((i) => ({ state: i.state, body: i.body, comments: i.comments.map((c) => c.body) })),
    writes() {
      const w = gt.requests.filter((r) => r.method !== "GET");
      return {
        created: w.filter((r) => r.method === "POST" && r.path.endsWith("/issues")).length,
        closed: w.filter((r) => r.method === "PATCH" && field(r, "state") === "closed").length,
        reopened: w.filter((r) => r.method === "PATCH" && field(r, "state") === "open").length,
        edited: w.filter((r) => r.method === "PATCH" && field(r, "state") === undefined).length,
        comments: w.filter((r) => r.method === "POST" && r.path.endsWith("/comments")).length,
      };
    },
  },
  {
    name: "discourse",
    target: "7",
    start: async () => void (dc = await startFakeDiscourse({ categories: [7], apiKeys: [DC_KEY], username: "bugbeacon-bot" })),
    stop: () => dc.close(),
    reset: () => dc.reset(),
    violations: () => dc.contractViolations,
    options: () => ({ baseUrl: dc.url, env: { BUGBEACON_DISCOURSE_API_KEY: DC_KEY, BUGBEACON_DISCOURSE_API_USERNAME: "bugbeacon-bot" } }),
    cli: () => ({ url: dc.url, env: { BUGBEACON_DISCOURSE_API_KEY: DC_KEY, BUGBEACON_DISCOURSE_API_USERNAME: "bugbeacon-bot" } }),
    stored: () => dc.topics.map((t) => ({ state: t.closed ? "closed" : "open", body: t.posts[0]?.raw ?? "", comments: t.posts.slice(1).map((p) => p.raw) })),
    writes() {
      const w = dc.requests.filter((r) => r.method !== "GET");
      const status = (enabled: string) => w.filter((r) => r.method === "PUT" && r.path.endsWith("/status.json") && field(r, "enabled") === enabled).length;
      const edits = w.filter((r) => r.method === "PUT" && r.path.startsWith("/posts/")).length;
      return {
        created: w.filter((r) => r.method === "POST" && r.path === "/posts.json" && field(r, "topic_id") === undefined).length,
        closed: status("true"),
        reopened: status("false"),
        // Discourse edits the first post, then changes the status in a request of its own.
        edited: edits - status("true") - status("false"),
        comments: w.filter((r) => r.method === "POST" && r.path === "/posts.json" && field(r, "topic_id") !== undefined).length,
      };
    },
  },
];

describe.each(subjects)("monitors with the $name backend", (subject) => {
  beforeAll(() => subject.start());
  afterAll(() => subject.stop());
  afterEach(async () => {
    await quiesce();
    expect(subject.violations()).toEqual([]);
    subject.reset();
  });

  const helper = () =>
    getHelper(subject.name as "github", {
      ...subject.options(),
      repo: subject.target,
      confirm: false,
      quiet: true,
      flushOnStart: false,
      retryAfterBaseMs: 10,
      pacingMs: 0,
      spoolDir: tempDir("bugbeacon-spool-"),
    } as never);
  const expectClean = (run: MonitorRun) => {
    expect(run.problem).toBeUndefined();
    return run.action;
  };

  it("fails twice, passes twice, fails again: one issue opened once, closed once, reopened once, one comment", async () => {
    const h = helper();
    const script = [false, false, true, true, false];
    const actions: string[] = [];
    for (const ok of script) actions.push(expectClean(await h.monitorOnce("nightly export", () => ({ ok, details: "export is 3 days old" }))));
    expect(actions).toEqual(["opened", "none", "updated", "closed", "reopened"]);
    expect(subject.writes()).toEqual({ created: 1, closed: 1, reopened: 1, edited: 1, comments: 1 });
    const [issue, ...others] = subject.stored();
    expect(others).toEqual([]);
    expect(issue?.state).toBe("open");
    expect(issue?.body).toContain("> export is 3 days old");
    expect(issue?.comments).toEqual([expect.stringMatching(/^Resolved: the monitor `nightly export` passed 2 runs in a row\./)]);
    // A second helper (another process, an empty memory) finds the same issue and changes nothing.
    expect(expectClean(await helper().monitorOnce("nightly export", () => ({ ok: false, details: "export is 3 days old" })))).toBe("none");
    expect(subject.stored()).toHaveLength(1);
  });

  it("edits the checklist in place as the failing set goes {a, b} -> {b} -> {}, then closes the issue", async () => {
    const h = helper();
    const once = (keys: string[]) => h.monitorOnce("users have pictures", () => ({ ok: keys.length === 0, failures: keys.map((key) => ({ key, details: "no picture yet" })) }));
    expect(expectClean(await once(["a", "b"]))).toBe("opened");
    expect(subject.stored()[0]?.body).toContain("- [ ] `a` no picture yet\n- [ ] `b` no picture yet");
    expect(expectClean(await once(["b"]))).toBe("updated");
    expect(subject.stored()[0]?.body).toContain("- [ ] `b` no picture yet\n- [x] `a` passes again");
    expect(expectClean(await once([]))).toBe("updated");
    expect(expectClean(await once([]))).toBe("closed");
    const [issue, ...others] = subject.stored();
    expect(others).toEqual([]);
    expect(issue?.state).toBe("closed");
    expect(issue?.body).toContain("- [x] `a` passes again\n- [x] `b` passes again");
    expect(issue?.comments).toHaveLength(1);
    expect(subject.writes()).toEqual({ created: 1, closed: 1, reopened: 0, edited: 2, comments: 0 + 1 });
  });

  it("a checklist of 80 long records is shortened to what the service keeps (Discourse: 32,000 characters a post)", async () => {
    const keys = Array.from({ length: 80 }, (_, i) => `${String(i).padStart(3, "0")}-${"k".repeat(96)}`);
    const run = await helper().monitorOnce("big table", () => ({ ok: false, failures: keys.map((key) => ({ key, details: "d".repeat(300) })) }));
    expect(expectClean(run)).toBe("opened");
    const body = subject.stored()[0]?.body ?? "";
    expect(body).toContain(`- [ ] \`${keys[0]}\``);
    expect(body).toMatch(/<!-- bugbeacon-monitor monitor\.[0-9a-f]{32} v1:[A-Za-z0-9_-]+ -->$/);
    if (subject.name === "discourse") {
      expect(body.length).toBeLessThanOrEqual(32_000);
      expect(body).toMatch(/- and \d+ more/);
    }
  });

  it("with onClosed: new, a failure after the issue closed opens a new issue linking the old one", async () => {
    const h = helper();
    const once = (ok: boolean) => h.monitorOnce("cache warm", () => ok, { onClosed: "new", passAfter: 1 });
    expect(expectClean(await once(false))).toBe("opened");
    expect(expectClean(await once(true))).toBe("closed");
    const again = await once(false);
    expect(expectClean(again)).toBe("opened-new");
    const [first, second, ...others] = subject.stored();
    expect(others).toEqual([]);
    expect(first?.state).toBe("closed");
    expect(second?.state).toBe("open");
    expect(second?.body).toMatch(/It failed before in #\d+\./);
    expect(expectClean(await once(false))).toBe("none");
  });

  it("bugbeacon check --backend: opens the issue; run again on the same failing state, it writes nothing", async () => {
    const cwd = tempDir("bugbeacon-checks-");
    writeFileSync(join(cwd, "checks.mjs"), "export const diskFree = () => ({ ok: false, details: 'disk 97% full' });\n");
    const { url, env } = subject.cli();
    const check = () => runNode([cli, "check", "checks.mjs", "--backend", subject.name, "--repo", subject.target, "--api-url", url, "--every", "1h"], { env: baseEnv(env), cwd });
    const first = await check();
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^diskFree: failing: disk 97% full; issue opened \S+\n$/);
    const before = subject.writes();
    const second = await check();
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^diskFree: failing: disk 97% full; issue unchanged \S+\n$/);
    expect(subject.writes()).toEqual(before);
    expect(subject.writes()).toEqual({ created: 1, closed: 0, reopened: 0, edited: 0, comments: 0 });
    expect(subject.stored().map((i) => i.state)).toEqual(["open"]);
  });
});
