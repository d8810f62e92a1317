/**
 * The crash handler against plain Node, with real child processes: however bugbeacon is installed (once,
 * twice with one helper, two helpers, an ES module and a CommonJS copy together), with or without an app
 * listener, for an uncaught exception and an unhandled rejection in every `--unhandled-rejections` mode,
 * the exit code, stdout and stderr are Node's own, apart from bugbeacon's added lines, and the report is
 * printed (URL mode) or sent (the fake GitHub) exactly once. The default suite runs a covering subset
 * (test/crash-matrix.test.ts), the stress suite every combination (test/stress/crash-matrix.stress.test.ts).
 */import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appFrom } from "./app-fixture.js";
import { useFakeGitHub } from "./fake-github/use.js";
import { baseEnv, runNode, type RunResult } from "./run-node.js";

const TOKEN = "ghp_matrixtokenmatrixtokenmatrixtok12";

/** Line 1 of each app: how bugbeacon is installed (blank for plain Node, so line numbers match). */
const INSTALLS = {
  once: `import { installHandlers } from "bugbeacon"; installHandlers({ repo: "octo/app" });`,
  "twice, one helper": `import { getHelper } from "bugbeacon"; const h = getHelper("github", { repo: "octo/app" }); h.installHandlers(); h.installHandlers();`,
  "two helpers": `import { installHandlers, getHelper } from "bugbeacon"; installHandlers({ repo: "octo/app" }); getHelper("github").installHandlers();`,
  "ESM and CJS copies": `import { installHandlers } from "bugbeacon"; import { createRequire } from "node:module"; createRequire(import.meta.url)("bugbeacon").installHandlers({ repo: "octo/app" }); installHandlers({ repo: "octo/app" });`,
} as const;

type Crash = "exception" | "rejection";
const MODES = ["throw", "strict", "warn", "none", "warn-with-error-code"] as const;

/** The app after line 1. The exception is thrown in a callback, where Node's caret is under `throw`. */
function appCode(crash: Crash, listener: boolean): string {
  const lines = [
    listener && crash === "exception" ? `process.on("uncaughtException", (e, origin) => { console.error("app handled " + origin + ": " + e.message); process.exitCode = 3; });` : "",
    listener && crash === "rejection" ? `process.on("unhandledRejection", (r) => { console.error("app saw a rejection: " + r.message); process.exitCode = 4; });` : "",
    `function save() {`,
    crash === "exception" ? `  const path = "/data/x";   throw new Error("could not save " + path);` : `  return Promise.reject(new Error("the database went away"));`,
    `}`,
    `setTimeout(save, 5);`,
    `setTimeout(() => console.log("still running"), 300);`,
  ];
  return lines.join("\n") + "\n";
}

/** bugbeacon's own lines: "bugbeacon: …" and the URL printed after "open:". */
function withoutBugbeacon(stderr: string): string {
  const out: string[] = [];
  let urlNext = false;
  for (const line of stderr.split("\n")) {
    if (urlNext) {
      urlNext = false;
      if (line.startsWith("https://")) continue;
    }
    if (line.startsWith("bugbeacon: ")) {
      urlNext = line.endsWith("open:");
      continue;
    }
    out.push(line);
  }
  return out.join("\n");
}

/** What differs between any two runs of the same program: its folder and process id. */
const normal = (text: string, dir: string) => text.replaceAll(dir, "<app>").replace(/\(node:\d+\)/g, "(node:<pid>)");

async function run(source: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ result: RunResult; dir: string }> {
  const dir = appFrom(source);
  const result = await runNode([...args, join(dir, "app.mjs")], { env, cwd: dir });
  return { result, dir };
}

interface Case {
  install: keyof typeof INSTALLS;
  listener: boolean;
  crash: Crash;
  mode: (typeof MODES)[number] | undefined;
}

/** Every way of installing x an app listener or not x the exception and each rejection mode (48 cases). */
function fullMatrix(): Case[] {
  const cases: Case[] = [];
  for (const install of Object.keys(INSTALLS) as Array<keyof typeof INSTALLS>) {
    for (const listener of [false, true]) {
      cases.push({ install, listener, crash: "exception", mode: undefined });
      for (const mode of MODES) cases.push({ install, listener, crash: "rejection", mode });
    }
  }
  return cases;
}

/**
 * A covering subset (18 cases): every way of installing with and without an app listener, for the
 * exception and for one rejection mode each, the modes taken in turn so that each meets both listener
 * states and several installs.
 */
function coveringMatrix(): Case[] {
  const cases: Case[] = [];
  let k = 0;
  for (const install of Object.keys(INSTALLS) as Array<keyof typeof INSTALLS>) {
    for (const listener of [false, true]) {
      cases.push({ install, listener, crash: "exception", mode: undefined });
      cases.push({ install, listener, crash: "rejection", mode: MODES[k++ % MODES.length] });
    }
  }
  // The two (mode, listener) pairs the turn above does not reach.
  const met = (mode: string, listener: boolean) => cases.some((c) => c.mode === mode && c.listener === listener);
  for (const mode of MODES) for (const listener of [false, true]) if (!met(mode, listener)) cases.push({ install: "once", listener, crash: "rejection", mode });
  return cases;
}

