import { isAbsolute, resolve } from "node:path";
import { CONFIG_FILE } from "../../support/config.js";
import { readIssuesEvent } from "../../support/event.js";
import { git } from "../../support/git-sync.js";
import { runTriage } from "../../support/triage-run.js";
import { TriageStepError } from "../../errors.js";
import { createOctokit } from "../../backends/github/octokit-client.js";
import { resolvePacing, resolveRetryBase } from "../../backends/github/options.js";
import { parseRepo } from "../../backends/github/repo.js";
import { CliUsageError, InvalidOptionError } from "../../errors.js";
import { existingDir, existingFile, httpUrl, parseFlags, repoFlag } from "../args.js";
import { EXIT, type CliCommand } from "../io.js";

const usage = `Runs in GitHub Actions on "issues: [opened, edited, reopened]"; reads what Actions sets, flags override each.
Any event may be run again (Re-run jobs): nothing is posted, labelled or closed twice.

Usage: bugbeacon triage [flags]

Flags:
  --event <file>        The event JSON (default: $GITHUB_EVENT_PATH)
  --repo <owner/name>   Repository of the issue (default: $GITHUB_REPOSITORY)
  --api-url <url>       GitHub REST API root (default: $GITHUB_API_URL, else https://api.github.com)
  --token <token>       Token for comments, labels, closing (default: $GITHUB_TOKEN; prefer the env)
  --db <dir>            The database: a git checkout (default: the working directory)
  --db-repo <owner/name>  Keep the database in this repository instead (cloned with the token)
  --db-remote <url>     Clone the database from this git URL or path instead
                        (both: a shallow, sparse, blob-less clone of what this issue needs, removed after)
  --config <file>       Config file (default: <db>/${CONFIG_FILE})
  --bot-login <login>   Comments by this login count as the bot's (when the token is a person's)
  --no-push             Commit but do not push
  -h, --help            This help

Environment: $BUGBEACON_PACING_MS, least milliseconds between two comments or closes (default 1000).
`;

