// Report a failure the app survives, from a catch block, and carry on.
import { getHelper } from "bugbeacon";

const helper = getHelper("github", { repo: process.env.EXAMPLE_REPO ?? "bugbeacon-demo/support", confirm: false });

function loadPlugin(name) {
  throw new RangeError(`plugin ${name} needs API version 3, found 2`);
}

for (const name of ["core", "extras"]) {
  try {
    loadPlugin(name);
  } catch (error) {
    const result = await helper.captureException(error, { body: `Loading plugin \`${name}\` failed; the app went on without it.` });
    console.log(`plugin ${name} skipped; report: ${result.kind}`);
  }
}
