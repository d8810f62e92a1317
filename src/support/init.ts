/**
 * `bugbeacon init`: the triage workflow, a starter config, and the pinned install of the CLI for a
 * support repository.
 *
 * Supply chain: the workflow never resolves packages at run time. `init` writes
 * `.github/bugbeacon/package.json` (bugbeacon at this exact version) and its `package-lock.json` (made by
 * `npm install --package-lock-only --ignore-scripts` against the registry, at init time, on the
 * maintainer's machine); the workflow runs `npm ci --ignore-scripts` from that lockfile, so every
 * transitive package is fixed by version and integrity hash, and no install script runs. The write token
 * reaches only the triage step; the checkout does not keep it. Actions are pinned to full commit SHAs read
 * from their own repositories' release tags. `init --upgrade` rewrites the workflow and package.json for
 * the running bugbeacon version and regenerates the lockfile; the config is kept.
 */
import { execFile } from "node:child_process";
import { access, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { BugbeaconError, FileExistsError, InvalidOptionError } from "../errors.js";
import { VERSION } from "../version.js";
import { CONFIG_FILE } from "./config.js";

export const WORKFLOW_PATH = ".github/workflows/bugbeacon-triage.yml";
export const SWEEP_WORKFLOW_PATH = ".github/workflows/bugbeacon-sweep.yml";
export const INSTALL_DIR = ".github/bugbeacon";

/**
 * Actions pinned to full commit SHAs (a tag can be moved; a SHA cannot), with the version in a comment.
 * Each is the newest release of its current major, read from the tag in the action's own repository
 * (`git show-ref --tags`): checkout v7.0.1, setup-node v7.0.0. Refresh here, then `init --upgrade`.
 */
export const PINNED_ACTIONS = {
  checkout: { repo: "actions/checkout", sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1" },
  setupNode: { repo: "actions/setup-node", sha: "820762786026740c76f36085b0efc47a31fe5020", version: "v7.0.0" },
} as const;
/**
 * The cache actions of the checks workflow (their restore and save halves, from one commit of actions/cache:
 * v5.0.5, read with `git show-ref --tags` in its repository), which carry `bugbeacon check --state` between
 * scheduled runs. Kept apart from PINNED_ACTIONS, which the triage and sweep workflows use all of.
 */
export const CACHE_ACTION = { repo: "actions/cache", sha: "27d5ce7f107fe9357f9df03efb73ab90386fccae", version: "v5.0.5" } as const;
/** The checks workflow's --state file (in the workspace) and the prefix of its cache keys. */
export const CHECKS_STATE_FILE = ".bugbeacon-checks-state.json";
export const CHECKS_STATE_KEY = "bugbeacon-checks-state-";
/** A current LTS line (Node 20 reached its end of life in April 2026). */
export const WORKFLOW_NODE_VERSION = 24;

const pin = (a: { repo: string; sha: string; version: string }) => `${a.repo}@${a.sha} # ${a.version}`;
const CHECKOUT = pin(PINNED_ACTIONS.checkout);
const SETUP_NODE = pin(PINNED_ACTIONS.setupNode);

/** The steps both workflows start with: the checkout without a kept token, Node, the CLI from its lockfile. */
const INSTALL_STEPS = `      - uses: ${CHECKOUT}
        with:
          persist-credentials: false
      - uses: ${SETUP_NODE}
        with:
          node-version: ${WORKFLOW_NODE_VERSION}
      - name: Install the pinned bugbeacon CLI
        working-directory: ${INSTALL_DIR}
        run: npm ci --ignore-scripts --no-audit --no-fund`;

export function workflowText(): string {
  return `# bugbeacon triage: files every report in the database (issues/), closes duplicates with a link to
# the first report, and applies the rules in ${CONFIG_FILE}.
#
# Safe by construction:
# - The issue's text never appears in a run: script. The bugbeacon CLI reads the event from the file
#   GitHub writes (GITHUB_EVENT_PATH), so a crafted title or body cannot inject shell commands.
# - Least privilege: the job may write issues (comments, labels, closing) and contents (the database).
#   The token reaches only the triage step: the checkout does not persist it (persist-credentials: false);
#   bugbeacon hands it to git for its own push only, through the environment.
# - Pinned: the actions by full commit SHA; the CLI from ${INSTALL_DIR}/package-lock.json with
#   npm ci --ignore-scripts (every package fixed by version and integrity hash, no install scripts).
#   Refresh both with: npx bugbeacon@latest init --upgrade
# - Re-running the job is safe: triage never posts, labels or closes twice. Exit code 75 means a
#   temporary failure (GitHub 5xx, a push that kept racing): re-run it.
# - No concurrency: group. GitHub keeps only one pending run per group and cancels the rest, which would
#   lose reports under a burst. Concurrent runs race on git push instead; bugbeacon fetches, rebases and
#   retries until its commit lands.
# - Comments, labels and closes made with GITHUB_TOKEN do not start new workflow runs, so triage cannot
#   trigger itself in a loop.
name: bugbeacon triage

on:
  issues:
    types: [opened, edited, reopened]

permissions:
  contents: write
  issues: write

jobs:
  triage:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
${INSTALL_STEPS}
      - name: Triage the issue
        run: ${INSTALL_DIR}/node_modules/.bin/bugbeacon triage
        env:
          GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
`;
}

/** The scheduled sweep: hourly (at a minute off the hour, when GitHub's schedules are least crowded) and on demand. */
export function sweepWorkflowText(cron = "17 * * * *"): string {
  return `# bugbeacon sweep: files every report issue the triage workflow missed (it was broken, disabled, or not
# installed yet), notes deleted or transferred issues, and runs the time-based rules ("timed" in ${CONFIG_FILE}).
#
# - Cheap when nothing changed: the first page of issues is asked with its ETag and answered 304, which does not
#   count against the API rate limit. A sweep cut off resumes where it stopped (the cursor is in sweep/state.json).
# - Same safety as the triage workflow: no issue text in a run: script, least privilege, the token only in the
#   sweep step, actions pinned by SHA, the CLI from ${INSTALL_DIR}/package-lock.json (npm ci --ignore-scripts).
# - One sweep at a time (a queued one is enough: it covers everything since the last).
name: bugbeacon sweep

on:
  schedule:
    - cron: "${cron}"
  workflow_dispatch:

permissions:
  contents: write
  issues: write

concurrency:
  group: bugbeacon-sweep
  cancel-in-progress: false

jobs:
  sweep:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
${INSTALL_STEPS}
      - name: Sweep
        run: ${INSTALL_DIR}/node_modules/.bin/bugbeacon sweep
        env:
          GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
`;
}

/** `.github/bugbeacon/package.json`: bugbeacon at exactly this version, nothing else. */
export function installManifest(version = VERSION): string {
  return `${JSON.stringify(
    {
      name: "bugbeacon-triage",
      private: true,
      description: "The bugbeacon CLI for the triage workflow, installed with npm ci --ignore-scripts from package-lock.json.",
      dependencies: { bugbeacon: version },
    },
    null,
    2,
  )}\n`;
}

export function starterConfig(): string {
  return `${JSON.stringify(
    {
      version: 1,
      layout: "flat",
      duplicates: { close: true, stateReason: "not_planned", label: "duplicate", seenAgain: "comment" },
      rules: [
        {
          id: "frequent",
          when: { count: { atLeast: 10 } },
          then: { labels: ["frequent"], comment: "Reported {count} times since #{first}." },
        },
        {
          id: "burst",
          when: { count: { atLeast: 5, withinHours: 24 } },
          then: { labels: ["burst"], comment: "{count} reports of this problem in the last 24 hours." },
        },
      ],
    },
    null,
    2,
  )}\n`;
}

export class LockfileError extends BugbeaconError {
  override name = "LockfileError";
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      `Could not make ${INSTALL_DIR}/package-lock.json (${detail}). It needs the npm registry: run "npm install --package-lock-only --ignore-scripts" in ${INSTALL_DIR} when online, or init again.`,
      { code: "ERR_LOCKFILE", cause: options?.cause },
    );
  }
}

