// A monitor (django-issue's Assertion): a check that says whether a property of the system still holds,
// run on a schedule. After it fails, the monitor's one issue is opened; after it passes again, it is
// closed with a short "resolved" comment. The state is kept in the issue, so a restarted app goes on.
import { statSync } from "node:fs";
import { getHelper } from "bugbeacon";

const helper = getHelper("github", { repo: process.env.EXAMPLE_REPO ?? "bugbeacon-demo/support", confirm: false });
const heartbeat = process.env.HEARTBEAT_FILE ?? "heartbeat.txt";
const runs = Number(process.env.MONITOR_RUNS ?? Infinity);

// The worker touches heartbeat.txt as it goes; no touch for 30 minutes means it is stuck.
// A missing file throws, and a check that throws counts as failing (the issue says what it threw).
function recentHeartbeat() {
  const last = statSync(heartbeat).mtimeMs;
  return { ok: Date.now() - last < 30 * 60_000, details: `no heartbeat since ${new Date(last).toISOString()}` };
}

// Your server keeps the process alive; the monitor's timer never does. Here an interval stands in for it.
const server = setInterval(() => {}, 60_000);
let done = 0;
const monitor = helper.monitor("worker heartbeat", recentHeartbeat, {
  every: 5 * 60_000,
  onRun(run) {
    const issue = run.issue ? ` #${run.issue.number}` : "";
    console.log(`${run.name}: ${run.ok ? "ok" : `failing (${run.details})`}; issue ${run.action}${issue}${run.problem ? ` (${run.problem})` : ""}`);
    if (++done >= runs) {
      monitor.stop();
      clearInterval(server);
    }
  },
});
