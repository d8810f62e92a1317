import { runCli } from "./run-cli.js";

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: (s: string) => process.stdout.write(s),
    stderr: (s: string) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
  });
} catch (error) {
  // runCli prints every error a command throws; this is for a failure outside any command.
  process.stderr.write(`bugbeacon: failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
