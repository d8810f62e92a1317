/**
 * `helper.run()`: a person reports a problem by hand. Asks for (or pre-fills) the title, what they were
 * doing and what they expected, shows the exact environment values and lets them drop any, previews
 * the issue as GitHub will get it, then: submit (with a token), open the prefilled page in a browser,
 * copy its URL, save the report to a file, or cancel. (Without a terminal `run()` does not come here.)
 */
import { nodePath } from "../../_builtins.js";
import type { PreparedReport } from "../../types.js";
import type { ReportInput, ReportResult } from "../../types.js";
import { copyToClipboard } from "./clipboard.js";
import { confirmEnvironment } from "./confirm-environment.js";
import { withEnvironment } from "./confirm-report.js";
import type { FlowHost } from "./host.js";
import { formatPreview } from "./preview.js";
import { FileExistsError, reportFileContent, saveReportFile } from "./save-report.js";
import { CANCELLED, openPromptUi, type PromptUi } from "./ui.js";

/** What the flow starts from: a `runHeadless` input whose title may still be missing. */
export type FlowInput = Omit<ReportInput, "title"> & { title?: string };

type Action = "submit" | "open" | "copy" | "save" | "cancel";

/** The conversation; call only where a person can answer (`whyNotInteractive` said so). */
export async function runReportFlow(host: FlowHost, input: FlowInput): Promise<ReportResult> {
  const ui = await openPromptUi(host.env, host.whileAnswering);
  let closed = false;
  const close = (): void => {
    if (!closed) ui.close();
    closed = true;
  };
  try {
    return await converse(host, ui, input, close);
  } finally {
    close();
  }
}

async function converse(host: FlowHost, ui: PromptUi, input: FlowInput, close: () => void): Promise<ReportResult> {
  const { style } = ui;
  // Check the target before asking anything: a typo in the repository should not cost the person their answers.
  const early = host.prepare({ ...input, title: input.title?.trim() || "(checking the repository)" });
  await host.preflight(early);
  const stop = (report: PreparedReport = early): ReportResult => cancelled(ui, report);
  ui.write(`\n${style.bold("bugbeacon")}: report a problem. Nothing is sent until you choose to; Escape or Ctrl-C cancels.\n\n`);

  const title = await ui.input("Title of the issue (a short summary)", { ...(input.title !== undefined ? { initial: input.title } : {}), required: true });
  if (title === CANCELLED) return stop();
  const doing = await ui.input("What were you doing when it happened? (optional)");
  if (doing === CANCELLED) return stop();
  const expected = await ui.input("What did you expect to happen? (optional)");
  if (expected === CANCELLED) return stop();

  let report = host.prepare({ ...input, title: title.trim(), body: composeBody(doing, expected, input.body) });
  const kept = await confirmEnvironment(ui, report.document.metadata.environment);
  if (kept === CANCELLED) return stop(report);
  report = withEnvironment(report, kept);
  const final = await host.finalize(report);
  const { identifier, reportId } = report.document.metadata;
  if (final === null) {
    ui.write("The app's beforeSend hook dropped this report; nothing was sent.\n");
    return { kind: "skipped", reason: "dropped", identifier, reportId };
  }

  const body = host.renderBody(final);
  ui.write(`\n${formatPreview(final.title, body, { columns: ui.columns, style, target: final.repo })}`);

  const url = host.manualUrl(final);
  const canOpen = url !== undefined && (await host.mayOpenBrowser());
  const choices: Array<{ name: Action; message: string }> = [];
  if (host.canSubmit()) choices.push({ name: "submit", message: `Submit the issue to ${final.repo} now` });
  if (canOpen) choices.push({ name: "open", message: "Open the prefilled issue page in the browser" });
  if (url !== undefined) choices.push({ name: "copy", message: "Copy the prefilled issue URL" });
  choices.push({ name: "save", message: "Save the report to a file" });
  choices.push({ name: "cancel", message: "Cancel (nothing is sent)" });
  const action = await ui.select("What now?", choices);
  if (action === CANCELLED || action === "cancel") return stop(final);

  if (action === "save") {
    const fallback = `bugbeacon-report-${reportId.replace(/[^A-Za-z0-9-]/g, "").slice(0, 8) || "1"}.md`;
    let saved: string | undefined;
    while (saved === undefined) {
      const path = await ui.input("Save to which file?", { initial: fallback, required: true });
      if (path === CANCELLED) return stop(final);
      try {
        saved = saveReportFile(nodePath().resolve(host.cwd, path.trim()), reportFileContent(final.title, body, url));
      } catch (error) {
        if (!(error instanceof FileExistsError)) throw error;
        ui.write(`${error.message}\n`);
      }
    }
    close();
    ui.write(`Saved the report to ${saved}. Nothing was sent.\n`);
    return { kind: "saved", path: saved, identifier, reportId };
  }
  close();
  if (action === "submit") return host.deliver(final);
  const link = url as string;
  if (action === "open") {
    const opened = await host.openUrl(link);
    ui.write(`${opened ? "Opened the prefilled issue page in your browser." : "Could not open a browser."} The URL:\n${link}\n`);
    return { kind: "url", url: link, identifier, reportId, opened };
  }
  const tool = await copyToClipboard(link, host.env);
  ui.write(`${tool !== undefined ? `Copied the URL to the clipboard (${tool}).` : "No clipboard tool here; copy the URL below."}\n${link}\n`);
  return { kind: "url", url: link, identifier, reportId, opened: false };
}

/** The person's answers first, then the text the caller gave (an error's stack, a log excerpt). */
export function composeBody(doing: string, expected: string, body: string | undefined): string {
  const parts: string[] = [];
  if (doing.trim() !== "") parts.push(`### What I was doing\n\n${doing.trim()}`);
  if (expected.trim() !== "") parts.push(`### What I expected\n\n${expected.trim()}`);
  if (body !== undefined && body.trim() !== "") parts.push(parts.length > 0 ? `### Details\n\n${body.trim()}` : body.trim());
  return parts.join("\n\n");
}

function cancelled(ui: PromptUi, report: PreparedReport): ReportResult {
  ui.write("Cancelled; nothing was sent.\n");
  const { identifier, reportId } = report.document.metadata;
  return { kind: "skipped", reason: "cancelled", identifier, reportId };
}
