/**
 * Insights from the database: top identifiers, reports per version, new identifiers in the last 7 and 30
 * days, and a daily trend. Rendered as an 80-column table, JSON, Markdown, or one self-contained HTML page
 * (inline SVG chart, no scripts, no external requests).
 */
import type { ReportRecord } from "./record.js";
import { terminalSafe } from "./safe-names.js";

export interface IdentifierStats {
  identifier: string;
  title: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  firstIssue: number;
  versions: string[];
}

export interface Stats {
  generatedAt: string;
  reports: number;
  identifiers: number;
  skippedFiles: number;
  top: IdentifierStats[];
  perVersion: Array<{ version: string; reports: number; identifiers: number }>;
  newIdentifiers: { last7Days: number; last30Days: number };
  /** Reports per day, oldest first, for the last `trendDays` days. */
  trend: Array<{ day: string; reports: number }>;
}

/** Every record (see layout.ts, the one layout reader); `legacy` counts github-support `.md` records not yet imported. */
export { loadRecords } from "./layout.js";

export function computeStats(records: ReportRecord[], options: { top?: number; now?: number; trendDays?: number; skipped?: number } = {}): Stats {
  const now = options.now ?? Date.now();
  const byId = new Map<string, { first: ReportRecord; count: number; firstT: number; lastT: number; versions: Set<string> }>();
  const perVersion = new Map<string, { reports: number; ids: Set<string> }>();
  const trendDays = options.trendDays ?? 30;
  const dayMs = 86_400_000;
  const startDay = Math.floor(now / dayMs) - trendDays + 1;
  const trend = new Array<number>(trendDays).fill(0);

  for (const r of records) {
    const t = Date.parse(r.created_at);
    let entry = byId.get(r.identifier);
    if (entry === undefined) {
      entry = { first: r, count: 0, firstT: t, lastT: t, versions: new Set() };
      byId.set(r.identifier, entry);
    }
    entry.count += 1;
    if (t < entry.firstT || (t === entry.firstT && r.number < entry.first.number)) {
      entry.firstT = t;
      entry.first = r;
    }
    if (t > entry.lastT) entry.lastT = t;
    const version = r.app_version ?? "unknown";
    entry.versions.add(version);
    let v = perVersion.get(version);
    if (v === undefined) {
      v = { reports: 0, ids: new Set() };
      perVersion.set(version, v);
    }
    v.reports += 1;
    v.ids.add(r.identifier);
    const day = Math.floor(t / dayMs) - startDay;
    if (day >= 0 && day < trendDays) trend[day] = (trend[day] ?? 0) + 1;
  }

  const all = [...byId.entries()].map(([identifier, e]) => ({
    identifier,
    title: e.first.title,
    count: e.count,
    firstSeen: new Date(e.firstT).toISOString(),
    lastSeen: new Date(e.lastT).toISOString(),
    firstIssue: e.first.number,
    versions: [...e.versions].sort(compareVersions),
  }));
  all.sort((a, b) => b.count - a.count || a.firstIssue - b.firstIssue);
  const since = (days: number) => all.filter((s) => Date.parse(s.firstSeen) >= now - days * dayMs).length;
  return {
    generatedAt: new Date(now).toISOString(),
    reports: records.length,
    identifiers: byId.size,
    skippedFiles: options.skipped ?? 0,
    top: all.slice(0, options.top ?? 10),
    perVersion: [...perVersion.entries()]
      .map(([version, v]) => ({ version, reports: v.reports, identifiers: v.ids.size }))
      .sort((a, b) => compareVersions(b.version, a.version)),
    newIdentifiers: { last7Days: since(7), last30Days: since(30) },
    trend: trend.map((reports, i) => ({ day: new Date((startDay + i) * dayMs).toISOString().slice(0, 10), reports })),
  };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const pb = b.split(/[.+-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

const short = (id: string) => id.slice(0, 12);
const fit = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));

/** A plain-text report that fits an 80-column terminal. */
export function renderTable(s: Stats): string {
  const lines = [
    `${s.reports} reports, ${s.identifiers} distinct problems; new problems: ${s.newIdentifiers.last7Days} in 7 days, ${s.newIdentifiers.last30Days} in 30 days`,
    "",
    `${"COUNT".padStart(6)}  ${"FIRST".padEnd(10)}  ${"LAST".padEnd(10)}  ${"ID".padEnd(12)}  TITLE`,
    ...s.top.map((t) => `${String(t.count).padStart(6)}  ${t.firstSeen.slice(0, 10)}  ${t.lastSeen.slice(0, 10)}  ${short(t.identifier)}  ${fit(terminalSafe(t.title), 34).trimEnd()}`),
    "",
    "VERSION          REPORTS  PROBLEMS",
    ...s.perVersion.slice(0, 10).map((v) => `${fit(terminalSafe(v.version), 15)}  ${String(v.reports).padStart(7)}  ${String(v.identifiers).padStart(8)}`),
    "",
    `Last ${s.trend.length} days: ${sparkline(s.trend.map((d) => d.reports))}`,
  ];
  if (s.skippedFiles > 0) lines.push(`(${s.skippedFiles} unreadable files skipped; run "bugbeacon db check")`);
  return `${lines.map((l) => (l.length > 80 ? `${l.slice(0, 79)}…` : l)).join("\n")}\n`;
}

function sparkline(values: number[]): string {
  const bars = "▁▂▃▄▅▆▇█";
  const max = Math.max(1, ...values);
  return values.map((v) => (v === 0 ? " " : bars[Math.min(7, Math.floor((v / max) * 7.999))])).join("");
}

const md = (s: string) => terminalSafe(s).replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`).replace(/\s+/g, " ");

export function renderMarkdown(s: Stats): string {
  return [
    "## bugbeacon: reported problems",
    "",
    `**${s.reports}** reports of **${s.identifiers}** distinct problems. New problems: ${s.newIdentifiers.last7Days} in the last 7 days, ${s.newIdentifiers.last30Days} in the last 30.`,
    "",
    "| Reports | First issue | First seen | Last seen | Versions | Title |",
    "|---:|---|---|---|---|---|",
    ...s.top.map((t) => `| ${t.count} | #${t.firstIssue} | ${t.firstSeen.slice(0, 10)} | ${t.lastSeen.slice(0, 10)} | ${md(t.versions.join(", "))} | ${md(t.title)} |`),
    "",
    "| Version | Reports | Problems |",
    "|---|---:|---:|",
    ...s.perVersion.map((v) => `| ${md(v.version)} | ${v.reports} | ${v.identifiers} |`),
    "",
    `Reports per day, last ${s.trend.length} days: \`${sparkline(s.trend.map((d) => d.reports))}\``,
    "",
  ].join("\n");
}

