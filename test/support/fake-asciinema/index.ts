/**
 * A fake asciinema server on 127.0.0.1 for the upload of recordings, behaving as asciinema-server does
 * (github.com/asciinema/asciinema-server, read at commit 0915036e):
 *
 * - Routes (lib/asciinema_web/router.ex): `POST /api/v1/recordings` (CLI 3.x) and `POST /api/asciicasts`
 *   ("used by CLI 2.x"), both to Api.RecordingController.create, in the `:api` pipeline that accepts JSON
 *   only (`plug :accepts, ~w(json)`: another Accept is 406 Not Acceptable, Phoenix.NotAcceptableError).
 * - Auth (controllers/api/recording_controller.ex assign_install_id, controllers/api/auth_error.ex): HTTP
 *   basic auth `{username, install_id}`; none is 401 `{type: "unauthenticated", message: "Missing installation
 *   ID"}`. The install id must match `@uuid4 ~r/\A[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}\z/`
 *   (lib/asciinema/accounts.ex valid_install_id?), else 401 "Invalid installation ID". An unknown valid id
 *   creates a temporary user (get_or_create_upload_cli, upload_auth_required false by default).
 * - The file comes in the multipart field `file` or `asciicast` (the two create/2 clauses); anything else
 *   matches no clause (Phoenix.ActionClauseError, 400).
 * - asciicast v2 (lib/asciinema/asciicast/v2.ex): the first line is a JSON object with `"version": 2`
 *   (another version: 422 "asciicast vN is not supported"; not JSON: 422 "This doesn't look like a valid
 *   asciicast file"); every other non-empty line is a JSON array `[time >= 0, code string, data string]`
 *   (else invalid format); no event at all is 422 "This recording has no events" (Api.RecordingJSON.error).
 * - Success (create/2 and Api.RecordingJSON.show): 201, `location: <base>/a/<id>`, JSON
 *   `{ id, url, file_url, audio_url, title, description, visibility, message }`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

const UUID4 = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;

export interface Upload {
  path: string;
  username: string;
  installId: string;
  field: string;
  filename: string;
  userAgent: string | undefined;
  cast: string;
  header: Record<string, unknown>;
  events: Array<[number, string, string]>;
}

export interface FakeAsciinema {
  url: string;
  uploads: Upload[];
  /** Every request's method, path and status. */
  requests: Array<{ method: string; path: string; status: number }>;
  close(): Promise<void>;
}

function parseCast(text: string): { header: Record<string, unknown>; events: Array<[number, string, string]> } | { error: string } {
  const lines = text.split("\n");
  let header: unknown;
  try {
    header = JSON.parse(lines[0] ?? "");
  } catch {
    return { error: "This doesn't look like a valid asciicast file" };
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) return { error: "This doesn't look like a valid asciicast file" };
  const version = (header as { version?: unknown }).version;
  if (version !== 2) return { error: `asciicast v${String(version)} is not supported` };
  const events: Array<[number, string, string]> = [];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return { error: "This doesn't look like a valid asciicast file" };
    }
    if (!Array.isArray(event) || event.length !== 3 || typeof event[0] !== "number" || event[0] < 0 || typeof event[1] !== "string" || typeof event[2] !== "string") {
      return { error: "This doesn't look like a valid asciicast file" };
    }
    events.push(event as [number, string, string]);
  }
  if (events.length === 0) return { error: "This recording has no events" };
  return { header: header as Record<string, unknown>, events };
}

export async function startFakeAsciinema(): Promise<FakeAsciinema> {
  const uploads: Upload[] = [];
  const requests: FakeAsciinema["requests"] = [];
  let base = "";
  let nextId = 1;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          requests.push({ method: req.method ?? "", path, status });
          res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
          res.end(JSON.stringify(body));
        };
        if (req.method !== "POST" || (path !== "/api/v1/recordings" && path !== "/api/asciicasts")) return send(404, { errors: { detail: "Not Found" } });
        const accept = req.headers.accept ?? "*/*";
        if (!/application\/json|\*\/\*|application\/\*/.test(accept)) return send(406, { errors: { detail: "Not Acceptable" } });
        const auth = /^Basic (.+)$/i.exec(req.headers.authorization ?? "");
        const decoded = auth ? Buffer.from(auth[1] ?? "", "base64").toString("utf8") : undefined;
        const colon = decoded?.indexOf(":") ?? -1;
        if (decoded === undefined || colon < 0) return send(401, { type: "unauthenticated", message: "Missing installation ID" });
        const username = decoded.slice(0, colon);
        const installId = decoded.slice(colon + 1);
        if (!UUID4.test(installId)) return send(401, { type: "unauthenticated", message: "Invalid installation ID" });
        // Parse the multipart body with the platform's own parser (undici's Request.formData).
        let form: FormData;
        try {
          form = await new Request(`http://127.0.0.1${path}`, { method: "POST", headers: { "content-type": req.headers["content-type"] ?? "" }, body: Buffer.concat(chunks) }).formData();
        } catch {
          return send(400, { errors: { detail: "Bad Request" } });
        }
        const field = form.has("asciicast") ? "asciicast" : form.has("file") ? "file" : undefined;
        const file = field !== undefined ? form.get(field) : null;
        if (field === undefined || file === null || typeof file === "string") return send(400, { errors: { detail: "Bad Request" } });
        const cast = await file.text();
        const parsed = parseCast(cast);
        if ("error" in parsed) return send(422, { type: "validation_failed", message: parsed.error });
        const id = nextId++;
        const url = `${base}/a/${id}`;
        uploads.push({ path, username, installId, field, filename: file.name, userAgent: req.headers["user-agent"], cast, header: parsed.header, events: parsed.events });
        return send(
          201,
          { id, url, file_url: `${url}.cast`, audio_url: null, title: null, description: null, visibility: "unlisted", message: `View the recording at:\n\n    ${url}\n` },
          { location: url },
        );
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    uploads,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
