import { isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { InvalidOptionError } from "../../errors.js";
import { CONFIG_FILE, loadConfig } from "../../support/config.js";
import { sparseClone, type SparseCheckout } from "../../support/db-checkout.js";
import { readIssuesEvent } from "../../support/event.js";
import { EXIT_FAILURE, EXIT_TEMPFAIL } from "../../support/exit-codes.js";
import { gitFailure } from "../../support/github-failure.js";
import { git } from "../../support/git-sync.js";
import { triage } from "../../support/triage.js";
import { TriageStepError } from "../../errors.js";
import { createOctokit } from "../../transports/github/octokit-client.js";
import { parseRepo } from "../../transports/github/repo.js";
import type { CliCommand } from "../io.js";

const usage = `bugbeacon triage: file a new or edited issue's report in the database, close duplicates, apply rules.
Runs in GitHub Actions on "issues: [opened, edited, reopened]"; reads what Actions sets, flags override each.
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

Exit codes: 0 done; 1 failed (the one-line message says what to fix); 75 temporary failure
(GitHub 5xx or timeout, git could not push or fetch): re-run the job.
`;

export const command: CliCommand = {
  name: "triage",
  summary: "File an issue's report in the database, close duplicates, apply rules (GitHub Actions)",
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: {
        event: { type: "string" },
        repo: { type: "string" },
        "api-url": { type: "string" },
        token: { type: "string" },
        db: { type: "string" },
        "db-repo": { type: "string" },
        "db-remote": { type: "string" },
        config: { type: "string" },
        "bot-login": { type: "string" },
        "no-push": { type: "boolean" },
      },
    });
    const eventPath = values.event ?? io.env.GITHUB_EVENT_PATH;
    if (!eventPath) throw new InvalidOptionError("--event", eventPath, "the event JSON file (or GITHUB_EVENT_PATH, which Actions sets)");
    const repo = values.repo ?? io.env.GITHUB_REPOSITORY;
    parseRepo(repo);
    const token = values.token ?? io.env.GITHUB_TOKEN;
    const apiUrl = (values["api-url"] ?? io.env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/+$/, "");
    const log = (line: string) => io.stderr(`bugbeacon triage: ${line}\n`);

    const authHeader = token ? [`http.extraheader=AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`] : [];
    // Test and CI tuning: the first retry delay of GitHub calls and of git pushes (ms).
    const retryBaseMs = io.env.BUGBEACON_RETRY_BASE_MS !== undefined ? Number(io.env.BUGBEACON_RETRY_BASE_MS) : undefined;
    if (retryBaseMs !== undefined && !(Number.isFinite(retryBaseMs) && retryBaseMs >= 0)) throw new InvalidOptionError("BUGBEACON_RETRY_BASE_MS", io.env.BUGBEACON_RETRY_BASE_MS, "a delay in milliseconds");
    let dbRoot = resolve(io.cwd, values.db ?? ".");
    let gitConfig: string[] = [];
    let checkout: SparseCheckout | undefined;
    const event = await readIssuesEvent(eventPath);
    try {
      if (values["db-repo"] !== undefined || values["db-remote"] !== undefined) {
        let remote = values["db-remote"];
        if (values["db-repo"] !== undefined) {
          const db = parseRepo(values["db-repo"]);
          const server = (io.env.GITHUB_SERVER_URL ?? webRootOf(apiUrl)).replace(/\/+$/, "");
          remote = `${server}/${db.owner}/${db.name}.git`;
          gitConfig = authHeader;
        } else if (remote !== undefined && !/^[a-z]+:\/\//i.test(remote) && !isAbsolute(remote)) {
          remote = resolve(io.cwd, remote);
        }
        try {
          checkout = await sparseClone(remote ?? "", { config: gitConfig });
        } catch (error) {
          throw gitFailure(error, "cloning the database");
        }
        dbRoot = checkout.root;
      } else if (token) {
        // The workflow's checkout keeps no credentials (persist-credentials: false): the token goes to git for
        // this push only, through the environment, and only to the server the checkout came from.
        const server = (io.env.GITHUB_SERVER_URL ?? webRootOf(apiUrl)).replace(/\/+$/, "");
        const origin = await git(["remote", "get-url", "origin"], { cwd: dbRoot }).then((u) => u.trim(), () => "");
        if (origin.startsWith(`${server}/`)) gitConfig = authHeader;
      }
      const config = await loadConfig(values.config ? resolve(io.cwd, values.config) : join(dbRoot, CONFIG_FILE));
      const outcome = await triage({
        event,
        config,
        dbRoot,
        repo: repo as string,
        push: values["no-push"] !== true,
        gitConfig,
        log,
        ...(checkout !== undefined ? { include: checkout.include } : {}),
        ...(values["bot-login"] !== undefined ? { botLogin: values["bot-login"] } : {}),
        ...(retryBaseMs !== undefined ? { pushBackoffMs: retryBaseMs } : {}),
        ...(io.env.BUGBEACON_PUSH_ATTEMPTS !== undefined ? { pushAttempts: positiveInt("BUGBEACON_PUSH_ATTEMPTS", io.env.BUGBEACON_PUSH_ATTEMPTS) } : {}),
        octokit: async () => {
          if (!token) throw new InvalidOptionError("--token", token, "a token that may comment on and close issues (GITHUB_TOKEN in Actions)");
          return createOctokit({ token, baseUrl: apiUrl, timeoutMs: 30_000, pacingMs: 0, ...(retryBaseMs !== undefined ? { retryAfterBaseMs: retryBaseMs } : {}) });
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
      return error.transient ? EXIT_TEMPFAIL : EXIT_FAILURE;
    } finally {
      await checkout?.dispose();
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
