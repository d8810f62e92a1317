import type { CliCommand } from "../io.js";

/**
 * The subcommands, each loaded only when called. A new command is a new file in this folder
 * exporting `command: CliCommand`, and one line here.
 */
export const commands: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  init: { summary: "Write the triage workflow and a starter config into a support repository", load: () => import("./init.js").then((m) => m.command) },
  sweep: { summary: "File report issues the workflow missed, note gone issues, run timed rules (scheduled)", load: () => import("./sweep.js").then((m) => m.command) },
  triage: { summary: "File an issue's report in the database, close duplicates, apply rules (GitHub Actions)", load: () => import("./triage.js").then((m) => m.command) },
  db: { summary: "Validate the report database (db check); import github-support records (db import)", load: () => import("./db.js").then((m) => m.command) },
  flush: { summary: "Send the reports waiting in the offline spool", load: () => import("./flush.js").then((m) => m.command) },
  report: { summary: "Report a problem by hand: preview the issue, add what you know, then submit or save it", load: () => import("./report.js").then((m) => m.command) },
  serve: { summary: "Run the triage as a GitHub App webhook server (bot mode; scales out)", load: () => import("./serve.js").then((m) => m.command) },
  check: { summary: "Run a module's checks once; open, update or resolve each monitor's issue (scheduled)", load: () => import("./check.js").then((m) => m.command) },
  stats: { summary: "Insights from the database: top problems, versions, new problems, daily trend", load: () => import("./stats.js").then((m) => m.command) },
};
