import { CliUsageError, InvalidOptionError } from "../../errors.js";
import { getHelper } from "../../sdk/get-helper.js";
import { whyNotInteractive } from "../../sdk/prompts/interactive.js";
import type { ReportResult, RunInput } from "../../types.js";
import { existingFile, httpUrl, parseFlags, repoFlag, required } from "../args.js";
import type { CliCommand, CliIO } from "../io.js";

/** A body file larger than this is not a hand-written report (GitHub keeps 65,536 characters anyway). */
const MAX_BODY_FILE_BYTES = 1024 * 1024;

const usage = `From a terminal: asks for the title, what you were doing and what you expected; shows the exact environment values
that would be sent (untick any to leave them out); previews the issue as GitHub will get it; then
lets you submit it (when a token is set), open the prefilled issue page in a browser, copy its URL,
save the report to a file, or cancel. Escape or Ctrl-C cancels at any question: nothing is sent.

Without a terminal (CI, piped or closed stdin) nothing is asked: the report goes as given (then
--title is required) and a note says so.

Usage: bugbeacon report --repo <owner/name> [flags]

Flags:
  --backend <name>       github (default), gitlab or discourse
  --repo <target>        Where the report goes (required): a GitHub repository "owner/name", a GitLab
                         project path "group/project", or a Discourse category id "7"
  --title <text>         Pre-fills the title (you can still edit it)
  --body-file <path>     Markdown added after your answers (a log excerpt, steps to reproduce)
  --identifier <text>    What makes two reports "the same problem" (hashed to md5.<hex>); default:
                         a random one, so the report is never merged with another
  --app-version <ver>    The version of the program you report on (shown in the issue; the
                         support repository sorts reports by it)
  --token-env <NAME>     Read the token from $NAME (default: $BUGBEACON_GITHUB_TOKEN, else
                         $HELPME_GITHUB_TOKEN; for gitlab $BUGBEACON_GITLAB_TOKEN, else $GITLAB_TOKEN; for
                         discourse the API key $BUGBEACON_DISCOURSE_API_KEY). Without one the report is
                         filed in the browser.
  --api-url <url>        GitHub REST API root (default: $BUGBEACON_GITHUB_API_URL, else
                         https://api.github.com; the web URL is derived from it); for gitlab the instance
                         (default https://gitlab.com), for discourse the forum (required)
  -h, --help             This help

Exit code: 0 when the report was submitted, saved, or its URL given; 1 for a failure; 2 for bad flags;
130 when you cancelled. Output follows NO_COLOR and the terminal's width.
`;

export const command: CliCommand = {
  usage,
  async run(args, io) {
    const { values } = parseFlags(args, {
      repo: { type: "string", expected: 'the repository to report to, as "owner/name"' },
      title: { type: "string", expected: "the issue's title" },
      "body-file": { type: "string", expected: "a Markdown file to add to the report" },
      identifier: { type: "string", expected: 'the text that makes two reports "the same problem"' },
      "token-env": { type: "string", expected: "the name of the environment variable holding the token" },
      "api-url": { type: "string", expected: "the GitHub REST API root, e.g. https://api.github.com" },
      "app-version": { type: "string", expected: "the version of the program, like 2.4.1" },
      backend: { type: "string", expected: "github, gitlab or discourse" },
    });
    const backend = backendFlag(values.backend);
    const given = required("--repo", values.repo, 'the repository to report to, as "owner/name"');
    const repo = backend === "github" ? await repoFlag("--repo", given) : given;
    const apiUrl = values["api-url"] !== undefined ? httpUrl("--api-url", values["api-url"]) : undefined;
    const env = tokenEnv(io.env, values["token-env"], backend);
    const app = appFacts(repo, values["app-version"]);
    const body = values["body-file"] !== undefined ? await readBodyFile(values["body-file"], io) : undefined;
    const notHere = whyNotInteractive(io.env);
    if (notHere !== undefined && values.title === undefined) throw new CliUsageError("--title", `--title is required when there is no terminal to ask for one (${notHere}).`);
    const helper = await makeHelper(backend, "--repo", {
      env,
      // The result line below says what happened; the helper's own progress lines would repeat it.
      quiet: true,
      repo,
      // The program reported on is named by the repository; the working directory's package.json is
      // usually some other project, so it is not read.
      app,
      ...(apiUrl !== undefined ? { baseUrl: apiUrl } : {}),
    }, repo);
    const input: RunInput = { repo };
    if (values.title !== undefined) input.title = values.title;
    if (values.identifier !== undefined) input.identifier = values.identifier;
    if (body !== undefined) input.body = body;
    if (notHere !== undefined) io.stderr(`bugbeacon: no questions asked (${notHere}); reporting without them.\n`);
    const result = await helper.run(input);
    io.stdout(`${describe(result)}\n`);
    return result.kind === "skipped" ? (result.reason === "cancelled" ? 130 : 0) : 0;
  },
};

