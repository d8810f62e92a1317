/**
 * A fake GitLab (REST API v4) on 127.0.0.1, for the GitLab backend.
 *
 * No npm package ships GitLab's OpenAPI description (the env package lists hold SDKs such as @gitbeaker,
 * not the description), so every check below is written from GitLab's prose REST documentation
 * ("Issues API", "Notes API", "Emoji reactions API", "REST API: authentication, namespaced paths,
 * pagination"), and says which part it checks:
 * - authentication: a `PRIVATE-TOKEN` header (or `Authorization: Bearer`); a missing or unknown token is 401;
 * - namespaced paths: `:id` is a number or the URL-encoded full path ("group%2Fproject"); an unencoded
 *   slash is another route (404);
 * - POST /projects/:id/issues: `title` required (400 "title is missing"); `description` a string; `labels`
 *   a comma-separated string; answer 201 with iid, state "opened", web_url;
 * - GET /projects/:id/issues: `state` opened|closed|all, `search` with `in` title|description, `order_by`,
 *   `sort`, `updated_after` (ISO 8601), `per_page` at most 100; pagination headers x-next-page, x-total;
 * - GET /projects/:id/issues/:issue_iid (404 when missing), PUT ("Edit an issue") with `state_event`
 *   close|reopen, `description`, `title`, `labels` (comma-separated, replacing the issue's), in one request;
 * - GET /projects/:id/issues with `labels` (comma-separated names: issues that have all of them);
 * - POST /projects/:id/issues/:issue_iid/notes with `body`; GET …/notes with `sort`, `order_by`;
 * - POST /projects/:id/issues/:issue_iid/award_emoji with `name` (404 "has already been taken" twice).
 * And from GitLab's source (gitlab-org/gitlab):
 * - a title of at most 255 characters (app/models/concerns/issuable.rb, `validates :title, length:
 *   { maximum: 255 }`): 400 `{message: {title: ["is too long (maximum is 255 characters)"]}}`;
 * - `search` is a fuzzy search (lib/gitlab/sql/pattern.rb, fuzzy_search/select_fuzzy_terms): the query is
 *   split into words (a "quoted phrase" stays one), words under 3 characters are dropped, and every word
 *   left must be found, case-insensitively, in the searched fields;
 * - issue searches are rate limited (lib/gitlab/application_rate_limiter.rb, `search_rate_limit`, 30 a
 *   minute for a user): 429 "This endpoint has been requested too many times. Try again later." with no
 *   Retry-After header (the API helper's render_api_error!, unlike Rack::Attack's throttles);
 * - lists, notes included, answer 20 items a page unless `per_page` (at most 100) says otherwise, with
 *   x-next-page / x-total headers (lib/api/helpers/pagination.rb).
 * Field names outside the documented ones are contract violations.
 */
import { startFakeHttp, type Answer, type FakeHttp, type LoggedRequest } from "../fake-http.js";

export interface StoredGitLabIssue {
  iid: number;
  project: string;
  title: string;
  description: string;
  labels: string[];
  state: "opened" | "closed";
  created_at: string;
  updated_at: string;
  web_url: string;
  notes: Array<{ id: number; body: string; created_at: string }>;
  awards: string[];
}

export interface FakeGitLab extends FakeHttp {
  issues: StoredGitLabIssue[];
  /** Seeds an issue (as if made by someone else). */
  addIssue(project: string, fields: { title: string; description: string; state?: "opened" | "closed" }): StoredGitLabIssue;
  reset(): void;
}

const ISSUE_FIELDS = new Set(["title", "description", "labels", "assignee_ids", "confidential", "issue_type"]);
const EDIT_FIELDS = new Set(["title", "description", "labels", "state_event", "assignee_ids", "confidential"]);
const LIST_QUERY = new Set(["state", "search", "in", "order_by", "sort", "updated_after", "per_page", "page", "labels"]);

/** GitLab's fuzzy search terms (Gitlab::SQL::Pattern): quoted phrases whole, other words of 3+ characters. */
export function fuzzyTerms(query: string): string[] {
  const terms: string[] = [];
  const rest = query.replace(/"([^"]*)"/g, (_, phrase: string) => {
    if (phrase.length >= 3) terms.push(phrase);
    return " ";
  });
  for (const word of rest.split(/\s+/)) if (word.length >= 3) terms.push(word);
  return terms;
}

