/**
 * Discourse's options and the category rule: checked when the helper is made (getHelper), so this module
 * is on bugbeacon's import path and stays free of what a report needs (see backend.ts for that).
 */
import { InvalidOptionError, InvalidTargetError } from "../../errors.js";
import type { DeliveryOptions } from "../../delivery/options.js";
import type { HelperOptions } from "../../types.js";
import { envFirst } from "../../_internal/env-flag.js";
import { checkHttpUrl, validateLabels } from "../../_internal/validate-options.js";

export interface DiscourseHelperOptions extends HelperOptions, DeliveryOptions {
  /** The forum, e.g. "https://forum.example.org". @default env BUGBEACON_DISCOURSE_URL (required one way or the other) */
  baseUrl?: string;
  /** An API key (admin → API). Never written to disk. @default env BUGBEACON_DISCOURSE_API_KEY */
  apiKey?: string;
  /**
   * The user an all-users key acts as (not needed for a key made for one user). Sent only when set.
   * @default env BUGBEACON_DISCOURSE_API_USERNAME
   */
  apiUsername?: string;
}

/** A Discourse category id (the `repo` of a report, e.g. "7"). */
export function parseCategory(value: unknown): number {
  if (typeof value !== "string" || !/^[1-9]\d{0,9}$/.test(value)) throw new InvalidTargetError("repo", value, 'a Discourse category id like "7" (the number in the category\'s URL /c/<slug>/<id>)');
  return Number(value);
}

/** Checks Discourse's own options (a typed error naming the bad one) and resolves the forum and API key. */
export function resolveDiscourseSettings(
  options: DiscourseHelperOptions,
  env: NodeJS.ProcessEnv,
): { web: string; apiKey: string | undefined; apiUsername: string | undefined; prefix: string | undefined } {
  for (const key of ["baseUrl", "apiKey", "apiUsername"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "string") throw new InvalidOptionError(key, v, "a string");
  }
  const rawUrl = options.baseUrl ?? (env.BUGBEACON_DISCOURSE_URL || undefined);
  if (rawUrl === undefined) throw new InvalidOptionError("baseUrl", undefined, 'the forum\'s address, e.g. { baseUrl: "https://forum.example.org" } or BUGBEACON_DISCOURSE_URL');
  const web = checkHttpUrl(options.baseUrl !== undefined ? "baseUrl" : "BUGBEACON_DISCOURSE_URL", rawUrl, "https://forum.example.com");
  const apiKey = options.apiKey?.trim() || envFirst(env, "BUGBEACON_DISCOURSE_API_KEY");
  const apiUsername = options.apiUsername?.trim() || envFirst(env, "BUGBEACON_DISCOURSE_API_USERNAME");
  validateLabels(options.labels, "labels");
  return { web, apiKey, apiUsername, prefix: options.prefix?.trim() };
}
