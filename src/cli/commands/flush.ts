import { parseArgs } from "node:util";
import { flush } from "../../transports/github/flush.js";
import type { CliCommand } from "../io.js";

const usage = `bugbeacon flush: send the reports waiting in the offline spool, oldest first.

Safe to run from several processes at once and after an interruption (even kill -9): a report that may
already have arrived is looked up before it is sent again, so nothing is sent twice.

Usage: bugbeacon flush [flags]

Flags:
  --spool-dir <dir>   The spool (default: $BUGBEACON_SPOOL_DIR, else the user's cache folder)
  --api-url <url>     GitHub REST API root (default: $BUGBEACON_GITHUB_API_URL, else https://api.github.com)
  --pacing-ms <n>     Least milliseconds between two issues or comments (default: $BUGBEACON_PACING_MS, else 1000)
  -h, --help          This help

The token comes from $BUGBEACON_GITHUB_TOKEN (or $HELPME_GITHUB_TOKEN). Exit code 0 when nothing failed.
`;

export const command: CliCommand = {
  name: "flush",
  summary: "Send the reports waiting in the offline spool",
  usage,
  async run(args, io) {
    const { values } = parseArgs({ args, strict: true, options: { "spool-dir": { type: "string" }, "api-url": { type: "string" }, "pacing-ms": { type: "string" } } });
    const env = { ...io.env };
    if (values["pacing-ms"] !== undefined) env.BUGBEACON_PACING_MS = values["pacing-ms"];
    const tty = process.stderr.isTTY === true && io.env.CI === undefined;
    let lastLine = "";
    const summary = await flush({
      env,
      confirm: false,
      quiet: true,
      ...(values["spool-dir"] !== undefined ? { spoolDir: values["spool-dir"] } : {}),
      ...(values["api-url"] !== undefined ? { baseUrl: values["api-url"] } : {}),
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
    });
    io.stdout(`sent ${summary.sent}, merged into existing issues ${summary.merged}, counted ${summary.counted}, still queued ${summary.queued}, failed ${summary.failed.length}, quarantined ${summary.quarantined.length}\n`);
    const reasons = [...new Set(summary.failed.map((f) => f.reason))];
    for (const reason of reasons) io.stdout(`  failed: ${reason}\n`);
    for (const q of summary.quarantined) io.stdout(`  quarantined ${q.file}: ${q.problem}\n`);
    return summary.failed.length === 0 ? 0 : 1;
  },
};
