import { existsSync } from "node:fs";
import { join } from "node:path";
import { findLegacyAutomation, INSTALL_DIR, initChecksWorkflow, initSupportRepository, removeLegacyAutomation } from "../../support/init.js";
import { CliUsageError } from "../../errors.js";
import { existingDir, parseFlags } from "../args.js";
import type { CliCommand } from "../io.js";

const usage = `Writes .github/workflows/bugbeacon-triage.yml (triage on every new, edited or reopened issue),
.github/workflows/bugbeacon-sweep.yml (hourly and on demand: files what triage missed, runs timed rules), a starter
bugbeacon.config.json, and .github/bugbeacon/package.json + package-lock.json: the workflow installs this
exact bugbeacon version from that lockfile (npm ci --ignore-scripts), never resolving packages at run time.
Making the lockfile needs the npm registry. Commit everything and push.

Usage: bugbeacon init [--dir <dir>] [--force | --upgrade] [--no-lockfile] [--replace-legacy]
       bugbeacon init --checks <module> [--every <interval>] [--dir <dir>] [--force | --upgrade] [--no-lockfile]

Flags:
  --dir <dir>      The repository's root, an existing folder (default: the working directory)
  --force          Overwrite existing files (the config too); without it, files already there are kept
                   and only what is missing is written (all of it or, when a step fails, none)
  --upgrade        Refresh the workflow (action pins), package.json and the lockfile for this version; keep the config
  --no-lockfile    Offline: skip package-lock.json (then run "npm install --package-lock-only --ignore-scripts"
                   in .github/bugbeacon before committing)
  --replace-legacy Remove rseng/github-support's report_issue.yml and parse_issue.py, and any other workflow
                   that runs on issues (they would race triage); commit the removal with the new files
  --checks <module> Instead: write .github/workflows/bugbeacon-checks.yml, which runs "bugbeacon check <module>"
                   on a schedule (monitors whose issues open and close themselves; docs/monitors.md), and the
                   pinned install when it is not there yet
  --every <interval> With --checks: how often, 5m to 30m (dividing an hour) or 1h to 24h (dividing a day);
                   default 15m
  -h, --help       This help

Then, for a github-support database: bugbeacon db import --from github-support (docs/support-repository.md,
"Migrating from helpme and github-support").
`;

export const command: CliCommand = {
  usage,
  exits: [
    [0, "every file written (or already there)"],
    [1, "failed (the lockfile's npm install, a file that cannot be written): the folder is left as it was"],
    [2, "a bad flag, or a folder that does not exist (the message names it)"],
  ],
  async run(args, io) {
    const { values } = parseFlags(args, {
      dir: { type: "string", expected: "the repository's root folder" },
      force: { type: "boolean" },
      upgrade: { type: "boolean" },
      "no-lockfile": { type: "boolean" },
      "replace-legacy": { type: "boolean" },
      checks: { type: "string", expected: "the module of checks, relative to the repository's root" },
      every: { type: "string", expected: "the schedule's interval, like 15m or 1h" },
    });
    if (values.force === true && values.upgrade === true) {
      throw new CliUsageError("--upgrade", "--force and --upgrade do not go together: --force rewrites everything, --upgrade keeps the config.");
    }
    const root = existingDir("--dir", values.dir, io.cwd);
    if (values.every !== undefined && values.checks === undefined) throw new CliUsageError("--every", "--every goes with --checks <module>.");
    if (values.checks !== undefined) {
      if (values["replace-legacy"] === true) throw new CliUsageError("--replace-legacy", "--replace-legacy does not go with --checks.");
      const { intervalFlag } = await import("./check.js");
      const everyMs = values.every !== undefined ? intervalFlag("--every", values.every) : undefined;
      const written = await initChecksWorkflow(root, { module: values.checks, ...(everyMs !== undefined ? { everyMs } : {}), force: values.force === true, upgrade: values.upgrade === true, lockfile: values["no-lockfile"] !== true });
      for (const path of written) io.stdout(`wrote ${path}\n`);
      io.stdout("Commit these files and push; the checks run on the schedule, or now from the Actions tab (Run workflow).\n");
      return 0;
    }
    const kept: string[] = [];
    const written = await initSupportRepository(root, {
      force: values.force === true,
      upgrade: values.upgrade === true,
      lockfile: values["no-lockfile"] !== true,
      onKept: (path, why) => kept.push(why === "same" ? `${path} is already there` : `kept ${path}: it differs from what init writes (your edit?); --force replaces it`),
    });
    for (const path of written) io.stdout(`wrote ${path}\n`);
    for (const line of kept) io.stdout(`${line}\n`);
    const legacy = await findLegacyAutomation(root);
    if (values["replace-legacy"] === true) {
      for (const path of await removeLegacyAutomation(root, legacy)) io.stdout(`removed ${path}\n`);
    } else {
      for (const l of legacy) io.stdout(`found ${l.path}: ${l.why}; it would run beside bugbeacon (remove it with "bugbeacon init --replace-legacy")\n`);
    }
    if (values["no-lockfile"] === true && !existsSync(join(root, INSTALL_DIR, "package-lock.json"))) {
      io.stdout(`No lockfile written: run "npm install --package-lock-only --ignore-scripts" in ${INSTALL_DIR} (or "bugbeacon init" again, online) before committing.\n`);
    }
    io.stdout(written.length === 0 ? "Nothing to write: every file is there.\n" : "Commit these files and push; then open an issue with a bugbeacon report to see triage work.\n");
    return 0;
  },
};
