/**
 * GitLab's options and the project-path rule: checked when the helper is made (getHelper), so this module
 * is on bugbeacon's import path and stays free of what a report needs (see backend.ts for that).
 */
import { InvalidOptionError, InvalidTargetError } from "../../errors.js";
import type { DeliveryOptions } from "../../delivery/options.js";
import type { HelperOptions } from "../../types.js";
import { checkHttpUrl, validateLabels } from "../../_internal/validate-options.js";
import { envFirst } from "../../_internal/env-flag.js";

export interface GitLabHelperOptions extends HelperOptions, DeliveryOptions {
  /**
   * Personal, project or group access token with the `api` scope. Never written to disk.
   * @default env BUGBEACON_GITLAB_TOKEN, else env GITLAB_TOKEN
   */
  token?: string;
  /**
   * The instance, for self-managed GitLab (the API is `<baseUrl>/api/v4`).
   * @default env BUGBEACON_GITLAB_URL, else "https://gitlab.com"
   */
  baseUrl?: string;
}

// GitLab's paths: namespaces and project names of letters, digits, "_", "-" and "." (not starting with
// "-" or "." nor ending in ".git" / ".atom"), nested groups up to 20 levels.
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

/** Checks a GitLab project path like "group/subgroup/project". */
export function parseProjectPath(value: unknown): string {
  const expected = 'a GitLab project path like "group/project" or "group/subgroup/project"';
  if (typeof value !== "string") throw new InvalidTargetError("repo", value, expected);
  const parts = value.split("/");
  if (parts.length < 2 || parts.length > 21 || !parts.every((p) => SEGMENT.test(p) && !p.endsWith(".git") && !p.endsWith(".atom"))) {
    throw new InvalidTargetError("repo", value, expected);
  }
  return value;
}

/** Checks GitLab's own options (a typed error naming the bad one) and resolves the instance and token. */
export function resolveGitLabSettings(options: GitLabHelperOptions, env: NodeJS.ProcessEnv): { web: string; token: string | undefined; prefix: string | undefined } {
  for (const key of ["token", "baseUrl"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "string") throw new InvalidOptionError(key, v, "a string");
  }
  validateLabels(options.labels, "labels");
  if (options.labels?.some((l) => l.includes(","))) throw new InvalidOptionError("labels entry", options.labels.find((l) => l.includes(",")), "a GitLab label name without a comma");
  const fromEnv = env.BUGBEACON_GITLAB_URL;
  const given = options.baseUrl !== undefined ? checkHttpUrl("baseUrl", options.baseUrl, "https://gitlab.example.com") : fromEnv ? checkHttpUrl("BUGBEACON_GITLAB_URL", fromEnv, "https://gitlab.example.com") : "https://gitlab.com";
  // The API root given instead of the instance (GitLab CI's CI_API_V4_URL is `<instance>/api/v4`).
  const web = given.replace(/\/+$/, "").replace(/\/api\/v4$/, "");
  const token = options.token?.trim() || envFirst(env, "BUGBEACON_GITLAB_TOKEN", "GITLAB_TOKEN");
  return { web, token, prefix: options.prefix?.trim() };
}
