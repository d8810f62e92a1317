/**
 * Discourse, as helpme had it: a topic in a configured category, created with an API key (`Api-Key`, and
 * `Api-Username` only when one is configured: a key made for one user needs none, and refuses another
 * name), POST /posts.json; without a key, the prefilled `/new-topic?title=…&body=…&category_id=…` page
 * (the new-topic route reads a category id only from `category_id`; `category` is a name or slug).
 * Occurrences are replies; a closed topic is reopened through its status. Discourse has no reactions the
 * API user could give without a post id, so `react` replies.
 *
 * Discourse's rules, from its source, with the default site settings: posts of at most 32,000 characters
 * (max_post_length); titles of 15 to 255 characters (min/max_topic_title_length) that TextSentinel finds
 * meaningful (10 distinct characters, no word of more than 30 characters, not all capitals) and that no
 * other topic uses, closed ones included; 20 posts per topic request (TopicView.chunk_size), 30 topics per
 * list page (topics_per_page); a post held for approval answers `action: "enqueued"` with no topic.
 */
import { InvalidTargetError } from "../../errors.js";
import { fitTitle, parseIssueBody, renderIssueBody } from "../../format/report-format.js";
import type { PreparedReport } from "../../types.js";
import { defineBackend, markdownMessages, type BackendClient, type BackendContext, type BackendParts, type ClientMode, type Draft, type RemoteReport } from "../../delivery/backend.js";
import { buildPrefilledUrl } from "../prefilled-url.js";
import { parseCategory, resolveDiscourseSettings, type DiscourseHelperOptions } from "./options.js";

export { parseCategory, type DiscourseHelperOptions };
import { classifyRest, serviceRest, HttpStatusError } from "../rest.js";

interface Post {
  id: number;
  post_number: number;
  raw?: string;
}

interface Topic {
  id: number;
  slug: string;
  closed: boolean;
  /** The first posts (20, TopicView.chunk_size) and the ids of all of them. */
  post_stream: { posts: Post[]; stream?: number[] };
}

interface ListedTopic {
  id: number;
  closed: boolean;
  bumped_at: string;
}

/** Discourse's limits with its default site settings (max_topic_title_length, max_post_length). */
export const DISCOURSE_LIMITS = { title: 255, body: 32_000, comment: 32_000 } as const;
/** Posts a topic request answers (TopicView.chunk_size), topics a list page holds (topics_per_page). */
const CHUNK_SIZE = 20;
const TOPICS_PER_PAGE = 30;
/** A category's topics read at most (pages of 30), so a huge category cannot hold a flush for long. */
const MAX_LIST_PAGES = 40;

/** A Discourse category, as a backend record. */
export const discourse = defineBackend<DiscourseHelperOptions>({
  name: "discourse",
  credentials: { env: ["BUGBEACON_DISCOURSE_API_KEY"], option: "apiKey" },
  limits: DISCOURSE_LIMITS,
  create: (options, context) => discourseBackend(options, context),
});

