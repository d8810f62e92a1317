/**
 * A fake Discourse on 127.0.0.1, for the Discourse backend.
 *
 * Discourse publishes an OpenAPI description of its API (docs.discourse.org), but no npm package in this
 * machine's lists ships it, so the checks below are written from that documentation's prose and field
 * tables, and say which part they check:
 * - authentication: `Api-Key` and `Api-Username` headers on every request (an unknown key: 403, as Discourse
 *   answers "You are not permitted to view the requested resource");
 * - POST /posts.json (createTopicPostPM): a new topic takes `title`, `raw`, `category` (a number),
 *   optional `tags`; a reply takes `topic_id` and `raw`. Discourse's default site settings refuse a title
 *   under 15 characters, a post under 20 (min_topic_title_length, min_post_length) and a title already
 *   used (allow_duplicate_topic_titles off), with 422 {errors: [...]};
 * - GET /t/{id}.json (with include_raw), GET /c/{id}.json (a category's topic list, `order`),
 *   GET /search.json?q=… (the `category:` filter, a quoted phrase), PUT /t/{id}/status.json with
 *   `status` and `enabled`.
 * Fields outside those are contract violations.
 */
import { startFakeHttp, type Answer, type FakeHttp, type LoggedRequest } from "../fake-http.js";

export interface StoredTopic {
  id: number;
  slug: string;
  title: string;
  category: number;
  closed: boolean;
  bumped_at: string;
  posts: Array<{ id: number; post_number: number; raw: string }>;
}

export interface FakeDiscourse extends FakeHttp {
  topics: StoredTopic[];
  reset(): void;
}

const CREATE_FIELDS = new Set(["title", "raw", "category", "tags", "topic_id", "reply_to_post_number", "created_at", "embed_url", "external_id"]);

export async function startFakeDiscourse(options: { categories: number[]; apiKeys: string[]; username: string }): Promise<FakeDiscourse> {
  const topics: StoredTopic[] = [];
  let nextTopic = 100;
  let nextPost = 1000;
  const json = (status: number, body: unknown): Answer => ({ status, body });
  const view = (t: StoredTopic) => ({ id: t.id, slug: t.slug, title: t.title, closed: t.closed, category_id: t.category, post_stream: { posts: t.posts.map((p) => ({ ...p, topic_id: t.id })) } });
  const handle = (r: LoggedRequest, violation: (v: string) => void): Answer => {
    if (!options.apiKeys.includes(String(r.headers["api-key"] ?? "")) || r.headers["api-username"] !== options.username) {
      return json(403, { errors: ["You are not permitted to view the requested resource."], error_type: "invalid_access" });
    }
    const body = (r.body ?? {}) as Record<string, unknown>;
    if (r.method === "POST" && r.path === "/posts.json") {
      for (const key of Object.keys(body)) if (!CREATE_FIELDS.has(key)) violation(`unknown field ${key}`);
      if (typeof body.raw !== "string") return json(422, { errors: ["Body can't be blank"] });
      if (body.raw.length < 20) return json(422, { errors: ["Body is too short (minimum is 20 characters)"] });
      const now = new Date().toISOString();
      if (body.topic_id !== undefined) {
        const topic = topics.find((t) => t.id === body.topic_id);
        if (topic === undefined) return json(404, { errors: ["The requested URL or resource could not be found."] });
        const post = { id: nextPost++, post_number: topic.posts.length + 1, raw: body.raw };
        topic.posts.push(post);
        topic.bumped_at = now;
        return json(200, { id: post.id, post_number: post.post_number, topic_id: topic.id, topic_slug: topic.slug });
      }
      if (typeof body.title !== "string" || body.title.length < 15) return json(422, { errors: ["Title is too short (minimum is 15 characters)"] });
      if (typeof body.category !== "number") violation("category must be a number");
      if (!options.categories.includes(Number(body.category))) return json(422, { errors: ["Category can't be blank"] });
      if (body.tags !== undefined && !(Array.isArray(body.tags) && body.tags.every((t) => typeof t === "string"))) violation("tags must be an array of strings");
      if (topics.some((t) => t.title === body.title)) return json(422, { errors: ["Title has already been used"] });
      const id = nextTopic++;
      const slug = body.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "topic";
      const post = { id: nextPost++, post_number: 1, raw: body.raw };
      topics.push({ id, slug, title: body.title, category: Number(body.category), closed: false, bumped_at: now, posts: [post] });
      return json(200, { id: post.id, post_number: 1, topic_id: id, topic_slug: slug });
    }
    let m = /^\/t\/(\d+)\.json$/.exec(r.path);
    if (m && r.method === "GET") {
      const topic = topics.find((t) => t.id === Number(m![1]));
      return topic === undefined ? json(404, { errors: ["The requested URL or resource could not be found."] }) : json(200, view(topic));
    }
    m = /^\/t\/(\d+)\/status\.json$/.exec(r.path);
    if (m && r.method === "PUT") {
      const topic = topics.find((t) => t.id === Number(m![1]));
      if (topic === undefined) return json(404, {});
      if (body.status !== "closed" || (body.enabled !== "true" && body.enabled !== "false")) violation(`status ${String(body.status)} enabled ${String(body.enabled)}`);
      topic.closed = body.enabled === "true";
      return json(200, { success: "OK" });
    }
    m = /^\/c\/(\d+)\.json$/.exec(r.path);
    if (m && r.method === "GET") {
      if (!options.categories.includes(Number(m[1]))) return json(404, {});
      const list = topics.filter((t) => t.category === Number(m![1])).sort((a, b) => b.bumped_at.localeCompare(a.bumped_at));
      return json(200, { topic_list: { topics: list.slice(0, 30).map((t) => ({ id: t.id, slug: t.slug, title: t.title, closed: t.closed, bumped_at: t.bumped_at })) } });
    }
    if (r.path === "/search.json" && r.method === "GET") {
      const q = r.query.get("q") ?? "";
      const phrase = /"([^"]+)"/.exec(q)?.[1];
      const category = /category:(\d+)/.exec(q)?.[1];
      if (phrase === undefined) violation("search without a quoted phrase");
      const hits = topics.filter((t) => (category === undefined || t.category === Number(category)) && t.posts.some((p) => phrase !== undefined && p.raw.includes(phrase)));
      return json(200, { topics: hits.map((t) => ({ id: t.id, slug: t.slug, title: t.title, closed: t.closed })), posts: [] });
    }
    return json(404, { errors: ["The requested URL or resource could not be found."] });
  };
  const http = await startFakeHttp(handle);
  return Object.assign(http, {
    topics,
    reset: () => {
      topics.splice(0);
      http.requests.length = 0;
      http.contractViolations.length = 0;
      http.clearFaults();
    },
  });
}
