// Route handlers: GitHub REST semantics on top of FakeState. Handlers are keyed
// by "METHOD <spec path template>", so routing reuses the spec matcher and a
// route can only exist if the official description has it.
import { randomBytes } from "node:crypto";
import type { FakeState, RepoState, StoredIssue, StoredReaction, StoredUser } from "./state.js";
import { githubTime } from "./state.js";

export const DOCS = "https://docs.github.com/rest";

export interface RateLimitInfo {
  limit: number;
  remaining: number;
  reset: number;
  used: number;
}

export interface RouteContext {
  state: FakeState;
  /** The fake's own base URL, e.g. `http://127.0.0.1:12345`. */
  apiBase: string;
  pathname: string;
  params: Record<string, string>;
  query: Record<string, string>;
  // Already validated against the spec, so handlers may trust its shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  user: StoredUser;
  now: number;
  searchLagMs: number;
  issueInstallationToken(installationId: number): { token: string; expiresAt: string } | undefined;
  installation(installationId: number): { id: number; account: string } | undefined;
  /** The installation on an account (owner), if any. */
  installationOf(account: string): { id: number; account: string } | undefined;
  rateLimits(): { core: RateLimitInfo; search: RateLimitInfo };
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RouteContext) => RouteResult;

/** Routes whose POST creates content and therefore counts against the creation limit. */
export const CREATION_ROUTES = new Set([
  "POST /repos/{owner}/{repo}/issues",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
]);

export function notFound(message = "Not Found"): RouteResult {
  return { status: 404, body: { message, documentation_url: DOCS, status: "404" } };
}

export function validationFailed(
  errors: Array<{ resource?: string; field?: string; code: string; message?: string }>,
): RouteResult {
  return { status: 422, body: { message: "Validation Failed", errors, documentation_url: DOCS, status: "422" } };
}

function withRepo(fn: (ctx: RouteContext, repo: RepoState) => RouteResult): Handler {
  return (ctx) => {
    const repo = ctx.state.repo(ctx.params.owner ?? "", ctx.params.repo ?? "");
    return repo ? fn(ctx, repo) : notFound();
  };
}

function withIssue(fn: (ctx: RouteContext, repo: RepoState, issue: StoredIssue) => RouteResult): Handler {
  return withRepo((ctx, repo) => {
    const issue = ctx.state.issue(repo, Number(ctx.params.issue_number));
    return issue ? fn(ctx, repo, issue) : notFound();
  });
}

/** Slices a list per `per_page`/`page` and builds GitHub's `Link` header. */
export function paginate<T>(ctx: RouteContext, items: T[]): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.per_page ?? 30) || 30));
  const page = Math.max(1, Number(ctx.query.page ?? 1) || 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number, rel: string): string => {
    const u = new URL(ctx.pathname, ctx.apiBase);
    for (const [k, v] of Object.entries(ctx.query)) u.searchParams.set(k, v);
    u.searchParams.set("page", String(p));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, "prev"));
  if (page < lastPage) links.push(link(page + 1, "next"), link(lastPage, "last"));
  if (page > 1) links.push(link(1, "first"));
  return { page: slice, headers: links.length > 0 ? { link: links.join(", ") } : {} };
}

function labelNames(input: unknown): string[] {
  const list = Array.isArray(input) ? input : [];
  return list
    .map((l: unknown) => (typeof l === "string" ? l : (l as { name?: unknown } | null)?.name))
    .filter((n): n is string => typeof n === "string" && n.length > 0);
}

function sortIssues(issues: StoredIssue[], sort: string | undefined, direction: string | undefined): StoredIssue[] {
  const key = (i: StoredIssue): number =>
    sort === "updated" ? Date.parse(i.updatedAt) : sort === "comments" ? i.comments.length : Date.parse(i.createdAt);
  const dir = direction === "asc" ? 1 : -1;
  // Tie-break on number so equal timestamps (second precision) stay ordered.
  return [...issues].sort((a, b) => (key(a) - key(b) || a.number - b.number) * dir);
}

// ---------------------------------------------------------------- search

interface SearchQuery {
  repos: string[];
  state?: "open" | "closed";
  isPr: boolean;
  inFields: Set<"title" | "body" | "comments">;
  labels: string[];
  author?: string;
  terms: string[];
}

