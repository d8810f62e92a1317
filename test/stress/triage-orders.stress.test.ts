/**
 * Stress version of the triage idempotency tests: the same events run again many times, and shuffled
 * orders over several seeds (BUGBEACON_ORDER_SEEDS="1,2,…"). The default suite keeps the small versions
 * (the table rows "every run repeated" and "the later one processed first").
 */
import { describe, expect, it } from "vitest";
import { useFakeGitHub } from "../support/fake-github/use.js";
import { cloneOf, filesOnMain, gitSync, makeRemote } from "../support/git-fixtures.js";
import { FAKE_OPTIONS, REPO, later, rng, triageHarness, type Step } from "../support/triage-harness.js";

const fake = useFakeGitHub(FAKE_OPTIONS);
const { run } = triageHarness(fake);

describe("the same events any number of times, in any order", () => {
  const events: Step[] = [
    ["opened", 1, "A"],
    ["opened", 2, "A"],
    ["opened", 3, "B"],
    ["edited", 2, "B", later(1)],
    ["opened", 4, "none"],
    ["edited", 4, "A", later(2)],
  ];

  async function final(steps: Step[]) {
    fake.reset();
    for (let n = 1; n <= 4; n++) fake.seedIssue(REPO, { title: `issue ${n}` });
    const bare = makeRemote();
    const db = cloneOf(bare);
    for (const step of steps) {
      const r = await run(db, {}, step);
      expect(r.code, r.stderr).toBe(0);
    }
    const files = filesOnMain(bare).filter((f) => f !== "README.md");
    const contents = Object.fromEntries(files.map((f) => [f, gitSync(["--git-dir", bare, "show", `main:${f}`], bare)]));
    return { contents, github: fake.issues(REPO).map((i) => ({ n: i.number, state: i.state, labels: [...i.labels].sort(), comments: i.comments.map((c) => c.body) })) };
  }

  it("repeated runs (Re-run jobs) leave exactly the same database and GitHub state", async () => {
    const canonical = await final(events);
    expect(Object.keys(canonical.contents).filter((f) => f.startsWith("issues/")).length).toBe(4);
    const random = rng(13);
    const repeated: Step[] = [];
    // After each event, maybe a re-run of it or of an earlier one (as Re-run jobs would do).
    for (const e of events) {
      repeated.push(e);
      if (random() < 0.7) repeated.push(events[Math.floor(random() * (events.indexOf(e) + 1))]!);
    }
    expect(repeated.length).toBeGreaterThan(events.length);
    expect(await final(repeated)).toEqual(canonical);
  }, 120_000);

  it("shuffled orders leave the same database, the same open and closed issues and labels", async () => {
    const canonical = await final(events);
    // More seeds: BUGBEACON_ORDER_SEEDS="1,2,3,…" (each adds a few seconds).
    const seeds = (process.env.BUGBEACON_ORDER_SEEDS ?? "1,7,13").split(",").map(Number);
    for (const seed of seeds) {
      const random = rng(seed);
      const shuffled = [...events, ...events.slice(0, 2)];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const result = await final(shuffled);
      expect(result.contents, `order ${JSON.stringify(shuffled)}`).toEqual(canonical.contents);
      expect(result.github.map(({ n, state, labels }) => ({ n, state, labels }))).toEqual(canonical.github.map(({ n, state, labels }) => ({ n, state, labels })));
    }
  }, 120_000);
});

