import { envFlag } from "../_internal/env-flag.js";
import { CliUsageError, InvalidOptionError, isBugbeaconError } from "../errors.js";
import { VERSION } from "../version.js";
import { commands } from "./commands/index.js";
import { EXIT, type CliIO } from "./io.js";

const EXIT_CODES = `Exit codes: 0 done, 1 the command failed, 2 bad arguments (the message names the flag), 75 a temporary failure (run it again), 130 cancelled.`;

/** Runs `bugbeacon <command> [flags]` and resolves the exit code; never calls process.exit, never prints a stack. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainUsage());
    return EXIT.ok;
  }
  if (name === "--version" || name === "-v") {
    io.stdout(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (name === undefined) {
    io.stderr(`bugbeacon: a command is required.\n\n${mainUsage()}`);
    return EXIT.usage;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (entry === undefined) {
    const what = name.startsWith("-") ? `unknown flag ${name}` : `unknown command ${JSON.stringify(name)}`;
    io.stderr(`bugbeacon: ${what}: expected one of ${Object.keys(commands).join(", ")}, --help, --version.\n\n${mainUsage()}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  const help = `bugbeacon ${name}: ${entry.summary}.\n\n${command.usage.trimEnd()}\n\n${EXIT_CODES}\n`;
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(help);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliUsageError || (error instanceof InvalidOptionError && error.option.startsWith("-"))) {
      io.stderr(`bugbeacon ${name}: ${error.message}\n\n${help}`);
      return EXIT.usage;
    }
    if (isBugbeaconError(error)) {
      io.stderr(`bugbeacon ${name}: ${error.message}\n`);
      return EXIT.failed;
    }
    // Not ours to explain: its message only (the stack with BUGBEACON_DEBUG=1).
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`bugbeacon ${name}: failed: ${message}\n`);
    if (envFlag(io.env, "BUGBEACON_DEBUG") && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    else io.stderr("(set BUGBEACON_DEBUG=1 to see where it failed)\n");
    return EXIT.failed;
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
    ...lines,
    "",
    'Run "bugbeacon <command> --help" for the flags of a command.',
    EXIT_CODES,
    "",
  ].join("\n");
}