export function discourseBackend(options: DiscourseHelperOptions, settings: BackendContext): BackendParts {
  const { env } = settings;
  const { web, apiKey, apiUsername } = resolveDiscourseSettings(options, env);
  const prefix = options.prefix?.trim();
  const topicUrl = (id: number, slug = "-") => `${web}/t/${slug}/${id}`;
  const restFor = (mode: ClientMode) =>
    serviceRest(web, { "Api-Key": apiKey ?? "", ...(apiUsername !== undefined ? { "Api-Username": apiUsername } : {}) }, options, settings, mode);

  return {
    targetNoun: "category",
    // A topic is named by a link (a bare "#12" is no reference on a forum).
    ...markdownMessages((ref, url) => `[topic ${ref}](${url})`),
    defaults: { prefix: prefix ? `${prefix} ` : "", labels: options.labels ?? [], assignees: [] },
    checkTarget: (target) => void parseCategory(target),
    canSubmit: () => apiKey !== undefined,
    render: (document, limit) => renderIssueBody(document, { limit }).body,
    manualUrl(report: PreparedReport) {
      const { url, cutCharacters } = buildPrefilledUrl(`${web}/new-topic`, [["title", report.title]], "body", report.document, [["category_id", String(parseCategory(report.repo))]]);
      return { url, cutCharacters };
    },
    describeCreate(target: string, draft: Draft) {
      return { method: "POST", url: `${web}/posts.json`, body: createBody(target, draft) };
    },
    /** Monitors' issues (src/sdk/monitor): a topic per incident, found by its external id. */
    async monitorIssues(mode: ClientMode) {
      const { discourseMonitorIssues } = await import("./monitor-issues.js");
      return discourseMonitorIssues(await restFor(mode), web, parseCategory, topicTitle, DISCOURSE_LIMITS.body);
    },
    async client(mode: ClientMode): Promise<BackendClient> {
      const rest = await restFor(mode);
      const topic = async (id: number, signal?: AbortSignal, allPosts = false): Promise<Topic | undefined> => {
        let found: Topic;
        try {
          found = (await rest.get<Topic>(`/t/${id}.json`, { include_raw: 1 }, signal)).data;
        } catch (error) {
          if (error instanceof HttpStatusError && (error.status === 404 || error.status === 410)) return undefined;
          throw error;
        }
        if (!allPosts) return found;
        // Posts beyond the first chunk: asked for by id, 20 at a time.
        const loaded = new Set(found.post_stream.posts.map((p) => p.id));
        const missing = (found.post_stream.stream ?? []).filter((postId) => !loaded.has(postId));
        const posts = [...found.post_stream.posts];
        for (let i = 0; i < missing.length; i += CHUNK_SIZE) {
          const { data } = await rest.get<{ post_stream: { posts: Post[] } }>(`/t/${id}/posts.json`, { "post_ids[]": missing.slice(i, i + CHUNK_SIZE).map(String), include_raw: 1 }, signal);
          posts.push(...data.post_stream.posts);
        }
        return { ...found, post_stream: { ...found.post_stream, posts } };
      };
      const report = (t: Topic): RemoteReport => ({ ref: String(t.id), url: topicUrl(t.id, t.slug), state: t.closed ? "closed" : "open", body: t.post_stream.posts.find((p) => p.post_number === 1)?.raw ?? "" });
      /**
       * The category's topics, most recently bumped first, page after page (30 a page, the pinned "About"
       * topic in the first), until `enough` says the rest is not needed or there are no more.
       */
      const latest = async (target: string, enough: (page: ListedTopic[]) => boolean = () => false): Promise<ListedTopic[]> => {
        const out: ListedTopic[] = [];
        for (let page = 0; page < MAX_LIST_PAGES; page++) {
          const { data } = await rest.get<{ topic_list: { topics: ListedTopic[]; more_topics_url?: string } }>(`/c/${parseCategory(target)}.json`, page > 0 ? { page } : {});
          const topics = data.topic_list.topics;
          out.push(...topics);
          if (topics.length < TOPICS_PER_PAGE || data.topic_list.more_topics_url === undefined || enough(topics)) break;
        }
        return out;
      };
      return {
        async listOpen(target) {
          const out: RemoteReport[] = [];
          for (const t of (await latest(target)).filter((t) => !t.closed)) {
            const full = await topic(t.id);
            if (full !== undefined) out.push(report(full));
          }
          return out;
        },
        async listChanged(target, since) {
          const reports: RemoteReport[] = [];
          const occurrences = [];
          const recent = (t: ListedTopic) => Date.parse(t.bumped_at) >= since.getTime();
          for (const t of (await latest(target, (page) => !page.some(recent))).filter(recent)) {
            const full = await topic(t.id, undefined, true);
            if (full === undefined) continue;
            reports.push(report(full));
            for (const p of full.post_stream.posts) if (p.post_number > 1) occurrences.push({ ref: String(full.id), url: `${topicUrl(full.id, full.slug)}/${p.post_number}`, body: p.raw ?? "" });
          }
          return { reports, occurrences };
        },
        async get(_target, ref) {
          const full = await topic(topicId(ref));
          return full === undefined ? undefined : report(full);
        },
        async search(target, identifier, signal) {
          try {
            const { data } = await rest.get<{ topics?: Array<{ id: number }> }>("/search.json", { q: `"${identifier}" category:${parseCategory(target)}` }, signal, { rateLimited: "fail" });
            const out: RemoteReport[] = [];
            for (const hit of (data.topics ?? []).slice(0, 5)) {
              const full = await topic(hit.id, signal);
              if (full !== undefined) out.push(report(full));
            }
            return out.sort((a, b) => Number(a.ref) - Number(b.ref));
          } catch (error) {
            if (error instanceof HttpStatusError && error.status === 429) return undefined;
            throw error;
          }
        },
        async create(target, draft) {
          let post: CreatedPost;
          try {
            post = await rest.send<CreatedPost>("POST", "/posts.json", createBody(target, draft));
          } catch (error) {
            // Another topic (maybe closed, maybe another problem) has this title: Discourse refuses a title
            // used before. The report's own id makes it unique.
            if (!(error instanceof HttpStatusError && error.status === 422 && /already been used/i.test(error.detail))) throw error;
            const reportId = parseIssueBody(draft.body)?.metadata?.reportId ?? String(Date.now());
            post = await rest.send<CreatedPost>("POST", "/posts.json", createBody(target, { ...draft, title: uniqueTitle(draft.title, reportId) }));
          }
          if (post.action === "enqueued" || post.topic_id === undefined) return { pending: "the forum holds the new topic for a moderator's approval" };
          return { ref: String(post.topic_id), url: topicUrl(post.topic_id, post.topic_slug) };
        },
        async comment(_target, ref, body) {
          const id = topicId(ref);
          const post = await rest.send<CreatedPost>("POST", "/posts.json", { topic_id: id, raw: body });
          if (post.action === "enqueued" || post.post_number === undefined) return { url: topicUrl(id) };
          return { url: `${topicUrl(id, post.topic_slug)}/${post.post_number}` };
        },
        // No `react`: the API user has no reaction to give a topic without a post id; occurrences are replies.
        async reopen(_target, ref) {
          await rest.send("PUT", `/t/${topicId(ref)}/status.json`, { status: "closed", enabled: "false" });
        },
        reportUrl: (_target, ref) => topicUrl(topicId(ref)),
      };
    },
    classify: (error) => classifyRest(error, "Discourse", "BUGBEACON_DISCOURSE_API_KEY", "category"),
  };
}

