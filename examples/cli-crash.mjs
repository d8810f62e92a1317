// A command-line tool that reports its crashes. `installHandlers` reports every uncaught exception,
// then lets the process crash exactly as Node would have: same output, exit code 1.
//   EXAMPLE_REPO=me/my-tool-support BUGBEACON_GITHUB_TOKEN=... node examples/cli-crash.mjs data.csv
import { addBreadcrumb, installHandlers } from "bugbeacon";

installHandlers({ repo: process.env.EXAMPLE_REPO ?? "bugbeacon-demo/support", confirm: false });

function parseRow(line) {
  const [name, value] = line.split(",");
  return { name, value: Number(value.trim()) }; // a row without a comma has no value: TypeError
}

const input = process.argv[2] ?? "demo.csv";
addBreadcrumb(`reading ${input}`);
const rows = ["alpha, 1", "beta, 2", "gamma"].map(parseRow);
console.log(`parsed ${rows.length} rows`);
