/**
 * One contract, every backend: each is driven through the public API (getHelper) against its own local
 * fake service over real HTTP (each fake following its service's source or API description), and must
 * behave the same way: created, the manual URL, queued on a failure, flushed exactly once after a lost
 * answer (and a second flush changes nothing), a duplicate found by identifier from another machine (an
 * empty cache), a dry run that sends nothing, a 300-character title and a 100 kB body accepted (cut to the
 * backend's limits, the cut marked), and a regression (the report was closed) opening a new report the
 * service accepts, linking to the closed one.
 *
 * The subjects: the four built-in backends, and "tracker", a backend defined in this file with the public
 * port only (defineBackend, createRest) and passed to getHelper as a record; its references are Jira-like
 * strings ("LAB-3"), and it has neither `react` nor `reopen`.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getHelper } from "../src/index.js";
import { classifyRest, createRest, defineBackend, type BackendClient, type RemoteReport } from "../src/backend.js";
import { parseIssueBody, renderIssueBody } from "../src/format.js";
import { startFakeGitea, type FakeGitea } from "./support/fake-gitea/index.js";
import { startFakeGitHub, type FakeGitHub } from "./support/fake-github/index.js";
import { startFakeGitLab, type FakeGitLab } from "./support/fake-gitlab/index.js";
import { startFakeDiscourse, type FakeDiscourse } from "./support/fake-discourse/index.js";
import { quiesce } from "./support/cleanup.js";
import { tempDir } from "./support/temp.js";

interface Stored {
  title: string;
  body: string;
  occurrences: number;
}

interface Subject {
  name: string;
  /** The helper's backend: its name, or a record. */
  backend: unknown;
  limits: { title: number; body: number };
  /** Closes the report at this position (as a maintainer would). */
  close(index: number): void | Promise<void>;
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
const GT_TOKEN = "gitea-fake-token-0123456789abcdef0123";
const common = { confirm: false, open: false, quiet: true, flushOnStart: false, retryAfterBaseMs: 1, pacingMs: 0 };

let gh: FakeGitHub;
let gl: FakeGitLab;
let dc: FakeDiscourse;
let gt: FakeGitea;
let tr: FakeGitLab;

/**
 * A backend of an application's own, in a test file: a Jira-like tracker whose references are "LAB-<n>",
 * here served by a fake GitLab project. Only the public port is used.
 */
interface TrackerOptions {
  baseUrl?: string;
  token?: string;
}
const TRACKER_PROJECT = "lab/tracker";
const tracker = defineBackend<TrackerOptions>({
  name: "tracker",
  credentials: { env: ["TRACKER_TOKEN"], option: "token" },
  limits: { title: 200, body: 20_000, comment: 20_000 },
  create(options, context) {
    const web = options.baseUrl ?? "http://127.0.0.1:9";
    const token = options.token ?? context.env.TRACKER_TOKEN;
    const project = `/projects/${encodeURIComponent(TRACKER_PROJECT)}`;
    const ref = (iid: number) => `LAB-${iid}`;
    const iid = (reference: string) => Number(/^LAB-(\d+)$/.exec(reference)?.[1] ?? NaN);
    type Issue = { iid: number; state: string; description: string | null; web_url: string };
    const report = (i: Issue): RemoteReport => ({ ref: ref(i.iid), url: i.web_url, state: i.state === "opened" ? "open" : "closed", body: i.description ?? "" });
    return {
      targetNoun: "board",
      defaults: { prefix: "", labels: [], assignees: [] },
      checkTarget(target) {
        if (target !== "LAB") throw new Error(`not a board: ${String(target)}`);
      },
      canSubmit: () => token !== undefined,
      render: (document, limit) => renderIssueBody(document, { limit }).body,
      occurrenceText: (m) => `Seen again (${m.count} more on ${m.machines} machine): ${m.title}`,
      regressionText: (m) => `Regression of ${m.of.ref} (closed).\n\n${m.body}`,
      manualUrl(report) {
        const head = `${web}/tracker/new?summary=${encodeURIComponent(report.title)}&description=`;
        const body = renderIssueBody(report.document, { limit: 8000 - head.length, measure: (text) => encodeURIComponent(text).length });
        return { url: `${head}${encodeURIComponent(body.body)}`, cutCharacters: body.cutCharacters };
      },
      describeCreate: (_target, draft) => ({ method: "POST", url: `${web}/api/v4${project}/issues`, body: draft }),
      async client(mode) {
        const rest = await createRest({ root: `${web}/api/v4`, headers: { "PRIVATE-TOKEN": token ?? "" }, env: context.env, fetch: undefined, timeoutMs: 5000, pacingMs: 0, retryAfterBaseMs: context.retryAfterBaseMs ?? 1 }, mode);
        const list = async (query: Record<string, string | number>) => (await rest.get<Issue[]>(`${project}/issues`, { ...query, per_page: 100 })).data;
        const client: BackendClient = {
          listOpen: async () => (await list({ state: "opened" })).map(report),
          async listChanged(_target, since) {
            const issues = await list({ state: "all", updated_after: since.toISOString() });
            const occurrences = [];
            for (const issue of issues) {
              const notes = (await rest.get<Array<{ id: number; body: string }>>(`${project}/issues/${issue.iid}/notes`, { per_page: 100 })).data;
              for (const note of notes) occurrences.push({ ref: ref(issue.iid), url: `${issue.web_url}#note_${note.id}`, body: note.body });
            }
            return { reports: issues.map(report), occurrences };
          },
          async get(_target, reference) {
            const found = (await list({ state: "all" })).find((i) => ref(i.iid) === reference);
            return found === undefined ? undefined : report(found);
          },
          search: async (_target, identifier) => (await list({ state: "all", search: identifier, in: "description", sort: "asc" })).map(report),
          async create(_target, draft) {
            const issue = await rest.send<Issue>("POST", `${project}/issues`, { title: draft.title.slice(0, 200), description: draft.body });
            return { ref: ref(issue.iid), url: issue.web_url };
          },
          async comment(_target, reference, body) {
            const note = await rest.send<{ id: number }>("POST", `${project}/issues/${iid(reference)}/notes`, { body });
            return { url: `${web}/${TRACKER_PROJECT}/-/issues/${iid(reference)}#note_${note.id}` };
          },
          reportUrl: (_target, reference) => `${web}/${TRACKER_PROJECT}/-/issues/${iid(reference)}`,
        };
        return client;
      },
      classify: (error) => classifyRest(error, "Tracker", "TRACKER_TOKEN", "board"),
    };
  },
});

