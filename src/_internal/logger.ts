/**
 * The only place bugbeacon writes to the console. Everything goes to stderr (the app's stdout is
 * its own), prefixed so a user can tell the reporter from the app.
 */

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export type LogSink = (line: string) => void;

const toStderr: LogSink = (line) => {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // A closed stderr must never turn a report into a crash.
  }
};

export function createLogger(options: { quiet?: boolean; sink?: LogSink } = {}): Logger {
  const sink = options.sink ?? toStderr;
  return {
    info: (message) => {
      if (!options.quiet) sink(`bugbeacon: ${message}`);
    },
    warn: (message) => sink(`bugbeacon: warning: ${message}`),
  };
}
