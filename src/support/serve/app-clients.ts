/**
 * One Octokit per installation, authenticated as the GitHub App's installation (@octokit/auth-app mints
 * its token from the app's JWT, caches it and renews it before it expires). The same auth gives git its
 * token for pushes to the database, and only towards the GitHub server.
 */
import type { Octokit } from "@octokit/rest";
import { createOctokit } from "../../backends/github/octokit-client.js";
import { deadlineSignal } from "../../backends/deadline.js";

export interface AppClientsOptions {
  appId: string;
  privateKey: string;
  apiUrl: string;
  /** Web root of the GitHub server (git remotes under it get the installation token). */
  webRoot: string;
  pacingMs?: number;
  retryAfterBaseMs?: number;
  /** Installations remembered at once. @default 1000 */
  max?: number;
}

export function appClients(o: AppClientsOptions) {
  const clients = new Map<number, Promise<Octokit>>();
  const max = o.max ?? 1000;

  function octokitFor(installationId: number): Promise<Octokit> {
    let client = clients.get(installationId);
    if (client === undefined) {
      client = createOctokit({
        token: { appId: o.appId, privateKey: o.privateKey, installationId },
        baseUrl: o.apiUrl,
        timeoutMs: 30_000,
        ...(o.pacingMs !== undefined ? { pacingMs: o.pacingMs } : {}),
        ...(o.retryAfterBaseMs !== undefined ? { retryAfterBaseMs: o.retryAfterBaseMs } : {}),
      });
      clients.set(installationId, client);
      // A failed creation is not kept.
      client.catch(() => clients.delete(installationId));
      while (clients.size > max) clients.delete(clients.keys().next().value as number);
    }
    return client;
  }

  async function gitConfigFor(remote: string, installationId: number): Promise<string[]> {
    if (!remote.startsWith(`${o.webRoot.replace(/\/+$/, "")}/`)) return [];
    const octokit = await octokitFor(installationId);
    const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
    return [`http.extraheader=AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`];
  }

  /** The installation on `owner/name` (GET /repos/{owner}/{repo}/installation, as the app), remembered. */
  const installations = new Map<string, Promise<number>>();
  function installationFor(repo: string): Promise<number> {
    let found = installations.get(repo);
    if (found === undefined) {
      found = (async () => {
        const { createAppAuth } = await import("@octokit/auth-app");
        const { token } = await createAppAuth({ appId: o.appId, privateKey: o.privateKey })({ type: "app" });
        const res = await fetch(`${o.apiUrl.replace(/\/+$/, "")}/repos/${repo}/installation`, {
          headers: { authorization: `bearer ${token}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", "user-agent": "bugbeacon-serve" },
          signal: deadlineSignal(30_000),
        });
        if (!res.ok) throw Object.assign(new Error(`the app is not installed on ${repo} (GitHub answered ${res.status})`), { status: res.status });
        const { id } = (await res.json()) as { id: number };
        return id;
      })();
      installations.set(repo, found);
      found.catch(() => installations.delete(repo));
    }
    return found;
  }

  return {
    octokitFor,
    gitConfigFor,
    octokitForRepo: async (repo: string) => octokitFor(await installationFor(repo)),
    /** git settings for a remote, as the installation on `owner/name`. */
    gitConfigForRepo: async (remote: string, repo: string) => (remote.startsWith(`${o.webRoot.replace(/\/+$/, "")}/`) ? gitConfigFor(remote, await installationFor(repo)) : []),
  };
}
