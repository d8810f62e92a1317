// The HTTP server: ties together the spec matcher/validator, auth, rate limits,
// faults, the creation limiter and the route handlers, and records everything
// a test may want to assert on.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { matchOperation, validateRequest, validateResponse, type OperationMatch } from "./openapi-validator.js";
import { FaultController, SlidingWindow, type ActiveFault, type FaultSpec } from "./faults.js";
import { FakeState, githubTime, type StoredIssue, type StoredUser } from "./state.js";
import {
  CREATION_ROUTES,
  DOCS,
  newInstallationToken,
  notFound,
  routes,
  validationFailed,
  type RateLimitInfo,
  type RouteResult,
} from "./routes.js";

export interface FakeGitHubOptions {
  /** Repositories that exist, as "owner/name". Others answer 404. */
  repos?: string[];
  /**
   * Accepted tokens. When given (non-empty), every request needs one of them
   * (or an installation token the fake issued); otherwise 401. A plain string
   * acts as user `fake-user`.
   */
  tokens?: Array<string | { token: string; login: string }>;
  /** GitHub App installations that can mint tokens via POST /app/installations/{id}/access_tokens. */
  appInstallations?: Array<{ id: number; account?: string }>;
  /** If set, app JWTs must carry this `iss`. */
  appId?: number | string;
  /** Seed for the fault PRNG. Default 1. */
  seed?: number;
  /** Content-creation limit (issues + comments), sliding windows. Off by default. */
  creationLimit?: { perSecond?: number; perMinute?: number; perHour?: number };
  /** Search API limit per token. Default 30/minute answered with 403; `false` turns it off. */
  searchRateLimit?: { perMinute?: number; status?: 403 | 429 } | false;
  /** Primary (core) limit per token per hour. Default 5000. */
  coreRateLimit?: number;
  /** New issues only show up in search after this many ms (GitHub's index lag). Default 0. */
  searchLagMs?: number;
}

export interface ContractViolation {
  method: string;
  path: string;
  problem: string;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** Status sent; 0 if the socket was destroyed without an answer. */
  status: number;
  token: string | null;
  /** Spec path template, or null if the path is not in the spec. */
  route: string | null;
  /** Kind of injected fault, if any. */
  fault: string | null;
  at: number;
}

export interface FakeStats {
  requests: number;
  creationsAccepted: number;
  creationsRejected: number;
  faultsInjected: number;
  rateLimited: number;
  /** GETs answered 304 Not Modified (If-None-Match matched the ETag). */
  notModified: number;
}

export interface FaultsApi {
  add(spec: FaultSpec): ActiveFault & { remove(): void };
  remove(id: number): void;
  clear(): void;
  list(): readonly ActiveFault[];
}

export interface SeedIssueInput {
  title: string;
  body?: string | null;
  labels?: string[];
  assignees?: string[];
  state?: "open" | "closed";
  stateReason?: StoredIssue["stateReason"];
  comments?: string[];
  user?: string;
  /** Creation time (ms since epoch). Default now. */
  createdAt?: number;
}

