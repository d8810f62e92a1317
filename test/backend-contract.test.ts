/**
 * One contract, every backend: each is driven through the public API (getHelper) against its own local
 * fake service over real HTTP, and must behave the same way: created, the manual URL, queued on a failure,
 * flushed exactly once after a lost answer (and a second flush changes nothing), a duplicate found by
 * identifier from another machine (an empty cache), and a dry run that sends nothing.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getHelper } from "../src/index.js";
import { parseIssueBody } from "../src/format.js";
import { startFakeGitHub, type FakeGitHub } from "./support/fake-github/index.js";
import { startFakeGitLab, type FakeGitLab } from "./support/fake-gitlab/index.js";
import { startFakeDiscourse, type FakeDiscourse } from "./support/fake-discourse/index.js";
import { quiesce } from "./support/cleanup.js";
import { tempDir } from "./support/temp.js";

interface Stored {
  body: string;
  occurrences: number;
}

interface Subject {
  name: "github" | "gitlab" | "discourse";
  target: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  reset(): void;
  violations(): readonly unknown[];
  /** The options of a helper wired to the fake (with or without credentials). */
  options(withToken: boolean): Record<string, unknown>;
  stored(): Stored[];
  requests(): number;
  failNextCreate(kind: "status" | "lost"): void;
  /** Where the manual URL must point. */
  manualPage(): string;
}

const GH_TOKEN = "ghp_faketokenfaketokenfaketokenfake1234";
const GL_TOKEN = "glpat-faketokenfaketoken12";
const DC_KEY = "discourse-fake-api-key-0123456789abcdef";
const common = { confirm: false, open: false, quiet: true, flushOnStart: false, retryAfterBaseMs: 1, pacingMs: 0 };

let gh: FakeGitHub;
let gl: FakeGitLab;
let dc: FakeDiscourse;

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
    options: (withToken) => ({ baseUrl: gh.url, webUrl: "https://github.example", env: withToken ? { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: GH_TOKEN } : { BUGBEACON_SETTLE_MS: "1000" } }),
    stored: () => gh.issues("octo/app").map((i) => ({ body: i.body ?? "", occurrences: i.comments.length })),
    requests: () => gh.requests.length,
    failNextCreate: (kind) =>
      void gh.faults.add(kind === "status" ? { status: 503, method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 } : { kind: "lost-response", method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 }),
    manualPage: () => "https://github.example/octo/app/issues/new?title=",
  },
  {
    name: "gitlab",
    target: "research-group/tools/app",
    start: async () => void (gl = await startFakeGitLab({ projects: ["research-group/tools/app"], tokens: [GL_TOKEN] })),
    stop: () => gl.close(),
    reset: () => gl.reset(),
    violations: () => gl.contractViolations,
    options: (withToken) => ({ baseUrl: gl.url, env: withToken ? { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITLAB_TOKEN: GL_TOKEN } : { BUGBEACON_SETTLE_MS: "1000" } }),
    stored: () => gl.issues.map((i) => ({ body: i.description, occurrences: i.notes.length })),
    requests: () => gl.requests.length,
    failNextCreate: (kind) => gl.fault({ method: "POST", path: /\/issues$/, kind: kind === "status" ? "status" : "lost-response", status: 503 }),
    manualPage: () => `${gl.url}/research-group/tools/app/-/issues/new?issue%5Btitle%5D=`,
  },
  {
    name: "discourse",
    target: "7",
    start: async () => void (dc = await startFakeDiscourse({ categories: [7], apiKeys: [DC_KEY], username: "bugbeacon-bot" })),
    stop: () => dc.close(),
    reset: () => dc.reset(),
    violations: () => dc.contractViolations,
    options: (withToken) => ({ baseUrl: dc.url, env: withToken ? { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_DISCOURSE_API_KEY: DC_KEY, BUGBEACON_DISCOURSE_API_USERNAME: "bugbeacon-bot" } : { BUGBEACON_SETTLE_MS: "1000" } }),
    stored: () => dc.topics.map((t) => ({ body: t.posts[0]?.raw ?? "", occurrences: t.posts.length - 1 })),
    requests: () => dc.requests.length,
    failNextCreate: (kind) => dc.fault({ method: "POST", path: /^\/posts\.json$/, kind: kind === "status" ? "status" : "lost-response", status: 503 }),
    manualPage: () => `${dc.url}/new-topic?title=`,
  },
];

