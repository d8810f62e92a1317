/**
 * A fake Discourse on 127.0.0.1, for the Discourse backend. Each behaviour below follows Discourse's own
 * source (discourse/discourse) or its published API description (discourse/discourse_api_docs,
 * openapi.json), named where it is implemented:
 * - authentication (lib/auth/default_current_user_provider.rb, lookup_api_user): an `Api-Key` header; a key
 *   made for one user acts as that user, with no `Api-Username` or with that user's name in any case
 *   (compared lower-cased); an all-users key needs `Api-Username` naming an existing user (lower-cased
 *   lookup). Anything else: 403 `invalid_api_credentials`;
 * - POST /posts.json (openapi createTopicPostPM; app/controllers/posts_controller.rb): `raw` required;
 *   posts of 20 to 32,000 characters after stripping (site settings min_post_length, max_post_length;
 *   lib/validators/stripped_length_validator.rb); a new topic takes `title` and `category` (a number), and
 *   its title must be 15 to 255 characters (min/max_topic_title_length), pass TextSentinel's title rules
 *   (lib/text_sentinel.rb: at least 10 distinct characters (title_min_entropy), not only symbols, no word
 *   of more than 30 characters between spaces, "/", "-", "." or ":" (max_word_length), not all capitals
 *   (allow_uppercase_posts off)) and not be used by another topic, closed ones included, compared
 *   lower-cased (app/models/topic.rb, unique_among; allow_duplicate_topic_titles off). A post held for
 *   approval answers 200 `{action: "enqueued", pending_post, pending_count}` without a topic_id
 *   (posts_controller.rb, create: NewPostResult with a reviewable);
 * - rate limits (app/controllers/application_controller.rb, rescue_from RateLimiter::LimitExceeded): 429
 *   with a Retry-After header and `{errors, error_type: "rate_limit", extras: {wait_seconds, time_left}}`;
 * - GET /t/{id}.json: `post_stream.posts` holds the first 20 posts only (TopicView.chunk_size) and
 *   `post_stream.stream` every post id; GET /t/{id}/posts.json?post_ids[]=… answers the others;
 * - GET /c/{id}.json?page=N (openapi listCategoryTopics; TopicQuery): 30 topics a page (topics_per_page),
 *   most recently bumped first, the category's pinned "About the category" topic first on page 0 and
 *   taking a slot; `more_topics_url` while there are more;
 * - GET /search.json?q=… (openapi `search`; lib/search.rb): a quoted phrase, `category:<id>` matches that
 *   category and its subcategories, `=category:` only that one (the category filter's rule: exact with
 *   "=", else Category.subcategory_ids are added);
 * - PUT /t/{id}/status.json with `status` and `enabled` "true"/"false" (openapi updateTopicStatus);
 * - a new topic's `external_id` (app/models/topic.rb, `validates :external_id`: at most 50 characters
 *   (EXTERNAL_ID_MAX_LENGTH) of `[\w-]`, unique among topics case-insensitively, else 422 with the model's
 *   errors); GET /t/external_id/{external_id}.json (TopicsController#show_by_external_id: 404 when no topic
 *   has it, else redirect_to_correct_topic, a 301 to /t/{slug}/{id}.json, which answers as /t/{id}.json);
 * - PUT /posts/{id}.json with `post: { raw, edit_reason }` (openapi updatePost; PostsController#update,
 *   the same post length rules as a new post): the post's raw replaced, 200 `{ post }`.
 * Request fields outside those are contract violations.
 */
import { startFakeHttp, type Answer, type FakeHttp, type LoggedRequest } from "../fake-http.js";

export interface StoredTopic {
  id: number;
  slug: string;
  title: string;
  category: number;
  closed: boolean;
  pinned: boolean;
  bumped_at: string;
  external_id?: string;
  posts: Array<{ id: number; post_number: number; raw: string; created_at: string }>;
}

