import { nodeOs } from "../_builtins.js";
import { REDACTED } from "./redact/marker.js";
import { createPathScrubber } from "./redact/paths.js";
import { scanSecrets } from "./redact/scan.js";
import { Spans, applySpans } from "./redact/spans.js";

/**
 * Scrubs secrets and personal paths out of text before it is sent, printed or put in a URL.
 * Every string bugbeacon builds a report from passes through one redactor.
 *
 * It works in time linear in the text: the scanners in `./redact/` walk the text with plain loops and
 * regular expressions made only of literal alternatives, every look-ahead is bounded, and what one
 * scanner consumed is not scanned again by it. What they find is replaced in one final pass.
 */
export type Redactor = (text: string) => string;

export { REDACTED };
export { isSensitiveName } from "./redact/names.js";

export interface RedactorOptions {
  /** Extra patterns; every match is replaced by `[REDACTED]`. Strings are matched literally. */
  patterns?: ReadonlyArray<RegExp | string>;
  /** Home directory to replace by `~`. @default os.homedir() */
  home?: string;
  /** User name to replace by `<user>`. @default os.userInfo().username */
  username?: string;
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const home = options.home ?? safe(() => nodeOs().homedir());
  const username = options.username ?? safe(() => nodeOs().userInfo().username);
  const extra = (options.patterns ?? []).map((p) =>
    typeof p === "string" ? new RegExp(escapeRegExp(p), "g") : p.global ? p : new RegExp(p.source, `${p.flags}g`),
  );
  const scrubPaths = createPathScrubber(home, username);

  return (input: string): string => {
    if (typeof input !== "string" || input.length === 0) return input;
    const spans = new Spans();
    scanSecrets(input, spans);
    for (const pattern of extra) {
      pattern.lastIndex = 0;
      let match: RegExpExecArray | null;
      while ((match = pattern.exec(input)) !== null) {
        if (match[0].length === 0) {
          pattern.lastIndex += 1;
          continue;
        }
        spans.add(match.index, match.index + match[0].length);
      }
    }
    return scrubPaths(applySpans(input, spans.list));
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