export interface FakeGitHub {
  readonly url: string;
  readonly requests: RequestRecord[];
  readonly contractViolations: ContractViolation[];
  readonly stats: FakeStats;
  readonly faults: FaultsApi;
  /** Snapshot (deep copy) of a repo's issues, each with its comments. */
  issues(repo: string): StoredIssue[];
  seedIssue(repo: string, input: SeedIssueInput): StoredIssue;
  /** Deletes (or transfers away) an issue, as a maintainer can: gone from the API, its number not reused. */
  deleteIssue(repo: string, number: number): void;
  /** Back to the initial state: no issues/labels, empty logs, no faults, fresh limits. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_LOGIN = "fake-user";
const SECONDARY_MESSAGE =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. " +
  "If you reach out to GitHub Support for help, please include the request ID";
const SECONDARY_DOCS =
  "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
const PRIMARY_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";

interface CoreCounter {
  used: number;
  reset: number;
}

function parseToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
  return m?.[1] ?? null;
}

function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[0]?.startsWith("eyJ")) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function requestId(): string {
  const hex = (n: number): string => randomBytes(n).toString("hex").toUpperCase();
  return `${hex(2)}:${hex(2)}:${hex(3)}:${hex(3)}:${hex(4)}`;
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const state = new FakeState(options.repos ?? []);
  const faults = new FaultController(options.seed ?? 1);
  const requests: RequestRecord[] = [];
  const contractViolations: ContractViolation[] = [];
  const stats: FakeStats = { requests: 0, creationsAccepted: 0, creationsRejected: 0, faultsInjected: 0, rateLimited: 0, notModified: 0 };

  const configuredTokens = new Map<string, string>();
  for (const t of options.tokens ?? []) {
    if (typeof t === "string") configuredTokens.set(t, DEFAULT_LOGIN);
    else configuredTokens.set(t.token, t.login);
  }
  const installationTokens = new Map<string, { installationId: number; expiresAt: number }>();
  const installations = new Map((options.appInstallations ?? []).map((i) => [i.id, { id: i.id, account: i.account ?? "fake-org" }]));

  const creationWindows: SlidingWindow[] = [];
  const cl = options.creationLimit;
  if (cl?.perSecond) creationWindows.push(new SlidingWindow(cl.perSecond, 1000));
  if (cl?.perMinute) creationWindows.push(new SlidingWindow(cl.perMinute, 60_000));
  if (cl?.perHour) creationWindows.push(new SlidingWindow(cl.perHour, 3_600_000));

  const searchLimit = options.searchRateLimit === false ? undefined : { perMinute: 30, status: 403 as 403 | 429, ...options.searchRateLimit };
  const searchWindows = new Map<string, SlidingWindow>();
  const coreLimit = options.coreRateLimit ?? 5000;
  const coreCounters = new Map<string, CoreCounter>();

  const sockets = new Set<Socket>();
  const pendingTimers = new Map<NodeJS.Timeout, () => void>();
  let closing = false;
  let url = "";

  const violation = (method: string, path: string, problem: string): void => {
    contractViolations.push({ method, path, problem });
  };

  const coreCounter = (key: string, now: number): CoreCounter => {
    let c = coreCounters.get(key);
    if (!c || c.reset * 1000 <= now) {
      c = { used: 0, reset: Math.floor(now / 1000) + 3600 };
      coreCounters.set(key, c);
    }
    return c;
  };

  const searchWindow = (key: string): SlidingWindow | undefined => {
    if (!searchLimit) return undefined;
    let w = searchWindows.get(key);
    if (!w) {
      w = new SlidingWindow(searchLimit.perMinute, 60_000);
      searchWindows.set(key, w);
    }
    return w;
  };

  const rateInfo = (key: string, now: number): { core: RateLimitInfo; search: RateLimitInfo } => {
    const c = coreCounter(key, now);
    const w = searchWindow(key);
    const searchUsed = w?.count(now) ?? 0;
    const searchMax = searchLimit?.perMinute ?? 30;
    return {
      core: { limit: coreLimit, remaining: Math.max(0, coreLimit - c.used), reset: c.reset, used: c.used },
      search: {
        limit: searchMax,
        remaining: Math.max(0, searchMax - searchUsed),
        reset: Math.floor(now / 1000) + 60,
        used: searchUsed,
      },
    };
  };

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        resolve();
      }, ms);
      pendingTimers.set(timer, resolve);
    });

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
    if (res.destroyed || res.headersSent) return;
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(Buffer.byteLength(text)),
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
      ...headers,
    });
    res.end(text);
  }

  function resetSocket(req: IncomingMessage): void {
    const socket = req.socket;
    // RST rather than FIN, so the client sees ECONNRESET.
    if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
    else socket.destroy();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const now = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const parsed = new URL(req.url ?? "/", "http://fake.invalid");
    const path = parsed.pathname;
    const query: Record<string, string> = {};
    for (const [k, v] of parsed.searchParams) query[k] = v;
    const rawBody = await readBody(req);

    if (path.startsWith("/__fake/")) return control(method, path, rawBody, res);

    const token = parseToken(req.headers.authorization);
    const reqId = requestId();
    const record: RequestRecord = { method, path, query, body: undefined, status: 0, token, route: null, fault: null, at: now };
    requests.push(record);
    stats.requests++;

    let body: unknown;
    let bodyProblem: string | undefined;
    if (rawBody.trim().length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        bodyProblem = "Problems parsing JSON";
      }
    }
    record.body = body ?? (bodyProblem ? rawBody : undefined);

    const rateKey = token ?? `anon:${req.socket.remoteAddress ?? ""}`;
    const isSearch = path.startsWith("/search/");
    const baseHeaders = (): Record<string, string> => {
      const info = rateInfo(rateKey, Date.now())[isSearch ? "search" : "core"];
      return {
        "x-github-request-id": reqId,
        "x-ratelimit-limit": String(info.limit),
        "x-ratelimit-remaining": String(info.remaining),
        "x-ratelimit-reset": String(info.reset),
        "x-ratelimit-used": String(info.used),
        "x-ratelimit-resource": isSearch ? "search" : "core",
      };
    };

    // eslint-disable-next-line prefer-const -- assigned below, after reply() (which reads it) is defined
    let match: OperationMatch | undefined;
    const reply = (result: RouteResult, opts: { validate?: boolean } = {}): void => {
      if (match && opts.validate !== false) {
        for (const p of validateResponse(match, result.status, result.body))
          violation(method, path, `response: ${result.status} ${p.where} ${p.message}`);
      }
      record.status = result.status;
      send(res, result.status, result.body, { ...baseHeaders(), ...result.headers });
    };

    // 1. Route lookup in the spec.
    const found = matchOperation(method, path);
    if (found.kind !== "found") {
      violation(method, path, found.kind === "no-path" ? "path is not in the OpenAPI description" : `method ${method} not allowed for ${found.template}`);
      return reply(notFound());
    }
    match = found.match;
    record.route = match.template;
    const routeKey = `${method} ${match.template}`;

    // 2. Authentication.
    let user: StoredUser;
    // As the app (a JWT): the /app/ routes and the repository's installation (GitHub's REST docs, "Get a
    // repository installation for the authenticated app": "You must use a JWT to access this endpoint").
    if (match.template.startsWith("/app/") || match.template === "/repos/{owner}/{repo}/installation") {
      const payload = token ? decodeJwtPayload(token) : undefined;
      const exp = typeof payload?.exp === "number" ? payload.exp : 0;
      const issOk = options.appId === undefined || String(payload?.iss) === String(options.appId);
      if (!payload || exp * 1000 < now || !issOk) {
        return reply({ status: 401, body: { message: "A JSON web token could not be decoded", documentation_url: DOCS, status: "401" } });
      }
      user = state.user("bugbeacon[bot]", "Bot");
    } else {
      const inst = token ? installationTokens.get(token) : undefined;
      if (inst && inst.expiresAt > now) user = state.user("bugbeacon[bot]", "Bot");
      // A GitHub App's bot account is "<app-slug>[bot]", of type "Bot" (GitHub's REST docs, the `user`
      // object's `type`: "User", "Bot" or "Organization"): a configured login like that is another App.
      else if (token && configuredTokens.has(token)) {
        const login = configuredTokens.get(token) ?? DEFAULT_LOGIN;
        user = state.user(login, login.endsWith("[bot]") ? "Bot" : "User");
      }
      else if (configuredTokens.size > 0 || installations.size > 0) {
        return reply({ status: 401, body: { message: "Bad credentials", documentation_url: DOCS, status: "401" } });
      } else user = state.user(DEFAULT_LOGIN);
    }

    // 3. Primary and search rate limits (count every authenticated request).
    const counter = coreCounter(rateKey, now);
    if (!isSearch && match.template !== "/rate_limit") {
      if (counter.used >= coreLimit) {
        stats.rateLimited++;
        return reply({
          status: 403,
          body: { message: `API rate limit exceeded for user ID ${user.id}.`, documentation_url: PRIMARY_DOCS, status: "403" },
        });
      }
      counter.used++;
    }
    if (isSearch && searchLimit) {
      const w = searchWindow(rateKey);
      if (w && w.waitMs(now) > 0) {
        stats.rateLimited++;
        return reply({
          status: searchLimit.status,
          body: { message: `API rate limit exceeded for user ID ${user.id}.`, documentation_url: PRIMARY_DOCS, status: String(searchLimit.status) },
        }, { validate: false });
      }
      w?.record(now);
    }

    // 4. Contract check of the request.
    if (bodyProblem) {
      violation(method, path, `body: ${bodyProblem}`);
      return reply({ status: 400, body: { message: bodyProblem, documentation_url: DOCS, status: "400" } });
    }
    const problems = validateRequest(match, { query, body });
    if (problems.length > 0) {
      violation(method, path, problems.map((p) => `${p.where} ${p.message}`).join("; "));
      const resource = (match.operationId.split("/")[0] ?? "").replace(/s$/, "");
      return reply(
        validationFailed(
          problems.map((p) => ({
            resource: resource.charAt(0).toUpperCase() + resource.slice(1),
            field: p.where.split("/").slice(1).join("/") || p.where,
            code: p.code,
            message: `${p.where} ${p.message}`,
          })),
        ),
      );
    }

    const handler = routes[routeKey];
    if (!handler) {
      violation(method, path, `endpoint ${routeKey} exists in the spec but the fake does not implement it`);
      return reply({ status: 501, body: { message: `Not implemented by the fake: ${routeKey}`, documentation_url: DOCS } }, { validate: false });
    }

    // 5. Faults.
    const fault = faults.pick(method, match.template, path);
    if (fault) {
      stats.faultsInjected++;
      const spec = fault.spec;
      record.fault = spec.kind ?? "status";
      switch (spec.kind) {
        case undefined:
        case "status":
          return reply({ status: spec.status, body: { message: spec.status === 503 ? "Service Unavailable" : "Server Error", documentation_url: DOCS } }, { validate: false });
        case "reset":
          resetSocket(req);
          return;
        case "rate-limit": {
          const status = spec.status ?? 403;
          const retryAfter = spec.retryAfterSeconds ?? 60;
          stats.rateLimited++;
          if (spec.primary) {
            record.status = status;
            return send(res, status, {
              message: `API rate limit exceeded for user ID ${user.id}. If you reach out to GitHub Support for help, please include the request ID ${reqId} and timestamp ${githubTime(now)}.`,
              documentation_url: PRIMARY_DOCS,
              status: String(status),
            }, { ...baseHeaders(), "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.ceil(now / 1000) + retryAfter) });
          }
          return reply({
            status,
            body: { message: `${SECONDARY_MESSAGE} ${reqId}.`, documentation_url: SECONDARY_DOCS, status: String(status) },
            headers: { "retry-after": String(retryAfter) },
          }, { validate: false });
        }
        case "slow":
          await delay(spec.delayMs);
          if (closing) return;
          break;
        case "lost-response":
          break; // handled after the write
      }
    }

    // 6. Content-creation limiter (secondary rate limit).
    const creates = CREATION_ROUTES.has(routeKey);
    if (creates && creationWindows.length > 0) {
      const t = Date.now();
      const waitMs = Math.max(...creationWindows.map((w) => w.waitMs(t)));
      if (waitMs > 0) {
        stats.creationsRejected++;
        stats.rateLimited++;
        return reply({
          status: 403,
          body: { message: `${SECONDARY_MESSAGE} ${reqId}.`, documentation_url: SECONDARY_DOCS, status: "403" },
          headers: { "retry-after": String(Math.max(1, Math.ceil(waitMs / 1000))) },
        });
      }
      for (const w of creationWindows) w.record(t);
    }

    // 7. The write/read itself.
    const apiBase = url;
    const result = handler({
      state,
      apiBase,
      pathname: path,
      params: match.pathParams,
      query,
      body,
      user,
      now: Date.now(),
      searchLagMs: options.searchLagMs ?? 0,
      issueInstallationToken: (id) => {
        if (!installations.has(id)) return undefined;
        const token = newInstallationToken();
        const expiresAt = Date.now() + 3_600_000;
        installationTokens.set(token, { installationId: id, expiresAt });
        return { token, expiresAt: githubTime(expiresAt) };
      },
      installation: (id) => installations.get(id),
      installationOf: (account) => [...installations.values()].find((i) => i.account.toLowerCase() === account.toLowerCase()),
      rateLimits: () => rateInfo(rateKey, Date.now()),
    });
    if (creates && result.status === 201) stats.creationsAccepted++;

    if (fault?.spec.kind === "lost-response") {
      if (fault.spec.respond === "reset") {
        resetSocket(req);
        return;
      }
      return reply({ status: 502, body: { message: "Server Error", documentation_url: DOCS } }, { validate: false });
    }
    // Conditional requests, as GitHub answers them: a GET carries an ETag of what it returns; asked again with
    // If-None-Match and nothing changed, the answer is 304 with no body, and it does not count against the
    // rate limit.
    if (method === "GET" && result.status === 200 && result.body !== undefined) {
      const etag = `W/"${createHash("sha256").update(JSON.stringify(result.body)).digest("hex").slice(0, 40)}"`;
      result.headers = { ...result.headers, etag };
      const ifNoneMatch = req.headers["if-none-match"];
      if (typeof ifNoneMatch === "string" && ifNoneMatch.split(",").map((t) => t.trim()).includes(etag)) {
        if (!isSearch && match.template !== "/rate_limit") counter.used = Math.max(0, counter.used - 1);
        stats.notModified++;
        return reply({ status: 304, headers: result.headers }, { validate: false });
      }
    }
    reply(result);
  }

  function control(method: string, path: string, rawBody: string, res: ServerResponse): void {
    const json = (status: number, body: unknown): void => send(res, status, body, {});
    let body: Record<string, unknown>;
    try {
      body = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {};
    } catch {
      return json(400, { message: "Problems parsing JSON" });
    }
    if (method === "GET" && path === "/__fake/state") {
      const issues: Record<string, StoredIssue[]> = {};
      for (const repo of state.repos.values()) issues[repo.fullName] = structuredClone(repo.issues);
      return json(200, {
        issues,
        stats,
        contractViolations,
        faults: faults.list().map((f) => ({ id: f.id, spec: f.spec, hits: f.hits })),
        requests: requests.length,
      });
    }
    if (method === "GET" && path === "/__fake/requests") return json(200, requests);
    if (method === "POST" && path === "/__fake/faults") {
      if (body.clear === true) faults.clear();
      const add = body.add === undefined ? [] : Array.isArray(body.add) ? body.add : [body.add];
      const added = (add as FaultSpec[]).map((spec) => faults.add(spec).id);
      return json(200, { added, faults: faults.list().map((f) => ({ id: f.id, spec: f.spec, hits: f.hits })) });
    }
    if (method === "POST" && path === "/__fake/reset") {
      api.reset();
      return json(200, { ok: true });
    }
    if (method === "POST" && path === "/__fake/seed") {
      const repo = String(body.repo);
      const issue = api.seedIssue(repo, body.issue as SeedIssueInput);
      return json(201, issue);
    }
    return json(404, { message: "Unknown control endpoint" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      violation(req.method ?? "?", req.url ?? "?", `fake crashed: ${error instanceof Error ? error.stack : String(error)}`);
      send(res, 500, { message: "Fake GitHub crashed", error: String(error) }, {});
    });
  });
  server.keepAliveTimeout = 5000;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // A destroyed client socket must not crash the test process.
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("fake GitHub: no address");
  url = `http://127.0.0.1:${address.port}`;

  const requireRepo = (repo: string) => {
    const [owner = "", name = ""] = repo.split("/");
    const r = state.repo(owner, name);
    if (!r) throw new Error(`fake GitHub: unknown repo ${repo}; configured: ${[...state.repos.values()].map((x) => x.fullName).join(", ")}`);
    return r;
  };

  let closePromise: Promise<void> | undefined;
  const api: FakeGitHub = {
    url,
    requests,
    contractViolations,
    stats,
    faults: {
      add: (spec) => faults.add(spec),
      remove: (id) => faults.remove(id),
      clear: () => faults.clear(),
      list: () => faults.list(),
    },
    issues: (repo) => structuredClone(requireRepo(repo).issues),
    seedIssue: (repo, input) => {
      const r = requireRepo(repo);
      const user = state.user(input.user ?? DEFAULT_LOGIN);
      const issue = state.createIssue(r, {
        title: input.title,
        body: input.body ?? null,
        labels: input.labels ?? [],
        assignees: input.assignees ?? [],
        state: input.state ?? "open",
        stateReason: input.stateReason ?? null,
        user,
        now: input.createdAt ?? Date.now(),
      });
      for (const text of input.comments ?? []) {
        const t = githubTime(input.createdAt ?? Date.now());
        issue.comments.push({ id: state.id(), body: text, user, createdAt: t, updatedAt: t });
      }
      return structuredClone(issue);
    },
    deleteIssue: (repo, number) => {
      const issue = state.issue(requireRepo(repo), number);
      if (issue === undefined) throw new Error(`fake GitHub: no issue #${number} in ${repo}`);
      issue.deleted = true;
    },
    reset: () => {
      state.reset();
      requests.length = 0;
      contractViolations.length = 0;
      faults.clear();
      Object.assign(stats, { requests: 0, creationsAccepted: 0, creationsRejected: 0, faultsInjected: 0, rateLimited: 0, notModified: 0 });
      for (const w of creationWindows) w.clear();
      searchWindows.clear();
      coreCounters.clear();
      installationTokens.clear();
    },
    close: () => {
      closePromise ??= new Promise<void>((resolve) => {
        closing = true;
        for (const [timer, resolveDelay] of pendingTimers) {
          clearTimeout(timer);
          resolveDelay();
        }
        pendingTimers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      return closePromise;
    },
  };
  return api;
}
