import type { CaptureOptions, ReportResult } from "../types.js";
import { InvalidOptionError } from "../errors.js";
import { checkKnownKeys } from "../_internal/validate-options.js";
import { installedReporter } from "./capture/handlers.js";
import { getHelper, OPTION_KEYS, type HelperRegistry } from "./get-helper.js";
import type { Helper } from "./helper.js";

/** What the top-level `captureException` takes besides the error. */
export type CaptureExceptionOptions<K extends keyof HelperRegistry = "github"> = Omit<CaptureOptions, "kind"> &
  Partial<Omit<HelperRegistry[K]["options"], "repo" | "labels">> & {
    /**
     * Ask the person first (a preview and a line of detail), at a terminal outside CI only. Off by
     * default: a report from a catch block never waits for a person unless the app asks.
     * @default false
     */
    interactive?: boolean;
    /** Report with this helper. @default the crash handler's (installHandlers), else one made from these options */
    helper?: Helper;
    /** The backend for a helper made from these options. @default "github" */
    backend?: K;
  };

const CAPTURE_KEYS = ["repo", "title", "body", "labels", "interactive", "helper", "backend"] as const;

/**
 * Reports a thrown value, as the crash handlers do (title, stack, causes, fields, breadcrumbs; the same
 * identifier for the same bug on every machine), and resolves with what happened; never asks a person
 * unless `interactive: true`. Uses the helper given, else the installed crash handler's, else one made
 * from the options (then `repo` is needed). Bad options throw here, at the call.
 * @example
 * import { captureException } from "bugbeacon";
 * try { loadPlugin(name); } catch (error) { await captureException(error, { repo: "me/app" }); }
 */
export function captureException<K extends keyof HelperRegistry = "github">(error: unknown, options: CaptureExceptionOptions<K> = {}): Promise<ReportResult> {
  if (typeof options !== "object" || options === null) throw new InvalidOptionError("options", options, "an object like { repo, title, body, labels }");
  const { repo, title, body, labels, interactive, helper, backend, ...helperOptions } = options;
  if (interactive !== undefined && typeof interactive !== "boolean") throw new InvalidOptionError("interactive", interactive, "true or false");
  if (title !== undefined && (typeof title !== "string" || title.trim() === "")) throw new InvalidOptionError("title", title, "a non-empty string");
  if (body !== undefined && typeof body !== "string") throw new InvalidOptionError("body", body, "a string (Markdown)");
  const name = (backend ?? "github") as K;
  checkKnownKeys(options, [...CAPTURE_KEYS, ...(helper === undefined && Object.hasOwn(OPTION_KEYS, name) ? OPTION_KEYS[name] : [])], "captureException");
  const capture: CaptureOptions = {};
  if (repo !== undefined) capture.repo = repo;
  if (title !== undefined) capture.title = title;
  if (body !== undefined) capture.body = body;
  if (labels !== undefined) capture.labels = labels;
  const ask = interactive === true;
  const own = Object.keys(helperOptions).length > 0 || backend !== undefined;
  if (helper !== undefined) {
    return helper.captureException(error, { ...capture, kind: "exception" }, { confirm: ask });
  }
  const installed = own ? undefined : installedReporter();
  if (installed !== undefined) {
    if (repo !== undefined) installed.reporter.checkTarget(repo);
    return installed.reporter.capture(error, { ...(installed.repo !== undefined ? { repo: installed.repo } : {}), ...capture }, ask) as Promise<ReportResult>;
  }
  const made = getHelper(name, { ...helperOptions, ...(repo !== undefined ? { repo } : {}) } as HelperRegistry[K]["options"]);
  return made.captureException(error, { ...capture, kind: "exception" }, { confirm: ask });
}
