import { InvalidOptionError } from "../../errors.js";
import { envFirst } from "../../_internal/env-flag.js";
import { resolvePacingMs, resolveRetryBaseMs, type DeliveryOptions } from "../../delivery/options.js";
import type { HelperOptions } from "../../types.js";
import { checkHttpUrl, validateLabels } from "../../_internal/validate-options.js";

export interface GitHubHelperOptions extends HelperOptions, DeliveryOptions {
  /**
   * Token that may create issues in the target repository. Never written to disk.
   * @default env BUGBEACON_GITHUB_TOKEN, else env HELPME_GITHUB_TOKEN
   */
  token?: string;
  /**
   * Also put `labels` into the prefilled URL. Off by default: GitHub answers 404 to a prefilled label the
   * reporter may not set (anyone without triage access).
   * @default false
   */
  labelsInUrl?: boolean;
  /**
   * REST API root, for GitHub Enterprise Server.
   * @default env BUGBEACON_GITHUB_API_URL, else "https://api.github.com"
   * @example "https://github.example.com/api/v3"
   */
  baseUrl?: string;
  /** Web root for prefilled URLs. @default derived from baseUrl ("https://github.com" for api.github.com) */
  webUrl?: string;
  /** `"helpme"` ends the body with helpme's line `HelpMe Github Issue: md5.<hex>` for old support repositories. @default "bugbeacon" */
  footer?: "bugbeacon" | "helpme";
  /** Assignees for created issues. */
  assignees?: string[];
  /**
   * Authenticate as a GitHub App installation instead of with a token. Installation tokens are cached and
   * renewed before they expire. @default env BUGBEACON_APP_ID, BUGBEACON_APP_PRIVATE_KEY, BUGBEACON_APP_INSTALLATION_ID
   */
  githubApp?: { appId: number | string; privateKey: string; installationId: number | string };
  /**
   * A bugbeacon relay (`bugbeacon serve --relay-repo`) that files reports for apps that cannot ship a token.
   * Used when there is no token or App: every report goes to the relay. See docs/relay.md.
   * @default env BUGBEACON_RELAY_URL
   * @example "https://reports.example.org"
   */
  relay?: string;
}

/** App credentials from the option, else the three BUGBEACON_APP_* variables (all or none). */
export function resolveAppCredentials(options: GitHubHelperOptions, env: NodeJS.ProcessEnv): GitHubHelperOptions["githubApp"] {
  if (options.githubApp !== undefined) return options.githubApp;
  const names = ["BUGBEACON_APP_ID", "BUGBEACON_APP_PRIVATE_KEY", "BUGBEACON_APP_INSTALLATION_ID"] as const;
  const values = names.map((n) => env[n]);
  if (values.every((v) => v === undefined || v === "")) return undefined;
  const missing = names.filter((_, i) => !values[i]);
  if (missing.length > 0) throw new InvalidOptionError(missing[0] ?? "BUGBEACON_APP_ID", undefined, `all three of ${names.join(", ")} for GitHub App auth`);
  return { appId: values[0] as string, privateKey: (values[1] as string).replace(/\\n/g, "\n"), installationId: values[2] as string };
}

export const DEFAULT_API_URL = "https://api.github.com";

/** Checks the GitHub-only options (the shared ones are checked by resolveDeliveryOptions). */
export function validateGitHubOptions(options: GitHubHelperOptions): void {
  for (const key of ["token", "baseUrl", "webUrl"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "string") throw new InvalidOptionError(key, v, "a string");
  }
  if (options.labelsInUrl !== undefined && typeof options.labelsInUrl !== "boolean") throw new InvalidOptionError("labelsInUrl", options.labelsInUrl, "true or false");
  if (options.footer !== undefined && options.footer !== "bugbeacon" && options.footer !== "helpme") {
    throw new InvalidOptionError("footer", options.footer, '"bugbeacon" or "helpme"');
  }
  validateLabels(options.labels, "labels");
  if (options.assignees !== undefined && (!Array.isArray(options.assignees) || !options.assignees.every((a) => typeof a === "string" && /^[A-Za-z0-9-]{1,39}$/.test(a)))) {
    throw new InvalidOptionError("assignees", options.assignees, "an array of GitHub logins");
  }
  if (options.githubApp !== undefined) {
    const a = options.githubApp as Partial<NonNullable<GitHubHelperOptions["githubApp"]>> | null;
    const id = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v > 0) || (typeof v === "string" && /^\d+$/.test(v));
    if (typeof a !== "object" || a === null || !id(a.appId) || !id(a.installationId) || typeof a.privateKey !== "string" || !a.privateKey.includes("PRIVATE KEY")) {
      throw new InvalidOptionError("githubApp", "(app credentials)", "{ appId, privateKey, installationId }: numeric ids and the app's PEM private key");
    }
  }
}

/** Pacing from the option, else BUGBEACON_PACING_MS, else the default (used by the triage command). */
export function resolvePacing(options: { pacingMs?: number }, env: NodeJS.ProcessEnv): number {
  return resolvePacingMs(options, env);
}

/** Retry-After base from the option, else BUGBEACON_RETRY_BASE_MS, else the default (used by the triage command). */
export function resolveRetryBase(options: { retryAfterBaseMs?: number }, env: NodeJS.ProcessEnv): number {
  return resolveRetryBaseMs(options, env);
}

/** Resolves and checks the API root: option, then env, then github.com. */
export function resolveApiUrl(options: GitHubHelperOptions, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.BUGBEACON_GITHUB_API_URL;
  const [source, value] =
    options.baseUrl !== undefined
      ? ["baseUrl", options.baseUrl]
      : fromEnv !== undefined && fromEnv !== ""
        ? ["BUGBEACON_GITHUB_API_URL", fromEnv]
        : ["baseUrl", DEFAULT_API_URL];
  return checkHttpUrl(source, value, "https://github.example.com/api/v3");
}

/** The web root matching an API root: api.github.com → github.com, <host>/api/v3 → <host>. */
export function resolveWebUrl(options: GitHubHelperOptions, apiUrl: string): string {
  if (options.webUrl !== undefined) return checkHttpUrl("webUrl", options.webUrl, "https://github.example.com");
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api\/v3$/, "");
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * Checks GitHub's own options (a typed error naming the bad one) and resolves the API and web roots and
 * the credentials: a token, else a GitHub App from the option or the BUGBEACON_APP_* variables (incomplete
 * ones throw here, when the helper is made, not at the first crash).
 */
export function resolveGitHubSettings(
  options: GitHubHelperOptions,
  env: NodeJS.ProcessEnv,
): { apiUrl: string; webUrl: string; token: string | undefined; app: GitHubHelperOptions["githubApp"] } {
  validateGitHubOptions(options);
  const apiUrl = resolveApiUrl(options, env);
  const webUrl = resolveWebUrl(options, apiUrl);
  const token = options.token?.trim() || envFirst(env, "BUGBEACON_GITHUB_TOKEN", "HELPME_GITHUB_TOKEN");
  const appFromEnv = resolveAppCredentials(options, env);
  return { apiUrl, webUrl, token, app: token === undefined ? appFromEnv : undefined };
}

