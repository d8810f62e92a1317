import { envFlag } from "../../_internal/env-flag.js";
import { BugbeaconError, MissingTokenError } from "../../errors.js";
import type { FlushSummary } from "../../delivery/pipeline.js";
import { flush } from "../../sdk/flush.js";
import { terminalSafe } from "../../support/safe-names.js";
import { backendFlag } from "./report.js";
import { existingDir, httpUrl, parseFlags, wholeNumber } from "../args.js";
import { EXIT, type CliCommand } from "../io.js";

const NO_TOKEN =
  "no GitHub token: set BUGBEACON_GITHUB_TOKEN (or HELPME_GITHUB_TOKEN) to a token that may create issues in the " +
  "repositories of the queued reports, or set BUGBEACON_APP_ID, BUGBEACON_APP_PRIVATE_KEY and BUGBEACON_APP_INSTALLATION_ID, or BUGBEACON_RELAY_URL to a relay. Nothing was sent; the reports stay queued.";

const usage = `Oldest first. Safe to run from several processes at once and after an interruption (even kill -9): a report that may
already have arrived is looked up before it is sent again, so nothing is sent twice. A report whose
request got no answer (its sender was killed mid-request) is looked up once that request has settled
($BUGBEACON_SETTLE_MS, 10 s): flush waits for it, or says when to run again.

Prints one line of counts (delivered: created, already there, merged, counted; waiting; failed), then each
report delivered, and each report left in the spool with why and until when.

Usage: bugbeacon flush [flags]

Flags:
  --backend <name>    github (default), gitlab, discourse or gitea: sends the reports queued for that backend
  --spool-dir <dir>   The spool, an existing folder (default: $BUGBEACON_SPOOL_DIR, else the user's cache folder)
  --api-url <url>     GitHub REST API root (default: $BUGBEACON_GITHUB_API_URL, else https://api.github.com);
                      for gitlab the instance (default https://gitlab.com), for discourse the forum, for gitea the instance
  --pacing-ms <n>     Least milliseconds between two issues or comments, 0 to 600000 (default: $BUGBEACON_PACING_MS, else 1000)
  -h, --help          This help

The token comes from $BUGBEACON_GITHUB_TOKEN (or $HELPME_GITHUB_TOKEN); for gitlab from $BUGBEACON_GITLAB_TOKEN (or
$GITLAB_TOKEN), for discourse $BUGBEACON_DISCOURSE_API_KEY (with $BUGBEACON_DISCOURSE_API_USERNAME for an all-users key), for gitea
$BUGBEACON_GITEA_TOKEN (or $GITEA_TOKEN). Without a GitHub token, $BUGBEACON_RELAY_URL sends GitHub reports to a relay
(docs/relay.md).
`;