/** A topic reference ("123") as the id the API takes. */
function topicId(ref: string): number {
  if (!/^[1-9]\d{0,15}$/.test(ref)) throw new InvalidTargetError("topic", ref, "a Discourse topic id");
  return Number(ref);
}

interface CreatedPost {
  action?: string;
  topic_id?: number;
  post_number?: number;
  topic_slug?: string;
}

const SUFFIX = " (crash report)";

/**
 * A title Discourse's default settings accept (TextSentinel, min/max_topic_title_length): words of more than
 * 30 characters between spaces, "/", "-", "." and ":" are cut (an ellipsis marks it), and a title that is
 * short, all capitals or of fewer than 10 distinct characters gets " (crash report)"; at most 255.
 */
export function topicTitle(title: string): string {
  let text = title.replace(/\s+/g, " ").trim();
  text = text.replace(/[^\s/.:-]{31,}/gu, (word) => `${[...word].slice(0, 29).join("")}…`);
  const needsSuffix = text.length < 15 || new Set([...text]).size < 10 || (/\p{Lu}/u.test(text) && !/\p{Ll}/u.test(text)) || text.replace(/[ -/[-`:-@{-~]/g, "").length === 0;
  if (!needsSuffix) return fitTitle(text, DISCOURSE_LIMITS.title);
  return `${fitTitle(text, DISCOURSE_LIMITS.title - SUFFIX.length)}${SUFFIX}`;
}

/** The title with a short form of the report id, when the plain one is taken. */
function uniqueTitle(title: string, reportId: string): string {
  const tag = ` (report ${reportId.replace(/[^A-Za-z0-9]/g, "").slice(0, 8)})`;
  return topicTitle(`${fitTitle(topicTitle(title), DISCOURSE_LIMITS.title - tag.length)}${tag}`);
}

function createBody(target: string, draft: Draft) {
  return { title: topicTitle(draft.title), raw: draft.body, category: parseCategory(target), ...(draft.labels.length > 0 ? { tags: draft.labels } : {}) };
}
