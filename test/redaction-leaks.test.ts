/**
 * Issue 11's acceptance: a fresh corpus of realistic secrets (every kind, every carrier) goes through
 * real crashing processes, and nothing of it reaches what leaves the process: the issue and its comment
 * at the fake GitHub, the printed new-issue URL (decoded), the dry-run output, the spool file. Judged by
 * secretlint (outside oracle) and by a search for every value whole, URL-encoded and in 12-character windows.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseIssueBody } from "../src/format/report-format.js";
import { appFrom } from "./support/app-fixture.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { baseEnv, runNode } from "./support/run-node.js";
import { findLeaks, generateArgvSecrets, generateCorpus, pick, type Secret } from "./support/secret-corpus.js";
import { secretlintFindings } from "./support/secretlint.js";
import { parseDetectors } from "../src/sdk/redact/detectors.js";

const DETECTORS = parseDetectors();
import { BARE_CARRIERS, CARRIERS, SEED, seededRandom, valueFor } from "./support/detector-values.js";
import { DETECT_SECRETS, detectSecretsFindings } from "./support/detect-secrets.js";

const TOKEN = "ghp_leaktestleaktestleaktestleaktest12";
const fake = useFakeGitHub({ repos: ["octo/app"], tokens: [TOKEN] });

/** The hand-made corpus, plus 30 rows of the rule book drawn afresh (seeded), each in a carrier. */
const corpus = [...generateCorpus(), ...ruleBookSample(30)];

function ruleBookSample(count: number): Secret[] {
  const rand = seededRandom(SEED + 3);
  const rows = [...DETECTORS].sort(() => rand() - 0.5).slice(0, count);
  return rows.map((d, k) => {
    const value = valueFor(d.pattern.source, rand);
    const carriers = d.near ? CARRIERS : [...CARRIERS, ...BARE_CARRIERS];
    const carrier = carriers[k % carriers.length]!;
    const name = d.near ? `${d.keywords[0]!.replace(/[^a-z0-9_-]/gi, "")}_key` : "upstream";
    return { kind: `${d.id} (${carrier.id})`, value: value.slice(d.keep), line: carrier.make(name, value) };
  });
}
const argv = generateArgvSecrets();
const envKey = pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40);
const envUrlPass = `${pick("abcdefghijkmnpqrstuvwxyz", 6)}${pick("0123456789", 4)}`;
const secrets = [
  ...corpus,
  ...argv.map((a) => ({ kind: `command-line ${a.flag}`, value: a.value })),
  { kind: "allow-listed env variable named like a key", value: envKey },
  { kind: "allow-listed env variable holding a URL with a password", value: envUrlPass },
];

/** The app: every line of the corpus in the title/message, the stack, two causes, fields and breadcrumbs. */
const APP = `import { readFileSync } from "node:fs";
import { addBreadcrumb, installHandlers } from "bugbeacon";
const corpus = JSON.parse(readFileSync(new URL("./corpus.json", import.meta.url), "utf8"));
installHandlers({ repo: "octo/app", confirm: false, open: false, dryRun: process.env.LEAK_DRY === "1", envAllowlist: ["SERVICE_API_KEY", "APP_NOTIFY_URL"] });
const lines = corpus.map((s) => s.line);
for (const line of lines) addBreadcrumb(line, { seen: line });
const root = new Error("root cause:\\n" + lines.join("\\n"));
const mid = new Error("while reading config:\\n" + lines.join("\\n"), { cause: root });
const top = new Error(lines.slice(0, 4).join(" | ") + "\\n" + lines.join("\\n"), { cause: mid });
top.details = lines.join("\\n");
top.cookie = "sid=" + corpus[0].value + "; theme=dark";
top.sessionId = corpus[1].value;
top.request = { headers: { authorization: "Bearer " + corpus[2].value }, password: corpus[3].value, note: lines[4] };
throw top;
`;

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function app(): string {
  const dir = appFrom(APP);
  made.push(dir);
  writeFileSync(join(dir, "corpus.json"), JSON.stringify(corpus));
  return dir;
}

async function crash(extraEnv: NodeJS.ProcessEnv) {
  const dir = app();
  const env = baseEnv({
    SERVICE_API_KEY: envKey,
    APP_NOTIFY_URL: `https://deploy:${envUrlPass}@hooks.internal/notify`,
    ...extraEnv,
  });
  made.push(env.BUGBEACON_SPOOL_DIR!);
  const args = [join(dir, "app.mjs"), ...argv.flatMap((a) => [a.flag, a.value]), "--verbose"];
  const run = await runNode(args, { env, cwd: dir, timeoutMs: 30_000 });
  expect(run.code).toBe(1);
  return { run, spoolDir: env.BUGBEACON_SPOOL_DIR! };
}

