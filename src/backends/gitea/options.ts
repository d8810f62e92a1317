/**
 * Gitea's options and the repository rule: checked when the helper is made (getHelper), so this module is
 * on bugbeacon's import path and stays free of what a report needs (see backend.ts for that).
 */
import { InvalidOptionError, InvalidTargetError } from "../../errors.js";
import type { DeliveryOptions } from "../../delivery/options.js";
import type { HelperOptions } from "../../types.js";
import { envFirst } from "../../_internal/env-flag.js";
import { checkHttpUrl } from "../../_internal/validate-options.js";

export interface GiteaHelperOptions extends HelperOptions, DeliveryOptions {
  /** The instance, e.g. "https://codeberg.org" (the API is `<baseUrl>/api/v1`). @default env BUGBEACON_GITEA_URL (required one way or the other) */
  baseUrl?: string;
  /** An access token with the issue write scope. Never written to disk. @default env BUGBEACON_GITEA_TOKEN, else GITEA_TOKEN */
  token?: string;
  /** Assignees (user names) for created issues. */
  assignees?: string[];
}

// Gitea's names: owner (user or organisation) of letters, digits, "-", "_", "."; repository the same.
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Checks an `owner/repo` target. */
export function parseGiteaRepo(value: unknown): { owner: string; repo: string } {
  const expected = 'a Gitea repository like "owner/repo"';
  if (typeof value !== "string") throw new InvalidTargetError("repo", value, expected);
  const [owner, repo, extra] = value.split("/");
  if (owner === undefined || repo === undefined || extra !== undefined || !NAME.test(owner) || !NAME.test(repo) || [owner, repo].some((p) => p === "." || p === "..")) {
    throw new InvalidTargetError("repo", value, expected);
  }
  return { owner, repo };
}

/** Checks Gitea's own options (a typed error naming the bad one) and resolves the instance and token. */
export function resolveGiteaSettings(options: GiteaHelperOptions, env: NodeJS.ProcessEnv): { web: string; token: string | undefined } {
  for (const key of ["token", "baseUrl"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "string") throw new InvalidOptionError(key, v, "a string");
  }
  if (options.assignees !== undefined && (!Array.isArray(options.assignees) || !options.assignees.every((a) => typeof a === "string" && NAME.test(a)))) {
    throw new InvalidOptionError("assignees", options.assignees, "an array of Gitea user names");
  }
  const rawUrl = options.baseUrl ?? (env.BUGBEACON_GITEA_URL || undefined);
  if (rawUrl === undefined) throw new InvalidOptionError("baseUrl", undefined, 'the instance\'s address, e.g. { baseUrl: "https://codeberg.org" } or BUGBEACON_GITEA_URL');
  // The API root given instead of the instance is taken too.
  const web = checkHttpUrl(options.baseUrl !== undefined ? "baseUrl" : "BUGBEACON_GITEA_URL", rawUrl, "https://gitea.example.com").replace(/\/+$/, "").replace(/\/api\/v1$/, "");
  const token = options.token?.trim() || envFirst(env, "BUGBEACON_GITEA_TOKEN", "GITEA_TOKEN");
  return { web, token };
}