export const command: CliCommand = {
  usage,
  exits: [
    [0, "done (filed, a duplicate closed, or nothing to do)"],
    [1, "failed: the one-line message says what to fix"],
    [2, "a bad flag, a missing value or a missing file (the message names it)"],
    [75, "a temporary failure (host not found, connection refused or reset, no answer in time, GitHub 5xx or rate limit, git could not push or fetch): re-run the job; nothing is done twice"],
  ],
  async run(args, io) {
    const { values } = parseFlags(args, {
      event: { type: "string", expected: "the event JSON file" },
      repo: { type: "string", expected: 'the repository of the issue, as "owner/name"' },
      "api-url": { type: "string", expected: "the GitHub REST API root, e.g. https://api.github.com" },
      token: { type: "string", expected: "a token that may comment on and close issues" },
      db: { type: "string", expected: "the database folder (a git checkout)" },
      "db-repo": { type: "string", expected: 'the database repository, as "owner/name"' },
      "db-remote": { type: "string", expected: "a git URL or path to clone the database from" },
      config: { type: "string", expected: "the config file" },
      "bot-login": { type: "string", expected: "the login the bot's comments are posted as" },
      "no-push": { type: "boolean" },
    });
    if (values["db-repo"] !== undefined && values["db-remote"] !== undefined) throw new CliUsageError("--db-remote", "--db-repo and --db-remote both name the database: give one.");
    const eventPath = values.event ?? io.env.GITHUB_EVENT_PATH;
    if (eventPath === undefined || eventPath === "") throw new CliUsageError("--event", "--event is required: the event JSON file (or GITHUB_EVENT_PATH, which Actions sets).");
    existingFile(values.event !== undefined ? "--event" : "GITHUB_EVENT_PATH", eventPath, io.cwd);
    const repoValue = values.repo ?? io.env.GITHUB_REPOSITORY;
    if (repoValue === undefined || repoValue === "") throw new CliUsageError("--repo", '--repo is required: the repository of the issue, as "owner/name" (or GITHUB_REPOSITORY, which Actions sets).');
    const repo = await repoFlag(values.repo !== undefined ? "--repo" : "GITHUB_REPOSITORY", repoValue);
    const token = values.token ?? io.env.GITHUB_TOKEN;
    const apiUrl = httpUrl(values["api-url"] !== undefined ? "--api-url" : "GITHUB_API_URL", values["api-url"] ?? io.env.GITHUB_API_URL ?? "https://api.github.com");
    const configPath = values.config !== undefined ? existingFile("--config", values.config, io.cwd) : undefined;
    const pacingMs = resolvePacing({}, io.env);
    // Test and CI tuning: the time base of GitHub's retry timing and of git push retries (ms).
    const retryBaseMs = resolveRetryBase({}, io.env);
    const log = (line: string) => io.stderr(`bugbeacon triage: ${line}\n`);

    const authHeader = token ? [`http.extraheader=AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`] : [];
    const dbRoot = values["db-repo"] === undefined && values["db-remote"] === undefined ? existingDir("--db", values.db, io.cwd) : resolve(io.cwd, values.db ?? ".");
    let gitConfig: string[] = [];
    let db: { dir: string } | { remote: string } = { dir: dbRoot };
    const event = await readIssuesEvent(eventPath);
    try {
      if (values["db-repo"] !== undefined || values["db-remote"] !== undefined) {
        let remote = values["db-remote"];
        if (values["db-repo"] !== undefined) {
          const dbRepo = parseRepo(await repoFlag("--db-repo", values["db-repo"]));
          const server = (io.env.GITHUB_SERVER_URL ?? webRootOf(apiUrl)).replace(/\/+$/, "");
          remote = `${server}/${dbRepo.owner}/${dbRepo.name}.git`;
          gitConfig = authHeader;
        } else if (remote !== undefined && !/^[a-z]+:\/\//i.test(remote) && !isAbsolute(remote)) {
          remote = resolve(io.cwd, remote);
        }
        db = { remote: remote ?? "" };
      } else if (token) {
        // The workflow's checkout keeps no credentials (persist-credentials: false): the token goes to git for
        // this push only, through the environment, and only to the server the checkout came from.
        const server = (io.env.GITHUB_SERVER_URL ?? webRootOf(apiUrl)).replace(/\/+$/, "");
        const origin = await git(["remote", "get-url", "origin"], { cwd: dbRoot }).then((u) => u.trim(), () => "");
        if (origin.startsWith(`${server}/`)) gitConfig = authHeader;
      }
      const outcome = await runTriage({
        event,
        db,
        repo,
        push: values["no-push"] !== true,
        gitConfig,
        log,
        ...(configPath !== undefined ? { configPath } : {}),
        ...(values["bot-login"] !== undefined ? { botLogin: values["bot-login"] } : {}),
        ...(retryBaseMs !== undefined ? { pushBackoffMs: retryBaseMs } : {}),
        ...(io.env.BUGBEACON_PUSH_ATTEMPTS !== undefined ? { pushAttempts: positiveInt("BUGBEACON_PUSH_ATTEMPTS", io.env.BUGBEACON_PUSH_ATTEMPTS) } : {}),
        octokit: async () => {
          if (!token) throw new CliUsageError("--token", "--token is required to comment on and close issues: set GITHUB_TOKEN (Actions does) or pass --token.");
          return createOctokit({ token, baseUrl: apiUrl, timeoutMs: 30_000, ...(pacingMs !== undefined ? { pacingMs } : {}), ...(retryBaseMs !== undefined ? { retryAfterBaseMs: retryBaseMs } : {}) });
        },
      });
      switch (outcome.kind) {
        case "ignored":
          log(`issue #${event.issue.number} left alone: ${outcome.reason}`);
          return 0;
        case "refused":
          return 0;
        case "first":
          log(`issue #${event.issue.number} stored as ${outcome.path} (first report of ${outcome.identifier})`);
          return 0;
        case "duplicate":
          log(`issue #${event.issue.number} stored as ${outcome.path}: duplicate of #${outcome.first} (${outcome.count} reports)`);
          return 0;
      }
    } catch (error) {
      if (!(error instanceof TriageStepError)) throw error;
      log(error.message);
      return error.transient ? EXIT.tempfail : EXIT.failed;
    }
  },
};

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidOptionError(name, value, "a whole number from 1 to 1000");
  return n;
}

function webRootOf(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/api\/v3\/?$/, "")}`;
}