describe.each(subjects)("backend contract: $name", (subject) => {
  beforeAll(() => subject.start());
  afterAll(() => subject.stop());
  afterEach(async () => {
    await quiesce();
    expect(subject.violations()).toEqual([]);
    subject.reset();
  });
  const make = (withToken: boolean, extra: Record<string, unknown> = {}) =>
    getHelper(subject.name as "github", { ...common, spoolDir: tempDir("bugbeacon-spool-"), ...subject.options(withToken), ...extra } as never);
  const queuedFiles = (spoolDir: string) => {
    try {
      return readdirSync(join(spoolDir, "queue"));
    } catch {
      return [];
    }
  };

  it("created: one report through the API, its number and web page, the report format intact", async () => {
    const result = await make(true).runHeadless({ identifier: "TypeError: contract", title: "TypeError: contract", body: "at run (app.js:1:1)", repo: subject.target });
    expect(result.kind).toBe("created");
    if (result.kind !== "created") return;
    expect(result.number).toBeGreaterThan(0);
    expect(result.url).toMatch(/^https?:\/\//);
    const stored = subject.stored();
    expect(stored).toHaveLength(1);
    expect(parseIssueBody(stored[0]!.body)?.identifier).toBe(result.identifier);
    expect(parseIssueBody(stored[0]!.body)?.metadata?.reportId).toBe(result.reportId);
  });

  it("URL: without credentials, a prefilled page that carries the title and the identifier, and no request", async () => {
    const result = await make(false).runHeadless({ identifier: "url case", title: "Crash & burn #1", body: "details", repo: subject.target });
    expect(result.kind).toBe("url");
    if (result.kind !== "url") return;
    expect(result.url.startsWith(subject.manualPage())).toBe(true);
    expect(result.url.length).toBeLessThanOrEqual(8192);
    const decoded = decodeURIComponent(result.url);
    expect(decoded).toContain("Crash & burn #1");
    expect(decoded).toContain(result.identifier);
    expect(subject.requests()).toBe(0);
  });

  it("queued: a failed create leaves the report in the spool with the reason, and nothing created", async () => {
    const spoolDir = tempDir("bugbeacon-spool-");
    subject.failNextCreate("status");
    const result = await make(true, { spoolDir }).runHeadless({ identifier: "queued case", title: "t", repo: subject.target });
    expect(result.kind).toBe("queued");
    expect(queuedFiles(spoolDir)).toHaveLength(1);
    expect(subject.stored()).toHaveLength(0);
  });

  it("flushed exactly once: a create whose answer was lost is found by report id, not sent again; a second flush changes nothing", async () => {
    const spoolDir = tempDir("bugbeacon-spool-");
    subject.failNextCreate("lost");
    const first = await make(true, { spoolDir }).runHeadless({ identifier: "lost case", title: "t", repo: subject.target });
    expect(first.kind).toBe("queued");
    expect(subject.stored()).toHaveLength(1); // it did arrive
    const summary = await make(true, { spoolDir }).flush();
    expect(summary).toMatchObject({ sent: 1, merged: 0, queued: 0, failed: [] });
    const again = await make(true, { spoolDir }).flush();
    expect(again).toMatchObject({ sent: 0, merged: 0, queued: 0, failed: [] });
    expect(subject.stored()).toHaveLength(1);
    expect(subject.stored()[0]!.occurrences).toBe(0);
    expect(queuedFiles(spoolDir)).toEqual([]);
  });

  it("duplicate found: another machine (an empty cache) finds the open report by identifier and adds an occurrence", async () => {
    const created = await make(true).runHeadless({ identifier: "TypeError: dup", title: "dup", repo: subject.target });
    expect(created.kind).toBe("created");
    const second = await make(true, { onDuplicate: "comment" }).runHeadless({ identifier: "TypeError: dup", title: "dup", repo: subject.target });
    expect(second.kind).toBe("duplicate");
    if (second.kind !== "duplicate" || created.kind !== "created") return;
    expect(second.number).toBe(created.number);
    expect(subject.stored()).toHaveLength(1);
    expect(subject.stored()[0]!.occurrences).toBe(1);
  });

  it("dry run: the request is printed, nothing is sent or spooled", async () => {
    const spoolDir = tempDir("bugbeacon-spool-");
    const result = await make(true, { spoolDir, dryRun: true }).runHeadless({ identifier: "dry", title: "t", repo: subject.target });
    expect(result).toMatchObject({ kind: "skipped", reason: "dry-run" });
    expect(subject.requests()).toBe(0);
    expect(queuedFiles(spoolDir)).toEqual([]);
  });
});
