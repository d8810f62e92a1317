// Checks for a schedule: `bugbeacon check examples/monitor-checks.mjs --repo owner/name` runs each exported
// check once and opens, updates or resolves its monitor's issue (the issues hold the state, so nothing is
// kept between runs). `bugbeacon init --checks examples/monitor-checks.mjs` writes the scheduled workflow.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const data = process.env.CHECKS_DATA ?? "data";

// A plain check: last night's backup exists and is less than a day old. The export name names the monitor.
export function backupIsRecent() {
  const made = statSync(join(data, "backup.tar")).mtimeMs;
  return { ok: Date.now() - made < 24 * 60 * 60 * 1000, details: `the last backup was made ${new Date(made).toISOString()}` };
}

// A record check with its own rules: every paid order ships within two days; one checklist line per late order,
// and the issue closes at the first run where none is late.
export const ordersShip = {
  passAfter: 1,
  check() {
    const orders = JSON.parse(readFileSync(join(data, "orders.json"), "utf8"));
    const late = orders.filter((o) => !o.shipped && Date.now() - Date.parse(o.paid) > 2 * 24 * 60 * 60 * 1000);
    return { ok: late.length === 0, failures: late.map((o) => ({ key: `order ${o.id}`, details: `paid ${o.paid.slice(0, 10)}, not shipped` })) };
  },
};
