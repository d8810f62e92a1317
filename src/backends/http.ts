/**
 * The fetch that requests to GitHub go through:
 * - the app's own (`fetch` option), untouched;
 * - else, when HTTPS_PROXY / HTTP_PROXY (either case) is set, undici's EnvHttpProxyAgent, which also honours
 *   NO_PROXY; undici is loaded only then;
 * - else the global fetch.
 * A background flush (`unref: true`) uses undici with sockets that do not keep the process alive, so the
 * app exits when it is done, whatever bugbeacon is still sending (the report stays in the spool).
 */
import type { Socket } from "node:net";

export interface ProxySettings {
  httpProxy: string | undefined;
  httpsProxy: string | undefined;
  noProxy: string | undefined;
}

/** Proxy variables from `env`: the lower-case name wins, as in curl. Empty values count as unset. */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const pick = (name: string) => [env[name.toLowerCase()], env[name]].find((v): v is string => typeof v === "string" && v.trim() !== "")?.trim();
  return { httpProxy: pick("HTTP_PROXY"), httpsProxy: pick("HTTPS_PROXY"), noProxy: pick("NO_PROXY") };
}

export async function resolveFetch(env: NodeJS.ProcessEnv, own: typeof fetch | undefined, options: { unref?: boolean } = {}): Promise<typeof fetch> {
  if (own !== undefined) return own;
  const proxy = proxySettings(env);
  const proxied = proxy.httpProxy !== undefined || proxy.httpsProxy !== undefined;
  if (!proxied && options.unref !== true) return globalThis.fetch;
  const undici = await import("undici");
  const connect = options.unref === true ? unrefConnector(undici.buildConnector({})) : undefined;
  let dispatcher: import("undici").Dispatcher;
  if (proxied) {
    const agentOptions = {
      ...(proxy.httpProxy !== undefined ? { httpProxy: proxy.httpProxy } : {}),
      ...(proxy.httpsProxy !== undefined ? { httpsProxy: proxy.httpsProxy } : {}),
      // An explicit empty NO_PROXY keeps undici from reading process.env when the helper was given `env`.
      noProxy: proxy.noProxy ?? "",
      ...(connect !== undefined
        ? {
            connect,
            clientFactory: (origin: URL, opts: { connect?: unknown }) =>
              new undici.Pool(origin, { ...opts, connect: unrefConnector(opts.connect as import("undici").buildConnector.connector) }),
          }
        : {}),
    };
    dispatcher = withoutExperimentalWarning(() => new undici.EnvHttpProxyAgent(agentOptions as ConstructorParameters<typeof undici.EnvHttpProxyAgent>[0]));
  } else {
    dispatcher = new undici.Agent({ connect: connect! });
  }
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undici.fetch(input as never, { ...(init as object), dispatcher } as never)) as unknown as typeof fetch;
}

/** A connector whose sockets do not hold the event loop open. */
function unrefConnector(connect: import("undici").buildConnector.connector): import("undici").buildConnector.connector {
  return ((opts: unknown, callback: (error: Error | null, socket: Socket | null) => void) =>
    (connect as unknown as (o: unknown, cb: typeof callback) => void)(opts, (error, socket) => {
      socket?.unref();
      callback(error, socket);
    })) as unknown as import("undici").buildConnector.connector;
}

/** undici 6 marks EnvHttpProxyAgent experimental with a process warning; the app should not see it. */
function withoutExperimentalWarning<T>(make: () => T): T {
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = typeof rest[0] === "object" && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
    if (code === "UNDICI-EHPA") return;
    (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return make();
  } finally {
    process.emitWarning = original;
  }
}
