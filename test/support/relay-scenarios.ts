/**
 * Relay scenarios shared by the default suite (small sizes) and the stress suite (the issue's sizes): real
 * app processes that crash with only a relay URL (no token), each install with its own spool folder (where
 * the SDK keeps its random install id), against `bugbeacon serve --relay-repo` and the fake GitHub.
 */
import { join } from "node:path";
import { appFrom } from "./app-fixture.js";
import { baseEnv, runNode, type RunResult } from "./run-node.js";
import { tempDir } from "./temp.js";
import { countLines, postReport, wireReport, type CountLine } from "./relay-harness.js";

/** An app that crashes with the same bug each run (one identifier), reporting through the relay only. */
export function crashingApp(repo: string): string {
  return appFrom(`import { installHandlers } from "bugbeacon";
installHandlers({ repo: ${JSON.stringify(repo)}, confirm: false, timeoutMs: 8000 });
function parseRow(row) { return row.trim(); }
parseRow(undefined);
`);
}

/** `processes` crashes of `app`, spread over `installs` installs (spool folders), `parallel` at a time. */
export async function crashBurst(app: string, relayUrl: string | (() => string), o: { processes: number; installs: number; parallel: number; extraEnv?: NodeJS.ProcessEnv }): Promise<RunResult[]> {
  const spools = Array.from({ length: o.installs }, () => tempDir("bugbeacon-relay-install-"));
  const results: RunResult[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: o.parallel }, async () => {
      while (next < o.processes) {
        const i = next++;
        const url = typeof relayUrl === "string" ? relayUrl : relayUrl();
        results.push(await runNode([join(app, "app.mjs")], { cwd: app, timeoutMs: 60_000, env: baseEnv({ BUGBEACON_RELAY_URL: url, BUGBEACON_SPOOL_DIR: spools[i % o.installs]!, ...o.extraEnv }) }));
      }
    }),
  );
  return results;
}

/**
 * A client as the SDK behaves: sends a report until it gets an answer it keeps (202, or a final 4xx),
 * again with the same report id after no answer, a 503 or a 429 (after Retry-After, shortened here).
 */
export async function sendUntilAnswered(url: () => string, body: string, deadlineMs = 120_000): Promise<number> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      const a = await postReport(url(), body);
      if (a.status === 202 || (a.status >= 400 && a.status < 500 && a.status !== 429)) return a.status;
    } catch {
      // no answer: the relay was killed or is restarting
    }
    if (Date.now() > end) throw new Error("no answer from the relay in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `n` reports over `idents` identifiers and `installs` installs, as wire bodies with their truth. */
export function reportBurst(repo: string, n: number, idents: number, installs: number) {
  return Array.from({ length: n }, (_, i) => {
    const identifier = `md5.${(i % idents).toString(16).padStart(32, "a")}`;
    const install = `install-${String(Math.floor(i / idents) % installs).padStart(8, "0")}`;
    return { identifier, install, body: JSON.stringify(wireReport(repo, { identifier, install, reportId: `burst-${i.toString(36).padStart(8, "0")}` })) };
  });
}

/** Sends `reports` from `clients` concurrent clients to whichever relay `url()` names at the moment. */
export async function sendBurst(url: () => string, bodies: string[], clients: number, onAnswered?: (done: number) => void): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        statuses.push(await sendUntilAnswered(url, body));
        onAnswered?.(statuses.length);
      }
    }),
  );
  return statuses;
}

