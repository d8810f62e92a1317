/**
 * Monitor issues on Discourse: a topic per monitor incident in the configured category. From Discourse's
 * source and API description (discourse/discourse, discourse_api_docs):
 * - a topic is created with an `external_id` (POST /posts.json; app/models/topic.rb: unique among topics,
 *   case-insensitive, at most 50 characters of `[\w-]`), and found again by it (GET
 *   /t/external_id/{id}.json, TopicsController#show_by_external_id, which redirects to the topic's JSON):
 *   no search index involved (search reads the cooked post, where the hidden marker is not), and a second
 *   run that tries to create the same topic is refused by the uniqueness rule. The first incident's topic
 *   is `bbm-<hash>`; with `onClosed: "new"`, later ones are `bbm-<hash>-2`, `-3`…;
 * - the checklist is the first post, edited in place (PUT /posts/{id}.json with `post.raw`, openapi
 *   updatePost); closing and reopening are the topic status (PUT /t/{id}/status.json, `status: closed`,
 *   `enabled: "true" | "false"`, openapi updateTopicStatus), a request of its own after the edit: if it
 *   fails, the next run finds the state the post holds and asks again;
 * - the "resolved" comment is a reply. Closing a topic and replying to a closed one need a staff user:
 *   the API key's user must be a moderator or an admin of the forum (docs/monitors.md).
 */
import type { Rest } from "../rest.js";
import { HttpStatusError } from "../rest.js";
import { pickMonitorIssue, type MonitorIssue, type MonitorIssues } from "../../sdk/monitor/issues.js";
import { markerIdentifier } from "../../sdk/monitor/state.js";

interface Topic {
  id: number;
  slug: string;
  closed: boolean;
  post_stream: { posts: Array<{ id: number; post_number: number; raw?: string }> };
}

/** Incidents of one monitor looked for at most (`onClosed: "new"` makes one topic per incident). */
const MAX_INCIDENTS = 30;

/** The topic's external id for incident `n` of the monitor `identifier` (`monitor.<32 hex>`). */
export function monitorExternalId(identifier: string, n: number): string {
  const hash = /^monitor\.([0-9a-f]{32})$/.exec(identifier)?.[1];
  if (hash === undefined) throw new Error(`not a monitor identifier: ${identifier}`);
  return n === 1 ? `bbm-${hash}` : `bbm-${hash}-${n}`;
}

export function discourseMonitorIssues(
  rest: Rest,
  web: string,
  category: (target: string) => number,
  title: (text: string) => string,
  limit: number,
): MonitorIssues {
  const view = (t: Topic): MonitorIssue => ({ number: t.id, url: `${web}/t/${t.slug}/${t.id}`, state: t.closed ? "closed" : "open", body: t.post_stream.posts.find((p) => p.post_number === 1)?.raw ?? "" });
  const get = async (path: string): Promise<Topic | undefined> => {
    try {
      return (await rest.get<Topic>(path, { include_raw: 1 })).data;
    } catch (error) {
      if (error instanceof HttpStatusError && (error.status === 404 || error.status === 410)) return undefined;
      throw error;
    }
  };
  /** The monitor's topics, incident 1 upwards, until one is missing. */
  const incidents = async (identifier: string): Promise<Topic[]> => {
    const out: Topic[] = [];
    for (let n = 1; n <= MAX_INCIDENTS; n++) {
      // The redirect to the topic drops include_raw (redirect_to_correct_topic keeps page and print only):
      // the topic is read again by id, with its raw text.
      const found = await get(`/t/external_id/${monitorExternalId(identifier, n)}.json`);
      const topic = found === undefined ? undefined : await get(`/t/${found.id}.json`);
      if (topic === undefined) break;
      out.push(topic);
    }
    return out;
  };
  return {
    bodyLimit: limit,
    async find(_target, identifier) {
      return pickMonitorIssue((await incidents(identifier)).map(view), identifier);
    },
    async create(target, issue) {
      const identifier = markerIdentifier(issue.body);
      if (identifier === undefined) throw new Error("a monitor topic's body must carry its marker");
      const n = (await incidents(identifier)).length + 1;
      const post = (topicTitle: string) =>
        rest.send<{ topic_id?: number; topic_slug?: string; action?: string }>("POST", "/posts.json", {
          title: topicTitle,
          raw: issue.body,
          category: category(target),
          external_id: monitorExternalId(identifier, n),
          ...(issue.labels.length > 0 ? { tags: issue.labels } : {}),
        });
      let created;
      try {
        created = await post(title(issue.title));
      } catch (error) {
        // Discourse refuses a title another topic has (allow_duplicate_topic_titles off): a later incident
        // of the same monitor says which one it is.
        if (!(n > 1 && error instanceof HttpStatusError && error.status === 422 && /already been used/i.test(error.detail))) throw error;
        created = await post(title(`${issue.title} (incident ${n})`));
      }
      if (created.topic_id === undefined) throw new Error("the forum holds the monitor's topic for a moderator's approval; it is looked for again on the next run");
      return { number: created.topic_id, url: `${web}/t/${created.topic_slug ?? "-"}/${created.topic_id}` };
    },
    async edit(_target, number, change) {
      const topic = await get(`/t/${number}.json`);
      const first = topic?.post_stream.posts.find((p) => p.post_number === 1);
      if (topic === undefined || first === undefined) throw new Error(`topic ${number} is gone`);
      await rest.send("PUT", `/posts/${first.id}.json`, { post: { raw: change.body } });
      if (change.state !== undefined && (change.state === "closed") !== topic.closed) {
        await rest.send("PUT", `/t/${number}/status.json`, { status: "closed", enabled: change.state === "closed" ? "true" : "false" });
      }
    },
    async comment(_target, number, body) {
      await rest.send("POST", "/posts.json", { topic_id: number, raw: body });
    },
  };
}