/** Splits a search query on whitespace, keeping "quoted phrases" (also in `label:"a b"`) together. */
export function tokenizeQuery(q: string): string[] {
  const tokens: string[] = [];
  const re = /(\S*?)"([^"]*)"|(\S+)/g;
  for (let m = re.exec(q); m; m = re.exec(q)) {
    if (m[3] !== undefined) tokens.push(m[3]);
    else tokens.push(`${m[1] ?? ""}\u0000${m[2] ?? ""}`); // \0 marks "was quoted"
  }
  return tokens;
}

export function parseSearchQuery(q: string): SearchQuery {
  const out: SearchQuery = { repos: [], isPr: false, inFields: new Set(), labels: [], terms: [] };
  for (const raw of tokenizeQuery(q)) {
    const quoted = raw.includes("\u0000");
    const token = raw.replace("\u0000", "");
    const m = /^([a-z-]+):(.+)$/i.exec(token);
    const qualifier = !quoted || raw.indexOf("\u0000") > 0 ? m : null;
    if (qualifier) {
      const [, key = "", value = ""] = qualifier;
      switch (key.toLowerCase()) {
        case "repo":
          out.repos.push(value.toLowerCase());
          continue;
        case "is":
        case "type":
        case "state":
          if (value === "open" || value === "closed") out.state = value;
          else if (value === "pr" || value === "pull-request") out.isPr = true;
          continue;
        case "in":
          for (const f of value.split(","))
            if (f === "title" || f === "body" || f === "comments") out.inFields.add(f);
          continue;
        case "label":
          out.labels.push(value.toLowerCase());
          continue;
        case "author":
          out.author = value.toLowerCase();
          continue;
        default:
          break; // unknown qualifier: treat as a text term, as GitHub does
      }
    }
    if (token.length > 0) out.terms.push(token.toLowerCase());
  }
  return out;
}

function searchIssues(ctx: RouteContext): RouteResult {
  const q = parseSearchQuery(ctx.query.q ?? "");
  const fields = q.inFields.size > 0 ? q.inFields : new Set(["title", "body"]);
  const matched: Array<{ repo: RepoState; issue: StoredIssue }> = [];
  if (!q.isPr) {
    for (const repo of ctx.state.repos.values()) {
      if (q.repos.length > 0 && !q.repos.includes(repo.fullName.toLowerCase())) continue;
      for (const issue of repo.issues) {
        if (issue.deleted === true) continue;
        if (Date.parse(issue.createdAt) > ctx.now - ctx.searchLagMs && ctx.searchLagMs > 0) continue;
        if (q.state && issue.state !== q.state) continue;
        if (q.author && issue.user.login.toLowerCase() !== q.author) continue;
        const labels = issue.labels.map((l) => l.toLowerCase());
        if (!q.labels.every((l) => labels.includes(l))) continue;
        const haystack = [
          fields.has("title") ? issue.title : "",
          fields.has("body") ? (issue.body ?? "") : "",
          fields.has("comments") ? issue.comments.map((c) => c.body).join("\n") : "",
        ]
          .join("\n")
          .toLowerCase();
        if (!q.terms.every((t) => haystack.includes(t))) continue;
        matched.push({ repo, issue });
      }
    }
  }
  const sort = ctx.query.sort;
  const dir = ctx.query.order === "asc" ? 1 : -1;
  const key = (x: { issue: StoredIssue }): number =>
    sort === "updated"
      ? Date.parse(x.issue.updatedAt)
      : sort === "comments"
        ? x.issue.comments.length
        : Date.parse(x.issue.createdAt);
  matched.sort((a, b) => (key(a) - key(b) || a.issue.id - b.issue.id) * dir);
  const { page, headers } = paginate(ctx, matched);
  return {
    status: 200,
    headers,
    body: {
      total_count: matched.length,
      incomplete_results: false,
      search_type: "lexical",
      items: page.map(({ repo, issue }) => ({
        ...ctx.state.renderIssue(repo, issue, ctx.apiBase),
        score: 1,
      })),
    },
  };
}

// ---------------------------------------------------------------- handlers