/** How long npm may take to make the lockfile. */
const NPM_TIMEOUT_MS = 300_000;

/** Runs npm (no shell) in `dir`; resolves its output. */
export type NpmRunner = (args: string[], dir: string) => Promise<void>;

export const runNpm: NpmRunner = (args, dir) =>
  new Promise((resolve, reject) => {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    execFile(npm, args, { cwd: dir, timeout: NPM_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, shell: process.platform === "win32" }, (error, _stdout, stderr) => {
      if (error) reject(new LockfileError((stderr.split("\n").find((l) => /npm (error|ERR!)/.test(l)) ?? error.message).trim().slice(0, 300), { cause: error }));
      else resolve();
    });
  });

/** The exact npm command that makes the lockfile (no install, no scripts). */
export const LOCKFILE_ARGS = ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"] as const;

export interface InitOptions {
  /** Overwrite every file. */
  force?: boolean;
  /** Rewrite the workflow and package.json for this version, regenerate the lockfile; keep the config. */
  upgrade?: boolean;
  /** Skip the lockfile (offline): package.json only, and a note on what to run. */
  lockfile?: boolean;
  /** How npm is run (tests record it). @default runNpm */
  npm?: NpmRunner;
  /** The bugbeacon version to pin. @default this version */
  version?: string;
  /**
   * Told of each file left as it is: `"same"` when it already holds what init writes, `"edited"` when it
   * differs (the maintainer's edit, or another version's file): only --force (or --upgrade, except the
   * config) replaces it.
   */
  onKept?: (path: string, why: "same" | "edited") => void;
}

