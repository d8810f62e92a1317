import { InvalidRepoError } from "../../errors.js";

export interface RepoRef {
  owner: string;
  name: string;
}

// GitHub's rules: owner 1-39 of letters, digits and single hyphens, not starting or ending with one;
// repository name 1-100 of letters, digits, ".", "-", "_", and not "." or "..".
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** Parses `owner/name`, rejecting anything GitHub would not accept (and anything path-like). */
export function parseRepo(value: unknown): RepoRef {
  if (typeof value !== "string") throw new InvalidRepoError(value);
  const parts = value.split("/");
  if (parts.length !== 2) throw new InvalidRepoError(value);
  const [owner, name] = parts as [string, string];
  if (!OWNER.test(owner) || !NAME.test(name) || name === "." || name === "..") throw new InvalidRepoError(value);
  return { owner, name };
}
