// Runs a fake GitHub in its own process, for benchmarks and child-process tests:
//
//   npx vite-node test/support/fake-github/standalone.ts '{"repos":["o/r"]}'
//
// Prints one JSON line `{"url":"http://127.0.0.1:PORT"}` on stdout once it is
// listening. State and faults are reachable over HTTP:
//   GET  /__fake/state     issues (with comments), stats, contractViolations, faults
//   GET  /__fake/requests  the request log
//   POST /__fake/faults    {"add": FaultSpec | FaultSpec[], "clear"?: true}
//   POST /__fake/reset
//   POST /__fake/seed      {"repo": "o/r", "issue": SeedIssueInput}
// Stops on SIGTERM/SIGINT or when stdin closes.
import { startFakeGitHub, type FakeGitHubOptions } from "./index.js";

const arg = process.argv.slice(2).find((a) => a.trim().startsWith("{"));
const options = (arg ? JSON.parse(arg) : {}) as FakeGitHubOptions;
const fake = await startFakeGitHub(options);
process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void fake.close().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
