import { afterEach, describe, expect, it } from "vitest";
import { getHelper } from "../src/index.js";
import { parseIssueBody } from "../src/format.js";
import { BreadcrumbTrail, addBreadcrumb, globalTrail, recordConsole } from "../src/sdk/capture/breadcrumbs.js";
import { unhandledRejectionsMode } from "../src/sdk/capture/handlers.js";
import { useFakeGitHub } from "./support/fake-github/use.js";
import { tempDir } from "./support/temp.js";

const TOKEN = "ghp_capturetestcapturetestcapturetest1";
const fake = useFakeGitHub({ repos: ["octo/app"], tokens: [TOKEN] });
afterEach(() => {
  globalTrail.clear();
});

const helper = (options: Parameters<typeof getHelper<"github">>[1] = {}) =>
  getHelper("github", { baseUrl: fake.url, confirm: false, open: false, quiet: true, retryAfterBaseMs: 10, spoolDir: tempDir("bugbeacon-spool-"), repo: "octo/app", env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN }, ...options });

describe("captureException", () => {
  it("reports with the error's title, kind exception, and the default repo", async () => {
    const result = await helper().captureException(new RangeError("index 12 out of range"));
    expect(result.kind).toBe("created");
    const [issue] = fake.issues("octo/app");
    expect(issue?.title).toBe("RangeError: index 12 out of range");
    expect(parseIssueBody(issue?.body)?.metadata?.kind).toBe("exception");
  });

  it("cuts a long message to GitHub's 256-character title limit", async () => {
    await helper().captureException(new Error("x".repeat(1000)));
    expect(fake.issues("octo/app")[0]?.title.length).toBe(256);
  });

  it("uses identify() when given, hashed", async () => {
    const a = await helper({ identify: () => "my-bucket" }).captureException(new Error("one"));
    const b = await helper({ identify: () => "my-bucket" }).captureException(new TypeError("two"));
    expect(a.identifier).toBe(b.identifier);
  });

  it("beforeSend can edit a report (and it is redacted again) or drop it", async () => {
    const edited = await helper({
      beforeSend: (r) => ({ ...r, title: `[edited] ${r.title} ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8` }),
    }).captureException(new Error("boom"));
    expect(edited.kind).toBe("created");
    expect(fake.issues("octo/app")[0]?.title).toBe("[edited] Error: boom [REDACTED]");
    const dropped = await helper({ beforeSend: () => null }).captureException(new Error("boom"));
    expect(dropped.kind).toBe("skipped");
    expect(dropped.kind === "skipped" && dropped.reason).toBe("dropped");
    expect(fake.issues("octo/app")).toHaveLength(1);
  });

  it("says what is missing when no repo is given anywhere", async () => {
    const h = getHelper("github", { confirm: false, quiet: true, env: {} });
    await expect(h.captureException(new Error("x"))).rejects.toThrow('pass { repo } here or to getHelper()');
  });
});

describe("breadcrumbs", () => {
  it("keeps the last N, oldest first", () => {
    const trail = new BreadcrumbTrail(3);
    for (const m of ["a", "b", "c", "d", "e"]) trail.add(m);
    expect(trail.list().map((c) => c.message)).toEqual(["c", "d", "e"]);
  });

  it("shows them in the report, redacted, with console.warn lines when recorded", async () => {
    const originalWarn = console.warn;
    const stop = recordConsole();
    expect(console.warn).not.toBe(originalWarn);
    try {
      addBreadcrumb("loaded config", { path: "/home/alice/cfg.json", password: "pw" });
      console.warn("disk almost full: token=abc123");
    } finally {
      stop();
    }
    expect(console.warn).toBe(originalWarn);
    await helper({ env: { BUGBEACON_SETTLE_MS: "1000", BUGBEACON_GITHUB_TOKEN: TOKEN } }).captureException(new Error("crash"));
    const body = fake.issues("octo/app")[0]?.body ?? "";
    expect(body).toContain("loaded config");
    expect(body).toContain("[console.warn] disk almost full: token=[REDACTED]");
    expect(body.indexOf("loaded config")).toBeLessThan(body.indexOf("disk almost full"));
    expect(body).not.toContain('"pw"');
  });
});

describe("assert", () => {
  it("reports a broken invariant once per identifier per process, never throws", async () => {
    const h = helper();
    expect(h.assert(true, "never reported")).toBeUndefined();
    const check = (n: number) => h.assert(n > 0, "queue length must be positive");
    const first = await check(-1);
    expect(first?.kind).toBe("created");
    expect(check(-2)).toBeUndefined();
    const [issue] = fake.issues("octo/app");
    expect(issue?.title).toBe("AssertionFailed: queue length must be positive");
    expect(parseIssueBody(issue?.body)?.metadata?.kind).toBe("assertion");
    expect(fake.issues("octo/app")).toHaveLength(1);
  });
});

describe("unhandledRejectionsMode", () => {
  it("reads --unhandled-rejections from execArgv and NODE_OPTIONS, default throw", () => {
    expect(unhandledRejectionsMode([], "")).toBe("throw");
    expect(unhandledRejectionsMode(["--unhandled-rejections=warn"], "")).toBe("warn");
    expect(unhandledRejectionsMode([], "--max-old-space-size=100 --unhandled-rejections=none")).toBe("none");
    expect(unhandledRejectionsMode(["--unhandled-rejections", "strict"], "")).toBe("strict");
    expect(unhandledRejectionsMode(["--unhandled-rejections=bogus"], "")).toBe("throw");
  });
});
