/**
 * What leaves the machine from a recording: an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/:
 * a JSON header line, then one `[time, "o", text]` line per output event) and the transcript's last lines for
 * the issue, both redacted. Secrets can straddle two output chunks, so events are regrouped into whole
 * lines before they are redacted, and the result is checked against the whole transcript redacted at once:
 * if they differ (a key block across lines), the cast falls back to one event holding the whole
 * redacted transcript (timing is lost, the secret is not sent).
 */
import type { Recording } from "./record.js";

// CSI (colours, cursor), OSC (titles, links; ended by BEL or ST), and the other ESC sequences.
// eslint-disable-next-line no-control-regex
const CONTROL = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[PX^_][^\u001b]*\u001b\\|\u001b[ -/]*[0-~]/g;

/** The transcript as plain text: control sequences removed, carriage returns and backspaces applied as a terminal would. */
export function plainTranscript(text: string): string {
  const stripped = text.replace(CONTROL, "");
  return stripped
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => {
      // A carriage return starts the line over (progress bars): what was printed last shows.
      let out = line.includes("\r") ? (line.split("\r").filter((s) => s !== "").pop() ?? "") : line;
      if (out.includes("\u0008")) {
        // A backspace takes back the character before it (one pass, linear).
        const kept: string[] = [];
        for (const ch of out) {
          if (ch === "\u0008") kept.pop();
          else kept.push(ch);
        }
        out = kept.join("");
      }
      // eslint-disable-next-line no-control-regex
      return out.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "");
    })
    .join("\n");
}

/** The output events regrouped at line ends, each group redacted; falls back to one event (see above). */
export function redactedEvents(recording: Recording, redact: (text: string) => string): Array<[number, string]> {
  const groups: Array<[number, string]> = [];
  let buffer = "";
  let time = 0;
  for (const [t, text] of recording.events) {
    buffer += text;
    time = t;
    const end = buffer.lastIndexOf("\n");
    if (end >= 0) {
      groups.push([t, buffer.slice(0, end + 1)]);
      buffer = buffer.slice(end + 1);
    }
  }
  if (buffer !== "") groups.push([time, buffer]);
  const redacted = groups.map(([t, text]): [number, string] => [t, redact(text)]);
  const joined = redacted.map(([, text]) => text).join("");
  const whole = redact(recording.events.map(([, text]) => text).join(""));
  if (joined !== whole) return whole === "" ? [] : [[0, whole]];
  return redacted;
}

/** The asciicast v2 file: header (size, time, the command, SHELL and TERM) and the redacted output. */
export function toAsciicast(recording: Recording, redact: (text: string) => string, env: NodeJS.ProcessEnv): string {
  const header = {
    version: 2,
    width: recording.width,
    height: recording.height,
    timestamp: recording.startedAt,
    duration: recording.durationSeconds,
    command: redact(recording.argv.join(" ")),
    env: { SHELL: env.SHELL ?? "/bin/sh", TERM: env.TERM ?? "xterm-256color" },
  };
  const lines = [JSON.stringify(header)];
  for (const [t, text] of redactedEvents(recording, redact)) lines.push(JSON.stringify([t, "o", text]));
  return `${lines.join("\n")}\n`;
}

/** The last `count` lines of the plain, redacted transcript (each cut to `width` characters). */
export function transcriptTail(recording: Recording, redact: (text: string) => string, count = 40, width = 300): { lines: string[]; total: number } {
  const plain = redact(plainTranscript(recording.events.map(([, text]) => text).join("")));
  const all = plain.replace(/\n+$/, "").split("\n");
  const lines = all.slice(-count).map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
  return { lines, total: all.length };
}

/** A fenced block that the text cannot close: one backtick more than its longest run. */
export function fenced(text: string, info = "text"): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}
