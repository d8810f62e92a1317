import { parseArgs } from "node:util";
import { InvalidOptionError } from "../../errors.js";
import { getHelper } from "../../sdk/get-helper.js";
import { whyNotInteractive } from "../../sdk/prompts/interactive.js";
import type { ReportResult, RunInput } from "../../sdk/types.js";
import type { CliCommand, CliIO } from "../io.js";

/** A body file larger than this is not a hand-written report (GitHub keeps 65,536 characters anyway). */
const MAX_BODY_FILE_BYTES = 1024 * 1024;

const usage = `bugbeacon report: report a problem by hand, from a terminal.

Asks for the title, what you were doing and what you expected; shows the exact environment values
that would be sent (untick any to leave them out); previews the issue as GitHub will get it; then
lets you submit it (when a token is set), open the prefilled issue page in a browser, copy its URL,
save the report to a file, or cancel. Escape or Ctrl-C cancels at any question: nothing is sent.

Without a terminal (CI, piped or closed stdin) nothing is asked: the report goes as given (then
--title is required) and a note says so.

Usage: bugbeacon report --repo <owner/name> [flags]

Flags:
  --repo <owner/name>    Repository that receives the issue (required)
  --title <text>         Pre-fills the title (you can still edit it)
  --body-file <path>     Markdown added after your answers (a log excerpt, steps to reproduce)
  --identifier <text>    What makes two reports "the same problem" (hashed to md5.<hex>); default:
                         a random one, so the report is never merged with another
  --app-version <ver>    The version of the program you report on (shown in the issue; the
                         support repository sorts reports by it)
  --token-env <NAME>     Read the GitHub token from $NAME (default: $BUGBEACON_GITHUB_TOKEN, else
                         $HELPME_GITHUB_TOKEN). Without a token the issue is filed in the browser.
  --api-url <url>        GitHub REST API root (default: $BUGBEACON_GITHUB_API_URL, else
                         https://api.github.com); the web URL is derived from it
  -h, --help             This help

Exit code: 0 when the report was submitted, saved, or its URL given; 1 for bad flags or a failure;
130 when you cancelled. Output follows NO_COLOR and the terminal's width.
`;

export const command: CliCommand = {
  name: "report",
  summary: "Report a problem by hand: preview the issue, add what you know, then submit or save it",
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        repo: { type: "string" },
        title: { type: "string" },
        "body-file": { type: "string" },
        identifier: { type: "string" },
        "token-env": { type: "string" },
        "api-url": { type: "string" },
        "app-version": { type: "string" },
      },
    });
    if (values.repo === undefined) throw new InvalidOptionError("--repo", undefined, 'the repository to report to, as "owner/name"');
    const env = tokenEnv(io.env, values["token-env"]);
    const helper = getHelper("github", {
      env,
      // The result line below says what happened; the helper's own progress lines would repeat it.
      quiet: true,
      repo: values.repo,
      // The program reported on is named by the repository; the working directory's package.json is
      // usually some other project, so it is not read.
      app: appFacts(values.repo, values["app-version"]),
      ...(values["api-url"] !== undefined ? { baseUrl: values["api-url"] } : {}),
    });
    const input: RunInput = { repo: values.repo };
    if (values.title !== undefined) input.title = values.title;
    if (values.identifier !== undefined) input.identifier = values.identifier;
    if (values["body-file"] !== undefined) input.body = await readBodyFile(values["body-file"], io);
    const notHere = whyNotInteractive(io.env);
    if (notHere !== undefined && input.title !== undefined) io.stderr(`bugbeacon: no questions asked (${notHere}); reporting without them.\n`);
    const result = await helper.run(input);
    io.stdout(`${describe(result)}\n`);
    return result.kind === "skipped" ? (result.reason === "cancelled" ? 130 : 0) : 0;
  },
};

function appFacts(repo: string, version: string | undefined): { name?: string; version?: string } {
  if (version === undefined) return {};
  if (!/^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/.test(version)) throw new InvalidOptionError("--app-version", version, "a version like 2.4.1 (letters, digits, . + _ -, at most 64)");
  return { name: repo.slice(repo.indexOf("/") + 1), version };
}

/** `--token-env NAME`: the token comes from that variable instead of the default ones. */
function tokenEnv(env: NodeJS.ProcessEnv, name: string | undefined): NodeJS.ProcessEnv {
  if (name === undefined) return env;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) throw new InvalidOptionError("--token-env", name, "an environment variable name like MY_GITHUB_TOKEN");
  const value = env[name];
  if (value === undefined || value.trim() === "") throw new InvalidOptionError("--token-env", name, `a variable that is set; $${name} is empty or unset`);
  const { HELPME_GITHUB_TOKEN: _old, ...rest } = env;
  return { ...rest, BUGBEACON_GITHUB_TOKEN: value };
}

async function readBodyFile(path: string, io: CliIO): Promise<string> {
  const { readFile, stat } = await import("node:fs/promises");
  const { resolve } = await import("node:path");
  const full = resolve(io.cwd, path);
  let size: number;
  try {
    const info = await stat(full);
    if (!info.isFile()) throw new Error("not a file");
    size = info.size;
  } catch {
    throw new InvalidOptionError("--body-file", path, "a readable Markdown file");
  }
  if (size > MAX_BODY_FILE_BYTES) throw new InvalidOptionError("--body-file", path, `a file of at most ${MAX_BODY_FILE_BYTES} bytes (this one has ${size})`);
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
