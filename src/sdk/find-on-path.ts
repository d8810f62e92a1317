import { nodeFs, nodePath } from "../_builtins.js";

/** The first executable named `command` in the PATH folders of `env`, or undefined. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  const { accessSync, constants } = nodeFs();
  const { delimiter, join } = nodePath();
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
