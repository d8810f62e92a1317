import { envFlag } from "../_internal/env-flag.js";
import { temporaryFailure } from "../_internal/temporary-failure.js";
import { CliUsageError, InvalidOptionError, isBugbeaconError, TriageStepError } from "../errors.js";
import { VERSION } from "../version.js";
import { commands } from "./commands/index.js";
import { EXIT, type CliCommand, type CliIO } from "./io.js";

/** The line after an argument error: where the whole help is. */
export function helpHint(name?: string): string {
  return `Run "bugbeacon ${name === undefined ? "" : `${name} `}--help" for usage.`;
}

/** A command's help: summary, usage, then its one "Exit codes" section. */
export function commandHelp(name: string, summary: string, command: CliCommand): string {
  const width = Math.max(...command.exits.map(([code]) => String(code).length));
  const exits = command.exits.map(([code, meaning]) => wrap(`  ${String(code).padEnd(width)}  ${meaning}`, " ".repeat(width + 4)));
  return `bugbeacon ${name}: ${summary}.\n\n${command.usage.trimEnd()}\n\nExit codes:\n${exits.join("\n")}\n`;
}

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
    io.stderr(`bugbeacon: a command is required: one of ${Object.keys(commands).join(", ")}.\n${helpHint()}\n`);
    return EXIT.usage;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (entry === undefined) {
    const what = name.startsWith("-") ? `unknown flag ${name}` : `unknown command ${JSON.stringify(name)}`;
    io.stderr(`bugbeacon: ${what}: expected one of ${Object.keys(commands).join(", ")}, --help, --version.\n${helpHint()}\n`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(commandHelp(name, entry.summary, command));
    return EXIT.ok;
  }
  const documents = (code: number) => command.exits.some(([c]) => c === code);
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliUsageError || (error instanceof InvalidOptionError && error.option.startsWith("-"))) {
      // The one line that names the flag; the whole help is one command away.
      io.stderr(`bugbeacon ${name}: ${error.message}\n${helpHint(name)}\n`);
      return EXIT.usage;
    }
    if (error instanceof TriageStepError && error.transient && documents(EXIT.tempfail)) {
      io.stderr(`bugbeacon ${name}: ${error.message}\n`);
      return EXIT.tempfail;
    }
    if (isBugbeaconError(error)) {
      io.stderr(`bugbeacon ${name}: ${error.message}\n`);
      return EXIT.failed;
    }
    const temporary = temporaryFailure(error);
    if (temporary !== undefined && documents(EXIT.tempfail)) {
      io.stderr(`bugbeacon ${name}: temporary failure: ${temporary}. Nothing was done twice: run it again.\n`);
      return EXIT.tempfail;
    }
    // Not ours to explain: its message only (the stack with BUGBEACON_DEBUG=1).
    const message = temporary ?? (error instanceof Error ? error.message : String(error));
    io.stderr(`bugbeacon ${name}: failed: ${message}\n`);
    if (envFlag(io.env, "BUGBEACON_DEBUG") && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    else io.stderr("(set BUGBEACON_DEBUG=1 to see where it failed)\n");
    return EXIT.failed;
  }
}

/** Wraps a line at 100 columns; continuation lines start with `indent`. */
function wrap(line: string, indent: string, columns = 100): string {
  const out: string[] = [];
  let current = "";
  for (const word of line.split(/(?<=\S) (?=\S)/)) {
    if (current !== "" && current.length + 1 + word.length > columns) {
      out.push(current);
      current = indent + word;
    } else {
      current = current === "" ? word : `${current} ${word}`;
    }
  }
  out.push(current);
  return out.join("\n");
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
    'Run "bugbeacon <command> --help" for the flags and exit codes of a command.',
    "",
  ].join("\n");
}
