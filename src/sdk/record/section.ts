/** The recording's part of a report body, and the placeholder its upload link replaces. */
import { fenced, transcriptTail } from "./asciicast.js";
import type { Recording } from "./record.js";

/** The line where the link goes once the cast is uploaded, after the person chose to send (shown as is in the preview). */
export function uploadLine(server: string): string {
  return `**Recording**: uploaded to ${server} once this issue is submitted, and linked here.`;
}

const HOW: Record<Recording["method"], string> = {
  script: "in a pseudo-terminal, through script(1)",
  python3: "in a pseudo-terminal, through Python's pty module",
  pipes: "through pipes: no pseudo-terminal here, so the command may have printed differently than in a terminal",
};

export function recordingSection(recording: Recording, redact: (text: string) => string, upload: string | undefined, tailLines = 40): string {
  const command = redact(recording.argv.join(" ")).replace(/`/g, "'");
  const { lines, total } = transcriptTail(recording, redact, tailLines);
  const parts = [
    `**Recorded command**: \`${command}\` exited with code ${recording.exitCode} after ${recording.durationSeconds.toFixed(1)} s (${HOW[recording.method]}).`,
    "",
    `<details><summary>The terminal's last ${lines.length} line${lines.length === 1 ? "" : "s"}${total > lines.length ? ` (of ${total})` : ""}</summary>`,
    "",
    fenced(lines.join("\n")),
    "",
    "</details>",
  ];
  if (recording.truncated) parts.push("", "(The recording kept the first 5 MB of output.)");
  if (upload !== undefined) parts.push("", uploadLine(upload));
  return parts.join("\n");
}

/** The body with the upload line replaced by the link (or by why there is none). */
export function withUploadLink(body: string, server: string, link: { url: string } | { problem: string }): string {
  const line = "url" in link ? `**Recording**: ${link.url}` : `**Recording**: not uploaded (${link.problem}); it stays on the reporter's machine.`;
  return body.replace(uploadLine(server), () => line);
}
