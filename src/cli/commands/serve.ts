import { createHmac } from "node:crypto";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { CliUsageError } from "../../errors.js";
import { resolvePacing, resolveRetryBase } from "../../backends/github/options.js";
import { appClients } from "../../support/serve/app-clients.js";
import { appConfigFromEnv, dbRemoteFor, dbRemoteTemplate, webRootOf } from "../../support/serve/config.js";
import { issueLocks } from "../../support/serve/issue-lock.js";
import { claimStateDir } from "../../support/serve/state-claim.js";
import { createWebhookServer } from "../../support/serve/server.js";
import { relayPacingFromEnv, takeRelayRepos } from "../../support/relay/config.js";
import { createRelayRoom } from "../../support/relay/room.js";
import { machineShare } from "../../support/relay/share.js";
import { httpUrl, parseFlags, wholeNumber } from "../args.js";
import { EXIT, type CliCommand } from "../io.js";

const usage = `Runs the triage as a GitHub App: one service for many repositories, the same decisions as the
Actions workflow. Several processes may serve behind one address (they share only GitHub and the database).

Usage: bugbeacon serve [flags]

Endpoints: POST /webhook/github (the app's webhook URL), GET /healthz, GET /readyz, and with
--relay-repo POST /v1/reports (reports from apps without a token; see docs/relay.md).

Flags:
  --port <n>            Port to listen on, 0 for any free one (default: $PORT, else 3000)
  --host <address>      Address to listen on (default: $HOST, else 0.0.0.0)
  --api-url <url>       GitHub REST API root (default: $GITHUB_API_URL, else https://api.github.com)
  --db-remote <url>     Where each repository's database is: a git URL or a bare repository's path, with
                        {owner} and {repo} filled in per repository (default: $BUGBEACON_DB_REMOTE, else
                        the repository the issue is in, as the Actions workflow keeps it)
  --concurrency <n>     Triages at once in this process (default 4)
  --answer-within <ms>  How long a delivery's answer waits for its triage before it is answered 202
                        "queued" and triaged after (default 2000; GitHub gives up at 10000)
  --state-dir <dir>     Where accepted deliveries wait until triaged, so a restart finishes them; one
                        folder per process, refused while another live process uses it (default:
                        $BUGBEACON_SERVE_STATE_DIR, else ~/.local/state/bugbeacon/serve-<port>)
  --relay-repo <o/n>    File reports sent to POST /v1/reports for this repository (repeatable; the app must
                        be installed there). Without it, the relay is off.
  -h, --help            This help

Environment (required): GITHUB_APP_ID, GITHUB_PRIVATE_KEY (PEM text or the .pem file's path),
GITHUB_WEBHOOK_SECRET. Optional: $BUGBEACON_PACING_MS (least milliseconds between two comments).

Answers: a delivery is on disk before it is answered. Its answer waits for its triage up to
--answer-within; a longer one is answered 202 "queued" and finishes after the answer (retried on temporary
failures, and after a restart).

Logs: one JSON line per delivery on stdout (delivery, event, repository, decision, ms), and one "triaged"
line for each queued delivery when it is done; never a token or a body.
SIGTERM or SIGINT: stops accepting, finishes the deliveries in flight, exits 0.
`;

