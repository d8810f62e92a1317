/** The replicas' lock (src/support/serve/issue-lock.ts) on a real bare repository. */
import { describe, expect, it } from "vitest";
import { gitSync, makeRemote } from "./support/git-fixtures.js";
import { issueLocks } from "../src/support/serve/issue-lock.js";

const refs = (bare: string) => gitSync(["--git-dir", bare, "for-each-ref", "--format=%(refname)", "refs/bugbeacon/"], bare).trim();

describe("serve: the lock in the database repository", () => {
  it("two holders of one key run in turn, other keys at once; the lock ref is gone after", async () => {
    const bare = makeRemote();
    // Two replicas: each its own lock set.
    const [a, b] = [issueLocks({ pollMs: 5 }), issueLocks({ pollMs: 5 })];
    const events: string[] = [];
    const hold = (who: string, ms: number) => async () => {
      events.push(`${who} in`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`${who} out`);
      return who;
    };
    const results = await Promise.all([
      a.withLock(bare, "octo/support md5.1", [], hold("a1", 150)),
      b.withLock(bare, "octo/support md5.1", [], hold("b1", 50)),
      b.withLock(bare, ".github/x #2", [], hold("b2", 10)),
    ]);
    expect(results).toEqual(["a1", "b1", "b2"]);
    const one = events.filter((e) => e.startsWith("a1") || e.startsWith("b1"));
    // Never both inside: in, out, in, out.
    expect(one.map((e) => e.split(" ")[1])).toEqual(["in", "out", "in", "out"]);
    expect(refs(bare)).toBe("");
    await Promise.all([a.dispose(), b.dispose()]);
  });

  it("takes over a lock whose holder died (older than the lease); a live one is waited for, up to a bound", async () => {
    const bare = makeRemote();
    const dead = issueLocks({ pollMs: 5 });
    // A holder that never returns.
    void dead.withLock(bare, "octo/support md5.2", [], () => new Promise(() => {}));
    for (let i = 0; i < 200 && refs(bare) === ""; i++) await new Promise((r) => setTimeout(r, 10));
    expect(refs(bare)).toMatch(/^refs\/bugbeacon\/locks\/[0-9a-f]{40}$/);
    const patient = issueLocks({ pollMs: 5, maxWaitMs: 200 });
    await expect(patient.withLock(bare, "octo/support md5.2", [], async () => "ran")).rejects.toThrow(/redeliver the event later/);
    // The lease is counted in whole seconds of the lock commit's date.
    await new Promise((r) => setTimeout(r, 1100));
    const taker = issueLocks({ pollMs: 5, leaseMs: 500 });
    await expect(taker.withLock(bare, "octo/support md5.2", [], async () => "ran")).resolves.toBe("ran");
    expect(refs(bare)).toBe("");
    await Promise.all([dead.dispose(), patient.dispose(), taker.dispose()]);
  });

  it("a restarted replica takes over at once the lock its killed run left; another replica still waits for the lease", async () => {
    const bare = makeRemote();
    const killed = issueLocks({ pollMs: 5, holder: { replica: "a1b2c3d4e5f60718", run: "run-before" } });
    void killed.withLock(bare, "octo/support md5.3", [], () => new Promise(() => {}));
    for (let i = 0; i < 200 && refs(bare) === ""; i++) await new Promise((r) => setTimeout(r, 10));
    expect(refs(bare)).toMatch(/^refs\/bugbeacon\/locks\/[0-9a-f]{40}$/);
    // Another replica: the lock is live to it (10 minutes' lease by default).
    const other = issueLocks({ pollMs: 5, maxWaitMs: 200, holder: { replica: "ffffffffffffffff", run: "r" } });
    await expect(other.withLock(bare, "octo/support md5.3", [], async () => "ran")).rejects.toThrow(/redeliver the event later/);
    // The same replica's next run (same state folder after a restart): no wait.
    const restarted = issueLocks({ pollMs: 5, maxWaitMs: 200, holder: { replica: "a1b2c3d4e5f60718", run: "run-after" } });
    await expect(restarted.withLock(bare, "octo/support md5.3", [], async () => "ran")).resolves.toBe("ran");
    expect(refs(bare)).toBe("");
    // The same run finding its own lock is not a predecessor: it waits like anyone else.
    const held = issueLocks({ pollMs: 5, holder: { replica: "a1b2c3d4e5f60718", run: "run-now" } });
    void held.withLock(bare, "octo/support md5.4", [], () => new Promise(() => {}));
    for (let i = 0; i < 200 && refs(bare) === ""; i++) await new Promise((r) => setTimeout(r, 10));
    const sameRun = issueLocks({ pollMs: 5, maxWaitMs: 200, holder: { replica: "a1b2c3d4e5f60718", run: "run-now" } });
    await expect(sameRun.withLock(bare, "octo/support md5.4", [], async () => "ran")).rejects.toThrow(/redeliver the event later/);
    await Promise.all([killed.dispose(), other.dispose(), restarted.dispose(), held.dispose(), sameRun.dispose()]);
  });
});
