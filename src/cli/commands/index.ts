import type { CliCommand } from "../io.js";

/**
 * The subcommands, each loaded only when called. A new command is a new file in this folder
 * exporting `command: CliCommand`, and one line here.
 */
export const commands: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {};