export const command: CliCommand = {
  usage,
  exits: [
    [0, "stopped by SIGTERM or SIGINT after finishing the deliveries in flight"],
    [2, "a bad flag, a missing or malformed variable (the message names it), a port it cannot listen on, or a state folder it cannot use (not a folder, or another live process serves from it)"],
  ],
  async run(args, io) {
    const relay = takeRelayRepos(args);
    const { values } = parseFlags(relay.rest, {
      port: { type: "string", expected: "a port number from 0 to 65535" },
      host: { type: "string", expected: "an address to listen on, e.g. 127.0.0.1" },
      "api-url": { type: "string", expected: "the GitHub REST API root, e.g. https://api.github.com" },
      "db-remote": { type: "string", expected: "a git URL or path, with {owner} and {repo}" },
      concurrency: { type: "string", expected: "a whole number from 1 to 64" },
      "state-dir": { type: "string", expected: "a folder this process may write" },
      "answer-within": { type: "string", expected: "a whole number of milliseconds from 0 to 9000" },
      "relay-repo": { type: "string", expected: "a repository as owner/name" },
    });
    const relayPacing = relayPacingFromEnv(io.env);
    const port = wholeNumber(values.port !== undefined ? "--port" : "PORT", values.port ?? (io.env.PORT || undefined), 3000, 0, 65535);
    const host = values.host ?? (io.env.HOST || "0.0.0.0");
    const concurrency = wholeNumber("--concurrency", values.concurrency, 4, 1, 64);
    const apiUrl = httpUrl(values["api-url"] !== undefined ? "--api-url" : "GITHUB_API_URL", values["api-url"] ?? (io.env.GITHUB_API_URL || "https://api.github.com"));
    const webRoot = (io.env.GITHUB_SERVER_URL || webRootOf(apiUrl)).replace(/\/+$/, "");
    const dbFlag = values["db-remote"] !== undefined ? "--db-remote" : "BUGBEACON_DB_REMOTE";
    const dbRemote = dbRemoteTemplate(dbFlag, values["db-remote"] ?? (io.env.BUGBEACON_DB_REMOTE || undefined), webRoot, io.cwd);
    const app = appConfigFromEnv(io.env, io.cwd);
    const pacingMs = resolvePacing({}, io.env);
    const retryBaseMs = resolveRetryBase({}, io.env);
    const clients = appClients({
      appId: app.appId,
      privateKey: app.privateKey,
      apiUrl,
      webRoot,
      ...(pacingMs !== undefined ? { pacingMs } : {}),
      ...(retryBaseMs !== undefined ? { retryAfterBaseMs: retryBaseMs } : {}),
    });
    const line = (entry: Record<string, unknown>) => io.stdout(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
    const stateDir = resolve(io.cwd, values["state-dir"] ?? (io.env.BUGBEACON_SERVE_STATE_DIR || join(io.env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "bugbeacon", `serve-${port}`)));
    const answerWithinMs = wholeNumber("--answer-within", values["answer-within"], 2000, 0, 9000);
    // One process per state folder; its replica id makes a restart take over what its killed run held.
    const claim = await claimStateDir(stateDir);
    try {
      const locks = issueLocks({ parent: join(stateDir, "work"), holder: claim });
      // The relay's figures in all across replicas, in the database (share.ts); tags keyed by a secret every replica has.
      const share = () =>
        machineShare({
          replica: claim.replica,
          key: createHmac("sha256", app.webhookSecret).update("bugbeacon relay machine tags").digest(),
          remoteFor: (repo) => {
            const [owner, name] = repo.split("/") as [string, string];
            return dbRemoteFor(dbRemote, owner, name);
          },
          gitConfigFor: clients.gitConfigForRepo,
          locks,
          scratchParent: join(stateDir, "work"),
        });
      const server = createWebhookServer({
        stateDir,
        answerWithinMs,
        webhookSecret: app.webhookSecret,
        dbRemote,
        concurrency,
        locks,
        octokitFor: clients.octokitFor,
        gitConfigFor: clients.gitConfigFor,
        log: (entry) => line({ msg: "delivery", ...entry }),
        note: line,
        ...(retryBaseMs !== undefined ? { pushBackoffMs: retryBaseMs } : {}),
        ...(relay.repos.length > 0
          ? {
              extraRooms: (scheduler) =>
                createRelayRoom({ repos: relay.repos, stateDir, replica: claim.replica, octokitForRepo: clients.octokitForRepo, webUrl: webRoot, note: line, log: line, answerWithinMs, slot: scheduler.slot, share: share(), ...relayPacing }),
            }
          : {}),
      });
      let address;
      try {
        address = await server.listen(port, host);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "an error";
        throw new CliUsageError("--port", `could not listen on ${host}:${port} (${code}): choose another --port or --host.`);
      }
      line({ msg: "listening", host: address.address, port: address.port, stateDir, ...(relay.repos.length > 0 ? { relay: relay.repos } : {}) });
      server.resume();
      const signal = await new Promise<NodeJS.Signals>((resolveSignal) => {
        process.once("SIGTERM", () => resolveSignal("SIGTERM"));
        process.once("SIGINT", () => resolveSignal("SIGINT"));
      });
      line({ msg: "stopping", signal, inFlight: server.inFlight });
      await server.close();
      line({ msg: "stopped" });
      return EXIT.ok;
    } finally {
      claim.release();
    }
  },
};
