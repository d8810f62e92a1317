import { initSupportRepository } from "../../support/init.js";
import { existingDir, parseFlags } from "../args.js";
import type { CliCommand } from "../io.js";

const usage = `Writes .github/workflows/bugbeacon-triage.yml (triage on every new or edited issue) and a starter
bugbeacon.config.json. Commit both and push; from then on every report is filed and duplicates closed.

Usage: bugbeacon init [--dir <dir>] [--force]

Flags:
  --dir <dir>    The repository's root, an existing folder (default: the working directory)
  --force        Overwrite existing files
  -h, --help     This help
`;

export const command: CliCommand = {
  usage,
  async run(args, io) {
    const { values } = parseFlags(args, { dir: { type: "string", expected: "the repository's root folder" }, force: { type: "boolean" } });
    const root = existingDir("--dir", values.dir, io.cwd);
    const written = await initSupportRepository(root, { force: values.force === true });
    for (const path of written) io.stdout(`wrote ${path}\n`);
    io.stdout("Commit these files and push; then open an issue with a bugbeacon report to see triage work.\n");
    return 0;
  },
};
