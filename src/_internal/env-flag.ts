/**
 * The one reading of a yes/no environment variable (BUGBEACON_DISABLE, CI, BUGBEACON_DEBUG): unset, empty,
 * "0" and "false" (any case, spaces around ignored) are off; any other value is on, so `CI=true`,
 * `CI=1` and `CI=woodpecker` all count. Dependency-free: imported on bugbeacon's import path.
 */
export function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name];
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v !== "" && v !== "0" && v !== "false";
}
