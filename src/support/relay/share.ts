/**
 * Figures "in all" across relay replicas. Each replica counts its own occurrences (its journal), and
 * occurrences add up; distinct machines do not (a machine that reached two replicas is one machine). So
 * each replica publishes, per identifier, its own figures (occurrences, first time, the set of machines)
 * in the database repository, the one thing replicas share besides GitHub, and a count message reports
 * the union of every replica's set and the sum of their occurrences.
 *
 * - Where: one ref per replica, `refs/bugbeacon/relay/machines/<replica>`, written only by that replica
 *   (the state-folder claim makes the replica id one live process's). Its commit has no parent and is
 *   force-pushed, so earlier versions are unreachable at once; its tree holds one blob per identifier,
 *   named by a hash of repository and identifier: `{"v":1,"total":n,"first":ms,"machines":[tags]}`.
 * - What: a machine is a tag, HMAC-SHA256 of the relay's 53-bit machine hash under a key derived from the
 *   App's webhook secret (which every replica of one App has), cut to 66 bits. The database may be the
 *   public repository itself: without the secret, a tag cannot be matched to an install id.
 * - Exactness: a count message is made holding a lock of its identifier (issue-lock.ts): publish this
 *   replica's figures, read every other replica's, comment, release. Messages of one identifier are thus
 *   made in turn, and the latest one read every replica's latest figures; a replica whose figures changed
 *   since has occurrences waiting, so its own message comes later. Filing an issue holds the same lock:
 *   the first occurrence is published, another replica's issue of the identifier is adopted (no second
 *   issue, whatever GitHub's search index lags), or the new issue is published before the lock is let go.
 */
