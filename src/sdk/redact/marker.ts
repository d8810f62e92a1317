/** What every redacted secret is replaced by. */
export const REDACTED = "[REDACTED]";
