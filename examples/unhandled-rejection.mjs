// A promise rejection nobody handles. With Node's default (--unhandled-rejections=throw) the report is
// sent and the process crashes with exit code 1, as it would without bugbeacon; under
// --unhandled-rejections=warn the report is sent and the app keeps running.
import { installHandlers } from "bugbeacon";

installHandlers({ repo: process.env.EXAMPLE_REPO ?? "bugbeacon-demo/support", confirm: false });

async function connect(url) {
  throw new Error(`connection refused: ${url}`);
}

connect("postgres://db.internal:5432/results"); // no await, no .catch()
setTimeout(() => console.log("still running"), 300);