/** The folder in the repository where init prepares its files before moving them into place. */
const STAGING_PREFIX = ".bugbeacon-init-";

/**
 * Writes the workflow, the config and the pinned install into `root`; returns the paths written.
 *
 * All or nothing: every file is made in a staging folder inside `root` first (npm makes the lockfile there),
 * and moved into place only once all are made; a failed step (npm offline, bugbeacon not on the registry)
 * leaves the folder as it was. Run again, it completes what is missing: a file already there is kept (the
 * maintainer may have edited it); `force` replaces every file, `upgrade` all but the config.
 */
export async function initSupportRepository(root: string, options: InitOptions = {}): Promise<string[]> {
  const { lstat, mkdtemp, readFile, rename, rm } = await import("node:fs/promises");
  const manifest = join(INSTALL_DIR, "package.json");
  const lock = join(INSTALL_DIR, "package-lock.json");
  const current = async (path: string): Promise<string | undefined> => {
    try {
      if (!(await lstat(join(root, path))).isFile()) throw new FileExistsError(join(root, path), { advice: "it is not a file; move it away, then run init again" });
      return await readFile(join(root, path), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  };
  const replaces = (path: string) => options.force === true || (options.upgrade === true && path !== CONFIG_FILE);
  const wanted: Array<[string, string]> = [
    [WORKFLOW_PATH, workflowText()],
    [SWEEP_WORKFLOW_PATH, sweepWorkflowText()],
    [manifest, installManifest(options.version ?? VERSION)],
    [CONFIG_FILE, starterConfig()],
  ];
  // What goes into place: missing files, and the ones the flags say to replace.
  const place: Array<[string, string]> = [];
  for (const [path, text] of wanted) {
    const existing = await current(path);
    if (existing === undefined || (replaces(path) && existing !== text)) place.push([path, text]);
    else options.onKept?.(path, existing === text ? "same" : "edited");
  }
  const lockExisting = await current(lock);
  const manifestChanges = place.some(([p]) => p === manifest);
  const makeLock = options.lockfile !== false && (lockExisting === undefined || replaces(lock) || manifestChanges);
  if (!makeLock && lockExisting !== undefined) options.onKept?.(lock, "same");
  if (place.length === 0 && !makeLock) return [];

  // A staging folder left by an init that was killed (older than npm's own time limit) goes first.
  const { readdir, stat } = await import("node:fs/promises");
  for (const name of await readdir(root)) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const left = join(root, name);
    const age = Date.now() - ((await stat(left).catch(() => undefined))?.mtimeMs ?? Date.now());
    if (age > 2 * NPM_TIMEOUT_MS) await rm(left, { recursive: true, force: true });
  }
  const staging = await mkdtemp(join(root, STAGING_PREFIX));
  const moved: Array<{ path: string; backup?: string }> = [];
  const madeDirs: string[] = [];
  try {
    for (const [path, text] of place) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), text);
    }
    if (makeLock) {
      // npm makes the lockfile from the manifest that will be in place: ours, or the one kept.
      const installDir = join(staging, INSTALL_DIR);
      await mkdir(installDir, { recursive: true });
      if (!manifestChanges) await writeFile(join(installDir, "package.json"), (await current(manifest)) ?? installManifest(options.version ?? VERSION));
      await (options.npm ?? runNpm)([...LOCKFILE_ARGS], installDir);
      if ((await lstat(join(installDir, "package-lock.json")).catch(() => undefined)) === undefined) throw new LockfileError("npm finished without writing it");
      place.push([lock, ""]);
    }
    // Every file is made: move them into place (a rename each, within one file system). The files they
    // replace go into the staging folder until the end, to be put back if a move fails.
    for (const [path] of place) {
      const made = await mkdir(dirname(join(root, path)), { recursive: true });
      if (made !== undefined) madeDirs.push(made);
      let backup: string | undefined;
      if ((await current(path)) !== undefined) {
        backup = join(staging, ".replaced", path);
        await mkdir(dirname(backup), { recursive: true });
        await rename(join(root, path), backup);
      }
      moved.push(backup === undefined ? { path } : { path, backup });
      await rename(join(staging, path), join(root, path));
    }
  } catch (error) {
    for (const m of moved.reverse()) {
      await rm(join(root, m.path), { force: true }).catch(() => {});
      if (m.backup !== undefined) await rename(m.backup, join(root, m.path)).catch(() => {});
    }
    for (const dir of madeDirs.reverse()) await rm(dir, { recursive: true, force: true }).catch(() => {});
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return place.map(([p]) => p);
}

