import { resolve } from "node:path";
import { CliUsageError } from "../../errors.js";
import { CONFIG_FILE, loadConfig } from "../../support/config.js";
import { Database } from "../../support/database.js";
import { recordProblems } from "../../support/record.js";
import { existingDir, parseFlags } from "../args.js";
import { terminalSafe } from "../../support/safe-names.js";
import type { CliCommand } from "../io.js";

const usage = `Usage: bugbeacon db check [--db <dir>]

Flags:
  --db <dir>     The database folder (default: the working directory)
  -h, --help     This help

Exit code 0 when every record is valid, 1 when any is not (each problem is printed with its file).
`;

export const command: CliCommand = {
  usage,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== "check") {
      throw new CliUsageError(sub ?? "check", sub === undefined ? `a subcommand is required: "check".` : `unknown subcommand ${JSON.stringify(sub)}: expected "check".`);
    }
    const { values } = parseFlags(rest, { db: { type: "string", expected: "the database folder" } });
    const root = existingDir("--db", values.db, io.cwd);
    const config = await loadConfig(resolve(root, CONFIG_FILE));
    const db = new Database(root, config.layout);
    let checked = 0;
    let bad = 0;
    for await (const entry of db.entries()) {
      checked += 1;
      const problems = entry.problem !== undefined ? [entry.problem] : await recordProblems(entry.record);
      if (entry.record !== undefined && problems.length === 0) {
        const expected = db.pathFor(entry.record);
        if (resolve(root, entry.path) !== expected) problems.push(`stored at the wrong place (expected ${expected.slice(root.length + 1)})`);
      }
      if (problems.length > 0) {
        bad += 1;
        // File names and values come from the repository: no control character reaches the terminal.
        io.stdout(`${terminalSafe(entry.path)}: ${terminalSafe(problems.join("; "))}\n`);
      }
    }
    io.stdout(`${checked} records checked, ${bad} with problems (layout ${config.layout})\n`);
    return bad === 0 ? 0 : 1;
  },
};
