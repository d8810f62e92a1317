/** The relay option's check, on the root import path (the relay client itself loads with the report path). */
import { InvalidOptionError } from "../../errors.js";

/** The relay URL from the option, else BUGBEACON_RELAY_URL; checked (http or https, no credentials in it). */
export function resolveRelayUrl(option: unknown, env: NodeJS.ProcessEnv): string | undefined {
  const name = option !== undefined ? "relay" : "BUGBEACON_RELAY_URL";
  const raw = option ?? (env.BUGBEACON_RELAY_URL || undefined);
  if (raw === undefined) return undefined;
  if (typeof raw !== "string") throw new InvalidOptionError(name, raw, "the relay's URL, e.g. https://reports.example.org");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidOptionError(name, raw, "the relay's URL, e.g. https://reports.example.org");
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username !== "" || url.password !== "") {
    throw new InvalidOptionError(name, `${url.protocol}//${url.host}`, "an http(s) URL without credentials");
  }
  return url.href.replace(/\/+$/, "");
}
