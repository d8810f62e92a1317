import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { initSupportRepository } from "../../support/init.js";
import type { CliCommand } from "../io.js";

const usage = `bugbeacon init: set up a support repository.

Writes .github/workflows/bugbeacon-triage.yml (triage on every new or edited issue) and a starter
bugbeacon.config.json. Commit both and push; from then on every report is filed and duplicates closed.

Usage: bugbeacon init [--dir <dir>] [--force]

Flags:
  --dir <dir>    The repository's root (default: the working directory)
  --force        Overwrite existing files
  -h, --help     This help
`;

export const command: CliCommand = {
  name: "init",
  summary: "Write the triage workflow and a starter config into a support repository",
  usage,
  async run(args, io) {
    const { values } = parseArgs({ args, strict: true, options: { dir: { type: "string" }, force: { type: "boolean" } } });
    const root = resolve(io.cwd, values.dir ?? ".");
    const written = await initSupportRepository(root, { force: values.force === true });
    for (const path of written) io.stdout(`wrote ${path}\n`);
    io.stdout('Commit these files and push; then open an issue with a bugbeacon report to see triage work.\n');
    return 0;
  },
};
