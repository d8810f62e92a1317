/**
 * Discourse, as helpme had it: a topic in a configured category, created with an API key and user name
 * (`Api-Key` / `Api-Username` headers, POST /posts.json); without a key, the prefilled
 * `/new-topic?title=…&body=…&category=…` page. Occurrences are replies; a closed topic is reopened through
 * its status. Discourse has no reactions the API user could give without a post id, so `react` replies.
 */
import { renderIssueBody } from "../../format/report-format.js";
import type { PreparedReport } from "../../types.js";
import type { Backend, BackendClient, ClientMode, Draft, RemoteReport } from "../../delivery/backend.js";
import { parseCategory, resolveDiscourseSettings, type DiscourseHelperOptions } from "./options.js";
import { buildPrefilledUrl } from "../prefilled-url.js";
import { classifyRest, createRest, HttpStatusError } from "../rest.js";

// The options, their checks and the category rule live in options.ts (on the import path, for getHelper).
export { parseCategory, type DiscourseHelperOptions } from "./options.js";

interface Post {
  id: number;
  post_number: number;
  raw?: string;
}

interface Topic {
  id: number;
  slug: string;
  closed: boolean;
  post_stream: { posts: Post[] };
}

export function discourseBackend(options: DiscourseHelperOptions, settings: { env: NodeJS.ProcessEnv; pacingMs: number | undefined; retryAfterBaseMs: number | undefined }): Backend {
  const { env } = settings;
  const { web, apiKey, apiUsername, prefix } = resolveDiscourseSettings(options, env);
  const topicUrl = (id: number, slug = "-") => `${web}/t/${slug}/${id}`;

  return {
    name: "discourse",
    targetNoun: "category",
    defaults: { prefix: prefix ? `${prefix} ` : "", labels: options.labels ?? [], assignees: [] },
    checkTarget: (target) => void parseCategory(target),
    canSubmit: () => apiKey !== undefined,
    render: (document) => renderIssueBody(document).body,
    manualUrl(report: PreparedReport) {
      const { url, cutCharacters } = buildPrefilledUrl(`${web}/new-topic`, [["title", report.title]], "body", report.document, [["category", String(parseCategory(report.repo))]]);
      return { url, cutCharacters };
    },
    describeCreate(target: string, draft: Draft) {
      return { method: "POST", url: `${web}/posts.json`, body: createBody(target, draft) };
    },
    async client(mode: ClientMode): Promise<BackendClient> {
      const rest = await createRest(
        {
          root: web,
          headers: { "Api-Key": apiKey ?? "", "Api-Username": apiUsername },
          env,
          fetch: options.fetch,
          timeoutMs: options.timeoutMs ?? 10_000,
          pacingMs: settings.pacingMs ?? 1000,
          retryAfterBaseMs: settings.retryAfterBaseMs ?? 1000,
        },
        mode,
      );
      const topic = async (id: number, signal?: AbortSignal): Promise<Topic | undefined> => {
        try {
          return (await rest.get<Topic>(`/t/${id}.json`, { include_raw: 1 }, signal)).data;
        } catch (error) {
          if (error instanceof HttpStatusError && (error.status === 404 || error.status === 410)) return undefined;
          throw error;
        }
      };
      const report = (t: Topic): RemoteReport => ({ number: t.id, url: topicUrl(t.id, t.slug), state: t.closed ? "closed" : "open", body: t.post_stream.posts.find((p) => p.post_number === 1)?.raw ?? "" });
      /** The category's topics, most recently active first (one page: Discourse lists 30 a page). */
      const latest = async (target: string) =>
        (await rest.get<{ topic_list: { topics: Array<{ id: number; closed: boolean; bumped_at: string }> } }>(`/c/${parseCategory(target)}.json`, { order: "activity" })).data.topic_list.topics;
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
          for (const t of (await latest(target)).filter((t) => Date.parse(t.bumped_at) >= since.getTime())) {
            const full = await topic(t.id);
            if (full === undefined) continue;
            reports.push(report(full));
            for (const p of full.post_stream.posts) if (p.post_number > 1) occurrences.push({ number: full.id, url: `${topicUrl(full.id, full.slug)}/${p.post_number}`, body: p.raw ?? "" });
          }
          return { reports, occurrences };
        },
        async get(_target, number) {
          const full = await topic(number);
          return full === undefined ? undefined : report(full);
        },
        async search(target, identifier, signal) {
          try {
            const { data } = await rest.get<{ topics?: Array<{ id: number }> }>("/search.json", { q: `"${identifier}" category:${parseCategory(target)}` }, signal);
            const out: RemoteReport[] = [];
            for (const hit of (data.topics ?? []).slice(0, 5)) {
              const full = await topic(hit.id, signal);
              if (full !== undefined) out.push(report(full));
            }
            return out.sort((a, b) => a.number - b.number);
          } catch (error) {
            if (error instanceof HttpStatusError && error.status === 429) return undefined;
            throw error;
          }
        },
        async create(target, draft) {
          const post = await rest.send<{ topic_id: number; topic_slug?: string }>("POST", "/posts.json", createBody(target, draft));
          return { number: post.topic_id, url: topicUrl(post.topic_id, post.topic_slug) };
        },
        async comment(_target, number, body) {
          const post = await rest.send<{ topic_id: number; post_number: number; topic_slug?: string }>("POST", "/posts.json", { topic_id: number, raw: body });
          return { url: `${topicUrl(number, post.topic_slug)}/${post.post_number}` };
        },
        async react(_target, number, body) {
          await rest.send("POST", "/posts.json", { topic_id: number, raw: body });
        },
        async reopen(_target, number) {
          await rest.send("PUT", `/t/${number}/status.json`, { status: "closed", enabled: "false" });
        },
        reportUrl: (_target, number) => topicUrl(number),
      };
    },
    classify: (error) => classifyRest(error, "Discourse", "BUGBEACON_DISCOURSE_API_KEY", "category"),
  };
}

/** Discourse's default settings refuse titles under 15 characters: a short one gets a suffix. */
export function topicTitle(title: string): string {
  return title.length >= 15 ? title : `${title} (crash report)`;
}

function createBody(target: string, draft: Draft) {
  return { title: topicTitle(draft.title), raw: draft.body, category: parseCategory(target), ...(draft.labels.length > 0 ? { tags: draft.labels } : {}) };
}