export interface LegacyAutomation {
  /** Relative path. */
  path: string;
  why: string;
}

/**
 * What else handles issues in the repository: rseng/github-support's `report_issue.yml` and
 * `.github/parse_issue.py` (helpme's database writer), and any other workflow that runs on `issues` events
 * (it would race bugbeacon's triage on the same issues).
 */
export async function findLegacyAutomation(root: string): Promise<LegacyAutomation[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const found: LegacyAutomation[] = [];
  const dir = join(root, ".github", "workflows");
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    names = [];
  }
  for (const name of names) {
    if (!/\.ya?ml$/.test(name)) continue;
    const path = `.github/workflows/${name}`;
    if (path === WORKFLOW_PATH || path === SWEEP_WORKFLOW_PATH) continue;
    const text = await readFile(join(dir, name), "utf8").catch(() => "");
    const onIssues = /^\s*issues\s*:/m.test(text) || /^on\s*:\s*(\[[^\]]*\bissues\b[^\]]*\]|issues)\s*$/m.test(text) || /^\s*-\s*issues\s*$/m.test(text);
    if (text.includes("parse_issue.py")) found.push({ path, why: "github-support's issue parser workflow (writes helpme .md records)" });
    else if (onIssues) found.push({ path, why: "another workflow that runs on issues events" });
  }
  try {
    await access(join(root, ".github", "parse_issue.py"));
    found.push({ path: ".github/parse_issue.py", why: "github-support's issue parser script" });
  } catch {
    // not there
  }
  return found;
}

/** Removes what `findLegacyAutomation` found (the caller commits it with the new workflows, in one change). */
export async function removeLegacyAutomation(root: string, found: LegacyAutomation[]): Promise<string[]> {
  const { rm } = await import("node:fs/promises");
  for (const f of found) await rm(join(root, f.path), { force: true });
  return found.map((f) => f.path);
}

// --- Scheduled checks (`bugbeacon init --checks <module>`): monitors run by `bugbeacon check` ---------------

export const CHECKS_WORKFLOW_PATH = ".github/workflows/bugbeacon-checks.yml";

