import { envFlag } from "../../_internal/env-flag.js";
import { BugbeaconError, MissingTokenError } from "../../errors.js";
import { flush } from "../../sdk/flush.js";
import { backendFlag } from "./report.js";
import { existingDir, httpUrl, parseFlags, wholeNumber } from "../args.js";
import type { CliCommand } from "../io.js";

const NO_TOKEN =
  "no GitHub token: set BUGBEACON_GITHUB_TOKEN (or HELPME_GITHUB_TOKEN) to a token that may create issues in the " +
  "repositories of the queued reports, or set BUGBEACON_APP_ID, BUGBEACON_APP_PRIVATE_KEY and BUGBEACON_APP_INSTALLATION_ID. Nothing was sent; the reports stay queued.";

const usage = `Oldest first. Safe to run from several processes at once and after an interruption (even kill -9): a report that may
already have arrived is looked up before it is sent again, so nothing is sent twice.

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
$BUGBEACON_GITEA_TOKEN (or $GITEA_TOKEN). Exit code 0 when nothing failed, 1 when
a report could not be sent (it stays queued) or there is no token.
`;

export const command: CliCommand = {
  usage,
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
    if (backend === "github" && ![env.BUGBEACON_GITHUB_TOKEN, env.HELPME_GITHUB_TOKEN].some((t) => t !== undefined && t.trim() !== "") && !hasApp) throw new BugbeaconError(NO_TOKEN);
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
    io.stdout(`sent ${summary.sent}, merged into existing issues ${summary.merged}, counted ${summary.counted}, still queued ${summary.queued}, failed ${summary.failed.length}, quarantined ${summary.quarantined.length}\n`);
    const reasons = [...new Set(summary.failed.map((f) => f.reason))];
    for (const reason of reasons) io.stdout(`  failed: ${reason}\n`);
    for (const q of summary.quarantined) io.stdout(`  quarantined ${q.file}: ${q.problem}\n`);
    return summary.failed.length === 0 ? 0 : 1;
  },
};
