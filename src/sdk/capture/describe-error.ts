/**
 * Turns any thrown value into the parts of a report. (Foundation version: name, message and stack.
 * The capture work replaces the internals; the signature is the contract other modules use.)
 */
export interface ErrorDescription {
  /** `TypeError: Cannot read properties of undefined (reading 'x')`, not yet cut or redacted. */
  title: string;
  /** Markdown: stack, causes, fields. Not yet redacted. */
  body: string;
  /** The text the identifier is hashed from: same bug, same text, on every machine. */
  identifierSource: string;
}

export function describeError(error: unknown): ErrorDescription {
  if (error instanceof Error) {
    const title = `${error.name}: ${error.message}`;
    return { title, body: `\`\`\`\n${error.stack ?? title}\n\`\`\``, identifierSource: title };
  }
  const text = String(error);
  return { title: `Non-error thrown: ${text}`, body: text, identifierSource: `thrown:${text}` };
}