export interface FakeDiscourse extends FakeHttp {
  /** The topics made through the API or seeded (not the categories' "About" topics). */
  topics: StoredTopic[];
  /** Posts held for approval (`requireApproval`). */
  pending: Array<{ id: number; raw: string; title: string | undefined }>;
  /** Seeds a topic as another user would have made it, bypassing the checks. */
  addTopic(fields: { title: string; raw: string; category?: number; closed?: boolean; replies?: string[] }): StoredTopic;
  /** The next `times` POSTs answer 429 asking to wait `waitSeconds`. */
  rateLimit(waitSeconds: number, times?: number): void;
  /** Hold every new post for approval (or not). */
  setRequireApproval(on: boolean): void;
  reset(): void;
}

export interface FakeDiscourseOptions {
  categories: number[];
  /** Subcategory id → parent category id. */
  subcategories?: Record<number, number>;
  /** All-users API keys (they need an Api-Username). */
  apiKeys: string[];
  /** Keys made for one user: they act as that user. */
  userKeys?: Record<string, string>;
  /** The forum's users besides "system". */
  username: string;
}

const CREATE_FIELDS = new Set(["title", "raw", "category", "tags", "topic_id", "reply_to_post_number", "created_at", "embed_url", "external_id", "auto_track"]);
const CHUNK_SIZE = 20;
const TOPICS_PER_PAGE = 30;
const MAX_POST_LENGTH = 32_000;
const MIN_POST_LENGTH = 20;

