/**
 * The relay's counting (src/support/relay/counter.ts) with a virtual clock: write-ahead replay after a kill
 * at every point, idempotency, pacing, the held queue; and the scale simulation at a small size (the full
 * day of 1,000,000 installs is `npm run bench -- relay`).
 */
import { describe, expect, it } from "vitest";
import { RelayCounter, type JournalEntry, type Write } from "../src/support/relay/counter.js";
import { Journal } from "../src/support/relay/journal.js";
import { fenced, inline, renderRelayIssue } from "../src/support/relay/render.js";
import { RelayRefusedError, parseRelayReport, validateRelayReport } from "../src/support/relay/report.js";
import { wireReport } from "./support/relay-harness.js";
import { simulate } from "./support/relay-sim.js";
import { tempDir } from "./support/temp.js";

const REPO = "octo/tool";
const H = 3_600_000;
const report = (ident: string, id: string, install = "install-aaaaaaaa") => validateRelayReport(wireReport(REPO, { identifier: ident, reportId: id, install }));
const IDENT = "md5.0123456789abcdef0123456789abcdef";

/** A relay whose writes all succeed, on a journal kept in memory (what the file would hold). */
function relay(journal: JournalEntry[], options = {}) {
  return new RelayCounter({ replica: "r1", periodMs: H, ...options }, (e) => journal.push(structuredClone(e)));
}

function drain(c: RelayCounter, now: number, ledger: { issues: number; counted: number }, stopAfter = Infinity): Write[] {
  const done: Write[] = [];
  for (let i = 0; i < stopAfter; i++) {
    const w = c.next(now);
    if (w === undefined || "waitUntil" in w) break;
    c.wrote(now);
    if (w.kind === "create") c.settle(w, { ok: true, number: ++ledger.issues, url: `u/${ledger.issues}` }, now);
    else if (w.kind === "count") {
      ledger.counted += w.message.occurrences;
      c.settle(w, { ok: true }, now);
    } else c.settle(w, { ok: true, number: 999, url: "held" }, now);
    done.push(w);
  }
  return done;
}

