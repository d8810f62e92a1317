import { describe, expect, it } from "vitest";
import { envFlag } from "../src/_internal/env-flag.js";
import { getHelper } from "../src/index.js";
import { canOpenBrowser } from "../src/sdk/browser.js";
import { whyNotInteractive } from "../src/sdk/prompts/interactive.js";

describe("envFlag: one reading of yes/no environment variables", () => {
  it.each([
    [undefined, false],
    ["", false],
    ["0", false],
    ["false", false],
    ["FALSE", false],
    [" False ", false],
    ["  ", false],
    ["1", true],
    ["true", true],
    ["yes", true],
    ["woodpecker", true],
    ["00", true],
  ])("%j → %s", (value, on) => {
    expect(envFlag(value === undefined ? {} : { X: value }, "X")).toBe(on);
  });

  it("is what BUGBEACON_DISABLE, CI (prompts, browser) use", async () => {
    const disabled = (v: string) => getHelper("github", { quiet: true, flushOnStart: false, env: { BUGBEACON_DISABLE: v } }).disabled;
    expect(disabled("1")).toBe(true);
    expect(disabled("FALSE")).toBe(false);
    expect(disabled("")).toBe(false);
    const tty = { stdin: { isTTY: true } as NodeJS.ReadStream, stdout: { isTTY: true } as NodeJS.WriteStream };
    expect(whyNotInteractive({ CI: "woodpecker" }, tty)).toBe("running in CI");
    expect(whyNotInteractive({ CI: " False " }, tty)).toBeUndefined();
    expect(await canOpenBrowser({ CI: "True" })).toBe(false);
  });
});
