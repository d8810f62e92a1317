import { fileURLToPath } from "node:url";

/**
 * Vitest globalSetup: every git the tests start (their own, and the ones bugbeacon starts) reads
 * test/support/test.gitconfig instead of the machine's global and system settings. The test workers and
 * their child processes inherit the environment.
 */
export default function setup(): () => void {
  const saved = { global: process.env.GIT_CONFIG_GLOBAL, nosystem: process.env.GIT_CONFIG_NOSYSTEM };
  process.env.GIT_CONFIG_GLOBAL = fileURLToPath(new URL("./test.gitconfig", import.meta.url));
  process.env.GIT_CONFIG_NOSYSTEM = "1";
  return () => {
    restore("GIT_CONFIG_GLOBAL", saved.global);
    restore("GIT_CONFIG_NOSYSTEM", saved.nosystem);
  };
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
