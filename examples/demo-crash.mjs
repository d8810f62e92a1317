// `npm run example`: a tiny app crashes and bugbeacon turns the crash into a GitHub issue.
// With no token (the default here) it prints a prefilled new-issue URL, and opens it only when a
// desktop is there and this is not CI. Set EXAMPLE_REPO and BUGBEACON_GITHUB_TOKEN to really post.
import { getHelper } from "bugbeacon";

const repo = process.env.EXAMPLE_REPO ?? "bugbeacon-demo/support";
// The demo never posts to the placeholder repository, even if your shell has a token.
const env = { ...process.env };
if (process.env.EXAMPLE_REPO === undefined) {
  delete env.BUGBEACON_GITHUB_TOKEN;
  delete env.HELPME_GITHUB_TOKEN;
}

const helper = getHelper("github", { env, confirm: false, prefix: "[demo]" });

function readSettings(config) {
  return config.settings.theme; // config is undefined: TypeError
}

try {
  readSettings(undefined);
} catch (error) {
  const result = await helper.runHeadless({
    identifier: `${error.name}: ${error.message}`,
    title: `${error.name}: ${error.message}`,
    body: `The demo app crashed while reading its settings.\n\n\`\`\`\n${error.stack}\n\`\`\``,
    repo,
  });
  console.log(`\nThe demo app crashed; bugbeacon's result:\n${JSON.stringify(result, null, 2)}`);
}
