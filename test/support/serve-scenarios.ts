/** The serve scenarios shared by test/serve.test.ts and its stress version. */
import { expect } from "vitest";
import type { FakeGitHub } from "./fake-github/index.js";
import { filesOnMain, makeRemote, reportBody } from "./git-fixtures.js";
import { delivery, post, send, sign, startServe } from "./serve-harness.js";

/** `count` random byte strings posted as deliveries (half signed over their bytes): each answered 400 or 401. */
export async function randomDeliveries(url: string, count: number, seed = 7): Promise<void> {
  let state = seed;
  const rand = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const statuses = new Set<number>();
  for (let i = 0; i < count; i++) {
    const bytes = Buffer.from(Array.from({ length: Math.floor(rand() * 2000) }, () => Math.floor(rand() * 256)));
    const signed = i % 2 === 0 ? { "x-hub-signature-256": sign(bytes) } : {};
    const answer = await post(`${url}/webhook/github`, bytes, { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": `rnd-${i}`, ...signed });
    statuses.add(answer.status);
    expect([400, 401], `random body ${i}`).toContain(answer.status);
  }
  // Unsigned ones are refused for the signature; signed ones too unless their bytes are UTF-8 (GitHub's
  // payloads are): the signature is checked on the text.
  expect(statuses.has(401)).toBe(true);
}

/**
 * Three `serve` processes, one database, one fake GitHub. Issues are opened with the problems in `letters`
 * (the first of each letter is the first report); each delivery reaches all three replicas at once and one
 * of them twice. Deliveries of one problem come in the order GitHub sends them, two issues at a time, so
 * the problems interleave. Then: each issue filed once, each duplicate closed with one comment, each first
 * told once per duplicate, every replica stopped cleanly by SIGTERM.
 */
export async function threeReplicas(fake: FakeGitHub, letters: string[], repo = "octo/support", serveArgs: string[] = []): Promise<void> {
  const bare = makeRemote();
  const servers = await Promise.all([0, 1, 2].map(() => startServe(fake.url, bare, { args: serveArgs })));
  const reports = new Map([...new Set(letters)].map((l) => [l, reportBody(`replica problem ${l}`)]));
  const at = (i: number) => Date.parse("2026-11-20T10:00:00Z") + i * 60_000;
  letters.forEach((l, i) => fake.seedIssue(repo, { title: `issue ${i + 1}`, body: reports.get(l)!.body, createdAt: at(i) }));
  for (let w = 0; w < letters.length; w += 2) {
    const wave = [w, w + 1].filter((i) => i < letters.length);
    const sends = wave.flatMap((i) => {
      const payload = delivery("opened", { number: i + 1, body: reports.get(letters[i]!)!.body, repo, createdAt: new Date(at(i)).toISOString() });
      return [...servers, servers[i % 3]!].map((server) => send(server.url, `r-${i}`, payload));
    });
    // 200 with the decision, or (a busy machine, replicas waiting on each other's locks) 202 and triaged after.
    for (const answer of await Promise.all(sends)) expect([200, 202], answer.body).toContain(answer.status);
  }
  await Promise.all(servers.map((s) => s.idle()));
  const stopped = await Promise.all(servers.map((s) => (s.child.kill("SIGTERM"), s.exited)));
  expect(stopped).toEqual(servers.map(() => ({ code: 0, signal: null })));

  const number = (i: number) => i + 1;
  expect(filesOnMain(bare).filter((f) => f.startsWith("issues/"))).toEqual(letters.map((l, i) => `issues/${reports.get(l)!.identifier}/${number(i)}.json`).sort());
  const issues = fake.issues(repo);
  const firstOf = new Map<string, number>();
  letters.forEach((l, i) => firstOf.has(l) || firstOf.set(l, number(i)));
  letters.forEach((l, i) => {
    const n = number(i);
    const issue = issues.find((x) => x.number === n)!;
    const comments = issue.comments.map((c) => c.body.slice(0, 200));
    if (firstOf.get(l) === n) {
      const seen = comments.map((c) => /^Seen again in #(\d+)/.exec(c)?.[1]);
      const dupes = letters.flatMap((m, j) => (m === l && number(j) !== n ? [String(number(j))] : []));
      expect(seen.sort(), `issue ${n}: ${JSON.stringify(comments)}`).toEqual(dupes.sort());
      expect(issue.state).toBe("open");
    } else {
      expect(comments, `issue ${n}: ${JSON.stringify(comments)}`).toHaveLength(1);
      expect(comments[0]).toContain(`reported first in #${firstOf.get(l)}`);
      expect(issue.state).toBe("closed");
    }
  });
  const decisions = servers.flatMap((s) => s.lines().filter((l) => l.msg === "delivery").map((l) => l.decision));
  // Answered after its triage (the decision is in the delivery line) or before it (202, then a "triaged" line).
  const triaged = servers.flatMap((s) => s.lines().filter((l) => l.msg === "triaged").map((l) => l.decision));
  // Each replica triaged each delivery once (in turn with the others) and remembered it the second time.
  expect(decisions.filter((d) => d === "duplicate delivery")).toHaveLength(letters.length);
  expect(decisions.filter((d) => d === "queued")).toHaveLength(triaged.length);
  expect([...decisions, ...triaged].filter((d) => d === "first" || d === "duplicate")).toHaveLength(3 * letters.length);
  expect(fake.contractViolations).toEqual([]);
}
