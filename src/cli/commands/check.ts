import { pathToFileURL } from "node:url";
import { BugbeaconError, CliUsageError } from "../../errors.js";
import type { MonitorCheck, MonitorOptions, MonitorRun } from "../../sdk/monitor/options.js";
import type { MonitorState } from "../../sdk/monitor/state.js";
import { existingFile, httpUrl, parseFlags, repoFlag, required, writableFile } from "../args.js";
import { EXIT, type CliCommand } from "../io.js";
import { backendFlag, makeHelper, tokenEnv } from "./report.js";

const usage = `Imports a module of checks, runs each exported check once, and applies the monitor rules to its issue: after
failAfter failing runs in a row the monitor's issue is opened (or reopened), its body listing the failing records
as a checklist edited in place; after passAfter passing runs it is closed with a "resolved" comment. The issues
hold the state (hidden markers), so no database is needed and running it twice posts nothing the second time.
Made to run on a schedule: "bugbeacon init --checks <module>" writes the workflow.

Usage: bugbeacon check <module> --repo <owner/name> [flags]

A check is an exported function returning true/false, { ok, details } or { ok, failures: [{ key, details }] }
(async too), or an object { check, failAfter?, passAfter?, timeoutMs?, onClosed?, labels? }. Its export name
names the monitor (and so its issue).

Flags:
  --repo <owner/name>  The repository of the monitors' issues (required; the project, or the category id,
                       with another --backend)
  --backend <name>     github (default), gitlab, discourse or gitea: where the monitors' issues are kept
  --every <interval>   The schedule's interval (30s, 15m, 1h, or milliseconds): two runs within the same
                       interval (a re-run job) count once
  --only <name>        Run this export only
  --state <file>       Where to keep the failing runs counted before a monitor's issue exists (needed for a
                       failAfter above 1: until then no issue holds the count); created when missing
  --token-env <NAME>   Read the token from $NAME (default: $BUGBEACON_GITHUB_TOKEN, else $HELPME_GITHUB_TOKEN;
                       another backend's own variables)
  --api-url <url>      GitHub REST API root (default: $BUGBEACON_GITHUB_API_URL, else https://api.github.com);
                       with another --backend, its instance's address
  -h, --help           This help
`;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `15m`, `1h`, `1d` or whole milliseconds, from 1 s to a day. */
export function intervalFlag(flag: string, value: string): number {
  const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(value.trim());
  const ms = m === null ? Number.NaN : Number(m[1]) * (UNITS[m[2] ?? "ms"] ?? Number.NaN);
  if (!Number.isSafeInteger(ms) || ms < 1000 || ms > UNITS.d!) throw new CliUsageError(flag, `${flag} must be an interval like 30s, 15m, 1h or 1d (from 1 s to a day), not ${JSON.stringify(value)}.`);
  return ms;
}

interface FoundCheck {
  name: string;
  check: MonitorCheck;
  options: MonitorOptions;
}

/** The checks a module exports: functions, or objects with a `check` function and per-check options. */
export function checksOf(module: Record<string, unknown>): FoundCheck[] {
  const found: FoundCheck[] = [];
  for (const [name, value] of Object.entries(module).sort(([a], [b]) => a.localeCompare(b))) {
    if (typeof value === "function") {
      found.push({ name, check: value as MonitorCheck, options: {} });
    } else if (typeof value === "object" && value !== null && typeof (value as { check?: unknown }).check === "function") {
      const { check, name: own, ...options } = value as { check: MonitorCheck; name?: unknown } & MonitorOptions;
      found.push({ name: typeof own === "string" ? own : name, check, options });
    }
  }
  return found;
}

/** The --state file: monitors' states by identifier; a missing file is empty, a malformed entry is dropped. */
async function readState(path: string): Promise<Record<string, MonitorState>> {
  const [{ readFile }, { stateFrom }] = await Promise.all([import("node:fs/promises"), import("../../sdk/monitor/state.js")]);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CliUsageError("--state", `--state must be a file this command wrote (JSON); ${JSON.stringify(path)} is not JSON.`);
  }
  const monitors = (raw as { monitors?: unknown } | null)?.monitors;
  const out: Record<string, MonitorState> = {};
  if (typeof monitors === "object" && monitors !== null) {
    for (const [id, value] of Object.entries(monitors)) {
      const state = /^monitor\.[0-9a-f]{32}$/.test(id) ? stateFrom(value) : undefined;
      if (state !== undefined) out[id] = state;
    }
  }
  return out;
}