/** TextSentinel's title checks (lib/text_sentinel.rb), with Discourse's default site settings. */
export function titleProblem(title: string): string | undefined {
  const text = title.replace(/ +/g, " ").trim();
  if (text.length < 15) return "Title is too short (minimum is 15 characters)";
  if (text.length > 255) return "Title is too long (maximum is 255 characters)";
  const unclear = "Title seems unclear, is it a complete sentence?";
  if (new Set([...text]).size < 10) return unclear;
  if (text.replace(/[ -/[-`:-@{-~]/g, "").length === 0) return unclear;
  if (text.split(/\s|\/|-|\.|:/).some((word) => [...word].length > 30)) return unclear;
  if (/\p{Lu}/u.test(text) && !/\p{Ll}/u.test(text)) return unclear;
  return undefined;
}

export async function startFakeDiscourse(options: FakeDiscourseOptions): Promise<FakeDiscourse> {
  const topics: StoredTopic[] = [];
  const pending: FakeDiscourse["pending"] = [];
  const abouts: StoredTopic[] = [];
  let nextTopic = 100;
  let nextPost = 1000;
  let rateLimited = { waitSeconds: 0, times: 0 };
  let requireApproval = false;
  const users = [options.username, "system"];
  const now = () => new Date().toISOString();
  const slugOf = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "topic";
  const makeAbouts = () => {
    abouts.splice(0);
    for (const c of options.categories) {
      abouts.push({ id: nextTopic++, slug: `about-the-category-${c}`, title: `About the category ${c}`, category: c, closed: false, pinned: true, bumped_at: "2020-01-01T00:00:00.000Z", posts: [{ id: nextPost++, post_number: 1, raw: "Use this category for crash reports.", created_at: "2020-01-01T00:00:00.000Z" }] });
    }
  };
  makeAbouts();
  const all = () => [...abouts, ...topics];
  const json = (status: number, body: unknown, headers?: Record<string, string>): Answer => ({ status, body, ...(headers ? { headers } : {}) });
  const notFound = () => json(404, { errors: ["The requested URL or resource could not be found."], error_type: "not_found" });
  const postView = (t: StoredTopic, p: StoredTopic["posts"][number]) => ({ id: p.id, post_number: p.post_number, raw: p.raw, created_at: p.created_at, topic_id: t.id, topic_slug: t.slug, username: options.username });
  /** Posts carry `raw` in a topic's JSON only when asked with include_raw (TopicViewPostsSerializer, PostSerializer#include_raw?). */
  const withRaw = (r: LoggedRequest) => r.query.get("include_raw") === "1" || r.query.get("include_raw") === "true";
  const bare = <T extends { raw: string }>(p: T, keep: boolean) => {
    if (keep) return p;
    const { raw: _raw, ...rest } = p;
    return rest;
  };
  const view = (t: StoredTopic) => ({
    id: t.id,
    slug: t.slug,
    title: t.title,
    closed: t.closed,
    category_id: t.category,
    posts_count: t.posts.length,
    post_stream: { posts: t.posts.slice(0, CHUNK_SIZE).map((p) => postView(t, p)), stream: t.posts.map((p) => p.id) },
  });
  const listView = (t: StoredTopic) => ({ id: t.id, slug: t.slug, title: t.title, closed: t.closed, pinned: t.pinned, bumped_at: t.bumped_at, category_id: t.category, posts_count: t.posts.length });
  const inCategory = (topic: StoredTopic, id: number, exact: boolean) => topic.category === id || (!exact && options.subcategories?.[topic.category] === id);

  /** default_current_user_provider.rb, lookup_api_user. */
  const actingUser = (r: LoggedRequest): string | undefined => {
    const key = String(r.headers["api-key"] ?? "");
    const header = r.headers["api-username"];
    const name = typeof header === "string" ? header : undefined;
    const owner = options.userKeys?.[key];
    if (owner !== undefined) return name === undefined || name.toLowerCase() === owner.toLowerCase() ? owner : undefined;
    if (!options.apiKeys.includes(key) || name === undefined) return undefined;
    return users.find((u) => u.toLowerCase() === name.toLowerCase());
  };

  const handle = (r: LoggedRequest, violation: (v: string) => void): Answer => {
    if (actingUser(r) === undefined) return json(403, { errors: ["You are not permitted to view the requested resource. The API username or key is invalid."], error_type: "invalid_access" });
    const body = (r.body ?? {}) as Record<string, unknown>;
    if (r.method === "POST" && rateLimited.times > 0) {
      rateLimited.times -= 1;
      const wait = rateLimited.waitSeconds;
      return json(429, { errors: [`You've performed this action too many times. Please wait ${wait} seconds before trying again.`], error_type: "rate_limit", extras: { wait_seconds: wait, time_left: `${wait} seconds` } }, { "retry-after": String(wait) });
    }
    if (r.method === "POST" && r.path === "/posts.json") {
      for (const key of Object.keys(body)) if (!CREATE_FIELDS.has(key)) violation(`unknown field ${key}`);
      if (typeof body.raw !== "string" || body.raw.trim() === "") return json(422, { errors: ["Body can't be blank"] });
      const length = body.raw.trim().length;
      if (length < MIN_POST_LENGTH) return json(422, { errors: [`Body is too short (minimum is ${MIN_POST_LENGTH} characters)`] });
      if (length > MAX_POST_LENGTH) return json(422, { errors: [`Body is limited to ${MAX_POST_LENGTH} characters; you entered ${length}.`] });
      const at = now();
      if (body.topic_id !== undefined) {
        if (typeof body.topic_id !== "number") violation("topic_id must be an integer");
        const topic = all().find((t) => t.id === Number(body.topic_id));
        if (topic === undefined) return notFound();
        if (requireApproval) return held(body.raw, undefined);
        const post = { id: nextPost++, post_number: topic.posts.length + 1, raw: body.raw, created_at: at };
        topic.posts.push(post);
        topic.bumped_at = at;
        return json(200, postView(topic, post));
      }
      if (typeof body.title !== "string") return json(422, { errors: ["Title can't be blank"] });
      const problem = titleProblem(body.title);
      if (problem !== undefined) return json(422, { errors: [problem] });
      if (typeof body.category !== "number") violation("category must be a number");
      if (!options.categories.includes(Number(body.category)) && options.subcategories?.[Number(body.category)] === undefined) return json(422, { errors: ["Category can't be blank"] });
      if (body.tags !== undefined && !(Array.isArray(body.tags) && body.tags.every((t) => typeof t === "string"))) violation("tags must be an array of strings");
      const title = body.title.replace(/ +/g, " ").trim();
      if (all().some((t) => t.title.toLowerCase() === title.toLowerCase())) return json(422, { errors: ["Title has already been used"] });
      let externalId: string | undefined;
      if (body.external_id !== undefined) {
        externalId = String(body.external_id);
        if (externalId.length > 50) return json(422, { errors: ["External is too long (maximum is 50 characters)"] });
        if (!/^[\w-]+$/.test(externalId)) return json(422, { errors: ["External is invalid"] });
        if (all().some((t) => t.external_id?.toLowerCase() === externalId!.toLowerCase())) return json(422, { errors: ["External has already been taken"] });
      }
      if (requireApproval) return held(body.raw, title);
      const id = nextTopic++;
      const post = { id: nextPost++, post_number: 1, raw: body.raw, created_at: at };
      const topic: StoredTopic = { id, slug: slugOf(title), title, category: Number(body.category), closed: false, pinned: false, bumped_at: at, posts: [post], ...(externalId !== undefined ? { external_id: externalId } : {}) };
      topics.push(topic);
      return json(200, postView(topic, post));
    }
    let m = /^\/t\/external_id\/([\w-]+)\.json$/.exec(r.path);
    if (m && r.method === "GET") {
      const topic = all().find((t) => t.external_id?.toLowerCase() === m![1]!.toLowerCase());
      // redirect_to_correct_topic keeps only page, print, filter_top_level_replies and preview_theme_id.
      const kept = new URLSearchParams([...r.query].filter(([k]) => ["page", "print", "filter_top_level_replies", "preview_theme_id"].includes(k)));
      return topic === undefined ? notFound() : json(301, {}, { location: `/t/${topic.slug}/${topic.id}.json${kept.size > 0 ? `?${kept}` : ""}` });
    }
    m = /^\/t\/(?:[^/]+\/)?(\d+)\.json$/.exec(r.path);
    if (m && r.method === "GET") {
      const topic = all().find((t) => t.id === Number(m![1]));
      if (topic === undefined) return notFound();
      const v = view(topic);
      return json(200, { ...v, post_stream: { ...v.post_stream, posts: v.post_stream.posts.map((p) => bare(p, withRaw(r))) } });
    }
    m = /^\/posts\/(\d+)\.json$/.exec(r.path);
    if (m && r.method === "PUT") {
      const topic = all().find((t) => t.posts.some((p) => p.id === Number(m![1])));
      const post = topic?.posts.find((p) => p.id === Number(m![1]));
      if (topic === undefined || post === undefined) return notFound();
      const edit = body.post as Record<string, unknown> | undefined;
      for (const key of Object.keys(body)) if (key !== "post") violation(`unknown field ${key}`);
      for (const key of Object.keys(edit ?? {})) if (key !== "raw" && key !== "edit_reason") violation(`unknown post field ${key}`);
      if (typeof edit?.raw !== "string" || edit.raw.trim() === "") return json(422, { errors: ["Body can't be blank"] });
      const length = edit.raw.trim().length;
      if (length < MIN_POST_LENGTH) return json(422, { errors: [`Body is too short (minimum is ${MIN_POST_LENGTH} characters)`] });
      if (length > MAX_POST_LENGTH) return json(422, { errors: [`Body is limited to ${MAX_POST_LENGTH} characters; you entered ${length}.`] });
      post.raw = edit.raw;
      return json(200, { post: postView(topic, post) });
    }
    m = /^\/t\/(\d+)\/posts\.json$/.exec(r.path);
    if (m && r.method === "GET") {
      const topic = all().find((t) => t.id === Number(m![1]));
      if (topic === undefined) return notFound();
      const ids = r.query.getAll("post_ids[]").map(Number);
      if (ids.length === 0) violation("posts.json without post_ids[]");
      return json(200, { post_stream: { posts: topic.posts.filter((p) => ids.includes(p.id)).map((p) => bare(postView(topic, p), withRaw(r))) } });
    }
    m = /^\/t\/(\d+)\/status\.json$/.exec(r.path);
    if (m && r.method === "PUT") {
      const topic = all().find((t) => t.id === Number(m![1]));
      if (topic === undefined) return notFound();
      if (!["closed", "pinned", "pinned_globally", "archived", "visible"].includes(String(body.status)) || (body.enabled !== "true" && body.enabled !== "false")) violation(`status ${String(body.status)} enabled ${String(body.enabled)}`);
      if (body.status === "closed") topic.closed = body.enabled === "true";
      return json(200, { success: "OK", topic_status_update: null });
    }
    m = /^\/c\/(\d+)\.json$/.exec(r.path);
    if (m && r.method === "GET") {
      const id = Number(m[1]);
      if (!options.categories.includes(id)) return notFound();
      for (const key of r.query.keys()) if (!["page", "order", "ascending", "no_subcategories"].includes(key)) violation(`unknown list parameter ${key}`);
      const page = Number(r.query.get("page") ?? 0);
      const list = [
        ...abouts.filter((t) => t.category === id),
        ...topics.filter((t) => t.category === id).sort((a, b) => b.bumped_at.localeCompare(a.bumped_at) || b.id - a.id),
      ];
      const slice = list.slice(page * TOPICS_PER_PAGE, (page + 1) * TOPICS_PER_PAGE);
      const more = (page + 1) * TOPICS_PER_PAGE < list.length;
      return json(200, { topic_list: { per_page: TOPICS_PER_PAGE, topics: slice.map(listView), ...(more ? { more_topics_url: `/c/${id}?page=${page + 1}` } : {}) } });
    }
    if (r.path === "/search.json" && r.method === "GET") {
      const q = r.query.get("q") ?? "";
      const phrase = /"([^"]+)"/.exec(q)?.[1];
      const category = /(=?)category:(\d+)/.exec(q);
      if (phrase === undefined) violation("search without a quoted phrase");
      const hits = all().filter((t) => (category === null || inCategory(t, Number(category[2]), category[1] === "=")) && t.posts.some((p) => phrase !== undefined && p.raw.toLowerCase().includes(phrase.toLowerCase())));
      return json(200, { posts: [], topics: hits.map(listView), users: [], categories: [], grouped_search_result: { term: q, more_full_page_results: null } });
    }
    return notFound();
  };
  const held = (raw: string, title: string | undefined): Answer => {
    const id = nextPost++;
    pending.push({ id, raw, title });
    return json(200, { action: "enqueued", pending_post: { id, raw }, pending_count: pending.length });
  };
  const http = await startFakeHttp(handle);
  return Object.assign(http, {
    topics,
    pending,
    addTopic(fields: { title: string; raw: string; category?: number; closed?: boolean; replies?: string[] }): StoredTopic {
      const at = now();
      const posts = [fields.raw, ...(fields.replies ?? [])].map((raw, i) => ({ id: nextPost++, post_number: i + 1, raw, created_at: at }));
      const topic: StoredTopic = { id: nextTopic++, slug: slugOf(fields.title), title: fields.title, category: fields.category ?? options.categories[0] ?? 1, closed: fields.closed ?? false, pinned: false, bumped_at: at, posts };
      topics.push(topic);
      return topic;
    },
    rateLimit: (waitSeconds: number, times = 1) => void (rateLimited = { waitSeconds, times }),
    setRequireApproval: (on: boolean) => void (requireApproval = on),
    reset: () => {
      topics.splice(0);
      pending.splice(0);
      makeAbouts();
      rateLimited = { waitSeconds: 0, times: 0 };
      requireApproval = false;
      http.requests.length = 0;
      http.contractViolations.length = 0;
      http.clearFaults();
    },
  });
}
