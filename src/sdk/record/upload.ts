/**
 * Uploads an asciicast to an asciinema server (asciinema.org or a self-hosted one), as the asciinema CLI 3.x
 * does (asciinema/asciinema src/api.rs, create_recording): `POST <server>/api/v1/recordings`, multipart with
 * the file in the field `file`, HTTP basic auth with the user name ($USER) and the install id as the password,
 * `Accept: application/json`. The server (asciinema/asciinema-server, Api.RecordingController) answers 201 with
 * JSON whose `url` is the recording's page; errors carry a `message`.
 *
 * The install id is asciinema's own (src/config.rs, get_install_id): `$ASCIINEMA_STATE_HOME/install-id`,
 * `$XDG_STATE_HOME/asciinema/install-id` or `~/.local/state/asciinema/install-id`, then the legacy
 * `$ASCIINEMA_CONFIG_HOME`, `$XDG_CONFIG_HOME/asciinema` or `~/.config/asciinema`; when there is none, a new
 * UUID v4 is saved where asciinema would save it, so `asciinema auth` can later tie the uploads to an account.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BugbeaconError } from "../../errors.js";
import { VERSION } from "../../version.js";
import { deadlineSignal } from "../../backends/deadline.js";

export const DEFAULT_ASCIINEMA_SERVER = "https://asciinema.org";

export class UploadError extends BugbeaconError {
  override name = "UploadError";
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, { cause: options?.cause });
  }
}

function homes(env: NodeJS.ProcessEnv): { state: string | undefined; config: string | undefined } {
  const home = env.HOME;
  const state = env.ASCIINEMA_STATE_HOME ?? (env.XDG_STATE_HOME !== undefined ? join(env.XDG_STATE_HOME, "asciinema") : home !== undefined ? join(home, ".local", "state", "asciinema") : undefined);
  const config = env.ASCIINEMA_CONFIG_HOME ?? (env.XDG_CONFIG_HOME !== undefined ? join(env.XDG_CONFIG_HOME, "asciinema") : home !== undefined ? join(home, ".config", "asciinema") : undefined);
  return { state, config };
}

function read(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    const id = readFileSync(path, "utf8").trim();
    return id === "" ? undefined : id;
  } catch {
    return undefined;
  }
}

/** asciinema's install id: the saved one, else a new one saved where asciinema keeps it. */
export function installId(env: NodeJS.ProcessEnv): string {
  const { state, config } = homes(env);
  const saved = read(state && join(state, "install-id")) ?? read(config && join(config, "install-id"));
  if (saved !== undefined) return saved;
  const id = randomUUID();
  if (state !== undefined) {
    try {
      mkdirSync(dirname(join(state, "install-id")), { recursive: true });
      writeFileSync(join(state, "install-id"), id, { mode: 0o600 });
    } catch {
      // Not saved: this upload still works, unlinked from any later `asciinema auth`.
    }
  }
  return id;
}

/** The server's root from `--upload <server>`, $ASCIINEMA_SERVER_URL, or asciinema.org. */
export function serverUrl(given: string | undefined, env: NodeJS.ProcessEnv): string {
  return (given ?? env.ASCIINEMA_SERVER_URL ?? DEFAULT_ASCIINEMA_SERVER).replace(/\/+$/, "");
}

/** Uploads the cast; resolves the recording's page. */
export async function uploadAsciicast(server: string, cast: string, options: { env: NodeJS.ProcessEnv; fetch?: typeof fetch; timeoutMs?: number }): Promise<string> {
  const id = installId(options.env);
  const form = new FormData();
  form.append("file", new Blob([cast], { type: "application/x-asciicast" }), "bugbeacon.cast");
  const user = options.env.USER ?? "";
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(`${server}/api/v1/recordings`, {
      method: "POST",
      body: form,
      headers: {
        authorization: `Basic ${Buffer.from(`${user}:${id}`, "utf8").toString("base64")}`,
        accept: "application/json",
        "user-agent": `bugbeacon/${VERSION}`,
      },
      signal: deadlineSignal(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new UploadError(`no answer from ${server} (${error instanceof Error ? error.message : String(error)})`, undefined, { cause: error });
  }
  let body: { url?: unknown; message?: unknown } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not JSON: the status says it.
  }
  if (response.status === 413) throw new UploadError(typeof body.message === "string" ? body.message : "the recording exceeds the server's size limit", 413);
  if (!response.ok) throw new UploadError(`${server} answered ${response.status}${typeof body.message === "string" ? `: ${body.message.slice(0, 200)}` : ""}`, response.status);
  if (typeof body.url !== "string" || !/^https?:\/\//.test(body.url)) throw new UploadError(`${server} answered ${response.status} without the recording's URL`, response.status);
  return body.url;
}
