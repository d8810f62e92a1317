// A "report a problem" step: when a command fails, the person at the terminal previews the issue,
// adds what they were doing and expected, and submits it (or opens it in the browser, copies the
// URL, saves it to a file). Without a terminal (CI, piped input) it asks nothing and reports as is.
import { getHelper } from "bugbeacon";

const helper = getHelper("github", { repo: process.env.EXAMPLE_REPO ?? "bugbeacon-demo/support" });

function loadSettings(text) {
  return JSON.parse(text);
}

try {
  loadSettings('{ "theme": "dark", }');
} catch (error) {
  console.error(`Could not read the settings: ${error.message}`);
  const result = await helper.run({ error, body: "The settings file was written by version 1 of the app." });
  console.log(`report: ${result.kind}${"url" in result ? ` ${result.url}` : ""}`);
  process.exitCode = 1;
}