function line(run: MonitorRun): string {
  const verdict = run.ok ? "ok" : `failing${run.failing.length > 0 ? ` (${run.failing.length} record${run.failing.length === 1 ? "" : "s"})` : ""}${run.details ? `: ${run.details}` : ""}`;
  const issue = run.issue !== undefined ? ` ${run.issue.url}` : "";
  const action =
    run.action === "none"
      ? "issue unchanged"
      : run.action === "skipped"
        ? `issue not updated (${run.problem ?? "skipped"})`
        : // Through a relay (BUGBEACON_RELAY_URL, no token): the relay keeps the issue.
          run.action === "sent"
          ? "failure sent to the relay"
          : `issue ${run.action}`;
  return `${run.name}: ${verdict}; ${action}${issue}`;
}

export const command: CliCommand = {
  usage,
  exits: [
    [0, "every check ran and its issue is up to date (failing checks included: the issue is the signal)"],
    [1, "a check's issue could not be updated (no token, the service refused, the service unreachable)"],
    [2, "a bad flag or a missing value (the message names it)"],
  ],
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        repo: { type: "string", expected: 'the repository of the monitors\' issues, as "owner/name"' },
        every: { type: "string", expected: "the schedule's interval, like 15m" },
        only: { type: "string", expected: "the name of one exported check" },
        state: { type: "string", expected: "a JSON file for the counts kept before a monitor's issue exists" },
        "token-env": { type: "string", expected: "the name of the environment variable holding the token" },
        "api-url": { type: "string", expected: "the GitHub REST API root, e.g. https://api.github.com" },
        backend: { type: "string", expected: "github, gitlab, discourse or gitea" },
      },
      { max: 1, expected: "give one module of checks" },
    );
    const [path] = positionals;
    if (path === undefined) throw new CliUsageError("<module>", "a module of checks is required, like: bugbeacon check checks.mjs --repo owner/name.");
    const file = existingFile("<module>", path, io.cwd);
    const backend = backendFlag(values.backend);
    const given = required("--repo", values.repo, 'the repository of the monitors\' issues, as "owner/name"');
    // Another backend checks its own target (a project path, a category id) when the helper is made.
    const repo = backend === "github" ? await repoFlag("--repo", given) : given;
    const every = values.every !== undefined ? intervalFlag("--every", values.every) : undefined;
    const apiUrl = values["api-url"] !== undefined ? httpUrl("--api-url", values["api-url"]) : undefined;
    let env = io.env;
    const tokenName = values["token-env"];
    if (tokenName !== undefined && backend !== "github") env = tokenEnv(env, tokenName, backend);
    else if (tokenName !== undefined) {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(tokenName) || !env[tokenName]?.trim()) throw new CliUsageError("--token-env", `--token-env must name a set environment variable holding the token, not ${JSON.stringify(tokenName)}.`);
      const { HELPME_GITHUB_TOKEN: _old, ...rest } = env;
      env = { ...rest, BUGBEACON_GITHUB_TOKEN: env[tokenName] };
    }
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      throw new BugbeaconError(`Could not load the checks module ${JSON.stringify(path)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    let checks = checksOf(module);
    if (values.only !== undefined) checks = checks.filter((c) => c.name === values.only);
    if (checks.length === 0) {
      throw new CliUsageError(values.only !== undefined ? "--only" : "<module>", `${JSON.stringify(path)} exports no check${values.only !== undefined ? ` named ${JSON.stringify(values.only)}` : ""}: export functions returning true/false, { ok, details } or { ok, failures }.`);
    }
    const statePath = values.state !== undefined ? writableFile("--state", values.state, io.cwd) : undefined;
    const saved = statePath !== undefined ? await readState(statePath) : {};
    const helper = await makeHelper(backend, "--repo", { env, quiet: true, repo, confirm: false, flushOnStart: false, ...(apiUrl !== undefined ? { baseUrl: apiUrl } : {}) }, repo);
    let failed = 0;
    const { EMPTY_STATE, monitorIdentifier } = await import("../../sdk/monitor/state.js");
    for (const c of checks) {
      const id = monitorIdentifier(c.name.trim());
      if (statePath === undefined && typeof c.options.failAfter === "number" && c.options.failAfter > 1) {
        io.stderr(`bugbeacon check: ${c.name} has failAfter ${c.options.failAfter}: without --state <file>, failing runs before its issue exists are not counted from one run to the next.\n`);
      }
      const memory = { state: saved[id] ?? EMPTY_STATE };
      // One at a time: the checks' issues are written in order, paced like every other write.
      const run = await helper.monitorOnce(c.name, c.check, { ...c.options, repo, ...(every !== undefined ? { every } : {}) }, memory);
      saved[id] = memory.state;
      io.stdout(`${line(run)}\n`);
      if (run.action === "skipped") failed += 1;
    }
    if (statePath !== undefined) {
      const { writeFileAtomic } = await import("../../_internal/atomic-write.js");
      writeFileAtomic(statePath, `${JSON.stringify({ version: 1, monitors: saved }, null, 2)}\n`);
    }
    return failed === 0 ? EXIT.ok : EXIT.failed;
  },
};
