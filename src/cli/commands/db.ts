import { resolve } from "node:path";
import { CliUsageError, isBugbeaconError } from "../../errors.js";
import { githubFailure } from "../../support/github-failure.js";
import { CONFIG_FILE, loadConfig } from "../../support/config.js";
import { assertDatabase, Database } from "../../support/database.js";
import { IMPORT_COMMAND, importedLegacyFiles, legacyFiles } from "../../support/layout.js";
import { recordProblems } from "../../support/record.js";
import { existingDir, httpUrl, parseFlags, repoFlag } from "../args.js";
import { terminalSafe } from "../../support/safe-names.js";
import type { CliCommand, CliIO } from "../io.js";
import { applyImport, describePlan, planImport } from "../../support/db-import.js";
import { createOctokit } from "../../backends/github/octokit-client.js";
import { resolveRetryBase } from "../../backends/github/options.js";

const usage = `Usage: bugbeacon db check [--db <dir>]
       bugbeacon db import --from github-support [--db <dir>] [--repo <owner/name>] [--write] [--remove-legacy]

check: validates every record; each problem is printed with its file.

import: converts rseng/github-support's helpme records (issues/[version/]<id>/<n>.md) into records, completing
them from the repository's issue list (one request per 100 issues). A dry run with a summary unless --write.

Flags:
  --db <dir>            The database folder, a git checkout (default: the working directory)
  --from <source>       import: "github-support"
  --repo <owner/name>   import: the support repository (default: $GITHUB_REPOSITORY)
  --api-url <url>       import: GitHub REST API root (default: $GITHUB_API_URL, else https://api.github.com)
  --token <token>       import: a token that may read the issues (default: $GITHUB_TOKEN)
  --write               import: write the records and commit (without it, nothing changes)
  --remove-legacy       import: delete the converted .md files in the same commit
  -h, --help            This help
`;

export const command: CliCommand = {
  usage,
  exits: [
    [0, "check: every record is valid; import: done (or nothing to do)"],
    [1, "check: a record has a problem, a github-support .md record is not imported, or no bugbeacon database is here; import: a record was refused"],
    [2, "a bad subcommand, flag or value (the message names it)"],
    [75, "import: a temporary failure reading the issue list (host not found, connection refused or reset, no answer in time, GitHub 5xx or rate limit): run it again"],
  ],
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === "import") return runImport(rest, io);
    if (sub !== "check") {
      throw new CliUsageError(sub ?? "check", sub === undefined ? `a subcommand is required: "check" or "import".` : `unknown subcommand ${JSON.stringify(sub)}: expected "check" or "import".`);
    }
    const { values } = parseFlags(rest, { db: { type: "string", expected: "the database folder" } });
    const root = existingDir("--db", values.db, io.cwd);
    assertDatabase(root, CONFIG_FILE);
    const config = await loadConfig(resolve(root, CONFIG_FILE));
    const db = new Database(root, config.layout);
    let checked = 0;
    let bad = 0;
    for (const entry of db.entries()) {
      checked += 1;
      const problems = entry.problem !== undefined ? [entry.problem] : await recordProblems(entry.record);
      if (entry.record !== undefined && problems.length === 0) {
        const expected = db.pathFor(entry.record);
        if (resolve(root, entry.path) !== expected) problems.push(`stored at the wrong place (expected ${expected.slice(root.length + 1)})`);
      }
      if (problems.length > 0) {
        bad += 1;
        // File names and values come from the repository: no control character reaches the terminal.
        io.stdout(`${terminalSafe(entry.path)}: ${terminalSafe(problems.join("; "))}\n`);
      }
    }
    const legacy = legacyFiles(root);
    for (const l of legacy) io.stdout(`${terminalSafe(l.path)}: a github-support (helpme) record, not yet imported\n`);
    io.stdout(`${checked} records checked, ${bad} with problems (layout ${config.layout})\n`);
    if (legacy.length > 0) io.stdout(`${legacy.length} github-support .md records are not imported: run "${IMPORT_COMMAND}" (a dry run), then add --write\n`);
    const imported = importedLegacyFiles(root);
    if (imported.length > 0) {
      io.stdout(`${imported.length} github-support .md records are imported (their records are what is read); remove the .md files when you like: "${IMPORT_COMMAND} --write --remove-legacy"\n`);
    }
    return bad === 0 && legacy.length === 0 ? 0 : 1;
  },
};

async function runImport(args: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(args, {
    db: { type: "string", expected: "the database folder" },
    from: { type: "string", expected: '"github-support"' },
    repo: { type: "string", expected: 'the support repository, as "owner/name"' },
    "api-url": { type: "string", expected: "the GitHub REST API root, e.g. https://api.github.com" },
    token: { type: "string", expected: "a token that may read the repository's issues" },
    write: { type: "boolean" },
    "remove-legacy": { type: "boolean" },
  });
  if (values.from !== "github-support") throw new CliUsageError("--from", `--from must be "github-support"${values.from === undefined ? "" : `, not ${JSON.stringify(values.from)}`}.`);
  const root = existingDir("--db", values.db, io.cwd);
  const repoValue = values.repo ?? io.env.GITHUB_REPOSITORY;
  if (repoValue === undefined || repoValue === "") throw new CliUsageError("--repo", '--repo is required: the support repository, as "owner/name" (or GITHUB_REPOSITORY).');
  const repo = await repoFlag(values.repo !== undefined ? "--repo" : "GITHUB_REPOSITORY", repoValue);
  const apiUrl = httpUrl(values["api-url"] !== undefined ? "--api-url" : "GITHUB_API_URL", values["api-url"] ?? io.env.GITHUB_API_URL ?? "https://api.github.com");
  const token = values.token ?? io.env.GITHUB_TOKEN;
  const config = await loadConfig(resolve(root, CONFIG_FILE));
  const retryBaseMs = resolveRetryBase({}, io.env);
  const options = {
    root,
    layout: config.layout,
    repo,
    octokit: async () => {
      if (!token) throw new CliUsageError("--token", "--token is required to read the issue list: set GITHUB_TOKEN or pass --token.");
      return createOctokit({ token, baseUrl: apiUrl, timeoutMs: 30_000, ...(retryBaseMs !== undefined ? { retryAfterBaseMs: retryBaseMs } : {}) });
    },
  };
  const settings = { write: values.write === true, removeLegacy: values["remove-legacy"] === true };
  // A failed issue listing in the command's words: a temporary failure exits 75 (runCli), a refusal 1.
  const plan = await planImport(options).catch((error: unknown) => {
    throw isBugbeaconError(error) ? error : githubFailure(error, "listing the support repository's issues");
  });
  io.stdout(describePlan(plan, settings));
  if (!settings.write) return 0;
  const result = await applyImport(options, plan, settings);
  const kept = settings.removeLegacy ? 0 : plan.toWrite.length + plan.already.length;
  io.stdout(
    result.commit === null
      ? "Nothing to change: the database is already imported.\n"
      : `Committed ${result.commit.slice(0, 12)}: ${plan.toWrite.length} records imported, ${result.removed.length} .md files removed. Push it to publish.\n`,
  );
  if (kept > 0) {
    io.stdout(`The ${kept} .md files stay beside their records; every command reads the records. Remove them when you like: "${IMPORT_COMMAND} --write --remove-legacy".\n`);
  }
  if (plan.refused.length > 0) io.stdout(`${plan.refused.length} .md files were refused (listed above): fix or remove them, then run it again.\n`);
  io.stdout(`Next: "bugbeacon db check" to see the database as triage will.\n`);
  return plan.refused.length === 0 ? 0 : 1;
}