/** Per identifier: occurrences (issues the relays opened + every count message) and machines per replica. */
export function totalsOnGitHub(issues: Array<{ body: string | null; user: { login: string }; comments: Array<{ body: string | null }> }>) {
  const byIdent = new Map<string, { issues: number; occurrences: number; machinesByReplica: Map<string, number>; replicas: Set<string>; latest?: CountLine }>();
  for (const issue of issues) {
    const ident = /bugbeacon identifier: `([^`]+)`/.exec(issue.body ?? "")?.[1];
    if (ident === undefined || issue.user.login !== "bugbeacon[bot]") continue;
    const t: { issues: number; occurrences: number; machinesByReplica: Map<string, number>; replicas: Set<string>; latest?: CountLine } = byIdent.get(ident) ?? { issues: 0, occurrences: 0, machinesByReplica: new Map(), replicas: new Set() };
    t.issues++;
    t.occurrences++;
    for (const l of countLines(issue.comments)) {
      t.occurrences += l.occurrences;
      t.machinesByReplica.set(l.replica, Math.max(t.machinesByReplica.get(l.replica) ?? 0, l.totalMachines));
      t.latest = l;
      // The replicas whose messages it carries (a message edited in place carries several).
      for (const k of l.keys ?? [`${l.replica}:${l.seq}`]) t.replicas.add(k.split(":")[0]!);
    }
    byIdent.set(ident, t);
  }
  return byIdent;
}

interface FakeLike {
  url: string;
  issues(repo: string): Array<{ body: string | null; user: { login: string }; comments: Array<{ body: string | null }> }>;
}

export const RELAY_TEST_ENV = { BUGBEACON_RELAY_PERIOD_MS: "200", BUGBEACON_RELAY_WRITES_PER_HOUR: "450", BUGBEACON_RELAY_REPORTS_PER_MINUTE: "1000000" };

function expectedTotals(burst: Array<{ identifier: string; install: string }>) {
  const out = new Map<string, { occurrences: number; machines: number }>();
  const installs = new Map<string, Set<string>>();
  for (const b of burst) {
    const t = out.get(b.identifier) ?? { occurrences: 0, machines: 0 };
    t.occurrences++;
    const set = installs.get(b.identifier) ?? new Set();
    set.add(b.install);
    installs.set(b.identifier, set);
    t.machines = set.size;
    out.set(b.identifier, t);
  }
  return Object.fromEntries([...out].sort());
}

async function settle(fake: FakeLike, repo: string, expected: Record<string, { occurrences: number }>, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  const done = () => {
    const t = totalsOnGitHub(fake.issues(repo));
    return Object.entries(expected).every(([ident, e]) => (t.get(ident)?.occurrences ?? 0) >= e.occurrences);
  };
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  // A little longer: anything beyond the expected counts (a double) would show now.
  await new Promise((r) => setTimeout(r, 1000));
}

/** One relay, SIGKILLed once `killAfter` reports were answered, restarted on the same state folder. */
export async function killMidBurst(fake: FakeLike, db: string, repo: string, o: { reports: number; idents: number; installs: number; killAfter: number }) {
  const { startServe } = await import("./serve-harness.js");
  const stateDir = tempDir("bugbeacon-relay-state-");
  const start = () => startServe(fake.url, db, { args: ["--relay-repo", repo, "--answer-within", "0"], env: RELAY_TEST_ENV, stateDir });
  let s = await start();
  let current = s.url;
  const burst = reportBurst(repo, o.reports, o.idents, o.installs);
  let killedAt = -1;
  let restarting: Promise<void> | undefined;
  await sendBurst(() => current, burst.map((b) => b.body), 8, (done) => {
    if (done < o.killAfter || killedAt >= 0) return;
    killedAt = done;
    s.child.kill("SIGKILL");
    restarting = (async () => {
      await s.exited;
      s = await start();
      current = s.url;
    })();
  });
  await restarting;
  const expected = expectedTotals(burst);
  await settle(fake, repo, expected);
  s.child.kill("SIGTERM");
  await s.exited;
  const t = totalsOnGitHub(fake.issues(repo));
  const totals = Object.fromEntries(
    [...t].sort().map(([ident, v]) => [ident, { occurrences: v.occurrences, machines: Math.max(1, ...v.machinesByReplica.values()) }]),
  );
  return { killedAt, totals, expected };
}

/** Three relays (own state folders, one database and one GitHub), clients spread over them in turn. */
export async function threeRelays(fake: FakeLike, db: string, repo: string, o: { reports: number; idents: number; installs: number }) {
  const { startServe } = await import("./serve-harness.js");
  const relays = await Promise.all([0, 1, 2].map(() => startServe(fake.url, db, { args: ["--relay-repo", repo, "--answer-within", "0"], env: RELAY_TEST_ENV })));
  try {
    const burst = reportBurst(repo, o.reports, o.idents, o.installs);
    // Each try goes to a replica picked by a fixed pseudo-random sequence: every machine reaches several.
    let k = 12345;
    const pick = () => {
      k = (k * 1103515245 + 12345) % 2147483648;
      return relays[Math.floor((k / 2147483648) * 3)]!.url;
    };
    await sendBurst(pick, burst.map((b) => b.body), 9);
    const expected = expectedTotals(burst);
    await settle(fake, repo, expected);
    const t = totalsOnGitHub(fake.issues(repo));
    return {
      expected: {
        occurrences: Object.fromEntries(Object.entries(expected).map(([i, e]) => [i, e.occurrences])),
        inAll: Object.fromEntries(Object.entries(expected).map(([i, e]) => [i, { total: e.occurrences, machines: e.machines }])),
      },
      occurrences: Object.fromEntries([...t].sort().map(([i, v]) => [i, v.occurrences])),
      // What the issue says now: the latest count message's figures "in all".
      inAll: Object.fromEntries([...t].sort().map(([i, v]) => [i, v.latest === undefined ? undefined : { total: v.latest.total, machines: v.latest.totalMachines }])),
      replicasPerIdent: [...t.values()].map((v) => v.replicas.size),
      issuesPerIdent: [...t.values()].map((v) => v.issues),
    };
  } finally {
    await Promise.all(relays.map(async (s) => {
      s.child.kill("SIGTERM");
      await s.exited;
    }));
  }
}
