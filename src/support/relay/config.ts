/**
 * The relay's settings for `bugbeacon serve`: `--relay-repo owner/name` (repeatable) names the repositories
 * it files reports for; the pacing has product defaults and may be changed through the environment
 * (BUGBEACON_RELAY_PERIOD_MS, BUGBEACON_RELAY_WRITES_PER_HOUR, BUGBEACON_RELAY_NEW_ISSUES_PER_HOUR,
 * BUGBEACON_RELAY_REPORTS_PER_MINUTE, BUGBEACON_RELAY_ON_CLOSED), as may what it keeps
 * (BUGBEACON_RELAY_MACHINE_MAX_AGE_MS, BUGBEACON_RELAY_COMPACT_EVERY_MS), and when a quiet monitor's issue
 * closes (BUGBEACON_RELAY_MONITOR_QUIET_MS). Problems are CliUsageErrors
 * naming the flag or variable.
 */
import { CliUsageError } from "../../errors.js";
import { fullNameOf } from "../serve/intake.js";

/** Takes every `--relay-repo <v>` / `--relay-repo=<v>` out of `args` (the flag parser allows a flag once). */
export function takeRelayRepos(args: string[]): { repos: string[]; rest: string[] } {
  const repos: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      rest.push(...args.slice(i));
      break;
    }
    let value: string | undefined;
    if (a === "--relay-repo") {
      value = args[++i];
      if (value === undefined || value.startsWith("--")) throw new CliUsageError("--relay-repo", "--relay-repo needs a value: a repository as owner/name.");
    } else if (a.startsWith("--relay-repo=")) value = a.slice("--relay-repo=".length);
    else {
      rest.push(a);
      continue;
    }
    for (const part of value.split(",")) {
      const repo = fullNameOf(part.trim());
      if (repo === undefined) throw new CliUsageError("--relay-repo", `--relay-repo ${JSON.stringify(part.slice(0, 140))} is not a repository: expected owner/name.`);
      if (!repos.some((r) => r.toLowerCase() === repo.toLowerCase())) repos.push(repo);
    }
  }
  return { repos, rest };
}

export interface RelayPacing {
  periodMs?: number;
  writesPerHour?: number;
  newIssuesPerHour?: number;
  reportsPerMinute?: number;
  onClosed?: "reopen" | "new";
  machineMaxAgeMs?: number;
  compactEveryMs?: number;
  monitorQuietMs?: number;
}

export function relayPacingFromEnv(env: NodeJS.ProcessEnv): RelayPacing {
  const out: RelayPacing = {};
  const num = (name: string, min: number, max: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === "") return undefined;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) throw new CliUsageError(name, `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw.slice(0, 40))}.`);
    return n;
  };
  const period = num("BUGBEACON_RELAY_PERIOD_MS", 0, 7 * 86_400_000);
  if (period !== undefined) out.periodMs = period;
  // 500 content-creating requests an hour is GitHub's account limit: the relay stays under it.
  const writes = num("BUGBEACON_RELAY_WRITES_PER_HOUR", 1, 450);
  if (writes !== undefined) out.writesPerHour = writes;
  const issues = num("BUGBEACON_RELAY_NEW_ISSUES_PER_HOUR", 1, 450);
  if (issues !== undefined) out.newIssuesPerHour = issues;
  const perMinute = num("BUGBEACON_RELAY_REPORTS_PER_MINUTE", 1, 1_000_000);
  if (perMinute !== undefined) out.reportsPerMinute = perMinute;
  // A hashed install id is kept at most this long after the machine's last report (default 30 days).
  const maxAge = num("BUGBEACON_RELAY_MACHINE_MAX_AGE_MS", 2_000, 365 * 86_400_000);
  if (maxAge !== undefined) out.machineMaxAgeMs = maxAge;
  const compact = num("BUGBEACON_RELAY_COMPACT_EVERY_MS", 500, 86_400_000);
  if (compact !== undefined) out.compactEveryMs = compact;
  const ageLimit = maxAge ?? 30 * 86_400_000;
  if ((compact ?? 3_600_000) * 2 > ageLimit) {
    const name = compact !== undefined ? "BUGBEACON_RELAY_COMPACT_EVERY_MS" : "BUGBEACON_RELAY_MACHINE_MAX_AGE_MS";
    throw new CliUsageError(name, `${name}: the journal must be compacted at least twice within the machine age limit (BUGBEACON_RELAY_COMPACT_EVERY_MS ${compact ?? 3_600_000} is more than half of BUGBEACON_RELAY_MACHINE_MAX_AGE_MS ${ageLimit}).`);
  }
  // The shortest wait after a monitor's last failure before its issue closes (nothing a client sends shortens it).
  const quiet = num("BUGBEACON_RELAY_MONITOR_QUIET_MS", 1000, 7 * 86_400_000);
  if (quiet !== undefined) out.monitorQuietMs = quiet;
  const closed = env.BUGBEACON_RELAY_ON_CLOSED;
  if (closed !== undefined && closed !== "") {
    if (closed !== "reopen" && closed !== "new") throw new CliUsageError("BUGBEACON_RELAY_ON_CLOSED", `BUGBEACON_RELAY_ON_CLOSED must be reopen or new, not ${JSON.stringify(closed.slice(0, 40))}.`);
    out.onClosed = closed;
  }
  return out;
}