import { createHash, createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import { BOT_IDENTITY, git } from "../git-sync.js";
import type { IssueLocks } from "../serve/issue-lock.js";

export interface MachineShareOptions {
  replica: string;
  /** A secret every replica has (derived from the webhook secret): tags are keyed with it. */
  key: Buffer;
  /** The database remote of a repository. */
  remoteFor: (repo: string) => string;
  /** git settings for that remote (the installation token for the GitHub server). */
  gitConfigFor: (remote: string, repo: string) => Promise<string[]>;
  locks: IssueLocks;
  /** Where the scratch repository goes (the serve state folder's `work/`, wiped at each start). */
  scratchParent: string;
}

export interface OwnFigures {
  total: number;
  first: number;
  machines: Iterable<number>;
  /** The identifier's issue, once this replica filed or found it. */
  issue?: { number: number; url: string } | undefined;
  /** A monitor's last failure this replica accepted (ms): the close waits for every replica's (monitors.ts). */
  last?: number | undefined;
}

export interface InAll {
  total: number;
  first: number;
  machines: number;
  replicas: number;
  /** Another replica's issue of the identifier (the newest, if they differ). */
  issue?: { number: number; url: string };
  /** The latest `last` any other replica published (monitors). */
  othersLast?: number;
}

export interface MachineShare {
  /** Runs `work` holding the identifier's count lock (across replicas). */
  withLock<T>(repo: string, ident: string, work: () => Promise<T>): Promise<T>;
  /** Publishes this replica's figures of (repo, ident); with `read`, returns the figures in all. */
  publish(repo: string, ident: string, own: OwnFigures, read: boolean): Promise<InAll>;
  /** Writes this replica's figures of several identifiers of one repository in one push (after machines were forgotten). */
  republish(repo: string, items: Array<{ ident: string; own: OwnFigures }>): Promise<void>;
  /** Forgets the scratch repository (the local copies of earlier sets); made again when next needed. */
  reset(): Promise<void>;
  dispose(): Promise<void>;
}

const REF = "refs/bugbeacon/relay/machines";

interface Blob {
  v: 1;
  total: number;
  first: number;
  machines: string[];
  issue?: { number: number; url: string };
  last?: number;
}

export function machineShare(o: MachineShareOptions): MachineShare {
  let scratch: Promise<string> | undefined;
  /** Per remote: this replica's tree (blob name → blob id), read back from the remote once per scratch. */
  const trees = new Map<string, Map<string, string>>();
  const tagOf = (m: number) => createHmac("sha256", o.key).update(String(m)).digest("base64url").slice(0, 11);

  const local = () =>
    (scratch ??= (async () => {
      mkdirSync(o.scratchParent, { recursive: true, mode: 0o700 });
      const dir = await mkdtemp(join(o.scratchParent, "relay-share-"));
      await git(["init", "--quiet", "--bare", "--object-format=sha1", dir], { cwd: o.scratchParent });
      return dir;
    })());

  const urlOf = (remote: string) => (isAbsolute(remote) ? pathToFileURL(remote).href : remote);
  const space = (remote: string) => `refs/share/${createHash("sha256").update(remote).digest("hex").slice(0, 16)}`;
  const nameOf = (repo: string, ident: string) => createHash("sha256").update(`${repo.toLowerCase()} ${ident}`).digest("hex").slice(0, 40);

  /** Writes this replica's figures of some identifiers in one push (fetching every replica's first when `read`). */
  async function write(repo: string, items: Array<{ ident: string; own: OwnFigures }>, read: boolean) {
    const dir = await local();
    const remote = o.remoteFor(repo);
    const url = urlOf(remote);
    const config = await o.gitConfigFor(remote, repo);
    const opts = { cwd: dir, config };
    const ns = space(remote);
    const mine = `${ns}/${o.replica}`;
    let tree = trees.get(remote);
    if (read || tree === undefined) {
      // Every replica's ref (this one's too: its tree is the base of what it pushes now).
      await git(["fetch", "--quiet", "--no-tags", "--prune", url, `+${REF}/*:${ns}/*`], opts);
    }
    if (tree === undefined) {
      tree = new Map();
      const listed = await git(["for-each-ref", "--format=%(refname)", mine], opts);
      if (listed.trim() !== "") {
        for (const line of (await git(["ls-tree", mine], opts)).split("\n")) {
          const m = /^100644 blob ([0-9a-f]{40})\t([0-9a-f]{40})$/.exec(line);
          if (m) tree.set(m[2]!, m[1]!);
        }
      }
      trees.set(remote, tree);
    }
    const next = new Map(tree);
    let tags = new Set<string>();
    for (const { ident, own } of items) {
      tags = new Set<string>();
      for (const m of own.machines) tags.add(tagOf(m));
      const blob: Blob = { v: 1, total: own.total, first: own.first, machines: [...tags].sort(), ...(own.issue !== undefined ? { issue: own.issue } : {}), ...(own.last !== undefined ? { last: own.last } : {}) };
      next.set(nameOf(repo, ident), (await git(["hash-object", "-w", "--stdin"], { ...opts, input: JSON.stringify(blob) })).trim());
    }
    const treeId = (await git(["mktree"], { ...opts, input: [...next].map(([n, sha]) => `100644 blob ${sha}\t${n}\n`).join("") })).trim();
    const commit = (await git(["commit-tree", treeId, "-m", `bugbeacon relay figures of replica ${o.replica}`], { cwd: dir, config: [...config, ...BOT_IDENTITY] })).trim();
    // Only this replica writes its ref, and its history is not kept (no parent): replaced whole.
    await git(["push", "--quiet", "--force", url, `${commit}:${REF}/${o.replica}`], opts);
    trees.set(remote, next);
    // The last item's tags: publish() writes one.
    return { opts, ns, mine, tags };
  }

  async function publish(repo: string, ident: string, own: OwnFigures, read: boolean): Promise<InAll> {
    const { opts, ns, mine, tags } = await write(repo, [{ ident, own }], read);
    const name = nameOf(repo, ident);
    const inAll: InAll = { total: own.total, first: own.first, machines: tags.size, replicas: 1 };
    if (!read) return inAll;
    const others = (await git(["for-each-ref", "--format=%(refname)", `${ns}/`], opts))
      .split("\n")
      .filter((r) => r !== "" && r !== mine);
    if (others.length === 0) return inAll;
    const out = await git(["cat-file", "--batch"], { ...opts, input: others.map((r) => `${r}:${name}\n`).join("") });
    for (const b of parseBatch(out)) {
      inAll.replicas++;
      inAll.total += b.total;
      inAll.first = Math.min(inAll.first, b.first);
      for (const t of b.machines) tags.add(t);
      if (b.issue !== undefined && (inAll.issue === undefined || b.issue.number > inAll.issue.number)) inAll.issue = b.issue;
      if (b.last !== undefined) inAll.othersLast = Math.max(inAll.othersLast ?? b.last, b.last);
    }
    inAll.machines = tags.size;
    return inAll;
  }

  return {
    publish,
    async republish(repo, items) {
      if (items.length > 0) await write(repo, items, false);
    },
    async withLock(repo, ident, work) {
      const remote = o.remoteFor(repo);
      return o.locks.withLock(remote, `relay count ${repo.toLowerCase()} ${ident}`, await o.gitConfigFor(remote, repo), work);
    },
    async reset() {
      const was = scratch;
      scratch = undefined;
      trees.clear();
      const dir = await was?.catch(() => "");
      if (dir !== undefined && dir !== "") await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    },
    async dispose() {
      await this.reset();
    },
  };
}

/** `git cat-file --batch` output: each object's header line, its bytes and a newline; "<name> missing" lines skipped. */
function parseBatch(out: string): Blob[] {
  const blobs: Blob[] = [];
  const buf = Buffer.from(out);
  let at = 0;
  while (at < buf.length) {
    const eol = buf.indexOf(10, at);
    if (eol < 0) break;
    const header = buf.subarray(at, eol).toString();
    at = eol + 1;
    const m = /^[0-9a-f]{40} blob (\d+)$/.exec(header);
    if (!m) continue;
    const size = Number(m[1]);
    const text = buf.subarray(at, at + size).toString();
    at += size + 1;
    try {
      const b = JSON.parse(text) as Partial<Blob>;
      if (b.v === 1 && typeof b.total === "number" && typeof b.first === "number" && Array.isArray(b.machines)) {
        const issue = b.issue !== undefined && Number.isSafeInteger(b.issue.number) && typeof b.issue.url === "string" ? { issue: { number: b.issue.number, url: b.issue.url } } : {};
        const last = Number.isSafeInteger(b.last) ? { last: b.last! } : {};
        blobs.push({ v: 1, total: b.total, first: b.first, machines: b.machines.filter((t): t is string => typeof t === "string"), ...issue, ...last });
      }
    } catch {
      // Unreadable (not written by a relay): left out.
    }
  }
  return blobs;
}
