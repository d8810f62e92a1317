import { envFlag } from "../_internal/env-flag.js";
import { findOnPath } from "./find-on-path.js";
import type { Logger } from "../_internal/logger.js";

/**
 * Whether a browser may be opened: never in CI (per ci-info), and only where there is a desktop:
 * Windows, macOS outside an SSH session, or a Linux/BSD session with DISPLAY or WAYLAND_DISPLAY.
 */
export async function canOpenBrowser(env: NodeJS.ProcessEnv): Promise<boolean> {
  if (envFlag(env, "CI")) return false;
  const ci = await import("ci-info");
  if ((ci.default ?? ci).isCI) return false;
  if (process.platform === "win32") return true;
  if (process.platform === "darwin") return env.SSH_CONNECTION === undefined && env.SSH_TTY === undefined;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Opens the URL in the default browser (`open` is loaded only here). Never throws: false when it failed. */
export async function openInBrowser(url: string, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  try {
    const { default: open } = await import("open");
    // On Linux the desktop's own xdg-open (on PATH) knows its browser better than the copy bundled in `open`.
    const systemXdgOpen = process.platform === "linux" ? findOnPath("xdg-open", env) : undefined;
    const child = await open(url, systemXdgOpen ? { wait: false, app: { name: systemXdgOpen } } : { wait: false });
    child.on("error", () => {});
    child.unref();
    return true;
  } catch (error) {
    logger.warn(`could not open a browser (${error instanceof Error ? error.message : String(error)}); use the URL above.`);
    return false;
  }
}
