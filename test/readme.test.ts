/**
 * The README and docs say what the code does: the command table and docs/cli.md are what `--help` says,
 * the README quotes no figure that can go stale, its links exist, and the serve deployment is pinned. The
 * quick start itself runs verbatim from a clean clone in the stress suite
 * (test/stress/readme-quickstart.stress.test.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readme, root, section } from "./support/readme.js";
import { baseEnv, runNode } from "./support/run-node.js";

const cli = join(root, "dist/cli.js");

describe("the README and docs say what the code does", () => {
  it("the command table is the main --help, and docs/cli.md holds each command's --help word for word", async () => {
    const main = await runNode([cli, "--help"], { env: baseEnv() });
    const listed = [...main.stdout.matchAll(/^ {2}(\w+)\s{2,}(.+)$/gm)].map((m) => `| \`bugbeacon ${m[1]}\` | ${m[2]} |`);
    const table = section(readme, "Commands").split("\n").filter((l) => l.startsWith("| `bugbeacon"));
    expect(table).toEqual(listed);
    const doc = readFileSync(join(root, "docs/cli.md"), "utf8");
    expect(doc).toContain(`$ bugbeacon --help\n${main.stdout}\`\`\``);
    for (const name of [...main.stdout.matchAll(/^ {2}(\w+)\s{2,}/gm)].map((m) => m[1]!)) {
      const help = await runNode([cli, name, "--help"], { env: baseEnv() });
      expect(doc, name).toContain(`## bugbeacon ${name}\n\n\`\`\`text\n$ bugbeacon ${name} --help\n${help.stdout}\`\`\``);
    }
  });

  it("the README quotes no import-cost or test-count figure, and links only to pages that exist or that other work adds", () => {
    expect(readme).not.toMatch(/\d\s*ms\b|\d+ tests\b|\btests? pass/i);
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((m) => m[1]!);
    // Written with this README: each must exist.
    const here = ["docs/api.md", "docs/cli.md", "docs/delivery.md", "docs/development.md", "docs/serve.md", "docs/support-repository.md"];
    for (const page of here) {
      expect(links, page).toContain(page);
      expect(existsSync(join(root, page)), page).toBe(true);
    }
    // Pages other changes write (crash handlers, redaction, performance, backends, relay, monitors).
    const elsewhere = ["docs/crash-handlers.md", "docs/redaction.md", "docs/performance.md", "docs/backends.md", "docs/relay.md", "docs/monitors.md", "docs/recording.md"];
    expect(links.filter((l) => !here.includes(l) && !elsewhere.includes(l))).toEqual([]);
  });

  it("docs/serve.md deploys a pinned bugbeacon on a current Node.js LTS image, never npx at start", () => {
    const serve = readFileSync(join(root, "docs/serve.md"), "utf8");
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(serve).not.toMatch(/npx --yes|node:20|bugbeacon@0\b(?!\.)/);
    expect(serve).toMatch(/^FROM node:(22|24)[-\w.]*$/m);
    expect(serve).toContain(`bugbeacon@${version}`);
    expect(serve).toContain("ExecStart=/usr/local/bin/bugbeacon serve");
  });
});