async function expectNothingLeaks(output: string, name: string): Promise<void> {
  expect(output.length, `${name} is empty`).toBeGreaterThan(500);
  expect(findLeaks(output, secrets), `raw values found in ${name}`).toEqual([]);
  expect(await secretlintFindings(output, name), `secretlint findings in ${name}`).toEqual([]);
  if (DETECT_SECRETS !== undefined) expect(detectSecretsFindings(output, name), `seed ${SEED}: detect-secrets findings in ${name}`).toEqual([]);
}

describe(`the generated corpus is a fair test (REDACT_SEED=${SEED})`, () => {
  // Said, never silent: without DETECT_SECRETS the run lists this as skipped.
  if (DETECT_SECRETS === undefined) it.skip("detect-secrets: SKIPPED, set DETECT_SECRETS to run it (see test/support/detect-secrets.ts)", () => {});
  else {
    it("detect-secrets recognises many of its raw lines", () => {
      expect(detectSecretsFindings(corpus.map((s) => s.line).join("\n"), "raw").length).toBeGreaterThanOrEqual(12);
    });
  }

  it("secretlint recognises many of its raw values, and every value is in the app's input", async () => {
    const raw = corpus.map((s) => s.line).join("\n");
    expect((await secretlintFindings(raw)).length).toBeGreaterThanOrEqual(12);
    // The search that must find nothing in the output finds every value in the input.
    for (const s of corpus) {
      const line = s.encoded ? Buffer.from(/[A-Za-z0-9+/=]{16,}/.exec(s.line)?.[0] ?? "", "base64").toString("latin1") : s.line;
      expect(findLeaks(line, [s]).length, s.kind).toBeGreaterThan(0);
    }
  });
});

describe("nothing of the corpus leaves a crashing process", () => {
  it("in the issue and the seen-again comment at GitHub", async () => {
    await crash({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url });
    await crash({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url });
    const [issue, ...others] = fake.issues("octo/app");
    expect(others).toEqual([]);
    expect(issue?.comments).toHaveLength(1);
    const body = issue?.body ?? "";
    // Every carrier arrived (redacted), so the absence of secrets means something.
    for (const part of ["**Caused by** (1)", "**Caused by** (2)", "**Fields**", "**Breadcrumbs**", "**Command line**", "--db-password", "--api-key", "cookie: [REDACTED]", "C:\\Users\\<user>\\proj"]) {
      expect(body).toContain(part);
    }
    expect(body.split("[REDACTED]").length).toBeGreaterThan(4 * corpus.length);
    expect(parseIssueBody(body)?.metadata?.environment).toMatchObject({ SERVICE_API_KEY: "[REDACTED]", APP_NOTIFY_URL: "https://[REDACTED]@hooks.internal/notify" });
    await expectNothingLeaks(`${issue?.title}\n${body}`, "issue");
    await expectNothingLeaks(issue?.comments[0]?.body ?? "", "comment");
  });

  it("in the printed new-issue URL, decoded", async () => {
    const { run } = await crash({});
    const url = /^(https:\/\/github\.com\/octo\/app\/issues\/new\?\S+)$/m.exec(run.stderr)?.[1];
    expect(url).toBeDefined();
    const decoded = decodeURIComponent(url!);
    expect(decoded).toContain("[REDACTED]");
    await expectNothingLeaks(decoded, "url");
    expect(findLeaks(url!, secrets)).toEqual([]);
  });

  it("in the dry-run output", async () => {
    const { run } = await crash({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url, LEAK_DRY: "1" });
    const start = run.stderr.indexOf("dry run, nothing sent");
    expect(start).toBeGreaterThanOrEqual(0);
    const printed = run.stderr.slice(start, run.stderr.indexOf("\n}\n", start) + 2);
    expect(printed).toContain('"method": "POST"');
    await expectNothingLeaks(printed, "dry-run");
    expect(fake.requests.filter((r) => r.method === "POST")).toEqual([]);
  });

  it("in the spool file written when GitHub cannot be reached", async () => {
    const { spoolDir } = await crash({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: "http://127.0.0.1:9" });
    const files = listFiles(spoolDir).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThan(0);
    const content = files.map((f) => readFileSync(f, "utf8")).join("\n");
    expect(content).toContain("[REDACTED]");
    await expectNothingLeaks(content, "spool");
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

