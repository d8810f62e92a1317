import { isBugbeaconError } from "../errors.js";
import { VERSION } from "../version.js";
import { commands } from "./commands/index.js";
import type { CliIO } from "./io.js";

/** Runs `bugbeacon <command> [flags]` and resolves the exit code; never calls process.exit. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainUsage());
    return name === undefined ? 1 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (entry === undefined) {
    io.stderr(`bugbeacon: unknown command ${JSON.stringify(name)}.\n\n${mainUsage()}`);
    return 1;
  }
  const command = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(command.usage.endsWith("\n") ? command.usage : `${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (isBugbeaconError(error) || (error instanceof Error && (error as { code?: unknown }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")) {
      io.stderr(`bugbeacon ${name}: ${error.message}\nRun "bugbeacon ${name} --help" for the flags.\n`);
      return 1;
    }
    throw error;
  }
}

function mainUsage(): string {
  const width = Math.max(8, ...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  return [
    `bugbeacon ${VERSION}: turn crashes into good GitHub issues, and keep them sorted.`,
    "",
    "Usage: bugbeacon <command> [flags]",
    "",
    "Commands:",
    ...(lines.length > 0 ? lines : ["  (none yet)"]),
    "",
    'Run "bugbeacon <command> --help" for the flags of a command.',
    "",
  ].join("\n");
}
