import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { CONFIG_FILE, loadConfig } from "../../support/config.js";
import { gitFailure } from "../../support/github-failure.js";
import { git, GitError } from "../../support/git-sync.js";
import { assertNoLegacy, loadRecords } from "../../support/layout.js";
import { computeStats, renderMarkdown } from "../../support/stats.js";
import { sweep, sweepLine, sweepMarkdown } from "../../support/sweep.js";
import { CliUsageError, TriageStepError } from "../../errors.js";
import { createOctokit } from "../../backends/github/octokit-client.js";
import { resolvePacing, resolveRetryBase } from "../../backends/github/options.js";
import { existingDir, existingFile, httpUrl, parseFlags, repoFlag, wholeNumber } from "../args.js";
import { EXIT, type CliCommand } from "../io.js";

const usage = `Runs on a schedule in GitHub Actions (the workflow "bugbeacon init" writes): files every report issue
the event workflow missed, notes deleted or transferred issues, and runs the time-based rules ("timed" in
${CONFIG_FILE}). Unchanged pages cost nothing (conditional requests); a pass cut off resumes next run.

Usage: bugbeacon sweep [flags]

Flags:
  --repo <owner/name>   The support repository (default: $GITHUB_REPOSITORY)
  --api-url <url>       GitHub REST API root (default: $GITHUB_API_URL, else https://api.github.com)
  --token <token>       Token that may read, comment on and close issues (default: $GITHUB_TOKEN)
  --db <dir>            The database: a git checkout (default: the working directory)
  --config <file>       Config file (default: <db>/${CONFIG_FILE})
  --bot-login <login>   Comments by this login count as the bot's (when the token is a person's)
  --max-pages <n>       Most list pages this run reads (default 1000); the rest waits for the next run
  --no-push             Commit but do not push
  -h, --help            This help

Prints one line; appends a markdown summary to $GITHUB_STEP_SUMMARY when set.
`;

export const command: CliCommand = {
  usage,
  exits: [
    [0, "done"],
    [1, "failed: the one-line message says what to fix (a refused token, a database to import first)"],
    [2, "a bad flag or a missing value (the message names it)"],
    [75, "a temporary failure (host not found, connection refused or reset, no answer in time, GitHub 5xx or rate limit, git could not push): run it again; the sweep resumes where it stopped"],
  ],
  async run(args, io) {
    const { values } = parseFlags(args, {
      repo: { type: "string", expected: 'the support repository, as "owner/name"' },
      "api-url": { type: "string", expected: "the GitHub REST API root, e.g. https://api.github.com" },
      token: { type: "string", expected: "a token that may comment on and close issues" },
      db: { type: "string", expected: "the database folder (a git checkout)" },
      config: { type: "string", expected: "the config file" },
      "bot-login": { type: "string", expected: "the login the bot's comments are posted as" },
      "max-pages": { type: "string", expected: "a whole number from 1 to 100000" },
      "no-push": { type: "boolean" },
    });
    const repoValue = values.repo ?? io.env.GITHUB_REPOSITORY;
    if (repoValue === undefined || repoValue === "") throw new CliUsageError("--repo", '--repo is required: the support repository, as "owner/name" (or GITHUB_REPOSITORY, which Actions sets).');
    const repo = await repoFlag(values.repo !== undefined ? "--repo" : "GITHUB_REPOSITORY", repoValue);
    const token = values.token ?? io.env.GITHUB_TOKEN;
    if (!token) throw new CliUsageError("--token", "--token is required to read and triage issues: set GITHUB_TOKEN (Actions does) or pass --token.");
    const apiUrl = httpUrl(values["api-url"] !== undefined ? "--api-url" : "GITHUB_API_URL", values["api-url"] ?? io.env.GITHUB_API_URL ?? "https://api.github.com");
    const dbRoot = existingDir("--db", values.db, io.cwd);
    const configPath = values.config !== undefined ? existingFile("--config", values.config, io.cwd) : join(dbRoot, CONFIG_FILE);
    const maxPages = wholeNumber("--max-pages", values["max-pages"], 1000, 1, 100_000);
    const pacingMs = resolvePacing({}, io.env);
    const retryBaseMs = resolveRetryBase({}, io.env);
    const log = (line: string) => io.stderr(`bugbeacon sweep: ${line}\n`);
    const config = await loadConfig(configPath);
    try {
      assertNoLegacy(dbRoot, "The database");
    } catch (error) {
      log((error as Error).message);
      return EXIT.failed;
    }
    let gitConfig: string[] = [];
    if (token) {
      const server = (io.env.GITHUB_SERVER_URL ?? "https://github.com").replace(/\/+$/, "");
      const origin = await git(["remote", "get-url", "origin"], { cwd: dbRoot }).then((u) => u.trim(), () => "");
      if (origin.startsWith(`${server}/`)) gitConfig = [`http.extraheader=AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`];
    }
    let client: ReturnType<typeof createOctokit> | undefined;
    try {
      const result = await sweep({
        config,
        dbRoot,
        repo,
        log,
        maxPages,
        gitConfig,
        push: values["no-push"] !== true,
        ...(values["bot-login"] !== undefined ? { botLogin: values["bot-login"] } : {}),
        ...(retryBaseMs !== undefined ? { pushBackoffMs: retryBaseMs } : {}),
        octokit: () =>
          (client ??= createOctokit({ token, baseUrl: apiUrl, timeoutMs: 30_000, ...(pacingMs !== undefined ? { pacingMs } : {}), ...(retryBaseMs !== undefined ? { retryAfterBaseMs: retryBaseMs } : {}) })),
      });
      io.stdout(`${sweepLine(result)}\n`);
      const summaryFile = io.env.GITHUB_STEP_SUMMARY;
      if (summaryFile) {
        const { records, skipped } = loadRecords(dbRoot, config.layout);
        await appendFile(summaryFile, sweepMarkdown(result, renderMarkdown(computeStats(records, { skipped }))));
      }
      return 0;
    } catch (caught) {
      const error = caught instanceof GitError ? gitFailure(caught, "storing the sweep") : caught;
      if (!(error instanceof TriageStepError)) throw error;
      log(error.message);
      return error.transient ? EXIT.tempfail : EXIT.failed;
    }
  },
};
