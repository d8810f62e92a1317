/**
 * Shared by the triage event tests (default suite) and their stress version: runs one step (an issues
 * event through the real CLI against the fake GitHub, or a maintainer's action through the API) and
 * snapshots what the database and GitHub hold.
 */
import { expect } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import type { FakeGitHub } from "./fake-github/index.js";
import { filesOnMain, issuesEvent, reportBody, writeEvent } from "./git-fixtures.js";

export const TOKEN = "ghs_eventstokeneventstokeneventstoken";
export const REPO = "octo/support";
/** GITHUB_TOKEN's comments are by github-actions[bot]: only a bot's markers count. */
export const FAKE_OPTIONS = { repos: [REPO], tokens: [{ token: TOKEN, login: "github-actions[bot]" }] };

export type Step =
  | [action: "opened" | "edited" | "reopened" | "closed" | "deleted" | "transferred", issue: number, body: "A" | "B" | "none", updatedAt?: string]
  | [action: "maintainer-close" | "maintainer-reopen", issue: number];

export const later = (minutes: number) => new Date(Date.parse("2026-11-20T12:00:00Z") + minutes * 60_000).toISOString();

/** mulberry32, seeded: the same shuffles every run, a different one per seed. */
export { mulberry32 as rng } from "./fake-github/faults.js";


export function triageHarness(fake: FakeGitHub) {
  const A = reportBody("problem A");
  const B = reportBody("problem B");
  const letter = (id: string) => (id === A.identifier ? "A" : id === B.identifier ? "B" : id);
  const bodyOf = (k: "A" | "B" | "none") => (k === "A" ? A.body : k === "B" ? B.body : "Just a question, no report.");
  const createdAt = (n: number) => new Date(Date.parse("2026-11-20T10:00:00Z") + n * 60_000).toISOString();

  type Step =
    | [action: "opened" | "edited" | "reopened" | "closed" | "deleted" | "transferred", issue: number, body: "A" | "B" | "none", updatedAt?: string]
    | [action: "maintainer-close" | "maintainer-reopen", issue: number];

  async function run(db: string, env: Record<string, string> = {}, step: Step, extra: string[] = []) {
    const [action, n] = step;
    if (action === "maintainer-close" || action === "maintainer-reopen") {
      const res = await fetch(`${fake.url}/repos/${REPO}/issues/${n}`, {
        method: "PATCH",
        headers: { authorization: `token ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ state: action === "maintainer-close" ? "closed" : "open" }),
      });
      expect(res.status).toBe(200);
      return { code: 0, stderr: "" };
    }
    const [, , kind, updatedAt] = step;
    const event = issuesEvent(action, { number: n, title: `issue ${n}`, body: bodyOf(kind ?? "none"), createdAt: createdAt(n), updatedAt: updatedAt ?? createdAt(n) });
    let stderr = "";
    const code = await runCli(["triage", "--event", writeEvent(event), "--db", db, ...extra], {
      stdout: () => {},
      stderr: (s) => (stderr += s),
      env: { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: fake.url, BUGBEACON_RETRY_BASE_MS: "1", BUGBEACON_PACING_MS: "0", ...env },
      cwd: db,
    });
    return { code, stderr };
  }

  /** What a comment is, in the table's words: `dup-of-N`, `seen-N`, or its text. */
  function kind(body: string): string {
    const dup = /^Thank you for the report! .* reported first in #(\d+),/.exec(body);
    if (dup) return `dup-of-${dup[1]}`;
    const seen = /^Seen again in #(\d+)/.exec(body);
    if (seen) return `seen-${seen[1]}`;
    return body;
  }

  function snapshot(bare: string) {
    const filed: Record<number, string> = {};
    for (const f of filesOnMain(bare).filter((p) => p.startsWith("issues/"))) {
      const [, id, file] = f.split("/");
      filed[Number(file!.replace(".json", ""))] = letter(id!);
    }
    const closed = fake.issues(REPO).filter((i) => i.state === "closed").map((i) => i.number);
    const comments: Record<number, string[]> = {};
    const labels: Record<number, string[]> = {};
    for (const i of fake.issues(REPO)) {
      if (i.comments.length > 0) comments[i.number] = i.comments.map((c) => kind(c.body));
      if (i.labels.length > 0) labels[i.number] = [...i.labels].sort();
    }
    return { filed, closed, comments, labels };
  }


  return { A, B, run, kind, snapshot };
}
