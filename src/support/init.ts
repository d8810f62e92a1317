/**
 * `bugbeacon init`: the triage workflow and a starter config for a support repository.
 */
import { access, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { BugbeaconError } from "../errors.js";
import { VERSION } from "../version.js";
import { CONFIG_FILE } from "./config.js";

export const WORKFLOW_PATH = ".github/workflows/bugbeacon-triage.yml";

// Actions pinned to full commit SHAs (a tag can be moved; a SHA cannot), with the version in a comment.
const CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2";
const SETUP_NODE = "actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0";

export function workflowText(): string {
  return `# bugbeacon triage: files every report in the database (issues/), closes duplicates with a link to
# the first report, and applies the rules in ${CONFIG_FILE}.
#
# Safe by construction:
# - The issue's text never appears in a run: script. The bugbeacon CLI reads the event from the file
#   GitHub writes (GITHUB_EVENT_PATH), so a crafted title or body cannot inject shell commands.
# - Least privilege: the job may write issues (comments, labels, closing) and contents (the database).
# - No concurrency: group. GitHub keeps only one pending run per group and cancels the rest, which would
#   lose reports under a burst. Concurrent runs race on git push instead; bugbeacon fetches, rebases and
#   retries until its commit lands.
# - Comments, labels and closes made with GITHUB_TOKEN do not start new workflow runs, so triage cannot
#   trigger itself in a loop.
name: bugbeacon triage

on:
  issues:
    types: [opened, edited, reopened]

permissions:
  contents: write
  issues: write

jobs:
  triage:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: ${CHECKOUT}
        with:
          persist-credentials: true
      - uses: ${SETUP_NODE}
        with:
          node-version: 20
      - name: Triage the issue
        run: npx --yes bugbeacon@${VERSION} triage
        env:
          GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
`;
}

export function starterConfig(): string {
  return `${JSON.stringify(
    {
      version: 1,
      layout: "flat",
      duplicates: { close: true, stateReason: "not_planned", label: "duplicate", seenAgain: "comment" },
      rules: [
        {
          id: "frequent",
          when: { count: { atLeast: 10 } },
          then: { labels: ["frequent"], comment: "Reported {count} times since #{first}." },
        },
        {
          id: "burst",
          when: { count: { atLeast: 5, withinHours: 24 } },
          then: { labels: ["burst"], comment: "{count} reports of this problem in the last 24 hours." },
        },
      ],
    },
    null,
    2,
  )}\n`;
}

export class FileExistsError extends BugbeaconError {
  override name = "FileExistsError";
  constructor(path: string) {
    super(`${path} already exists; not overwriting it. Run "bugbeacon init --force" to replace it.`, { code: "ERR_FILE_EXISTS" });
  }
}

/** Writes the workflow and the config into `root`. Returns the paths written. */
export async function initSupportRepository(root: string, options: { force?: boolean } = {}): Promise<string[]> {
  const files: Array<[string, string]> = [
    [WORKFLOW_PATH, workflowText()],
    [CONFIG_FILE, starterConfig()],
  ];
  if (!options.force) {
    for (const [path] of files) {
      if (await access(join(root, path)).then(() => true, () => false)) throw new FileExistsError(path);
    }
  }
  for (const [path, text] of files) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return files.map(([p]) => p);
}
