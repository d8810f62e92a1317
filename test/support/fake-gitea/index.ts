/**
 * A fake Gitea (API v1) on 127.0.0.1, for the Gitea/Forgejo backend. Every rule below follows Gitea's
 * published API description (templates/swagger/v1_json.tmpl, generated from the swagger comments in
 * routers/api/v1) or the source it names:
 * - authentication (securityDefinitions AuthorizationHeaderToken; services/auth): `Authorization: token
 *   <t>` (or `Bearer <t>`); an unknown token is 401; without one, reads of a public repository work and
 *   writes are 401;
 * - POST /repos/{owner}/{repo}/issues (issueCreateIssue, CreateIssueOption in modules/structs/issue.go):
 *   `title` required (422 "[Title]: Required"), `body`, `assignees` (user names), `labels` (label *ids*,
 *   int64), `milestone`, `closed`, `ref`, `due_date`; 201 with an Issue (`number`, `state` open|closed,
 *   `html_url`, `body`). The issue table holds titles of 255 characters (models/issues/issue.go): a longer
 *   one fails in the database (500);
 * - GET /repos/{owner}/{repo}/issues (issueListIssues): `state` open (default)|closed|all, `type`
 *   issues|pulls, `q` (the issue indexer's keyword search: with the database indexer a case-insensitive
 *   match in the title, the body or a comment; no hit answers an empty list, not every issue), `since`
 *   (RFC 3339, updated after), `page` (from 1), `limit` (30 by default, at most 50: API.DEFAULT_PAGING_NUM,
 *   API.MAX_RESPONSE_ITEMS), and the X-Total-Count and Link headers;
 * - GET/PATCH /repos/{owner}/{repo}/issues/{index} (PATCH with EditIssueOption: `body` replaces the text,
 *   `state` open|closed, both in one request; answers 201 with the Issue);
 * - POST /repos/{owner}/{repo}/issues/{index}/comments (CreateIssueCommentOption `body` required; 201 with a
 *   Comment: `id`, `html_url`, `issue_url` (the issue's web page), `body`); GET
 *   /repos/{owner}/{repo}/issues/comments (issueGetRepoComments: `since`, `before`, `page`, `limit`);
 * - POST /repos/{owner}/{repo}/issues/{index}/reactions (EditReactionOption `content`; 201, or 200 when the
 *   user already reacted so);
 * - GET /repos/{owner}/{repo}/labels (issueListLabels).
 * Fields or parameters outside the description are contract violations.
 */
import { startFakeHttp, type Answer, type FakeHttp, type LoggedRequest } from "../fake-http.js";

export interface StoredGiteaIssue {
  number: number;
  repo: string;
  title: string;
  body: string;
  labels: number[];
  assignees: string[];
  state: "open" | "closed";
  created_at: string;
  updated_at: string;
  comments: Array<{ id: number; body: string; created_at: string; updated_at: string }>;
  reactions: string[];
}

export interface FakeGitea extends FakeHttp {
  issues: StoredGiteaIssue[];
  reset(): void;
}