const subjects: Subject[] = [
  {
    name: "github",
    backend: "github",
    limits: { title: 256, body: 65_536 },
    // Through the API: the fake's issue list is a copy.
    close: async (i) => {
      const number = gh.issues("octo/app")[i]!.number;
      const answer = await fetch(`${gh.url}/repos/octo/app/issues/${number}`, { method: "PATCH", headers: { authorization: `token ${GH_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ state: "closed" }) });
      expect(answer.status).toBe(200);
      gh.requests.length = 0;
    },
    target: "octo/app",
    start: async () => void (gh = await startFakeGitHub({ repos: ["octo/app"], tokens: [GH_TOKEN] })),
    stop: () => gh.close(),
    reset: () => {
      gh.faults.clear();
      gh.reset();
    },
    violations: () => gh.contractViolations,
    options: (withToken) => ({ baseUrl: gh.url, webUrl: "https://github.example", env: withToken ? { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: GH_TOKEN } : { BUGBEACON_SETTLE_MS: "1000" } }),
    stored: () => gh.issues("octo/app").map((i) => ({ title: i.title, body: i.body ?? "", occurrences: i.comments.length })),
    requests: () => gh.requests.length,
    failNextCreate: (kind) =>
      void gh.faults.add(kind === "status" ? { status: 503, method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 } : { kind: "lost-response", method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 }),
    manualPage: () => "https://github.example/octo/app/issues/new?title=",
  },
  {
    name: "gitlab",
    backend: "gitlab",
    limits: { title: 255, body: 1_048_576 },
    close: (i) => void (gl.issues[i]!.state = "closed"),
    target: "research-group/tools/app",
    start: async () => void (gl = await startFakeGitLab({ projects: ["research-group/tools/app"], tokens: [GL_TOKEN] })),
    stop: () => gl.close(),
    reset: () => gl.reset(),
    violations: () => gl.contractViolations,
    options: (withToken) => ({ baseUrl: gl.url, env: withToken ? { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITLAB_TOKEN: GL_TOKEN } : { BUGBEACON_SETTLE_MS: "1000" } }),
    stored: () => gl.issues.map((i) => ({ title: i.title, body: i.description, occurrences: i.notes.length })),
    requests: () => gl.requests.length,
    failNextCreate: (kind) => gl.fault({ method: "POST", path: /\/issues$/, kind: kind === "status" ? "status" : "lost-response", status: 503 }),
    manualPage: () => `${gl.url}/research-group/tools/app/-/issues/new?issue%5Btitle%5D=`,
  },
  {
    name: "discourse",
    backend: "discourse",
    limits: { title: 255, body: 32_000 },
    close: (i) => void (dc.topics[i]!.closed = true),
    target: "7",
    start: async () => void (dc = await startFakeDiscourse({ categories: [7], apiKeys: [DC_KEY], username: "bugbeacon-bot" })),
    stop: () => dc.close(),
    reset: () => dc.reset(),
    violations: () => dc.contractViolations,
    options: (withToken) => ({ baseUrl: dc.url, env: withToken ? { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_DISCOURSE_API_KEY: DC_KEY, BUGBEACON_DISCOURSE_API_USERNAME: "bugbeacon-bot" } : { BUGBEACON_SETTLE_MS: "1000" } }),
    stored: () => dc.topics.map((t) => ({ title: t.title, body: t.posts[0]?.raw ?? "", occurrences: t.posts.length - 1 })),
    requests: () => dc.requests.length,
    failNextCreate: (kind) => dc.fault({ method: "POST", path: /^\/posts\.json$/, kind: kind === "status" ? "status" : "lost-response", status: 503 }),
    manualPage: () => `${dc.url}/new-topic?title=`,
  },
  {
    name: "gitea",
    backend: "gitea",
    limits: { title: 255, body: 65_536 },
    close: (i) => void (gt.issues[i]!.state = "closed"),
    target: "team/app",
    start: async () => void (gt = await startFakeGitea({ repos: ["team/app"], tokens: [GT_TOKEN] })),
    stop: () => gt.close(),
    reset: () => gt.reset(),
    violations: () => gt.contractViolations,
    options: (withToken) => ({ baseUrl: gt.url, env: withToken ? { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITEA_TOKEN: GT_TOKEN } : { BUGBEACON_SETTLE_MS: "1000" } }),
    stored: () => gt.issues.map((i) => ({ title: i.title, body: i.body, occurrences: i.comments.length })),
    requests: () => gt.requests.length,
    failNextCreate: (kind) => gt.fault({ method: "POST", path: /\/issues$/, kind: kind === "status" ? "status" : "lost-response", status: 503 }),
    manualPage: () => `${gt.url}/team/app/issues/new?title=`,
  },
  {
    name: "tracker (defined in this test file)",
    backend: tracker,
    limits: { title: 200, body: 20_000 },
    close: (i) => void (tr.issues[i]!.state = "closed"),
    target: "LAB",
    start: async () => void (tr = await startFakeGitLab({ projects: [TRACKER_PROJECT], tokens: ["tracker-token-0123456789"] })),
    stop: () => tr.close(),
    reset: () => tr.reset(),
    violations: () => tr.contractViolations,
    options: (withToken) => ({ baseUrl: tr.url, env: withToken ? { BUGBEACON_SETTLE_MS: "1000", TRACKER_TOKEN: "tracker-token-0123456789" } : { BUGBEACON_SETTLE_MS: "1000" } }),
    stored: () => tr.issues.map((i) => ({ title: i.title, body: i.description, occurrences: i.notes.length })),
    requests: () => tr.requests.length,
    failNextCreate: (kind) => tr.fault({ method: "POST", path: /\/issues$/, kind: kind === "status" ? "status" : "lost-response", status: 503 }),
    manualPage: () => `${tr.url}/tracker/new?summary=`,
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
    getHelper(subject.backend as "github", { ...common, spoolDir: tempDir("bugbeacon-spool-"), ...subject.options(withToken), ...extra } as never);
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
    // The reference is the service's name for it; `number` is that number (NaN for "LAB-3").
    expect(result.reference).toMatch(/^\S+$/);
    if (subject.backend === tracker) expect(result.reference).toMatch(/^LAB-\d+$/);
    else expect(result.number).toBeGreaterThan(0);
    if (/^\d+$/.test(result.reference)) expect(result.number).toBe(Number(result.reference));
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

  it("limits: a 300-character title and a 100 kB crash are accepted, cut to the backend's limits with the cut marked", async () => {
    const body = Array.from({ length: 2500 }, (_, i) => `    at frame${i} (/app/src/module${i}.js:${i}:10)`).join("\n");
    expect(body.length).toBeGreaterThan(100_000);
    const result = await make(true).runHeadless({ identifier: "RangeError: limits", title: `RangeError: ${"deep ".repeat(60)}`, body, repo: subject.target });
    expect(result.kind).toBe("created");
    const [stored] = subject.stored();
    expect(stored!.title.length).toBeLessThanOrEqual(subject.limits.title);
    expect(stored!.title).toMatch(/…/);
    expect(stored!.body.length).toBeLessThanOrEqual(subject.limits.body);
    if (body.length > subject.limits.body) expect(stored!.body).toMatch(/characters cut by bugbeacon/);
    expect(parseIssueBody(stored!.body)?.metadata?.reportId).toBe(result.reportId);
  });

  it("regression: the report was closed; a new one the service accepts links to it (onClosed: \"new\")", async () => {
    const first = await make(true).runHeadless({ identifier: "TypeError: came back", title: "TypeError: the problem came back", repo: subject.target });
    expect(first.kind).toBe("created");
    await subject.close(0);
    const again = await make(true).runHeadless({ identifier: "TypeError: came back", title: "TypeError: the problem came back", repo: subject.target });
    expect(again.kind).toBe("created");
    if (again.kind !== "created" || first.kind !== "created") return;
    expect(again.reference).not.toBe(first.reference);
    const stored = subject.stored();
    expect(stored).toHaveLength(2);
    expect(stored[1]!.body).toContain(first.reference);
    expect(parseIssueBody(stored[1]!.body)?.metadata?.reportId).toBe(again.reportId);
  });

  it("dry run: the request is printed, nothing is sent or spooled", async () => {
    const spoolDir = tempDir("bugbeacon-spool-");
    const result = await make(true, { spoolDir, dryRun: true }).runHeadless({ identifier: "dry", title: "t", repo: subject.target });
    expect(result).toMatchObject({ kind: "skipped", reason: "dry-run" });
    expect(subject.requests()).toBe(0);
    expect(queuedFiles(spoolDir)).toEqual([]);
  });
});