const name = (c: Case) => `${c.install}, ${c.listener ? "app listener" : "no app listener"}, ${c.crash}${c.mode ? ` (--unhandled-rejections=${c.mode})` : ""}`;

/** Defines the matrix's tests: `full` every combination, else the covering subset. */
export function crashMatrix(which: "covering" | "full"): void {
  const fake = useFakeGitHub({ repos: ["octo/app"], tokens: [TOKEN] });
  const cases = which === "full" ? fullMatrix() : coveringMatrix();

  describe("a crash with bugbeacon ends as it does with plain Node", () => {
    const plainRuns = new Map<string, Promise<{ result: RunResult; dir: string }>>();
    const plain = (c: Case) => {
      const key = `${c.listener}/${c.crash}/${c.mode}`;
      let found = plainRuns.get(key);
      if (found === undefined) {
        found = run("\n" + appCode(c.crash, c.listener), c.mode ? [`--unhandled-rejections=${c.mode}`] : [], baseEnv());
        plainRuns.set(key, found);
      }
      return found;
    };

    it.each(cases.map((c) => [name(c), c] as const))("%s", async (_name, c) => {
      const [withBugbeacon, alone] = await Promise.all([
        run(`${INSTALLS[c.install]}\n${appCode(c.crash, c.listener)}`, c.mode ? [`--unhandled-rejections=${c.mode}`] : [], baseEnv()),
        plain(c),
      ]);
      const ours = withBugbeacon.result;
      expect(ours.code).toBe(alone.result.code);
      expect(normal(ours.stdout, withBugbeacon.dir)).toBe(normal(alone.result.stdout, alone.dir));
      expect(normal(withoutBugbeacon(ours.stderr), withBugbeacon.dir)).toBe(normal(alone.result.stderr, alone.dir));
      // Reported once (printed as a URL: no token here), whatever the number of installs.
      expect(ours.stderr.match(/To report this problem, open:/g) ?? []).toHaveLength(1);
      expect(ours.stderr).toMatch(/^https:\/\/github\.com\/octo\/app\/issues\/new\?title=Error%3A%20(could%20not%20save|the%20database)/m);
    });

    it("the source line and caret of the app's throw are Node's (a case where a re-throw would move them)", async () => {
      const c: Case = { install: "once", listener: false, crash: "exception", mode: undefined };
      const { result, dir } = await run(`${INSTALLS.once}\n${appCode("exception", false)}`, [], baseEnv());
      expect(normal(result.stderr, dir)).toContain(
        'file://<app>/app.mjs:5\n  const path = "/data/x";   throw new Error("could not save " + path);\n                            ^\n\nError: could not save /data/x\n',
      );
      expect((await plain(c)).result.code).toBe(1);
    });
  });

  describe("sent exactly once with a token", () => {
    const env = () => baseEnv({ BUGBEACON_GITHUB_TOKEN: TOKEN, BUGBEACON_GITHUB_API_URL: fake.url });
    // A time limit no busy machine reaches: these tests are about "once", not about the limit (whose
    // expiry queues the report for the next flush, see write-ahead.test.ts).
    const patient = (install: string) => install.replaceAll('{ repo: "octo/app" }', '{ repo: "octo/app", timeoutMs: 20000 }');

    it.each(["two helpers", "ESM and CJS copies"] as const)("%s: one issue, Node's exit and output", async (install) => {
      const source = `${patient(INSTALLS[install])}\n${appCode("exception", false)}`;
      const [{ result, dir }, alone] = await Promise.all([run(source, [], env()), run("\n" + appCode("exception", false), [], env())]);
      expect(result.code).toBe(1);
      expect(normal(withoutBugbeacon(result.stderr), dir)).toBe(normal(alone.result.stderr, alone.dir));
      expect(result.stderr.match(/^bugbeacon: reported as http/gm) ?? [], result.stderr).toHaveLength(1);
      expect(fake.issues("octo/app").map((i) => i.title)).toEqual(["Error: could not save /data/x"]);
    });

    it("an unhandled rejection in the default mode: one issue, Node's exit and output", async () => {
      const source = `${patient(INSTALLS["ESM and CJS copies"])}\n${appCode("rejection", false)}`;
      const [{ result, dir }, alone] = await Promise.all([run(source, [], env()), run("\n" + appCode("rejection", false), [], env())]);
      expect(result.code).toBe(1);
      expect(normal(withoutBugbeacon(result.stderr), dir)).toBe(normal(alone.result.stderr, alone.dir));
      expect(fake.issues("octo/app").map((i) => i.title)).toEqual(["Error: the database went away"]);
    });
  });
}
