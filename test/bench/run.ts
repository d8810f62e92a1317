/**
 * `npm run bench`: runs every `test/bench/*.bench.ts` in turn (run by vite-node, after `npm run build`).
 * Each bench file exports `run(log)` and prints its figures as ratios against a baseline measured in the
 * same run, because these machines are shared and noisy. Pass names to run only some: `npm run bench -- import`.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

for (const file of files) {
  const mod = (await import(pathToFileURL(`${dir}/${file}`).href)) as { run(log: (line: string) => void): Promise<void> };
  console.log(`\n== ${file.replace(/\.bench\.ts$/, "")}`);
  await mod.run((line) => console.log(`   ${line}`));
}
