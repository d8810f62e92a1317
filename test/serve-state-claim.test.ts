/** One `bugbeacon serve` process per state folder (src/support/serve/state-claim.ts), on real files and real processes. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliUsageError } from "../src/errors.js";
import { claimStateDir } from "../src/support/serve/state-claim.js";
import { tempDir } from "./support/temp.js";

/** The pid of a process that ran and is gone. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

const owner = (dir: string, o: { host: string; pid: number; run: string }) =>
  writeFileSync(join(dir, "owner.json"), JSON.stringify({ ...o, since: "2026-11-30T10:00:00.000Z" }));

describe("serve: the state folder is claimed by one process", () => {
  it("refuses a second claim while the first lives, naming its owner; after release the replica id is the same", async () => {
    const dir = tempDir("bugbeacon-claim-");
    const first = await claimStateDir(dir);
    const error = await claimStateDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as CliUsageError).flag).toBe("--state-dir");
    expect((error as Error).message).toBe(`the state folder ${dir} is in use by another bugbeacon serve (pid ${process.pid} on ${hostname()}, since ${JSON.parse(readFileSync(join(dir, "owner.json"), "utf8")).since}): give each process its own --state-dir.`);
    first.release();
    expect(existsSync(join(dir, "owner.json"))).toBe(false);
    first.release(); // twice: nothing more happens
    const second = await claimStateDir(dir);
    expect(second.replica).toBe(first.replica);
    expect(second.run).not.toBe(first.run);
    second.release();
  });

  it("takes over from an owner on this host whose process is gone, at once", async () => {
    const dir = tempDir("bugbeacon-claim-");
    const before = await claimStateDir(dir);
    before.release();
    owner(dir, { host: hostname(), pid: deadPid(), run: "killed-run" });
    const started = Date.now();
    const claim = await claimStateDir(dir, { staleMs: 60_000 });
    expect(Date.now() - started).toBeLessThan(5_000); // not the 60 s an owner elsewhere would get
    expect(claim.replica).toBe(before.replica);
    expect(JSON.parse(readFileSync(join(dir, "owner.json"), "utf8"))).toMatchObject({ host: hostname(), pid: process.pid, run: claim.run });
    claim.release();
  });

  it("an owner on another host: waited for while its file stays fresh, taken over once it is silent", async () => {
    const dir = tempDir("bugbeacon-claim-");
    owner(dir, { host: "elsewhere.example", pid: 1, run: "remote-run" });
    // It keeps beating (its file is touched) through our whole wait: refused.
    const beat = setInterval(() => utimesSync(join(dir, "owner.json"), new Date(), new Date()), 20);
    try {
      const error = await claimStateDir(dir, { staleMs: 150, heartbeatMs: 50 }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/in use by another bugbeacon serve \(pid 1 on elsewhere\.example, since 2026-11-30T10:00:00\.000Z\)/);
    } finally {
      clearInterval(beat);
    }
    // Silent past staleMs: taken over.
    const old = new Date(Date.now() - 10_000);
    utimesSync(join(dir, "owner.json"), old, old);
    const claim = await claimStateDir(dir, { staleMs: 150, heartbeatMs: 50 });
    expect(JSON.parse(readFileSync(join(dir, "owner.json"), "utf8")).run).toBe(claim.run);
    // Its own heartbeat keeps the file fresh for the other hosts.
    utimesSync(join(dir, "owner.json"), old, old);
    await new Promise((r) => setTimeout(r, 150));
    expect(Date.now() - statSync(join(dir, "owner.json")).mtimeMs).toBeLessThan(5_000);
    claim.release();
  });

  it("a state folder it cannot create is one line naming the flag", async () => {
    const file = join(tempDir("bugbeacon-claim-"), "a-file");
    writeFileSync(file, "");
    const error = await claimStateDir(join(file, "state")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toMatch(/^cannot create the state folder .*a-file\/state \(ENOTDIR\): pass --state-dir/);
  });
});
