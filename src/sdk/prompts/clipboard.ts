/**
 * Copies text to the system clipboard with the platform's own tool (pbcopy, clip, wl-copy, xclip,
 * xsel), found on PATH and run with an argument array (never a shell). Never throws: resolves the
 * tool's name, or `undefined` when no tool could do it (the caller prints the text instead).
 */
import { findOnPath } from "../find-on-path.js";

const COPY_TIMEOUT_MS = 3000;

function candidates(env: NodeJS.ProcessEnv): Array<[string, string[]]> {
  if (process.platform === "darwin") return [["pbcopy", []]];
  if (process.platform === "win32") return [["clip", []]];
  const tools: Array<[string, string[]]> = [];
  if (env.WAYLAND_DISPLAY) tools.push(["wl-copy", []]);
  if (env.DISPLAY) tools.push(["xclip", ["-selection", "clipboard"]], ["xsel", ["--clipboard", "--input"]]);
  return tools;
}

export async function copyToClipboard(text: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const [tool, args] of candidates(env)) {
    const path = process.platform === "win32" ? tool : findOnPath(tool, env);
    if (path === undefined) continue;
    if (await runWithInput(path, args, text, env)) return tool;
  }
  return undefined;
}

async function runWithInput(command: string, args: string[], input: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ok);
    };
    // xclip stays alive to serve the selection: wait for its exit, not for its output to close.
    const child = spawn(command, args, { env, stdio: ["pipe", "ignore", "ignore"], detached: process.platform !== "win32" });
    const timer = setTimeout(() => done(false), COPY_TIMEOUT_MS);
    child.on("error", () => done(false));
    child.on("exit", (code) => done(code === 0));
    child.stdin?.on("error", () => done(false));
    child.stdin?.end(input);
    child.unref();
  });
}
