// A record check (django-issue's ModelAssertion): every user has a picture five days after joining. The
// monitor's issue lists the users who fail as a checklist, edited in place as the set changes (no comment
// per run), and is closed when none fails any more.
import { readFileSync } from "node:fs";
import { getHelper } from "bugbeacon";

const helper = getHelper("github", { repo: process.env.EXAMPLE_REPO ?? "bugbeacon-demo/support", confirm: false });
const runs = Number(process.env.MONITOR_RUNS ?? Infinity);
const FIVE_DAYS = 5 * 24 * 60 * 60 * 1000;

function usersHavePictures() {
  // Your database here; a JSON file keeps the example self-contained.
  const users = JSON.parse(readFileSync(process.env.USERS_FILE ?? "users.json", "utf8"));
  const late = users.filter((u) => !u.picture && Date.now() - Date.parse(u.joined) > FIVE_DAYS);
  return { ok: late.length === 0, failures: late.map((u) => ({ key: u.name, details: `joined ${u.joined.slice(0, 10)}, no picture yet` })) };
}

const server = setInterval(() => {}, 60_000);
let done = 0;
const monitor = helper.monitor("users have pictures", usersHavePictures, {
  every: 60 * 60_000,
  onRun(run) {
    console.log(`${run.name}: ${run.ok ? "ok" : `failing: ${run.failing.join(", ")}`}; issue ${run.action}${run.problem ? ` (${run.problem})` : ""}`);
    if (++done >= runs) {
      monitor.stop();
      clearInterval(server);
    }
  },
});
