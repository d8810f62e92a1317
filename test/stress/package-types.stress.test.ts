/**
 * (In the stress suite, which CI runs: the declaration build alone takes most of two minutes on two cores.)
 * The package as npm publishes it. `npm pack` runs `prepack` (the full build, declarations included), so a
 * pack made after the default test build (JavaScript only) still holds every .d.ts and passes publint; and
 * the declarations compile for a consumer on their own: TypeScript 5.9 and 7, `nodenext` and `bundler`
 * resolution, with and without @types/node (then without the DOM library either).
 *
 * The pack runs in a copy of the package (src, configs, the test build's dist), never in this checkout,
 * whose dist the other test files are using meanwhile.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/temp.js";

const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;
const compilers = {
  "TypeScript 5.9": join(root, "node_modules/typescript/bin/tsc"),
  "TypeScript 7": join(root, "node_modules/typescript7/bin/tsc"),
};

let tarball: string;
let packedFiles: string[];
let unpacked: string;

beforeAll(async () => {
  const copy = tempDir("bugbeacon-pack-src-");
  for (const entry of ["src", "package.json", "tsconfig.json", "tsup.config.ts", "README.md", "CHANGELOG.md", "LICENSE"]) {
    cpSync(join(root, entry), join(copy, entry), { recursive: true });
  }
  // What `npm test` leaves: the test build (no declarations).
  cpSync(join(root, "dist"), join(copy, "dist"), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
  expect(readdirSync(join(copy, "dist")).filter((f) => f.endsWith(".d.ts"))).toEqual([]);
  const out = tempDir("bugbeacon-pack-out-");
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", out], { cwd: copy, maxBuffer: 64 * 1024 * 1024 });
  // prepack's build prints first (its lines may hold "[" too); npm's JSON is the array that starts a line.
  const json = /^\[$/m.exec(stdout);
  if (json === null) throw new Error(`npm pack printed no JSON:\n${stdout}`);
  const [packed] = JSON.parse(stdout.slice(json.index)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (packed === undefined) throw new Error(`npm pack printed no package:\n${stdout}`);
  tarball = join(out, packed.filename);
  packedFiles = packed.files.map((f) => f.path);
  unpacked = tempDir("bugbeacon-unpacked-");
  await run("tar", ["-xzf", tarball, "-C", unpacked]);
}, 240_000);

describe("npm pack after the test build", () => {
  it("holds the declarations for import and require, and the crash path's sender", () => {
    for (const file of ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts", "dist/cli.js", "dist/crash-send.js"]) {
      expect(packedFiles).toContain(file);
    }
  });

  it("passes publint (strict)", async () => {
    const { messages, pkg } = await publint({ pack: { tarball: readFileSync(tarball).buffer as ArrayBuffer }, strict: true });
    expect(messages.map((m) => formatMessage(m, pkg) ?? m.code)).toEqual([]);
  });

  it("declarations use no ambient Node.js namespace", () => {
    for (const file of ["index.d.ts", "index.d.cts"]) {
      expect(readFileSync(join(unpacked, "package/dist", file), "utf8")).not.toMatch(/\bNodeJS\./);
    }
  });
});

/** A consumer of the packed package, compiled with `tsc --noEmit` under one setting. */
async function compileConsumer(tsc: string, resolution: "nodenext" | "bundler", withNodeTypes: boolean): Promise<string> {
  const dir = tempDir("bugbeacon-consumer-");
  mkdirSync(join(dir, "node_modules/@types"), { recursive: true });
  cpSync(join(unpacked, "package"), join(dir, "node_modules/bugbeacon"), { recursive: true });
  if (withNodeTypes) symlinkSync(join(root, "node_modules/@types/node"), join(dir, "node_modules/@types/node"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "es2022",
        ...(resolution === "nodenext" ? { module: "nodenext", moduleResolution: "nodenext" } : { module: "esnext", moduleResolution: "bundler" }),
        // Without @types/node, no DOM either: the declarations must need neither.
        lib: ["es2023"],
        types: withNodeTypes ? ["node"] : [],
        strict: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: false,
        noEmit: true,
      },
      include: ["*.ts", "*.cts"],
    }),
  );
  writeFileSync(
    join(dir, "app.ts"),
    `import { captureException, close, flush, getHelper, installHandlers, InvalidOptionError, type ReportResult, type HelperOptions } from "bugbeacon";
const stop: () => void = installHandlers({ repo: "me/app", interactive: false, timeoutMs: 2000 });
const options: HelperOptions = { env: { MYAPP_MODE: "fast" }, quiet: true };
const helper = getHelper("github", { ...options, repo: "me/app" });
const result: Promise<ReportResult> = captureException(new Error("x"), { title: "Broke", labels: ["bug"] });
void result.then((r) => (r.kind === "url" ? r.url : r.kind));
void helper.assert(1 > 2, "math");
void flush({ onProgress: (done: number, total: number) => void [done, total] });
void close(1000);
const e: unknown = new InvalidOptionError("repo", "x", "owner/name");
stop();
export { e };
`,
  );
  if (resolution === "nodenext") {
    writeFileSync(
      join(dir, "legacy.cts"),
      `import bugbeacon = require("bugbeacon");
const stop: () => void = bugbeacon.installHandlers({ repo: "me/app" });
stop();
export {};
`,
    );
  }
  try {
    await run(process.execPath, [tsc, "-p", dir], { cwd: dir });
    return "ok";
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return `${stdout ?? ""}${stderr ?? ""}`.trim() || String(error);
  }
}

describe("the declarations compile for a consumer", () => {
  const cases = Object.keys(compilers).flatMap((compiler) =>
    (["nodenext", "bundler"] as const).flatMap((resolution) => [true, false].map((withNodeTypes) => [compiler, resolution, withNodeTypes] as const)),
  );
  it.each(cases)("%s, %s resolution, @types/node: %s", async (compiler, resolution, withNodeTypes) => {
    expect(await compileConsumer(compilers[compiler as keyof typeof compilers], resolution, withNodeTypes)).toBe("ok");
  }, 60_000);
});