const CREATE_FIELDS = new Set(["title", "body", "ref", "assignee", "assignees", "due_date", "milestone", "labels", "closed"]);
const EDIT_FIELDS = new Set(["title", "body", "ref", "assignee", "assignees", "milestone", "state", "due_date", "unset_due_date"]);
const LIST_QUERY = new Set(["state", "labels", "q", "type", "milestones", "since", "before", "created_by", "assigned_by", "mentioned_by", "page", "limit"]);
const COMMENT_QUERY = new Set(["since", "before", "page", "limit"]);
const DEFAULT_PAGING_NUM = 30;
const MAX_RESPONSE_ITEMS = 50;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export async function startFakeGitea(options: { repos: string[]; tokens: string[]; labels?: Record<string, number> }): Promise<FakeGitea> {
  const issues: StoredGiteaIssue[] = [];
  let nextComment = 1;
  let base = "";
  const labels = Object.entries(options.labels ?? { bug: 1, crash: 2 }).map(([name, id]) => ({ id, name, color: "ee0701", description: "", url: "" }));
  const now = () => new Date().toISOString();
  const json = (status: number, body: unknown, headers?: Record<string, string>): Answer => ({ status, body, ...(headers ? { headers } : {}) });
  const notFound = () => json(404, { errors: null, message: "not found", url: `${base}/api/swagger` });
  const issueView = (i: StoredGiteaIssue) => ({
    id: 5000 + i.number,
    number: i.number,
    url: `${base}/api/v1/repos/${i.repo}/issues/${i.number}`,
    html_url: `${base}/${i.repo}/issues/${i.number}`,
    title: i.title,
    body: i.body,
    state: i.state,
    labels: labels.filter((l) => i.labels.includes(l.id)),
    assignees: i.assignees.map((login) => ({ login })),
    comments: i.comments.length,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: null,
    pull_request: null,
  });
  const commentView = (i: StoredGiteaIssue, c: StoredGiteaIssue["comments"][number]) => ({
    id: c.id,
    html_url: `${base}/${i.repo}/issues/${i.number}#issuecomment-${c.id}`,
    issue_url: `${base}/${i.repo}/issues/${i.number}`,
    pull_request_url: "",
    body: c.body,
    created_at: c.created_at,
    updated_at: c.updated_at,
  });
  /** utils.GetListOptions: page from 1, limit defaulting to 30 and clamped to 50; SetLinkHeader, SetTotalCountHeader. */
  const page = <T>(list: T[], q: URLSearchParams, path: string): Answer => {
    const limit = Math.min(Math.max(Number(q.get("limit") ?? DEFAULT_PAGING_NUM) || DEFAULT_PAGING_NUM, 1), MAX_RESPONSE_ITEMS);
    const n = Math.max(Number(q.get("page") ?? 1) || 1, 1);
    const slice = list.slice((n - 1) * limit, n * limit);
    const headers: Record<string, string> = { "x-total-count": String(list.length) };
    if (n * limit < list.length) headers.link = `<${base}${path}?page=${n + 1}&limit=${limit}>; rel="next"`;
    return json(200, slice, headers);
  };

  const handle = (r: LoggedRequest, violation: (v: string) => void): Answer => {
    const auth = String(r.headers.authorization ?? "");
    const token = /^(?:token|bearer) (.+)$/i.exec(auth)?.[1];
    if (auth !== "" && (token === undefined || !options.tokens.includes(token))) return json(401, { message: "user does not exist", url: `${base}/api/swagger` });
    const writing = r.method !== "GET";
    if (writing && token === undefined) return json(401, { message: "token is required", url: `${base}/api/swagger` });
    const m = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)\/(labels|issues(?:\/comments|\/(\d+)(?:\/(comments|reactions))?)?)$/.exec(r.path);
    if (!m) return notFound();
    const repo = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
    if (!options.repos.includes(repo)) return notFound();
    const body = (r.body ?? {}) as Record<string, unknown>;
    if (m[3] === "labels") return r.method === "GET" ? page(labels, r.query, r.path) : json(405, {});
    if (m[3] === "issues/comments") {
      if (r.method !== "GET") return json(405, {});
      for (const key of r.query.keys()) if (!COMMENT_QUERY.has(key)) violation(`unknown comments parameter ${key}`);
      const since = r.query.get("since");
      if (since !== null && !RFC3339.test(since)) violation(`since ${since} is not RFC 3339`);
      const list = issues.filter((i) => i.repo === repo).flatMap((i) => i.comments.filter((c) => since === null || Date.parse(c.updated_at) >= Date.parse(since)).map((c) => commentView(i, c)));
      return page(list, r.query, r.path);
    }
    const index = m[4] !== undefined ? Number(m[4]) : undefined;
    const issue = index !== undefined ? issues.find((i) => i.repo === repo && i.number === index) : undefined;
    if (index !== undefined && issue === undefined) return notFound();
    if (m[3] === "issues") {
      if (r.method === "POST") {
        for (const key of Object.keys(body)) if (!CREATE_FIELDS.has(key)) violation(`unknown CreateIssueOption field ${key}`);
        if (typeof body.title !== "string" || body.title === "") return json(422, [{ fieldNames: ["Title"], classification: "RequiredError", message: "Required" }]);
        if (body.body !== undefined && typeof body.body !== "string") violation("body must be a string");
        if (body.labels !== undefined && !(Array.isArray(body.labels) && body.labels.every((l) => Number.isInteger(l)))) violation("labels must be label ids (int64)");
        if (body.assignees !== undefined && !(Array.isArray(body.assignees) && body.assignees.every((a) => typeof a === "string"))) violation("assignees must be user names");
        if ([...body.title].length > 255) {
          violation("a title over the issue table's 255 characters");
          return json(500, { message: "value too long for type character varying(255)", url: `${base}/api/swagger` });
        }
        const t = now();
        const created: StoredGiteaIssue = {
          number: issues.filter((i) => i.repo === repo).length + 1,
          repo,
          title: body.title,
          body: typeof body.body === "string" ? body.body : "",
          labels: Array.isArray(body.labels) ? (body.labels as number[]).filter((id) => labels.some((l) => l.id === id)) : [],
          assignees: Array.isArray(body.assignees) ? (body.assignees as string[]) : [],
          state: body.closed === true ? "closed" : "open",
          created_at: t,
          updated_at: t,
          comments: [],
          reactions: [],
        };
        issues.push(created);
        return json(201, issueView(created));
      }
      if (r.method !== "GET") return json(405, {});
      for (const key of r.query.keys()) if (!LIST_QUERY.has(key)) violation(`unknown issues parameter ${key}`);
      const state = r.query.get("state") ?? "open";
      if (!["open", "closed", "all"].includes(state)) violation(`state ${state}`);
      const type = r.query.get("type");
      if (type !== null && type !== "issues" && type !== "pulls") violation(`type ${type}`);
      const since = r.query.get("since");
      if (since !== null && !RFC3339.test(since)) violation(`since ${since} is not RFC 3339`);
      const keyword = (r.query.get("q") ?? "").trim().toLowerCase();
      let list = issues.filter((i) => i.repo === repo && (state === "all" || i.state === state) && type !== "pulls");
      if (since !== null) list = list.filter((i) => Date.parse(i.updated_at) >= Date.parse(since));
      if (keyword !== "") list = list.filter((i) => [i.title, i.body, ...i.comments.map((c) => c.body)].some((text) => text.toLowerCase().includes(keyword)));
      // Newest first, as Gitea lists issues by default.
      return page([...list].reverse().map(issueView), r.query, r.path);
    }
    if (m[5] === undefined) {
      if (r.method === "GET") return json(200, issueView(issue!));
      if (r.method !== "PATCH") return json(405, {});
      for (const key of Object.keys(body)) if (!EDIT_FIELDS.has(key)) violation(`unknown EditIssueOption field ${key}`);
      if (body.body !== undefined) {
        if (typeof body.body !== "string") violation("body must be a string");
        else issue!.body = body.body;
      }
      if (typeof body.title === "string") issue!.title = body.title;
      if (body.state !== undefined) {
        if (body.state !== "open" && body.state !== "closed") violation(`state ${String(body.state)}`);
        issue!.state = body.state === "closed" ? "closed" : "open";
      }
      issue!.updated_at = now();
      return json(201, issueView(issue!));
    }
    if (m[5] === "comments") {
      if (r.method === "GET") return json(200, issue!.comments.map((c) => commentView(issue!, c)));
      if (r.method !== "POST") return json(405, {});
      for (const key of Object.keys(body)) if (key !== "body") violation(`unknown CreateIssueCommentOption field ${key}`);
      if (typeof body.body !== "string" || body.body === "") return json(422, [{ fieldNames: ["Body"], classification: "RequiredError", message: "Required" }]);
      const t = now();
      const comment = { id: nextComment++, body: body.body, created_at: t, updated_at: t };
      issue!.comments.push(comment);
      issue!.updated_at = t;
      return json(201, commentView(issue!, comment));
    }
    if (r.method !== "POST") return json(405, {});
    for (const key of Object.keys(body)) if (key !== "content") violation(`unknown EditReactionOption field ${key}`);
    if (typeof body.content !== "string") return json(422, {});
    const reaction = { user: { login: "bot" }, content: body.content, created_at: now() };
    if (issue!.reactions.includes(body.content)) return json(200, reaction);
    issue!.reactions.push(body.content);
    return json(201, reaction);
  };
  const http = await startFakeHttp(handle);
  base = http.url;
  return Object.assign(http, {
    issues,
    reset: () => {
      issues.splice(0);
      nextComment = 1;
      http.requests.length = 0;
      http.contractViolations.length = 0;
      http.clearFaults();
    },
  });
}
