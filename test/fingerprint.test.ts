import { describe, expect, it } from "vitest";
import { appFrames, fingerprintSource, relativeToApp, templateMessage } from "../src/sdk/capture/fingerprint.js";
import { parseStack } from "../src/sdk/capture/stack-frames.js";
import { hashIdentifier } from "../src/sdk/identifier.js";

const aliceStack = `TypeError: Cannot read properties of undefined (reading 'rows')
    at summarize (/home/alice/app/src/report.js:41:17)
    at Array.map (<anonymous>)
    at buildAll (/home/alice/app/src/build.js:12:9)
    at main (/home/alice/app/bin/cli.js:5:3)
    at Module._compile (node:internal/modules/cjs/loader:1469:14)`;

const bobStack = `TypeError: Cannot read properties of undefined (reading 'rows')
    at summarize (C:\\Users\\bob\\app\\src\\report.js:44:21)
    at Array.map (<anonymous>)
    at buildAll (C:\\Users\\bob\\app\\src\\build.js:13:2)
    at main (C:\\Users\\bob\\app\\bin\\cli.js:7:1)
    at Module._compile (node:internal/modules/cjs/loader:1501:14)`;

const id = (stack: string, root: string, message = "Cannot read properties of undefined (reading 'rows')", type = "TypeError") =>
  hashIdentifier(fingerprintSource(type, message, stack, root));

describe("the identifier rule", () => {
  it("gives one identifier for the same bug on /home/alice/app and C:\\Users\\bob\\app (other lines and columns)", () => {
    expect(id(aliceStack, "/home/alice/app")).toBe(id(bobStack, "C:\\Users\\bob\\app"));
    expect(fingerprintSource("TypeError", "x", aliceStack, "/home/alice/app")).toBe(
      "TypeError: x\nsummarize src/report.js\nbuildAll src/build.js\nmain bin/cli.js",
    );
  });

  it("also for file:// URLs (ES modules) and a global install path", () => {
    const esm = aliceStack.replaceAll("/home/alice/app/", "file:///opt/tools/lib/node_modules/demo/");
    expect(fingerprintSource("TypeError", "x", esm, "/opt/tools/lib/node_modules/demo")).toBe(
      "TypeError: x\nsummarize src/report.js\nbuildAll src/build.js\nmain bin/cli.js",
    );
  });

  it("differs for different bugs: another type, another message, another place", () => {
    const base = id(aliceStack, "/home/alice/app");
    expect(id(aliceStack, "/home/alice/app", undefined, "RangeError")).not.toBe(base);
    expect(id(aliceStack, "/home/alice/app", "Cannot read properties of null (reading 'rows')")).not.toBe(base);
    expect(id(aliceStack.replace("summarize", "tabulate"), "/home/alice/app")).not.toBe(base);
    expect(id(aliceStack.replace("src/report.js", "src/other.js"), "/home/alice/app")).not.toBe(base);
  });

  it("leaves node: internals and node_modules out, unless nothing else is left", () => {
    const withDeps = `Error: boom
    at Parser.parse (/srv/app/node_modules/csv-parse/lib/index.js:10:5)
    at readAll (/srv/app/src/read.js:3:9)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`;
    expect(appFrames(parseStack(withDeps), "/srv/app")).toEqual(["readAll src/read.js"]);
    const onlyDeps = `Error: boom
    at Parser.parse (/srv/app/node_modules/csv-parse/lib/index.js:10:5)
    at node:internal/main:1:1`;
    expect(appFrames(parseStack(onlyDeps), "/srv/app")).toEqual(["Parser.parse node_modules/csv-parse/lib/index.js"]);
  });

  it.each([
    ["numbers", "expected 3 columns, got 7", "expected <n> columns, got <n>"],
    ["hex ids", "object 0x7ffd1a2b not found; commit deadbeefcafe1234", "object <hex> not found; commit <hex>"],
    ["UUIDs", "job 123e4567-e89b-12d3-a456-426614174000 failed", "job <uuid> failed"],
    ["quoted values", `unknown option '--fast' (did you mean "--faster"?)`, "unknown option <str> (did you mean <str>?)"],
    ["POSIX paths", "ENOENT: no such file or directory, open /home/alice/data/run-17.csv", "ENOENT: no such file or directory, open <path>"],
    ["Windows paths", "EPERM: operation not permitted, open C:\\Users\\bob\\data\\x.csv", "EPERM: operation not permitted, open <path>"],
    ["URLs", "request to https://api.example.com/v2/items?id=9 failed", "request to <url> failed"],
  ])("templates %s in messages", (_kind, message, expected) => {
    expect(templateMessage(message)).toBe(expected);
  });

  it("keeps words that only look like hex, and short hex-ish tokens", () => {
    expect(templateMessage("cannot decode facade")).toBe("cannot decode facade");
    expect(templateMessage("bad value abc")).toBe("bad value abc");
  });

  it("relativizes paths against the app root, case-insensitively on Windows drives", () => {
    expect(relativeToApp("c:\\users\\BOB\\app\\src\\x.js", "C:\\Users\\bob\\app")).toBe("src\\x.js".replace("\\", "/"));
    expect(relativeToApp("/elsewhere/deep/dir/file.js", "/srv/app")).toBe("dir/file.js");
  });
});
