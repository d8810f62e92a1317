import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { CliUsageError } from "../../errors.js";
import { CONFIG_FILE, loadConfig } from "../../support/config.js";
import { assertDatabase } from "../../support/database.js";
import { assertNoLegacy } from "../../support/layout.js";
import { computeStats, loadRecords, renderHtml, renderMarkdown, renderTable } from "../../support/stats.js";
import { existingDir, parseFlags, wholeNumber, writableFile } from "../args.js";
import type { CliCommand } from "../io.js";

const FORMATS = ["table", "json", "markdown", "html"] as const;

const usage = `Usage: bugbeacon stats [flags]

Flags:
  --db <dir>          The database folder (default: the working directory)
  --format <f>        table (default, fits 80 columns), json, markdown (job summary, pinned issue), html (one page)
  --top <n>           How many problems to list, 1 to 10000 (default 10)
  --days <n>          Days in the daily trend, 1 to 10000 (default 30)
  --output <file>     Write to a file instead of standard output
  -h, --help          This help
`;

export const command: CliCommand = {
  usage,
  exits: [
    [0, "done"],
    [1, "no bugbeacon database in the folder, or github-support .md records still to import, or an invalid config"],
    [2, "a bad flag or a missing value (the message names it)"],
  ],
  async run(args, io) {
    const { values } = parseFlags(args, {
      db: { type: "string", expected: "the database folder" },
      format: { type: "string", expected: FORMATS.join(", ") },
      top: { type: "string", expected: "a whole number from 1 to 10000" },
      days: { type: "string", expected: "a whole number from 1 to 10000" },
      output: { type: "string", expected: "the file to write" },
    });
    const format = values.format ?? "table";
    if (!(FORMATS as readonly string[]).includes(format)) throw new CliUsageError("--format", `--format must be one of ${FORMATS.join(", ")}, not ${JSON.stringify(format)}.`);
    const top = wholeNumber("--top", values.top, 10, 1, 10_000);
    const days = wholeNumber("--days", values.days, 30, 1, 10_000);
    const root = existingDir("--db", values.db, io.cwd);
    const output = values.output !== undefined ? writableFile("--output", values.output, io.cwd) : undefined;
    assertDatabase(root, CONFIG_FILE);
    const config = await loadConfig(resolve(root, CONFIG_FILE));
    const { records, skipped, legacy } = loadRecords(root, config.layout);
    // Counting only the converted records would be wrong: say what to run instead.
    if (legacy > 0) assertNoLegacy(root, "The database");
    const stats = computeStats(records, { top, trendDays: days, skipped });
    const text =
      format === "json" ? `${JSON.stringify(stats, null, 2)}\n` : format === "markdown" ? renderMarkdown(stats) : format === "html" ? renderHtml(stats) : renderTable(stats);
    if (output !== undefined) await writeFile(output, text);
    else io.stdout(text);
    return 0;
  },
};