export const command: CliCommand = {
  usage,
  exits: [
    [0, "nothing failed (reports that must wait are named with the time to run it again)"],
    [1, "a report was refused (token, permission, repository) or there is no token: it stays queued; or the service refused a report for good: it is set aside in the spool's refused/ folder"],
    [2, "a bad flag or a missing value (the message names it)"],
    [75, "only temporary failures (host not found, connection refused or reset, no answer in time, 5xx, rate limit): the reports stay queued; run it again"],
  ],
  async run(args, io) {
    const { values } = parseFlags(args, {
      "spool-dir": { type: "string", expected: "the spool folder" },
      "api-url": { type: "string", expected: "the GitHub REST API root, e.g. https://api.github.com" },
      "pacing-ms": { type: "string", expected: "a whole number of milliseconds from 0 to 600000" },
      backend: { type: "string", expected: "github, gitlab, discourse or gitea" },
    });
    const spoolDir = values["spool-dir"] !== undefined ? existingDir("--spool-dir", values["spool-dir"], io.cwd) : undefined;
    const pacingMs = values["pacing-ms"] !== undefined ? wholeNumber("--pacing-ms", values["pacing-ms"], 1000, 0, 600_000) : undefined;
    const backend = backendFlag(values.backend);
    const env = io.env;
    const hasApp = [env.BUGBEACON_APP_ID, env.BUGBEACON_APP_PRIVATE_KEY, env.BUGBEACON_APP_INSTALLATION_ID].some((v) => v !== undefined && v !== "");
    // A relay (BUGBEACON_RELAY_URL) takes the reports without a token: the relay holds it.
    const hasRelay = env.BUGBEACON_RELAY_URL !== undefined && env.BUGBEACON_RELAY_URL.trim() !== "";
    if (backend === "github" && ![env.BUGBEACON_GITHUB_TOKEN, env.HELPME_GITHUB_TOKEN].some((t) => t !== undefined && t.trim() !== "") && !hasApp && !hasRelay) throw new BugbeaconError(NO_TOKEN);
    const tty = process.stderr.isTTY === true && !envFlag(io.env, "CI");
    let lastLine = "";
    const summary = await flush({
      backend: backend as "github",
      env,
      confirm: false,
      quiet: true,
      ...(spoolDir !== undefined ? { spoolDir } : {}),
      ...(pacingMs !== undefined ? { pacingMs } : {}),
      ...(values["api-url"] !== undefined ? { baseUrl: httpUrl("--api-url", values["api-url"]) } : {}),
      onProgress: (done, total) => {
        if (total < 5) return;
        if (tty) {
          const width = 30;
          const filled = Math.round((done / total) * width);
          io.stderr(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`);
          if (done === total) io.stderr("\n");
        } else {
          const line = `${Math.floor((done / total) * 10) * 10}%`;
          if (line !== lastLine) io.stderr(`flushed ${done}/${total}\n`);
          lastLine = line;
        }
      },
    }).catch((error: unknown) => {
      throw error instanceof MissingTokenError && backend === "github" ? new BugbeaconError(NO_TOKEN) : error;
    });
    io.stdout(describeSummary(summary));
    if (summary.refused.length > 0) return EXIT.failed;
    if (summary.failed.length === 0) return EXIT.ok;
    return summary.failed.every((f) => f.retryable) ? EXIT.tempfail : EXIT.failed;
  },
};

const time = (iso: string) => `${iso.slice(11, 19)} UTC`;

/** The summary: counts that add up, each delivered report, and each report left with why and until when. */
export function describeSummary(summary: FlushSummary): string {
  const created = summary.delivered.filter((d) => d.kind === "created" && !d.found).length;
  const found = summary.delivered.filter((d) => d.found).length;
  const merged = summary.delivered.filter((d) => d.kind === "duplicate" && !d.found).length;
  const failed = summary.left.filter((l) => l.why === "failed").length;
  const waiting = summary.left.length - failed;
  const lines = [
    `delivered ${summary.delivered.length}: created ${created}, already there ${found}, merged ${merged}, counted ${summary.counted}; waiting ${waiting}; failed ${failed}` +
      (summary.quarantined.length > 0 ? `; unreadable ${summary.quarantined.length}` : "") +
      (summary.refused.length > 0 ? `; refused ${summary.refused.length}` : ""),
  ];
  for (const d of summary.delivered) {
    const title = terminalSafe(d.title);
    if (d.kind === "counted") lines.push(`  counted: ${title} (another occurrence of a known issue; it goes into the next "seen again" message)`);
    else if (d.found) lines.push(`  already there ${d.url ?? ""}: ${title} (an earlier request had arrived; not sent again)`);
    else lines.push(`  ${d.kind === "created" ? "created" : "merged into"} ${d.url ?? ""}: ${title}`);
  }
  let again: string | undefined;
  for (const l of summary.left) {
    const title = terminalSafe(l.title);
    const file = terminalSafe(l.file);
    switch (l.why) {
      case "failed":
        lines.push(`  failed: ${title}: ${terminalSafe(l.reason ?? "")}${l.until !== undefined ? `; looked up after ${time(l.until)} before it is sent again` : ""} (${file})`);
        break;
      case "settling":
        lines.push(`  waiting: ${title}: ${l.reason ?? "its last request got no answer"}; it is looked up after ${time(l.until ?? "")} before it is sent again (${file})`);
        if (l.until !== undefined && (again === undefined || l.until > again)) again = l.until;
        break;
      case "stopped":
        lines.push(`  not tried: ${title}: the flush stopped at a refusal (${terminalSafe(l.reason ?? "")}) (${file})`);
        break;
      case "other-backend":
        lines.push(`  waiting: ${title}: queued for ${terminalSafe(l.backend ?? "another backend")}: run "bugbeacon flush --backend ${terminalSafe(l.backend ?? "")}" (${file})`);
        break;
      case "in-flight":
        lines.push(`  waiting: ${title}: being sent by process ${l.pid ?? "?"} right now (${file})`);
        break;
      case "new":
        lines.push(`  waiting: ${title}: queued after this flush started (${file})`);
        break;
    }
  }
  for (const r of summary.refused) lines.push(`  refused: ${terminalSafe(r.title)}: ${terminalSafe(r.reason)} (set aside in ${terminalSafe(r.file)}; it is not sent again)`);
  for (const q of summary.quarantined) lines.push(`  unreadable: ${terminalSafe(q.file)}: ${terminalSafe(q.problem)} (moved to the spool's quarantine folder)`);
  if (again !== undefined) lines.push(`Run "bugbeacon flush" again after ${time(again)}.`);
  else if (failed > 0 && summary.failed.every((f) => f.retryable)) lines.push('Run "bugbeacon flush" again later: the failures are temporary.');
  return `${lines.join("\n")}\n`;
}