function appFacts(repo: string, version: string | undefined): { name?: string; version?: string } {
  if (version === undefined) return {};
  if (!/^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/.test(version)) throw new CliUsageError("--app-version", `--app-version must be a version like 2.4.1 (letters, digits, . + _ -, at most 64), not ${JSON.stringify(version)}.`);
  return { name: repo.slice(repo.indexOf("/") + 1), version };
}

const BACKENDS = ["github", "gitlab", "discourse"] as const;
type BackendFlag = (typeof BACKENDS)[number];

/** `--backend`: one of the backends getHelper knows. */
export function backendFlag(value: string | undefined): BackendFlag {
  if (value === undefined) return "github";
  if (!(BACKENDS as readonly string[]).includes(value)) throw new CliUsageError("--backend", `--backend must be one of ${BACKENDS.join(", ")}, not ${JSON.stringify(value)}.`);
  return value as BackendFlag;
}

/** The helper for `backend`; a target or option it refuses is a usage error naming the flag. */
export async function makeHelper(backend: BackendFlag, flag: string, options: Record<string, unknown>, target?: string) {
  try {
    const helper = getHelper(backend as "github", options);
    if (target !== undefined) await helper.prepare({ title: "check", repo: target });
    return helper;
  } catch (error) {
    if (error instanceof InvalidOptionError && (error.option === "repo" || error.option === "baseUrl")) {
      throw new CliUsageError(error.option === "repo" ? flag : "--api-url", `${error.option === "repo" ? flag : "--api-url"}: ${error.message}`);
    }
    throw error;
  }
}

const TOKEN_VARIABLE: Record<BackendFlag, string> = { github: "BUGBEACON_GITHUB_TOKEN", gitlab: "BUGBEACON_GITLAB_TOKEN", discourse: "BUGBEACON_DISCOURSE_API_KEY" };

/** `--token-env NAME`: the token comes from that variable instead of the default ones. */
function tokenEnv(env: NodeJS.ProcessEnv, name: string | undefined, backend: BackendFlag): NodeJS.ProcessEnv {
  if (name === undefined) return env;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) throw new CliUsageError("--token-env", `--token-env must be an environment variable name like MY_GITHUB_TOKEN, not ${JSON.stringify(name)}.`);
  const value = env[name];
  if (value === undefined || value.trim() === "") throw new CliUsageError("--token-env", `--token-env names $${name}, which is empty or unset: set it to the token, or name another variable.`);
  const { HELPME_GITHUB_TOKEN: _old, GITLAB_TOKEN: _gitlab, ...rest } = env;
  return { ...rest, [TOKEN_VARIABLE[backend]]: value };
}

async function readBodyFile(path: string, io: CliIO): Promise<string> {
  const { readFile, stat } = await import("node:fs/promises");
  const full = existingFile("--body-file", path, io.cwd);
  const size = (await stat(full)).size;
  if (size > MAX_BODY_FILE_BYTES) throw new CliUsageError("--body-file", `--body-file must be at most ${MAX_BODY_FILE_BYTES} bytes; ${JSON.stringify(path)} has ${size}.`);
  return readFile(full, "utf8");
}

function describe(result: ReportResult): string {
  switch (result.kind) {
    case "created":
      return `created ${result.url}`;
    case "duplicate":
      return `added to the existing issue ${result.url}`;
    case "counted":
      return `counted as another occurrence of ${result.number !== undefined ? `issue #${result.number}` : "a known issue"} (it goes into the next "seen again" comment)`;
    case "url":
      return `file the issue at ${result.url}`;
    case "queued":
      return `queued at ${result.path} (${result.reason}); "bugbeacon flush" sends it later`;
    case "saved":
      return `saved to ${result.path}`;
    case "skipped":
      return `nothing sent (${result.reason})`;
  }
}