describe("relay counting", () => {
  it("files the first occurrence, counts the rest, at most one message per identifier per period", () => {
    const j: JournalEntry[] = [];
    const c = relay(j);
    const ledger = { issues: 0, counted: 0 };
    expect(c.accept(report(IDENT, "report-0001"), 1, 0)).toMatchObject({ status: "queued", dueAt: 0 });
    expect(drain(c, 0, ledger).map((w) => w.kind)).toEqual(["create"]);
    for (let i = 2; i <= 10; i++) expect(c.accept(report(IDENT, `report-${String(i).padStart(4, "0")}`), i % 3, 1000 * i).status).toBe("counted");
    // Within the period: nothing goes out; after it, one message with all nine.
    expect(drain(c, H - 1, ledger)).toEqual([]);
    const [msg] = drain(c, H, ledger);
    expect(msg).toMatchObject({ kind: "count", message: { occurrences: 9, machines: 3, total: 10, totalMachines: 3 } });
    expect(ledger).toEqual({ issues: 1, counted: 9 });
    // A retried report counts once, with the answer it had.
    expect(c.accept(report(IDENT, "report-0001"), 1, H + 5)).toMatchObject({ status: "created", duplicate: true });
    expect(c.totals()).toMatchObject({ occurrences: 10, pending: 0 });
  });

  it("an issue is made from its creator's report, also when more reports came before the create and after a kill (the room looks the create up by that report's id)", () => {
    const j: JournalEntry[] = [];
    const c = relay(j);
    c.accept(report(IDENT, "report-creator"), 1, 0);
    c.accept(report(IDENT, "report-later-1"), 2, 1);
    c.accept(report(IDENT, "report-later-2"), 3, 2);
    const w = c.next(3);
    expect(w).toMatchObject({ kind: "create", uncertain: false });
    expect(w !== undefined && "kind" in w && w.kind === "create" ? w.report.reportId : undefined).toBe("report-creator");
    // Killed before the outcome: replayed from the journal, or from the snapshot a restart compacts it to.
    for (const restart of ["journal", "snapshot"] as const) {
      const again = new RelayCounter({ replica: "r1", periodMs: H }, () => {});
      if (restart === "journal") again.replay(j);
      else {
        const first = new RelayCounter({ replica: "r1", periodMs: H }, () => {});
        first.replay(j);
        again.replay([JSON.parse(JSON.stringify(first.snapshot())) as JournalEntry]);
      }
      const looked = again.next(10);
      expect(looked, restart).toMatchObject({ kind: "create", uncertain: true });
      expect(looked !== undefined && "kind" in looked && looked.kind === "create" ? looked.report.reportId : undefined, restart).toBe("report-creator");
    }
  });

  it("a kill after any journal entry, replayed (or compacted to a snapshot first), loses and doubles nothing (an open write landed or not)", () => {
    const ident = (i: number) => (i % 3 === 0 ? IDENT : "md5.ffffffffffffffffffffffffffffffff");
    const send = (c: RelayCounter, i: number, now: number) => c.accept(report(ident(i), `report-${String(i).padStart(4, "0")}`, `install-${i % 7}xxxxxxx`), i % 7, now);
    // The whole run once: every journal entry, and what each write carried.
    const full: JournalEntry[] = [];
    const carried = new Map<number, { kind: string; occ: number }>();
    const first = relay(full);
    for (let i = 0; i < 30; i++) {
      send(first, i, i * 600_000);
      for (const w of drain(first, i * 600_000, { issues: 0, counted: 0 })) carried.set(w.intent, { kind: w.kind, occ: w.kind === "count" ? w.message.occurrences : 1 });
    }
    let cuts = 0;
    for (let cut = 1; cut <= full.length; cut++) {
      const prefix = full.slice(0, cut);
      const done = new Set(prefix.flatMap((e) => (e.k === "done" ? [e.intent] : [])));
      const open = prefix.flatMap((e) => (e.k === "intent" && !done.has(e.seq) ? [e.seq] : []));
      for (const [lost, compacted] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        // GitHub at the kill: every write with its outcome journaled, and the open one if its answer was lost.
        const github: Array<{ intent: number; kind: string; occ: number }> = [];
        for (const s of done) github.push({ intent: s, ...carried.get(s)! });
        if (lost) for (const s of open) github.push({ intent: s, ...carried.get(s)! });
        const c = new RelayCounter({ replica: "r1", periodMs: H }, () => {});
        if (compacted) {
          // The restart compacts the journal to one snapshot line, and a later restart replays only that.
          const first = new RelayCounter({ replica: "r1", periodMs: H }, () => {});
          first.replay(prefix);
          c.replay([JSON.parse(JSON.stringify(first.snapshot())) as JournalEntry]);
        } else c.replay(prefix);
        // Clients send again everything they got no answer for (here: all 30); each counts once.
        for (let i = 0; i < 30; i++) send(c, i, 30 * 600_000);
        for (const now of [30 * 600_000, 40 * 600_000, 60 * 600_000, 90 * 600_000]) {
          for (;;) {
            const w = c.next(now);
            if (w === undefined || "waitUntil" in w) break;
            // An uncertain write is looked up first (the room finds its report id or its marker).
            if (!(w.uncertain && github.some((g) => g.intent === w.intent))) github.push({ intent: w.intent, kind: w.kind, occ: w.kind === "count" ? w.message.occurrences : 1 });
            c.wrote(now);
            c.settle(w, w.kind === "create" ? { ok: true, number: w.intent, url: `u/${w.intent}` } : { ok: true }, now);
          }
        }
        const writes = github;
        expect(writes.filter((w) => w.kind === "create"), `cut ${cut}, lost ${lost}, compacted ${compacted}`).toHaveLength(2);
        expect(writes.reduce((n, w) => n + w.occ, 0), `cut ${cut}, lost ${lost}, compacted ${compacted}`).toBe(30);
        expect(c.totals()).toMatchObject({ occurrences: 30, pending: 0 });
        cuts++;
      }
    }
    expect(cuts).toBe(full.length * 4);
  });

  it("forgets a machine's hash once its last report is older than the age limit: in memory, in a snapshot, in the next message", () => {
    const D = 24 * H;
    const j: JournalEntry[] = [];
    const c = relay(j);
    const ledger = { issues: 0, counted: 0 };
    c.accept(report(IDENT, "report-0001"), 11, 0);
    drain(c, 0, ledger);
    c.accept(report(IDENT, "report-0002"), 22, 10 * D);
    c.accept(report(IDENT, "report-0003"), 11, 20 * D);
    expect(c.totals().machines).toBe(2);
    // 41 days after the first report, 31 after machine 22's only one: 22 is forgotten, 11 (seen on day 20) is not.
    expect(c.forgetMachinesBefore(41 * D - 30 * D)).toEqual([`${REPO} ${IDENT}`]);
    expect(c.totals().machines).toBe(1);
    const snap = JSON.stringify(c.snapshot());
    expect(snap).not.toMatch(/\b22\b/);
    expect(snap).toMatch(/\b11\b/);
    // The pending tally forgets it too; the message counts the machines still known.
    const [msg] = drain(c, 41 * D, ledger);
    expect(msg).toMatchObject({ kind: "count", message: { occurrences: 2, machines: 1, total: 3, totalMachines: 1 } });
    // Nothing older: nothing changes.
    expect(c.forgetMachinesBefore(15 * D)).toEqual([]);
    // Replayed from the snapshot, the same.
    const again = new RelayCounter({ replica: "r1", periodMs: H }, () => {});
    again.replay([JSON.parse(snap) as JournalEntry]);
    expect(again.totals().machines).toBe(1);
  });

  it("a journal in use is compacted in place: lines before it are in the snapshot, lines after it follow, a sync running across it resolves", async () => {
    const dir = tempDir("bugbeacon-relay-journal-");
    const j: JournalEntry[] = [];
    const c = relay(j);
    const file = new Journal(dir);
    const send = (i: number) => {
      c.accept(report(IDENT, `report-${String(i).padStart(4, "0")}`, `install-${i}xxxxxxx`), i, i);
      for (const e of j.splice(0)) file.append(e);
    };
    for (let i = 0; i < 10; i++) send(i);
    const syncing = file.durable();
    file.compact([c.snapshot()]);
    expect(file.lines).toBe(0);
    send(10);
    send(11);
    await syncing;
    await file.durable();
    file.close();
    const back = Journal.read(dir, (line, problem) => {
      throw new Error(`line ${line}: ${problem}`);
    });
    expect(back.map((e) => e.k)).toEqual(["snap", "occ", "occ"]);
    const again = new RelayCounter({ replica: "r1", periodMs: H }, () => {});
    again.replay(back);
    expect(again.totals()).toMatchObject({ occurrences: 12, machines: 12 });
  });

  it("remembers report ids for the idempotency window, and at most rememberIds of them", () => {
    const c = relay([], { idempotencyMs: H, rememberIds: 2 });
    c.accept(report(IDENT, "report-0001"), 1, 0);
    c.accept(report(IDENT, "report-0002"), 1, 1);
    expect(c.accept(report(IDENT, "report-0002"), 1, 2).duplicate).toBe(true);
    c.accept(report(IDENT, "report-0003"), 1, 3);
    // Three ids, room for two: the oldest is forgotten (a retry of it a day later is a new occurrence).
    expect(c.accept(report(IDENT, "report-0001"), 1, 4).duplicate).toBe(false);
    // Past the window, any id is forgotten.
    expect(c.accept(report(IDENT, "report-0003"), 1, H + 10).duplicate).toBe(false);
    expect(c.totals().occurrences).toBe(5);
  });

  it("paces its writes: never more than writesPerHour in a rolling hour nor writesPerMinute in a minute", () => {
    const r = simulate({ installs: 5000, bugs: 200, reports: 20_000, spanMs: 6 * H, writesPerHour: 60, retryShare: 0.02, failShare: 0.05, seed: 7 });
    expect(r.maxPerHour).toBeLessThanOrEqual(60);
    expect(r.maxPerMinute).toBeLessThanOrEqual(20);
    expect(r.unfiled).toBe(0);
    expect(r.issues).toBe(r.bugsSeen);
    expect(r.countingError).toBe(0);
    expect(r.machinesCounted).toBe(r.machinesTruth);
  });

  it("beyond a repository's new issues per hour, identifiers are held and listed, then filed as the budget allows", () => {
    const j: JournalEntry[] = [];
    const c = relay(j, { newIssuesPerHour: 2 });
    const ledger = { issues: 0, counted: 0 };
    for (let i = 0; i < 5; i++) c.accept(report(`md5.${String(i).repeat(32)}`, `report-000${i}`), i, 0);
    const first = drain(c, 0, ledger);
    expect(first.filter((w) => w.kind === "create")).toHaveLength(2);
    const held = first.find((w) => w.kind === "held");
    expect(held).toMatchObject({ kind: "held", number: undefined });
    expect((held as Extract<Write, { kind: "held" }>).held.map((l) => l.identifier)).toHaveLength(3);
    expect(c.accept(report("md5.44444444444444444444444444444444", "report-0099"), 9, 10)).toMatchObject({ status: "held" });
    drain(c, H, ledger);
    drain(c, 2 * H, ledger);
    expect(ledger.issues).toBe(5);
    expect(c.unfiled()).toEqual([]);
  });
});

