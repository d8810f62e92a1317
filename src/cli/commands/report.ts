import { CliUsageError, InvalidOptionError } from "../../errors.js";
import { backendNames, findBackend, getHelper } from "../../sdk/get-helper.js";
import { whyNotInteractive } from "../../sdk/prompts/interactive.js";
import type { ReportResult, RunInput } from "../../types.js";
import { existingFile, httpUrl, parseFlags, repoFlag, required, writableFile } from "../args.js";
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
  --backend <name>       github (default), gitlab, discourse or gitea
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
                         discourse the API key $BUGBEACON_DISCOURSE_API_KEY; for gitea $BUGBEACON_GITEA_TOKEN,
                         else $GITEA_TOKEN). Without one the report is
                         filed in the browser.
  --api-url <url>        GitHub REST API root (default: $BUGBEACON_GITHUB_API_URL, else
                         https://api.github.com; the web URL is derived from it); for gitlab the instance
                         (default https://gitlab.com), for discourse the forum, for gitea the instance (required)
  --record -- <command> [args...]
                         Runs the command first, in a pseudo-terminal where there is one (script(1), else
                         Python's pty; else pipes, and the report says so), showing it live; the report gets
                         its exit status and the last lines of the terminal (redacted, control sequences
                         removed), and the recording is saved as an asciicast v2 file. On a terminal you see
                         all of it (redacted) first and may leave it out. Default title: "<command> exited
                         with code N"
  --upload [server]      With --record: upload the recording to an asciinema server when the report is sent
                         (default $ASCIINEMA_SERVER_URL, else https://asciinema.org; asciinema's install id)
                         and link it from the report
  --cast <path>          With --record: where to save the asciicast (default bugbeacon-<time>.cast here)
  -h, --help             This help

Output follows NO_COLOR and the terminal's width.
`;

export const command: CliCommand = {
  usage,
  exits: [
    [0, "the report was submitted, queued for \"bugbeacon flush\", saved, or its URL given"],
    [1, "failed: the message says why"],
    [2, "a bad flag or a missing value (the message names it)"],
    [130, "you cancelled (Escape or Ctrl-C): nothing was sent"],
  ],
  async run(allArgs, io) {
    // Everything after "--" is the command to record; "--upload" may take a server URL as its value.
    const dashes = allArgs.indexOf("--");
    const commandLine = dashes >= 0 ? allArgs.slice(dashes + 1) : [];
    const { rest: args, upload } = takeUpload(dashes >= 0 ? allArgs.slice(0, dashes) : allArgs);
    const { values } = parseFlags(args, {
      repo: { type: "string", expected: 'the repository to report to, as "owner/name"' },
      title: { type: "string", expected: "the issue's title" },
      "body-file": { type: "string", expected: "a Markdown file to add to the report" },
      identifier: { type: "string", expected: 'the text that makes two reports "the same problem"' },
      "token-env": { type: "string", expected: "the name of the environment variable holding the token" },
      "api-url": { type: "string", expected: "the GitHub REST API root, e.g. https://api.github.com" },
      "app-version": { type: "string", expected: "the version of the program, like 2.4.1" },
      backend: { type: "string", expected: "github, gitlab, discourse or gitea" },
      record: { type: "boolean" },
      cast: { type: "string", expected: "the file to save the recording to (asciicast v2)" },
    });
    const backend = backendFlag(values.backend);
    const given = required("--repo", values.repo, 'the repository to report to, as "owner/name"');
    const repo = backend === "github" ? await repoFlag("--repo", given) : given;
    const apiUrl = values["api-url"] !== undefined ? httpUrl("--api-url", values["api-url"]) : undefined;
    const env = tokenEnv(io.env, values["token-env"], backend);
    const app = appFacts(repo, values["app-version"]);
    let body = values["body-file"] !== undefined ? await readBodyFile(values["body-file"], io) : undefined;
    const notHere = whyNotInteractive(io.env);
    if (values.record !== true && (commandLine.length > 0 || upload !== undefined || values.cast !== undefined)) {
      throw new CliUsageError(upload !== undefined ? "--upload" : values.cast !== undefined ? "--cast" : "--", `${upload !== undefined ? "--upload" : values.cast !== undefined ? "--cast" : "a command after --"} goes with --record, like: bugbeacon report --repo owner/name --record -- npm test.`);
    }
    let title = values.title;
    let recorded: Recorded | undefined;
    if (values.record === true) {
      if (commandLine.length === 0) throw new CliUsageError("--record", "--record needs the command after --, like: bugbeacon report --repo owner/name --record -- npm test.");
      const server = upload === undefined ? undefined : await uploadServer(upload, io.env);
      const castPath = values.cast !== undefined ? writableFile("--cast", values.cast, io.cwd) : undefined;
      recorded = await recordForReport(commandLine, server, castPath, io, notHere === undefined);
      if (recorded.cancelled === true) {
        io.stdout("nothing sent (cancelled)\n");
        return 130;
      }
      if (recorded.section !== undefined) body = body !== undefined && body !== "" ? `${body}\n\n${recorded.section}` : recorded.section;
      title ??= `${commandLine.join(" ").slice(0, 80)} exited with code ${recorded.exitCode}`;
    }
    if (notHere !== undefined && title === undefined) throw new CliUsageError("--title", `--title is required when there is no terminal to ask for one (${notHere}).`);
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
    if (title !== undefined) input.title = title;
    if (values.identifier !== undefined) input.identifier = values.identifier;
    if (body !== undefined) input.body = body;
    if (notHere !== undefined) io.stderr(`bugbeacon: no questions asked (${notHere}); reporting without them.\n`);
    const result = await helper.run(input);
    io.stdout(`${describe(result)}\n`);
    // The recording is uploaded only once the issue exists (the person chose to submit, after the preview),
    // then linked by editing the issue's body.
    if (recorded?.upload !== undefined) await recorded.upload(result, { env, repo, ...(apiUrl !== undefined ? { apiUrl } : {}) });
    return result.kind === "skipped" ? (result.reason === "cancelled" ? 130 : 0) : 0;
  },
};

/** `--upload`, `--upload <http(s) URL>` or `--upload=<URL>`, taken out of the flags (parseFlags has no optional values). */
function takeUpload(args: string[]): { rest: string[]; upload: { server?: string } | undefined } {
  const rest: string[] = [];
  let upload: { server?: string } | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg !== "--upload" && !arg.startsWith("--upload=")) {
      rest.push(arg);
      continue;
    }
    if (upload !== undefined) throw new CliUsageError("--upload", "--upload is given twice: give it once.");
    if (arg.startsWith("--upload=")) upload = { server: arg.slice("--upload=".length) };
    else if (/^https?:\/\//.test(args[i + 1] ?? "")) upload = { server: args[(i += 1)]! };
    else upload = {};
  }
  return { rest, upload };
}

async function uploadServer(upload: { server?: string }, env: NodeJS.ProcessEnv): Promise<string> {
  const { serverUrl } = await import("../../sdk/record/upload.js");
  return httpUrl("--upload", serverUrl(upload.server, env));
}

interface Recorded {
  exitCode: number;
  /** The body's recording part; undefined when the person left the recording out. */
  section: string | undefined;
  /** Uploads the cast and links it from the created issue. */
  upload: ((result: ReportResult, where: { env: NodeJS.ProcessEnv; repo: string; apiUrl?: string }) => Promise<void>) | undefined;
  /** Escape or Ctrl-C at the question: nothing is sent. */
  cancelled?: boolean;
}

/**
 * Runs and records the command, saves the (redacted) cast, and, on a terminal, shows the person all of the
 * redacted transcript and asks whether to include it (and upload it).
 */
async function recordForReport(argv: string[], server: string | undefined, castPath: string | undefined, io: CliIO, ask: boolean): Promise<Recorded> {
  const [{ recordCommand, recordMethod }, { toAsciicast, plainTranscript }, { recordingSection, withUploadLink }, { createRedactor }, { writeFileSync }, { join }] = await Promise.all([
    import("../../sdk/record/record.js"),
    import("../../sdk/record/asciicast.js"),
    import("../../sdk/record/section.js"),
    import("../../sdk/redact.js"),
    import("node:fs"),
    import("node:path"),
  ]);
  const redact = createRedactor();
  const method = recordMethod(io.env);
  io.stderr(`bugbeacon: recording ${argv.join(" ")} (${method === "pipes" ? "through pipes: no pseudo-terminal here" : method === "script" ? "in a pseudo-terminal, script(1)" : "in a pseudo-terminal, Python's pty"}); the report follows when it ends.\n`);
  let recording;
  try {
    recording = await recordCommand(argv, { env: io.env, cwd: io.cwd, live: io.stdout, interactive: ask, method });
  } catch (error) {
    throw new CliUsageError("--record", `could not run ${JSON.stringify(argv[0])}: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const cast = toAsciicast(recording, redact, io.env);
  const stamp = new Date(recording.startedAt * 1000).toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
  const path = castPath ?? join(io.cwd, `bugbeacon-${stamp}.cast`);
  writeFileSync(path, cast, { mode: 0o600 });
  io.stderr(`bugbeacon: ${argv[0]} exited with code ${recording.exitCode}; the recording (redacted) is saved in ${path}.\n`);
  let include: "all" | "tail" | "none" = "all";
  if (ask) {
    const [{ openPromptUi }, { whileAnswering }] = await Promise.all([import("../../sdk/prompts/ui.js"), import("../../sdk/prompts/activity.js")]);
    const ui = await openPromptUi(io.env, whileAnswering);
    try {
      const text = redact(plainTranscript(recording.events.map(([, t]) => t).join("")));
      ui.write(`\n${ui.style.bold("The recording, as it would be sent (redacted):")}\n${text.replace(/\n*$/, "\n")}\n`);
      const choices = [
        { name: "all", message: server !== undefined ? `Include it: its last lines in the report, all of it uploaded to ${server}` : "Include its last lines in the report" },
        ...(server !== undefined ? [{ name: "tail", message: "Include its last lines only; do not upload it" }] : []),
        { name: "none", message: "Leave the recording out" },
      ];
      const answer = await ui.select("The recording", choices as Array<{ name: "all" | "tail" | "none"; message: string }>, "all");
      if (typeof answer === "symbol") return { exitCode: recording.exitCode, section: undefined, upload: undefined, cancelled: true };
      include = answer;
    } finally {
      ui.close();
    }
  }
  if (include === "none") return { exitCode: recording.exitCode, section: undefined, upload: undefined };
  const target = include === "all" ? server : undefined;
  const section = recordingSection(recording, redact, target);
  const upload =
    target === undefined
      ? undefined
      : async (result: ReportResult, where: { env: NodeJS.ProcessEnv; repo: string; apiUrl?: string }): Promise<void> => {
          if (result.kind !== "created") {
            io.stderr(`bugbeacon: the recording was not uploaded: it is uploaded and linked only when the report is submitted as a new issue.\n`);
            return;
          }
          const [{ uploadAsciicast }, { githubBackend }] = await Promise.all([import("../../sdk/record/upload.js"), import("../../backends/github/backend.js")]);
          let link: { url: string } | { problem: string };
          try {
            link = { url: await uploadAsciicast(target, cast, { env: io.env }) };
            io.stderr(`bugbeacon: uploaded the recording: ${link.url}\n`);
          } catch (error) {
            link = { problem: error instanceof Error ? error.message : String(error) };
            io.stderr(`bugbeacon: could not upload the recording (${link.problem}); the issue says so.\n`);
          }
          try {
            const backend = githubBackend(where.apiUrl !== undefined ? { baseUrl: where.apiUrl } : {}, { env: where.env, pacingMs: undefined, retryAfterBaseMs: undefined });
            const issue = await (await backend.client({ kind: "normal" })).get(where.repo, result.reference);
            if (issue === undefined) throw new Error(`issue #${result.number} is gone`);
            await (await backend.monitorIssues!({ kind: "normal" })).edit(where.repo, result.number, { body: withUploadLink(issue.body, target, link) });
          } catch (error) {
            io.stderr(`bugbeacon: could not add the recording's link to the issue (${error instanceof Error ? error.message : String(error)})${"url" in link ? `; it is ${link.url}` : ""}.\n`);
          }
        };
  return { exitCode: recording.exitCode, section, upload };
}

function appFacts(repo: string, version: string | undefined): { name?: string; version?: string } {
  if (version === undefined) return {};
  if (!/^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/.test(version)) throw new CliUsageError("--app-version", `--app-version must be a version like 2.4.1 (letters, digits, . + _ -, at most 64), not ${JSON.stringify(version)}.`);
  return { name: repo.slice(repo.indexOf("/") + 1), version };
}

type BackendFlag = string;

/** `--backend`: one of the backends getHelper knows (the registry's records). */
export function backendFlag(value: string | undefined): BackendFlag {
  if (value === undefined) return "github";
  const known = backendNames();
  if (!known.includes(value)) throw new CliUsageError("--backend", `--backend must be one of ${known.join(", ")}, not ${JSON.stringify(value)}.`);
  return value;
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


/** `--token-env NAME`: the token comes from that variable instead of the default ones. */
export function tokenEnv(env: NodeJS.ProcessEnv, name: string | undefined, backend: BackendFlag): NodeJS.ProcessEnv {
  if (name === undefined) return env;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) throw new CliUsageError("--token-env", `--token-env must be an environment variable name like MY_GITHUB_TOKEN, not ${JSON.stringify(name)}.`);
  const value = env[name];
  if (value === undefined || value.trim() === "") throw new CliUsageError("--token-env", `--token-env names $${name}, which is empty or unset: set it to the token, or name another variable.`);
  // The backend record names its token variables: the first gets the value, the others are cleared.
  const variables = findBackend(backend)?.credentials.env ?? [];
  const rest = Object.fromEntries(Object.entries(env).filter(([key]) => !variables.includes(key)));
  return { ...rest, [variables[0] ?? "BUGBEACON_GITHUB_TOKEN"]: value };
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
    case "pending":
      return `sent; ${result.reason}`;
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