/** A checks module path safe to write into a workflow: relative, plain characters, a JavaScript module. */
export function checksModulePath(module: string): string {
  const path = module.replace(/^\.\//, "");
  if (!/^[A-Za-z0-9_][A-Za-z0-9_./-]{0,199}\.(mjs|cjs|js)$/.test(path) || path.split("/").some((s) => s === ".." || s === "." || s === "")) {
    throw new InvalidOptionError("--checks", module, "a path to a .mjs, .js or .cjs module inside the repository, relative to its root (letters, digits, . _ - /)");
  }
  return path;
}

/**
 * GitHub's cron for an interval: whole minutes dividing an hour (5 to 30: GitHub runs schedules at most every
 * 5 minutes), or whole hours dividing a day (at minute 23, off the crowded top of the hour).
 */
export function cronFor(everyMs: number): string {
  const minutes = everyMs / 60_000;
  if (Number.isInteger(minutes) && minutes >= 5 && minutes < 60 && 60 % minutes === 0) return `*/${minutes} * * * *`;
  const hours = everyMs / 3_600_000;
  if (Number.isInteger(hours) && hours >= 1 && hours <= 24 && 24 % hours === 0) return hours === 1 ? "23 * * * *" : hours === 24 ? "23 4 * * *" : `23 */${hours} * * *`;
  throw new InvalidOptionError("--every", everyMs, "an interval GitHub can schedule: 5m, 10m, 15m, 20m, 30m, or 1h, 2h, 3h, 4h, 6h, 8h, 12h, 24h");
}

function intervalText(everyMs: number): string {
  return everyMs % 3_600_000 === 0 ? `${everyMs / 3_600_000}h` : `${everyMs / 60_000}m`;
}

/** The scheduled workflow that runs `bugbeacon check <module>`; the module path is checked, then passed through the environment. */
export function checksWorkflowText(module: string, everyMs: number): string {
  const path = checksModulePath(module);
  const cron = cronFor(everyMs);
  return `# bugbeacon checks: runs every check exported by ${path} (bugbeacon check) and opens, updates or resolves
# each monitor's issue. The issues hold the monitors' state (hidden markers), so no database is needed, and a
# re-run of the same scheduled run counts once (--every is the schedule's interval).
#
# - If the checks import your app's packages, add a step before "Run the checks" that installs them
#   (for example: run: npm ci --ignore-scripts).
# - Same safety as bugbeacon's other workflows: least privilege (read the code, write issues), the token only
#   in the step that needs it, actions pinned by SHA, the CLI from ${INSTALL_DIR}/package-lock.json
#   (npm ci --ignore-scripts). Refresh both with: npx bugbeacon@latest init --checks ${path} --upgrade
# - One run at a time: a queued run is enough, as it checks everything again.
# - Failing runs counted before a monitor's issue exists (failAfter above 1) live in ${CHECKS_STATE_FILE},
#   carried from run to run in the Actions cache: restored from the newest earlier run (restore-keys), saved
#   under a key of this run's own (a cache entry cannot be overwritten), even when a check could not post.
name: bugbeacon checks

on:
  schedule:
    - cron: "${cron}"
  workflow_dispatch:

permissions:
  contents: read
  issues: write

concurrency:
  group: bugbeacon-checks
  cancel-in-progress: false

jobs:
  check:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
${INSTALL_STEPS}
      - name: Restore the counts of the last run
        uses: ${CACHE_ACTION.repo}/restore@${CACHE_ACTION.sha} # ${CACHE_ACTION.version}
        with:
          path: ${CHECKS_STATE_FILE}
          key: ${CHECKS_STATE_KEY}\${{ github.run_id }}-\${{ github.run_attempt }}
          restore-keys: ${CHECKS_STATE_KEY}
      - name: Run the checks
        run: ${INSTALL_DIR}/node_modules/.bin/bugbeacon check "$CHECKS_MODULE" --repo "$GITHUB_REPOSITORY" --every ${intervalText(everyMs)} --state "$CHECKS_STATE"
        env:
          CHECKS_MODULE: ${path}
          CHECKS_STATE: ${CHECKS_STATE_FILE}
          BUGBEACON_GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
      - name: Keep the counts for the next run
        if: always()
        uses: ${CACHE_ACTION.repo}/save@${CACHE_ACTION.sha} # ${CACHE_ACTION.version}
        with:
          path: ${CHECKS_STATE_FILE}
          key: ${CHECKS_STATE_KEY}\${{ github.run_id }}-\${{ github.run_attempt }}
`;
}

export interface ChecksInitOptions extends InitOptions {
  /** The checks module, relative to the repository root. */
  module: string;
  /** The schedule's interval in milliseconds. @default 15 minutes */
  everyMs?: number;
}

/**
 * Writes the checks workflow, and the pinned install (package.json and its lockfile) when it is not there yet
 * (or with force/upgrade). Returns the paths written.
 */
export async function initChecksWorkflow(root: string, options: ChecksInitOptions): Promise<string[]> {
  const text = checksWorkflowText(options.module, options.everyMs ?? 15 * 60_000);
  const manifest = join(INSTALL_DIR, "package.json");
  const lock = join(INSTALL_DIR, "package-lock.json");
  const exists = (path: string) => access(join(root, path)).then(() => true, () => false);
  const { stat } = await import("node:fs/promises");
  const module = checksModulePath(options.module);
  if (!(await stat(join(root, module)).then((s) => s.isFile(), () => false))) {
    throw new InvalidOptionError("--checks", options.module, `a module that exists in the repository (${join(root, module)} does not)`);
  }
  const renew = options.force === true || options.upgrade === true;
  if (!renew && (await exists(CHECKS_WORKFLOW_PATH))) throw new FileExistsError(CHECKS_WORKFLOW_PATH, { advice: 'not overwriting it. Run "bugbeacon init --checks <module> --force" to replace it' });
  const files: Array<[string, string]> = [[CHECKS_WORKFLOW_PATH, text]];
  const install = renew || !(await exists(manifest)) || !(await exists(lock));
  if (install) files.push([manifest, installManifest(options.version ?? VERSION)]);
  for (const [path, body] of files) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), body);
  }
  const written = files.map(([p]) => p);
  if (install && options.lockfile !== false) {
    const { rm } = await import("node:fs/promises");
    await rm(join(root, lock), { force: true });
    await (options.npm ?? runNpm)([...LOCKFILE_ARGS], join(root, INSTALL_DIR));
    if (!(await exists(lock))) throw new LockfileError("npm finished without writing it");
    written.push(lock);
  }
  return written;
}
