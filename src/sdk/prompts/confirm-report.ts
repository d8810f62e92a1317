/**
 * The short confirmation before an automatic report (`runHeadless`, `captureException`, the crash
 * handlers) when `confirm` is on: a preview, one optional line of detail, then send or not (or leave
 * out some environment values first).
 */
import type { PreparedReport } from "../../types.js";
import { confirmEnvironment } from "./confirm-environment.js";
import type { PromptHost } from "./host.js";
import { formatPreview } from "./preview.js";
import { CANCELLED, openPromptUi } from "./ui.js";

/** Label of the line the person adds, in the issue body. */
export const DETAIL_LABEL = "**Note from the person who hit this:**";

/** Why nothing is sent: the person said no (or cancelled), or nobody answered in time. */
export type Declined = { declined: "cancelled" | "unanswered" };

/**
 * Resolves the report to send (with the person's line of detail and without the environment values
 * they dropped), or why not. Call only where a person can answer (`whyNotInteractive` said so).
 * @param idleMs give up (send nothing) when no key is pressed for this long; 0 waits as long as it takes
 */
export async function confirmReport(report: PreparedReport, host: PromptHost, idleMs = 0): Promise<PreparedReport | Declined> {
  const ui = await openPromptUi(host.env, host.whileAnswering, { idleMs });
  const no = (): Declined => ({ declined: ui.timedOut ? "unanswered" : "cancelled" });
  try {
    let current = report;
    ui.write(`\n${ui.style.bold("bugbeacon")}: this problem can be reported to the developers. Nothing is sent unless you choose to.\n`);
    ui.write(formatPreview(current.title, host.renderBody(current), { columns: ui.columns, style: ui.style, target: current.repo, maxBodyLines: 24 }));
    const detail = await ui.input("Add a line of detail? (what you were doing; enter skips)");
    if (detail === CANCELLED) return no();
    if (detail.trim() !== "") current = withDetail(current, host.redact(detail.trim()));
    for (;;) {
      const envCount = Object.keys(current.document.metadata.environment).length;
      const choices = [
        { name: "send" as const, message: "Send the report" },
        ...(envCount > 0 ? [{ name: "environment" as const, message: `Leave out some of the ${envCount} environment values first` }] : []),
        { name: "no" as const, message: "Don't send" },
      ];
      const action = await ui.select("Send this report?", choices);
      if (action === CANCELLED || action === "no") return no();
      if (action === "send") return current;
      const kept = await confirmEnvironment(ui, current.document.metadata.environment);
      if (kept === CANCELLED) return no();
      current = withEnvironment(current, kept);
    }
  } finally {
    ui.close();
  }
}

export function withDetail(report: PreparedReport, line: string): PreparedReport {
  const text = report.document.text;
  const joined = text === "" ? `${DETAIL_LABEL} ${line}` : `${DETAIL_LABEL} ${line}\n\n${text}`;
  return { ...report, document: { ...report.document, text: joined } };
}

export function withEnvironment(report: PreparedReport, environment: Record<string, string>): PreparedReport {
  return { ...report, document: { ...report.document, metadata: { ...report.document.metadata, environment } } };
}
