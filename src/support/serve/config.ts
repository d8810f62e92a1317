/**
 * `bugbeacon serve` configuration from the environment: the GitHub App (id, private key), the webhook
 * secret, where each repository's database is. Everything is checked at start; a problem names the
 * variable and what it must be (CliUsageError, exit 2), never echoing a secret.
 */
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { CliUsageError } from "../../errors.js";

export interface AppConfig {
  appId: string;
  privateKey: string;
  webhookSecret: string;
}

/** GITHUB_APP_ID, GITHUB_PRIVATE_KEY (PEM text or a path to it), GITHUB_WEBHOOK_SECRET. */
export function appConfigFromEnv(env: NodeJS.ProcessEnv, cwd: string): AppConfig {
  const appId = (env.GITHUB_APP_ID ?? "").trim();
  if (appId === "") throw new CliUsageError("GITHUB_APP_ID", "GITHUB_APP_ID is required: the GitHub App's ID (a number, on the app's settings page) or its client ID (Iv…).");
  if (!/^[1-9]\d{0,15}$/.test(appId) && !/^Iv[A-Za-z0-9.]{4,40}$/.test(appId)) {
    throw new CliUsageError("GITHUB_APP_ID", `GITHUB_APP_ID must be the app's numeric ID or its client ID (Iv…), not ${JSON.stringify(appId.slice(0, 40))}.`);
  }
  const privateKey = readPrivateKey(env.GITHUB_PRIVATE_KEY, cwd);
  const webhookSecret = env.GITHUB_WEBHOOK_SECRET ?? "";
  if (webhookSecret === "") throw new CliUsageError("GITHUB_WEBHOOK_SECRET", "GITHUB_WEBHOOK_SECRET is required: the webhook secret set in the GitHub App's settings.");
  if (webhookSecret.length < 16) throw new CliUsageError("GITHUB_WEBHOOK_SECRET", `GITHUB_WEBHOOK_SECRET is too short (${webhookSecret.length} characters): use a random secret of at least 16 characters.`);
  return { appId, privateKey, webhookSecret };
}

function readPrivateKey(raw: string | undefined, cwd: string): string {
  const value = (raw ?? "").trim();
  if (value === "") throw new CliUsageError("GITHUB_PRIVATE_KEY", "GITHUB_PRIVATE_KEY is required: the app's private key, as PEM text or the path of the .pem file GitHub gave you.");
  let pem: string;
  if (value.startsWith("-----BEGIN")) {
    // A key put in one line of an env file keeps its line breaks as "\n".
    pem = value.replace(/\\n/g, "\n");
  } else {
    const path = isAbsolute(value) ? value : resolve(cwd, value);
    try {
      pem = readFileSync(path, "utf8");
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : "cannot be read";
      throw new CliUsageError("GITHUB_PRIVATE_KEY", `GITHUB_PRIVATE_KEY is neither PEM text nor a readable file: the path ${why}. Give the key's PEM text or the path of the .pem file.`);
    }
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== "rsa") throw new Error("not RSA");
  } catch {
    // Never echo the value: it may be most of a key.
    throw new CliUsageError("GITHUB_PRIVATE_KEY", "GITHUB_PRIVATE_KEY is not an RSA private key in PEM form (-----BEGIN RSA PRIVATE KEY----- …): give the .pem file GitHub generated for the app.");
  }
  return pem;
}

/**
 * Where a repository's database is: a template with `{owner}` and `{repo}` (a git URL, or an absolute
 * path to a bare repository). The default is the repository the issue is in, as the Actions workflow
 * keeps it.
 */
export function dbRemoteTemplate(flag: string, value: string | undefined, webRoot: string, cwd: string): string {
  if (value === undefined) return `${webRoot}/{owner}/{repo}.git`;
  // Without placeholders, one database serves every repository.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  return isAbsolute(value) ? value : resolve(cwd, value);
}

/** The database remote for one repository. Owner and name are checked before they reach a URL or path. */
export function dbRemoteFor(template: string, owner: string, repo: string): string {
  return template.replaceAll("{owner}", owner).replaceAll("{repo}", repo);
}

export function webRootOf(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/api\/v3\/?$/, "")}`;
}
