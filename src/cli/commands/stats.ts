import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { InvalidOptionError } from "../../errors.js";
import { CONFIG_FILE, loadConfig } from "../../support/config.js";
import { computeStats, loadRecords, renderHtml, renderMarkdown, renderTable } from "../../support/stats.js";
import type { CliCommand } from "../io.js";

const FORMATS = ["table", "json", "markdown", "html"] as const;

const usage = `bugbeacon stats: insights from a support database.

Usage: bugbeacon stats [flags]

Flags:
  --db <dir>          The database folder (default: the working directory)
  --format <f>        table (default, fits 80 columns), json, markdown (job summary, pinned issue), html (one page)
  --top <n>           How many problems to list (default 10)
  --days <n>          Days in the daily trend (default 30)
  --output <file>     Write to a file instead of standard output
  -h, --help          This help
`;

export const command: CliCommand = {
  name: "stats",
  summary: "Insights from the database: top problems, versions, new problems, daily trend",
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: { db: { type: "string" }, format: { type: "string" }, top: { type: "string" }, days: { type: "string" }, output: { type: "string" } },
    });
    const format = values.format ?? "table";
    if (!(FORMATS as readonly string[]).includes(format)) throw new InvalidOptionError("--format", format, FORMATS.join(", "));
    const top = positive("--top", values.top, 10);
    const days = positive("--days", values.days, 30);
    const root = resolve(io.cwd, values.db ?? ".");
    const config = await loadConfig(resolve(root, CONFIG_FILE));
    const { records, skipped } = loadRecords(root, config.layout);
    const stats = computeStats(records, { top, trendDays: days, skipped });
    const text =
      format === "json" ? `${JSON.stringify(stats, null, 2)}\n` : format === "markdown" ? renderMarkdown(stats) : format === "html" ? renderHtml(stats) : renderTable(stats);
    if (values.output !== undefined) await writeFile(resolve(io.cwd, values.output), text);
    else io.stdout(text);
    return 0;
  },
};

function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidOptionError(flag, value, "a whole number from 1 to 10000");
  return n;
}