const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One self-contained page: inline CSS and SVG, no scripts, nothing loaded from elsewhere. */
export function renderHtml(s: Stats): string {
  const w = 900;
  const h = 220;
  const pad = 30;
  const max = Math.max(1, ...s.trend.map((d) => d.reports));
  const bw = (w - 2 * pad) / Math.max(1, s.trend.length);
  const bars = s.trend
    .map((d, i) => {
      const bh = ((h - 2 * pad) * d.reports) / max;
      return `<rect class="bar" data-day="${d.day}" data-reports="${d.reports}" x="${(pad + i * bw + 1).toFixed(1)}" y="${(h - pad - bh).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${bh.toFixed(1)}"><title>${d.day}: ${d.reports}</title></rect>`;
    })
    .join("");
  const topMax = Math.max(1, ...s.top.map((t) => t.count));
  const rows = s.top
    .map(
      (t) =>
        `<tr><td class="num">${t.count}</td><td class="m"><div class="meter" style="width:${((100 * t.count) / topMax).toFixed(1)}%"></div></td><td>#${t.firstIssue}</td><td class="d">${html(t.firstSeen.slice(0, 10))}</td><td class="d">${html(t.lastSeen.slice(0, 10))}</td><td>${html(t.versions.join(", "))}</td><td>${html(t.title)}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bugbeacon: reported problems</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328}h1{font-size:20px}
table{border-collapse:collapse;width:100%}td,th{padding:4px 8px;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:top}
.num{text-align:right}.m{width:140px}.d{white-space:nowrap}.meter{height:10px;margin-top:4px;background:#cf222e;min-width:2px}.bar{fill:#0969da}
svg{border:1px solid #d0d7de;background:#f6f8fa}.axis{font-size:11px;fill:#57606a}
</style></head><body>
<h1>bugbeacon: reported problems</h1>
<p id="summary"><strong>${s.reports}</strong> reports of <strong>${s.identifiers}</strong> distinct problems. New problems: ${s.newIdentifiers.last7Days} in the last 7 days, ${s.newIdentifiers.last30Days} in the last 30. Generated ${html(s.generatedAt)}.</p>
<h2>Reports per day</h2>
<svg id="trend" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="Reports per day">
${bars}
<text class="axis" x="${pad}" y="${h - 10}">${html(s.trend[0]?.day ?? "")}</text>
<text class="axis" x="${w - pad}" y="${h - 10}" text-anchor="end">${html(s.trend[s.trend.length - 1]?.day ?? "")}</text>
<text class="axis" x="4" y="${pad}">${max}</text>
</svg>
<h2>Top problems</h2>
<table id="top"><thead><tr><th>Reports</th><th></th><th>First issue</th><th>First seen</th><th>Last seen</th><th>Versions</th><th>Title</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
