// A command worth recording: a build that prints in colour, redraws a progress line, shows a token in its
// debug output, and fails. Record it into a report with:
//   npx bugbeacon report --repo you/app --record -- node examples/record-failing-build.mjs
// The report gets the exit code and the terminal's last lines (the token redacted); --upload adds a link
// to the whole recording on asciinema.org (or your own asciinema server).
const token = process.env.DEPLOY_TOKEN ?? "(set DEPLOY_TOKEN to see it redacted)";
console.log("\u001b[1mbuilding widgets\u001b[0m");
for (const pct of [0, 50, 100]) process.stdout.write(`\rcompiling ${pct}%`);
process.stdout.write("\n");
console.log(`debug: deploying with DEPLOY_TOKEN=${token}`);
console.error("\u001b[31merror:\u001b[0m widgets/core.ts:12: cannot find module 'left-pad'");
process.exitCode = 2;