export async function startFakeGitLab(options: { projects: string[]; tokens: string[]; searchesPerMinute?: number }): Promise<FakeGitLab> {
  const issues: StoredGitLabIssue[] = [];
  let searches: number[] = [];
  let nextNote = 1;
  let base = "";
  const now = () => new Date().toISOString();
  const json = (status: number, body: unknown, headers?: Record<string, string>): Answer => ({ status, body, ...(headers ? { headers } : {}) });
  const add = (project: string, f: { title: string; description: string; state?: "opened" | "closed"; labels?: string[] }): StoredGitLabIssue => {
    const iid = issues.filter((i) => i.project === project).length + 1;
    const t = now();
    const issue: StoredGitLabIssue = { iid, project, title: f.title, description: f.description, labels: f.labels ?? [], state: f.state ?? "opened", created_at: t, updated_at: t, web_url: `${base}/${project}/-/issues/${iid}`, notes: [], awards: [] };
    issues.push(issue);
    return issue;
  };
  const view = (i: StoredGitLabIssue) => ({ id: 1000 + i.iid, iid: i.iid, project_id: 1, title: i.title, description: i.description, labels: i.labels, state: i.state, created_at: i.created_at, updated_at: i.updated_at, web_url: i.web_url });
  const page = <T>(list: T[], q: URLSearchParams): Answer => {
    const per = Number(q.get("per_page") ?? 20);
    const n = Number(q.get("page") ?? 1);
    const slice = list.slice((n - 1) * per, n * per);
    return json(200, slice, { "x-total": String(list.length), "x-next-page": n * per < list.length ? String(n + 1) : "" });
  };

  const handle = (r: LoggedRequest, violation: (v: string) => void): Answer => {
    const token = r.headers["private-token"] ?? String(r.headers.authorization ?? "").replace(/^Bearer /, "");
    if (typeof token !== "string" || !options.tokens.includes(token)) return json(401, { message: "401 Unauthorized" });
    const m = /^\/api\/v4\/projects\/([^/]+)\/issues(?:\/(\d+)(?:\/(notes|award_emoji))?)?$/.exec(r.path);
    if (!m) return json(404, { error: "404 Not Found" });
    const project = decodeURIComponent(m[1]!);
    if (!options.projects.includes(project)) return json(404, { message: "404 Project Not Found" });
    const iid = m[2] !== undefined ? Number(m[2]) : undefined;
    const body = (r.body ?? {}) as Record<string, unknown>;
    const issue = iid !== undefined ? issues.find((i) => i.project === project && i.iid === iid) : undefined;
    if (iid !== undefined && issue === undefined) return json(404, { message: "404 Not found" });
    if (m[3] === undefined && iid === undefined) {
      if (r.method === "POST") {
        for (const key of Object.keys(body)) if (!ISSUE_FIELDS.has(key)) violation(`unknown issue field ${key}`);
        if (typeof body.title !== "string" || body.title === "") return json(400, { error: "title is missing" });
        if ([...body.title].length > 255) return json(400, { message: { title: ["is too long (maximum is 255 characters)"] } });
        if (body.description !== undefined && typeof body.description !== "string") violation("description must be a string");
        if (body.labels !== undefined && typeof body.labels !== "string") violation("labels must be a comma-separated string");
        if (typeof body.description === "string" && body.description.length > 1_048_576) return json(400, { message: "description is too long (maximum is 1048576 characters)" });
        const created = add(project, { title: body.title, description: String(body.description ?? ""), labels: typeof body.labels === "string" ? body.labels.split(",").filter(Boolean) : [] });
        return json(201, view(created));
      }
      if (r.method !== "GET") return json(405, { error: "405 Method Not Allowed" });
      for (const key of r.query.keys()) if (!LIST_QUERY.has(key)) violation(`unknown list parameter ${key}`);
      const state = r.query.get("state") ?? "all";
      if (!["opened", "closed", "all"].includes(state)) violation(`state ${state}`);
      if (Number(r.query.get("per_page") ?? 20) > 100) violation("per_page over 100");
      const inField = r.query.get("in");
      if (inField !== null && !["title", "description", "title,description"].includes(inField)) violation(`in=${inField}`);
      const after = r.query.get("updated_after");
      if (after !== null && Number.isNaN(Date.parse(after))) violation(`updated_after ${after} is not ISO 8601`);
      const search = r.query.get("search");
      if (search !== null) {
        const minute = Date.now() - 60_000;
        searches = searches.filter((t) => t > minute);
        if (searches.length >= (options.searchesPerMinute ?? 30)) return json(429, { message: "This endpoint has been requested too many times. Try again later." });
        searches.push(Date.now());
      }
      let list = issues.filter((i) => i.project === project && (state === "all" || i.state === state));
      const labelled = r.query.get("labels");
      if (labelled !== null) {
        const wanted = labelled.split(",").filter(Boolean);
        list = list.filter((i) => wanted.every((l) => i.labels.includes(l)));
      }
      if (after !== null) list = list.filter((i) => i.updated_at >= after);
      if (search !== null) {
        const terms = fuzzyTerms(search).map((t) => t.toLowerCase());
        list = list.filter((i) => {
          const text = (inField === "title" ? i.title : inField === "description" ? i.description : `${i.title} ${i.description}`).toLowerCase();
          return terms.every((t) => text.includes(t));
        });
      }
      const orderBy = r.query.get("order_by") ?? "created_at";
      if (!["created_at", "updated_at"].includes(orderBy)) violation(`order_by ${orderBy}`);
      list = r.query.get("sort") === "asc" ? list : [...list].reverse();
      return page(list.map(view), r.query);
    }
    if (m[3] === undefined) {
      if (r.method === "GET") return json(200, view(issue!));
      if (r.method === "PUT") {
        for (const key of Object.keys(body)) if (!EDIT_FIELDS.has(key)) violation(`unknown edit field ${key}`);
        if (body.state_event !== undefined && body.state_event !== "close" && body.state_event !== "reopen") violation(`state_event ${String(body.state_event)}`);
        if (body.description !== undefined) {
          if (typeof body.description !== "string") violation("description must be a string");
          else if (body.description.length > 1_048_576) return json(400, { message: "description is too long (maximum is 1048576 characters)" });
          else issue!.description = body.description;
        }
        if (typeof body.title === "string") issue!.title = body.title;
        if (body.labels !== undefined) {
          if (typeof body.labels !== "string") violation("labels must be a comma-separated string");
          else issue!.labels = body.labels.split(",").filter(Boolean);
        }
        if (body.state_event === "reopen") issue!.state = "opened";
        if (body.state_event === "close") issue!.state = "closed";
        issue!.updated_at = now();
        return json(200, view(issue!));
      }
      return json(405, { error: "405 Method Not Allowed" });
    }
    if (m[3] === "notes") {
      if (r.method === "GET") return page([...issue!.notes].reverse().map((n) => ({ ...n, system: false, noteable_iid: issue!.iid })), r.query);
      if (r.method !== "POST") return json(405, {});
      if (typeof body.body !== "string" || body.body === "") return json(400, { error: "body is missing" });
      const note = { id: nextNote++, body: body.body, created_at: now() };
      issue!.notes.push(note);
      issue!.updated_at = now();
      return json(201, { ...note, system: false, noteable_iid: issue!.iid });
    }
    if (r.method !== "POST") return json(405, {});
    if (typeof body.name !== "string") return json(400, { error: "name is missing" });
    if (issue!.awards.includes(body.name)) return json(404, { message: "Award Emoji Name has already been taken" });
    issue!.awards.push(body.name);
    return json(201, { id: issue!.awards.length, name: body.name });
  };
  const http = await startFakeHttp(handle);
  base = http.url;
  return Object.assign(http, {
    issues,
    addIssue: (project: string, fields: { title: string; description: string; state?: "opened" | "closed" }) => add(project, fields),
    reset: () => {
      issues.splice(0);
      searches = [];
      http.requests.length = 0;
      http.contractViolations.length = 0;
      http.clearFaults();
    },
  });
}
