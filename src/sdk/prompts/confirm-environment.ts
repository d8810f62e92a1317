/**
 * Shows the exact environment values that would be sent and lets the person drop any.
 * `enquirer` is loaded only here, only when a terminal is there to answer.
 */
export async function confirmEnvironment(environment: Record<string, string>): Promise<Record<string, string> | undefined> {
  const names = Object.keys(environment).sort();
  if (names.length === 0) return environment;
  const enquirer = await import("enquirer");
  const Enquirer = (enquirer.default ?? enquirer) as unknown as {
    prompt(q: unknown): Promise<Record<string, unknown>>;
  };
  try {
    const answer = await Enquirer.prompt({
      type: "multiselect",
      name: "keep",
      message: "These environment values will be sent with the report. Untick any to leave out (space toggles, enter confirms)",
      choices: names.map((name) => ({ name, message: `${name}=${environment[name] ?? ""}`, value: name })),
      initial: names,
    });
    const keep = new Set(Array.isArray(answer.keep) ? (answer.keep as string[]) : []);
    return Object.fromEntries(names.filter((n) => keep.has(n)).map((n) => [n, environment[n] ?? ""]));
  } catch {
    // Ctrl-C or Escape: the person chose not to send.
    return undefined;
  }
}

/** Prompts only where a person can answer: both stdin and stdout are terminals. */
export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY);
}
