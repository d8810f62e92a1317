import { MissingTokenError } from "../../errors.js";
import { renderIssueBody } from "../../format/report-format.js";
import { BaseHelper, type PreparedReport } from "../../sdk/base-helper.js";
import { canOpenBrowser, openInBrowser } from "../../sdk/browser.js";
import type { ReportResult } from "../../sdk/types.js";
import { toGitHubRequestError } from "./github-errors.js";
import { buildNewIssueUrl } from "./new-issue-url.js";
import { createOctokit } from "./octokit-client.js";
import {
  resolveApiUrl,
  resolveWebUrl,
  validateGitHubOptions,
  type GitHubHelperOptions,
} from "./options.js";
import { parseRepo } from "./repo.js";

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Reports to GitHub issues: through the API when a token is there, otherwise as a prefilled
 * new-issue URL that is printed (and opened in a browser when one can be).
 */
export class GitHubHelper extends BaseHelper<GitHubHelperOptions> {
  readonly name = "github";
  readonly apiUrl: string;
  readonly webUrl: string;

  constructor(options: GitHubHelperOptions = {}) {
    validateGitHubOptions(options);
    super(options);
    this.apiUrl = resolveApiUrl(options, this.env);
    this.webUrl = resolveWebUrl(options, this.apiUrl);
  }

  /** The token in use: the option, else BUGBEACON_GITHUB_TOKEN, else HELPME_GITHUB_TOKEN. */
  protected token(): string | undefined {
    const candidates = [this.options.token, this.env.BUGBEACON_GITHUB_TOKEN, this.env.HELPME_GITHUB_TOKEN];
    return candidates.find((t): t is string => typeof t === "string" && t.trim() !== "")?.trim();
  }

  protected override titlePrefix(): string {
    const prefix = this.options.prefix?.trim();
    return prefix ? `${prefix} ` : "";
  }

  protected override helperLabels(): string[] | undefined {
    return this.options.labels;
  }

  protected checkTarget(repo: unknown): void {
    parseRepo(repo);
  }

  protected async preflight(): Promise<void> {
    if (this.options.requireToken === true && this.token() === undefined) throw new MissingTokenError();
  }

  protected async deliver(report: PreparedReport): Promise<ReportResult> {
    const token = this.token();
    return token === undefined ? this.deliverAsUrl(report) : this.deliverWithApi(report, token);
  }

  private async deliverWithApi(report: PreparedReport, token: string): Promise<ReportResult> {
    const repo = parseRepo(report.repo);
    const { identifier, reportId } = report.document.metadata;
    const { body } = renderIssueBody(this.documentWithFooter(report));
    const octokit = await createOctokit({
      token,
      baseUrl: this.apiUrl,
      timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    try {
      const { data } = await octokit.rest.issues.create({
        owner: repo.owner,
        repo: repo.name,
        title: report.title,
        body,
        ...(report.labels.length > 0 ? { labels: report.labels } : {}),
      });
      this.logger.info(`reported as ${data.html_url}`);
      return { kind: "created", number: data.number, url: data.html_url, identifier, reportId };
    } catch (error) {
      throw toGitHubRequestError(error, `create an issue in ${report.repo}`, this.redact);
    }
  }

  private async deliverAsUrl(report: PreparedReport): Promise<ReportResult> {
    const repo = parseRepo(report.repo);
    const { identifier, reportId } = report.document.metadata;
    const labels = this.options.labelsInUrl === true ? report.labels : [];
    const { url, cutCharacters } = buildNewIssueUrl(
      this.webUrl,
      repo,
      report.title,
      this.documentWithFooter(report),
      labels,
    );
    this.logger.info(
      `no GitHub token, so nothing was sent. To report this problem, open:\n${url}` +
        (cutCharacters > 0 ? `\n(${cutCharacters} characters of the report were cut to fit a URL)` : ""),
    );
    const mayOpen = this.options.open ?? (await canOpenBrowser(this.env));
    const opened = mayOpen ? await openInBrowser(url, this.logger, this.env) : false;
    return { kind: "url", url, identifier, reportId, opened };
  }

  private documentWithFooter(report: PreparedReport) {
    return this.options.footer === undefined ? report.document : { ...report.document, footer: this.options.footer };
  }
}