export const routes: Record<string, Handler> = {
  "GET /repos/{owner}/{repo}": withRepo((ctx, repo) => ({
    status: 200,
    body: ctx.state.renderRepo(repo, ctx.apiBase),
  })),

  "POST /repos/{owner}/{repo}/issues": withRepo((ctx, repo) => {
    const b = ctx.body as { title: string | number; body?: string; labels?: unknown[]; assignees?: string[]; assignee?: string | null };
    const assignees = [...(b.assignees ?? []), ...(b.assignee ? [b.assignee] : [])];
    const issue = ctx.state.createIssue(repo, {
      title: String(b.title),
      body: b.body ?? null,
      labels: labelNames(b.labels),
      assignees,
      user: ctx.user,
      now: ctx.now,
    });
    const rendered = ctx.state.renderIssue(repo, issue, ctx.apiBase);
    return { status: 201, body: rendered, headers: { location: String(rendered.url) } };
  }),

  "GET /repos/{owner}/{repo}/issues": withRepo((ctx, repo) => {
    const state = ctx.query.state ?? "open";
    const labels = (ctx.query.labels ?? "")
      .split(",")
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean);
    const since = ctx.query.since ? Date.parse(ctx.query.since) : undefined;
    const creator = ctx.query.creator?.toLowerCase();
    const filtered = repo.issues.filter((i) => {
      if (i.deleted === true) return false;
      if (state !== "all" && i.state !== state) return false;
      const have = i.labels.map((l) => l.toLowerCase());
      if (!labels.every((l) => have.includes(l))) return false;
      if (creator && i.user.login.toLowerCase() !== creator) return false;
      if (since !== undefined && Date.parse(i.updatedAt) < since) return false;
      return true;
    });
    const { page, headers } = paginate(ctx, sortIssues(filtered, ctx.query.sort, ctx.query.direction));
    return { status: 200, headers, body: page.map((i) => ctx.state.renderIssue(repo, i, ctx.apiBase)) };
  }),

  "GET /repos/{owner}/{repo}/issues/{issue_number}": withIssue((ctx, repo, issue) => ({
    status: 200,
    body: ctx.state.renderIssue(repo, issue, ctx.apiBase),
  })),

  "PATCH /repos/{owner}/{repo}/issues/{issue_number}": withIssue((ctx, repo, issue) => {
    const b = ctx.body as {
      title?: string | number | null;
      body?: string | null;
      state?: "open" | "closed";
      state_reason?: StoredIssue["stateReason"];
      labels?: unknown[];
      assignees?: string[];
      assignee?: string | null;
    };
    const now = githubTime(ctx.now);
    if (b.title !== undefined && b.title !== null) issue.title = String(b.title);
    if (b.body !== undefined) issue.body = b.body;
    if (b.labels !== undefined) issue.labels = [...new Set(labelNames(b.labels).map((n) => ctx.state.ensureLabel(repo, n).name))];
    if (b.assignees !== undefined) issue.assignees = [...new Set(b.assignees)];
    else if (b.assignee !== undefined) issue.assignees = b.assignee ? [b.assignee] : [];
    if (b.state === "closed") {
      if (issue.state === "open") {
        issue.state = "closed";
        issue.closedAt = now;
        issue.closedBy = ctx.user;
        issue.stateReason = b.state_reason && b.state_reason !== "reopened" ? b.state_reason : "completed";
      } else if (b.state_reason && b.state_reason !== "reopened") {
        issue.stateReason = b.state_reason;
      }
    } else if (b.state === "open" && issue.state === "closed") {
      issue.state = "open";
      issue.closedAt = null;
      issue.closedBy = null;
      issue.stateReason = "reopened";
    }
    issue.updatedAt = now;
    return { status: 200, body: ctx.state.renderIssue(repo, issue, ctx.apiBase) };
  }),

  "GET /repos/{owner}/{repo}/issues/comments": withRepo((ctx, repo) => {
    const since = ctx.query.since ? Date.parse(ctx.query.since) : undefined;
    const all = repo.issues.filter((i) => i.deleted !== true).flatMap((issue) => issue.comments.map((c) => ({ issue, c })));
    const list = all
      .filter(({ c }) => since === undefined || Date.parse(c.updatedAt) >= since)
      .sort((a, b) => (ctx.query.direction === "desc" ? b.c.id - a.c.id : a.c.id - b.c.id));
    const { page, headers } = paginate(ctx, list);
    return { status: 200, headers, body: page.map(({ issue, c }) => ctx.state.renderComment(repo, issue, c, ctx.apiBase)) };
  }),

  "GET /repos/{owner}/{repo}/issues/{issue_number}/comments": withIssue((ctx, repo, issue) => {
    const since = ctx.query.since ? Date.parse(ctx.query.since) : undefined;
    const list = issue.comments.filter((c) => since === undefined || Date.parse(c.updatedAt) >= since);
    const { page, headers } = paginate(ctx, list);
    return { status: 200, headers, body: page.map((c) => ctx.state.renderComment(repo, issue, c, ctx.apiBase)) };
  }),

  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments": withIssue((ctx, repo, issue) => {
    const now = githubTime(ctx.now);
    const comment = { id: ctx.state.id(), body: String(ctx.body.body), user: ctx.user, createdAt: now, updatedAt: now };
    issue.comments.push(comment);
    issue.updatedAt = now;
    const rendered = ctx.state.renderComment(repo, issue, comment, ctx.apiBase);
    return { status: 201, body: rendered, headers: { location: String(rendered.url) } };
  }),

  // "Update an issue comment" (docs.github.com/rest/issues/comments#update-an-issue-comment): `{ body }`,
  // 200 with the comment; 404 when the repository has no such comment. The comment keeps its id and place
  // (created_at); updated_at moves, so `since` lists find it again.
  "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}": withRepo((ctx, repo) => {
    const id = Number(ctx.params.comment_id);
    for (const issue of repo.issues) {
      if (issue.deleted === true) continue;
      const comment = issue.comments.find((c) => c.id === id);
      if (comment === undefined) continue;
      comment.body = String(ctx.body.body);
      comment.updatedAt = githubTime(ctx.now);
      return { status: 200, body: ctx.state.renderComment(repo, issue, comment, ctx.apiBase) };
    }
    return notFound();
  }),

  // One reaction per user and content: adding it again answers 200 with the existing one, as GitHub does.
  "POST /repos/{owner}/{repo}/issues/{issue_number}/reactions": withIssue((ctx, _repo, issue) => {
    const content = ctx.body.content as StoredReaction["content"];
    const render = (r: StoredReaction) => ({
      id: r.id,
      node_id: `REA_${r.id}`,
      user: ctx.state.renderUser(r.user, ctx.apiBase),
      content: r.content,
      created_at: r.createdAt,
    });
    const existing = issue.reactions.find((r) => r.content === content && r.user.login === ctx.user.login);
    if (existing) return { status: 200, body: render(existing) };
    const reaction: StoredReaction = { id: ctx.state.id(), content, user: ctx.user, createdAt: githubTime(ctx.now) };
    issue.reactions.push(reaction);
    return { status: 201, body: render(reaction) };
  }),

  "GET /repos/{owner}/{repo}/issues/{issue_number}/labels": withIssue((ctx, repo, issue) => {
    const { page, headers } = paginate(ctx, issue.labels);
    return {
      status: 200,
      headers,
      body: page.map((n) => ctx.state.renderLabel(repo, ctx.state.ensureLabel(repo, n), ctx.apiBase)),
    };
  }),

  "POST /repos/{owner}/{repo}/issues/{issue_number}/labels": withIssue((ctx, repo, issue) => {
    const names = labelNames(Array.isArray(ctx.body) ? ctx.body : ctx.body?.labels);
    for (const n of names) {
      const label = ctx.state.ensureLabel(repo, n);
      if (!issue.labels.some((l) => l.toLowerCase() === label.name.toLowerCase())) issue.labels.push(label.name);
    }
    issue.updatedAt = githubTime(ctx.now);
    return {
      status: 200,
      body: issue.labels.map((n) => ctx.state.renderLabel(repo, ctx.state.ensureLabel(repo, n), ctx.apiBase)),
    };
  }),

  "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}": withIssue((ctx, repo, issue) => {
    const name = (ctx.params.name ?? "").toLowerCase();
    const index = issue.labels.findIndex((l) => l.toLowerCase() === name);
    if (index < 0) return notFound("Label does not exist");
    issue.labels.splice(index, 1);
    issue.updatedAt = githubTime(ctx.now);
    return {
      status: 200,
      body: issue.labels.map((n) => ctx.state.renderLabel(repo, ctx.state.ensureLabel(repo, n), ctx.apiBase)),
    };
  }),

  "POST /repos/{owner}/{repo}/issues/{issue_number}/assignees": withIssue((ctx, repo, issue) => {
    for (const a of (ctx.body?.assignees as string[] | undefined) ?? [])
      if (!issue.assignees.includes(a)) issue.assignees.push(a);
    issue.updatedAt = githubTime(ctx.now);
    return { status: 201, body: ctx.state.renderIssue(repo, issue, ctx.apiBase) };
  }),

  "GET /repos/{owner}/{repo}/labels": withRepo((ctx, repo) => {
    const { page, headers } = paginate(ctx, [...repo.labels.values()]);
    return { status: 200, headers, body: page.map((l) => ctx.state.renderLabel(repo, l, ctx.apiBase)) };
  }),

  "POST /repos/{owner}/{repo}/labels": withRepo((ctx, repo) => {
    const b = ctx.body as { name: string; color?: string; description?: string };
    if (repo.labels.has(b.name.toLowerCase()))
      return validationFailed([{ resource: "Label", code: "already_exists", field: "name" }]);
    const label = ctx.state.ensureLabel(repo, b.name);
    if (b.color !== undefined) label.color = b.color.replace(/^#/, "");
    if (b.description !== undefined) label.description = b.description;
    const rendered = ctx.state.renderLabel(repo, label, ctx.apiBase);
    return { status: 201, body: rendered, headers: { location: String(rendered.url) } };
  }),

  "GET /repos/{owner}/{repo}/labels/{name}": withRepo((ctx, repo) => {
    const label = repo.labels.get((ctx.params.name ?? "").toLowerCase());
    return label ? { status: 200, body: ctx.state.renderLabel(repo, label, ctx.apiBase) } : notFound();
  }),

  "GET /search/issues": searchIssues,

  "POST /app/installations/{installation_id}/access_tokens": (ctx) => {
    const issued = ctx.issueInstallationToken(Number(ctx.params.installation_id));
    if (!issued) return notFound();
    return {
      status: 201,
      body: {
        token: issued.token,
        expires_at: issued.expiresAt,
        permissions: { issues: "write", metadata: "read" },
        repository_selection: "selected",
      },
    };
  },

  // GET /repos/{owner}/{repo}/installation: the installation of the app on that repository, 404 when the
  // app is not installed there. The fake's installations are on every repository of their account.
  "GET /repos/{owner}/{repo}/installation": withRepo((ctx, repo) => {
    const inst = ctx.installationOf(repo.owner);
    if (!inst) return notFound();
    return installationBody(ctx, inst);
  }),

  "GET /app/installations/{installation_id}": (ctx) => {
    const inst = ctx.installation(Number(ctx.params.installation_id));
    if (!inst) return notFound();
    return installationBody(ctx, inst);
  },

  "GET /rate_limit": (ctx) => {
    const { core, search } = ctx.rateLimits();
    return { status: 200, body: { resources: { core, search }, rate: core } };
  },
};

export function newInstallationToken(): string {
  return `ghs_${randomBytes(18).toString("base64url").replace(/[-_]/g, "x")}`;
}

function installationBody(ctx: RouteContext, inst: { id: number; account: string }): RouteResult {
const account = ctx.state.renderUser(ctx.state.user(inst.account), ctx.apiBase);
    return {
      status: 200,
      body: {
        id: inst.id,
        account,
        repository_selection: "selected",
        access_tokens_url: `${ctx.apiBase}/app/installations/${inst.id}/access_tokens`,
        repositories_url: `${ctx.apiBase}/installation/repositories`,
        html_url: `${ctx.state.webBase}/settings/installations/${inst.id}`,
        app_id: 1,
        app_slug: "bugbeacon",
        target_id: Number(account.id),
        target_type: "User",
        permissions: { issues: "write", metadata: "read" },
        events: [],
        created_at: githubTime(Date.UTC(2020, 0, 1)),
        updated_at: githubTime(Date.UTC(2020, 0, 1)),
        single_file_name: null,
        suspended_by: null,
        suspended_at: null,
      },
    };
}
