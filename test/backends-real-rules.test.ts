/**
 * The GitLab and Discourse backends against the rules the real services enforce (each traced to the
 * services' source in the fakes): one test for each of the bugs a review against those sources found.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InvalidOptionError, getHelper } from "../src/index.js";
import { parseIssueBody } from "../src/format.js";
import { startFakeGitLab, type FakeGitLab } from "./support/fake-gitlab/index.js";
import { startFakeDiscourse, titleProblem, type FakeDiscourse } from "./support/fake-discourse/index.js";
import { quiesce } from "./support/cleanup.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { tempDir } from "./support/temp.js";

const DC_KEY = "discourse-fake-api-key-0123456789abcdef";
const SINGLE_KEY = "discourse-single-user-key-0123456789";
const GL_TOKEN = "glpat-faketokenfaketoken12";
const common = { confirm: false, open: false, quiet: true, flushOnStart: false, retryAfterBaseMs: 1, pacingMs: 0 };
const root = new URL("..", import.meta.url).pathname;

let dc: FakeDiscourse;
let gl: FakeGitLab;
beforeAll(async () => {
  dc = await startFakeDiscourse({ categories: [7], apiKeys: [DC_KEY], userKeys: { [SINGLE_KEY]: "Crash-Bot" }, username: "crash-bot" });
  gl = await startFakeGitLab({ projects: ["lab/app"], tokens: [GL_TOKEN] });
});
afterAll(async () => {
  await dc.close();
  await gl.close();
});
afterEach(async () => {
  await quiesce();
  expect(dc.contractViolations).toEqual([]);
  expect(gl.contractViolations).toEqual([]);
  dc.reset();
  gl.reset();
});

const discourse = (extra: Record<string, unknown> = {}) =>
  getHelper("discourse", { ...common, baseUrl: dc.url, spoolDir: tempDir("bugbeacon-spool-"), env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_DISCOURSE_API_KEY: DC_KEY, BUGBEACON_DISCOURSE_API_USERNAME: "crash-bot" }, ...extra });
const gitlab = (extra: Record<string, unknown> = {}) =>
  getHelper("gitlab", { ...common, baseUrl: gl.url, spoolDir: tempDir("bugbeacon-spool-"), env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITLAB_TOKEN: GL_TOKEN }, ...extra });
const queued = (spoolDir: string) => {
  try {
    return readdirSync(join(spoolDir, "queue"));
  } catch {
    return [];
  }
};

describe("Discourse, as its source has it", () => {
  it("1. a regression (the topic was closed) opens a new topic whose title Discourse accepts, linking to the old one", async () => {
    const first = await discourse().runHeadless({ identifier: "TypeError: regression", title: "TypeError: cannot read properties of undefined", repo: "7" });
    expect(first.kind).toBe("created");
    dc.topics[0]!.closed = true;
    const again = await discourse().runHeadless({ identifier: "TypeError: regression", title: "TypeError: cannot read properties of undefined", repo: "7" });
    expect(again).toMatchObject({ kind: "created" });
    expect(dc.topics).toHaveLength(2);
    expect(dc.topics[1]!.title).not.toBe(dc.topics[0]!.title);
    expect(dc.topics[1]!.posts[0]!.raw).toContain(String(dc.topics[0]!.id));
    // A second regression (the new topic closed too) is accepted as well.
    dc.topics[1]!.closed = true;
    expect((await discourse().runHeadless({ identifier: "TypeError: regression", title: "TypeError: cannot read properties of undefined", repo: "7" })).kind).toBe("created");
    expect(new Set(dc.topics.map((t) => t.title.toLowerCase())).size).toBe(3);
  });

  it("2. a 100 kB crash is posted within the 32,000 characters of max_post_length, the cut marked", async () => {
    const body = Array.from({ length: 2000 }, (_, i) => `    at frame${i} (/app/src/module${i}.js:${i}:10)`).join("\n");
    expect(body.length).toBeGreaterThan(80_000);
    const result = await discourse().runHeadless({ identifier: "RangeError: big", title: "RangeError: maximum call stack size exceeded", body, repo: "7" });
    expect(result.kind).toBe("created");
    const raw = dc.topics[0]!.posts[0]!.raw;
    expect(raw.length).toBeLessThanOrEqual(32_000);
    expect(raw).toMatch(/characters cut by bugbeacon/);
    expect(parseIssueBody(raw)?.metadata?.reportId).toBe(result.reportId);
  });

  it("3. the no-key page names the category by id with category_id (the new-topic route reads `category` as a name or slug)", async () => {
    const result = await getHelper("discourse", { ...common, baseUrl: "https://forum.example.org", env: {} }).runHeadless({ title: "A crash in the app", repo: "7" });
    expect(result.kind).toBe("url");
    if (result.kind !== "url") return;
    const url = new URL(result.url);
    expect(url.searchParams.get("category_id")).toBe("7");
    expect(url.searchParams.has("category")).toBe(false);
  });

  it("4. a flush finds an open report beyond the first page of 30 topics (the pinned About topic takes a slot)", async () => {
    for (let i = 0; i < 35; i++) {
      expect((await discourse().runHeadless({ identifier: `Error: number ${i}`, title: `Error number ${i} in the application`, repo: "7" })).kind).toBe("created");
    }
    const spoolDir = tempDir("bugbeacon-spool-");
    // The oldest report is seen again while the forum does not answer: queued.
    dc.fault({ method: "GET", path: /^\/search\.json$/, kind: "status", status: 503, times: 1 });
    dc.fault({ method: "GET", path: /^\/search\.json$/, kind: "status", status: 503, times: 5 });
    const offline = await discourse({ spoolDir, onDuplicate: "comment" }).runHeadless({ identifier: "Error: number 0", title: "Error number 0 in the application", repo: "7" });
    expect(offline.kind).toBe("queued");
    dc.clearFaults();
    const summary = await discourse({ spoolDir, onDuplicate: "comment" }).flush();
    expect(summary).toMatchObject({ sent: 0, merged: 1, failed: [] });
    expect(dc.topics).toHaveLength(35);
    expect(dc.topics[0]!.posts).toHaveLength(2);
  });

  it("5. a reply whose answer was lost is found beyond the first 20 posts of a long topic, and not posted twice", async () => {
    const created = await discourse().runHeadless({ identifier: "Error: long topic", title: "Error in a long running topic", repo: "7" });
    expect(created.kind).toBe("created");
    const topic = dc.topics[0]!;
    for (let i = 0; i < 24; i++) topic.posts.push({ id: 90_000 + i, post_number: topic.posts.length + 1, raw: `Me too, on my machine number ${i}.`, created_at: new Date().toISOString() });
    const spoolDir = tempDir("bugbeacon-spool-");
    dc.fault({ method: "POST", path: /^\/posts\.json$/, kind: "lost-response" });
    const lost = await discourse({ spoolDir, onDuplicate: "comment" }).runHeadless({ identifier: "Error: long topic", title: "Error in a long running topic", repo: "7" });
    expect(lost.kind).toBe("queued");
    expect(topic.posts).toHaveLength(26); // it did arrive, as post 26
    const summary = await discourse({ spoolDir, onDuplicate: "comment" }).flush();
    expect(summary).toMatchObject({ merged: 1, queued: 0, failed: [] });
    expect(topic.posts).toHaveLength(26);
    expect(queued(spoolDir)).toEqual([]);
  });

  it("6. a post held for approval (action: enqueued) is reported as pending, never as topic undefined", async () => {
    dc.setRequireApproval(true);
    const spoolDir = tempDir("bugbeacon-spool-");
    const result = await discourse({ spoolDir }).runHeadless({ identifier: "Error: moderated", title: "Error in a moderated forum", repo: "7" });
    expect(result.kind).toBe("pending");
    expect(JSON.stringify(result)).not.toContain("undefined");
    expect(dc.pending).toHaveLength(1);
    expect(dc.topics).toHaveLength(0);
    // Not sent again by a flush: the forum has it.
    expect(queued(spoolDir)).toEqual([]);
  });

  it("7. Api-Username is sent only when configured: a single-user key works without it, user names in any case", async () => {
    const single = await getHelper("discourse", { ...common, baseUrl: dc.url, apiKey: SINGLE_KEY, spoolDir: tempDir("bugbeacon-spool-"), env: {} }).runHeadless({ identifier: "Error: single", title: "Error with a single user key", repo: "7" });
    expect(single.kind).toBe("created");
    expect(dc.requests.every((r) => r.headers["api-username"] === undefined)).toBe(true);
    const upper = await getHelper("discourse", { ...common, baseUrl: dc.url, apiKey: DC_KEY, apiUsername: "CRASH-BOT", spoolDir: tempDir("bugbeacon-spool-"), env: {} }).runHeadless({ identifier: "Error: upper", title: "Error with a user name in capitals", repo: "7" });
    expect(upper.kind).toBe("created");
  });

  it("8. titles: 300 characters, a word of more than 30 letters or digits, all capitals and short ones are all accepted", async () => {
    const titles = ["x ".repeat(150), "Failed to load md5.0123456789abcdef0123456789abcdef from the cache", "FATAL ERROR IN MODULE LOADER", "ENOENT", "a".repeat(300)];
    for (const [i, title] of titles.entries()) {
      const result = await discourse().runHeadless({ identifier: `Error: title ${i}`, title, repo: "7" });
      expect(result.kind, title).toBe("created");
    }
    for (const topic of dc.topics) expect(titleProblem(topic.title)).toBeUndefined();
    // Two different problems with the same title: both accepted (Discourse refuses a title already used).
    expect((await discourse().runHeadless({ identifier: "Error: same title 1", title: "TypeError: x is not a function", repo: "7" })).kind).toBe("created");
    expect((await discourse().runHeadless({ identifier: "Error: same title 2", title: "TypeError: x is not a function", repo: "7" })).kind).toBe("created");
  });

  it("12. labels must be an array of tag names, as for the other backends", () => {
    expect(() => getHelper("discourse", { baseUrl: dc.url, labels: "bug" as unknown as string[], env: {} })).toThrow(InvalidOptionError);
  });
});

describe("both", () => {
  it("9. a Retry-After longer than the cap is not waited for: the report is queued at once", async () => {
    dc.rateLimit(7200, 3);
    const spoolDir = tempDir("bugbeacon-spool-");
    const started = Date.now();
    const result = await discourse({ spoolDir, retryAfterBaseMs: 1000 }).runHeadless({ identifier: "Error: daily limit", title: "Error at the daily topic limit", repo: "7" });
    expect(result.kind).toBe("queued");
    if (result.kind === "queued") expect(result.reason).toMatch(/rate limit/i);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(queued(spoolDir)).toHaveLength(1);
  });

  it("9. a Retry-After wait within the cap holds a foreground flush open until it is done (a ref'd timer)", async () => {
    const spoolDir = tempDir("bugbeacon-spool-");
    dc.fault({ method: "POST", path: /^\/posts\.json$/, kind: "status", status: 503 });
    expect((await discourse({ spoolDir }).runHeadless({ identifier: "Error: waits", title: "Error that waits for the forum", repo: "7" })).kind).toBe("queued");
    dc.rateLimit(1, 1);
    const script = join(tempDir("bugbeacon-script-"), "flush.mjs");
    writeFileSync(
      script,
      `import { getHelper } from ${JSON.stringify(join(root, "dist/index.js"))};
const helper = getHelper("discourse", { confirm: false, quiet: true, flushOnStart: false, baseUrl: ${JSON.stringify(dc.url)}, apiKey: ${JSON.stringify(DC_KEY)}, apiUsername: "crash-bot", spoolDir: ${JSON.stringify(spoolDir)}, retryAfterBaseMs: 500, pacingMs: 0 });
const summary = await helper.flush();
console.log(JSON.stringify(summary));`,
    );
    const run = await runNode([script], { env: baseEnv() });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toMatchObject({ sent: 1, queued: 0 });
    expect(dc.topics).toHaveLength(1);
  });

  it("9. a wait for the service ends when the helper is closed: the app exits, the report stays in the spool", async () => {
    const spoolDir = tempDir("bugbeacon-spool-");
    dc.rateLimit(50, 5); // 50 s: within the cap, so waited for, on a timer that holds the process open
    const script = join(tempDir("bugbeacon-script-"), "app.mjs");
    writeFileSync(
      script,
      `import { getHelper } from ${JSON.stringify(join(root, "dist/index.js"))};
const helper = getHelper("discourse", { confirm: false, quiet: true, flushOnStart: false, baseUrl: ${JSON.stringify(dc.url)}, apiKey: ${JSON.stringify(DC_KEY)}, apiUsername: "crash-bot", spoolDir: ${JSON.stringify(spoolDir)}, retryAfterBaseMs: 1000, pacingMs: 0 });
import { readdirSync } from "node:fs";
const report = helper.runHeadless({ identifier: "Error: closing", title: "Error while the app closes", repo: "7" });
// Until the report is in flight (its write-ahead claim is on disk).
const inflight = () => { try { return readdirSync(${JSON.stringify(join(spoolDir, "inflight"))}).length; } catch { return 0; } };
while (inflight() === 0) await new Promise((resolve) => setImmediate(resolve));
await helper.close(200);
console.log(JSON.stringify(await report));`,
    );
    const run = await runNode([script], { env: baseEnv(), timeoutMs: 20_000 });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: "queued" });
    expect(queued(spoolDir)).toHaveLength(1);
    expect(dc.topics).toHaveLength(0);
  });

  it("10. GitLab dedupe finds the open issue after more than 20 closed ones with the same identifier", async () => {
    for (let i = 0; i < 22; i++) expect((await gitlab({ onDuplicate: "new" }).runHeadless({ identifier: "TypeError: recurring", title: "recurring", repo: "lab/app" })).kind).toBe("created");
    for (const issue of gl.issues.slice(0, 21)) issue.state = "closed";
    const open = gl.issues[21]!;
    const again = await gitlab({ onDuplicate: "comment" }).runHeadless({ identifier: "TypeError: recurring", title: "recurring", repo: "lab/app" });
    expect(again).toMatchObject({ kind: "duplicate", number: open.iid });
    expect(gl.issues).toHaveLength(22);
    expect(open.notes).toHaveLength(1);
  });

  it("10. GitLab's search rate limit (429 without Retry-After) sends the report as new at once", async () => {
    const limited = await startFakeGitLab({ projects: ["lab/app"], tokens: [GL_TOKEN], searchesPerMinute: 1 });
    try {
      const make = () => getHelper("gitlab", { ...common, baseUrl: limited.url, spoolDir: tempDir("bugbeacon-spool-"), env: { BUGBEACON_GITLAB_TOKEN: GL_TOKEN } });
      expect((await make().runHeadless({ identifier: "Error: limited", title: "limited", repo: "lab/app" })).kind).toBe("created");
      const second = await make().runHeadless({ identifier: "Error: limited", title: "limited", repo: "lab/app" });
      expect(second.kind).toBe("created");
      // One search answered, then each 429 given up at once (no retries: the report does not wait for search).
      expect(limited.requests.filter((r) => r.query.has("search"))).toHaveLength(3);
      expect(limited.contractViolations).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  it("11. a GitLab baseUrl ending in /api/v4 (CI_API_V4_URL) is not doubled", async () => {
    const result = await gitlab({ baseUrl: `${gl.url}/api/v4` }).runHeadless({ identifier: "Error: ci url", title: "ci url", repo: "lab/app" });
    expect(result.kind).toBe("created");
    expect(gl.requests.every((r) => r.path.startsWith("/api/v4/projects/"))).toBe(true);
    if (result.kind === "created") expect(result.url).toBe(`${gl.url}/lab/app/-/issues/1`);
  });

  it("8. a 300-character title is accepted by GitLab (255 at most), cut with the cut marked", async () => {
    const result = await gitlab().runHeadless({ identifier: "Error: long title", title: "y".repeat(300), repo: "lab/app" });
    expect(result.kind).toBe("created");
    expect(gl.issues[0]!.title.length).toBeLessThanOrEqual(255);
    expect(gl.issues[0]!.title.endsWith("…")).toBe(true);
  });

  it("12. labels are checked the same way for every backend", () => {
    for (const name of ["github", "gitlab", "discourse"] as const) {
      expect(() => getHelper(name as "github", { baseUrl: "https://x.example", labels: "bug" as unknown as string[], env: {} })).toThrow(InvalidOptionError);
      expect(() => getHelper(name as "github", { baseUrl: "https://x.example", labels: ["ok", 3 as unknown as string], env: {} })).toThrow(InvalidOptionError);
    }
  });
});