describe("relay intake and rendering", () => {
  it("names the bad field and refuses deep JSON", () => {
    const refused = (body: string) => {
      try {
        parseRelayReport(body);
      } catch (error) {
        expect(error).toBeInstanceOf(RelayRefusedError);
        return (error as RelayRefusedError).field;
      }
      throw new Error("accepted");
    };
    const good = wireReport(REPO);
    expect(refused(JSON.stringify({ ...good, install: "short" }))).toBe("install");
    expect(refused(JSON.stringify({ ...good, metadata: { ...good.metadata, identifier: "../etc" } }))).toBe("metadata.identifier");
    expect(refused(JSON.stringify({ ...good, metadata: { ...good.metadata, environment: { "A`B": "x" } } }))).toBe("metadata.environment");
    expect(refused("[".repeat(5000) + "]".repeat(5000))).toBe("body");
    expect(refused(JSON.stringify({ ...good, title: "a\u0000b" }))).toBe("title");
  });

  it("neutralises the reporter's text: nothing in it renders as a mention, link, image or HTML", () => {
    const text = "@octocat see https://evil.example ![x](https://evil.example/a.png) <img src=x> ``` \n```\n@admin";
    const body = renderRelayIssue(validateRelayReport(wireReport(REPO, { text, title: "@everyone https://evil.example", version: "<b>1</b> @x" }))).body;
    const block = fenced(text);
    expect(block.startsWith("````text\n")).toBe(true);
    expect(block.endsWith("\n````")).toBe(true);
    expect(body).toContain(block);
    const outside = body.replace(block, "");
    expect(outside).not.toMatch(/@[A-Za-z]/);
    expect(outside).not.toMatch(/https?:\/\//);
    expect(outside).not.toMatch(/<b>|<img/);
    expect(inline("@everyone https://evil.example")).not.toMatch(/@[a-z]|:\/\//);
  });
});
