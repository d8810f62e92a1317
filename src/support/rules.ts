/**
 * Maintainers' rules (after django-issue's responders): a condition on the new report and its
 * identifier's history, and actions. A count rule fires once per identifier; a marker file in the
 * database (`fired/<identifier>/<rule>.json`, one file each, so runs never collide) remembers it and the
 * issue whose run fired it: a rerun of that run fires it again (its actions are idempotent), no other does.
 * Values filled into a comment template are neutralised (see bot-text.ts).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Rule, RuleAction } from "./config.js";
import { neutralise } from "./bot-text.js";
import type { ReportRecord } from "./record.js";
import { isSafeIdentifier } from "./safe-names.js";

export interface RuleContext {
  record: ReportRecord;
  body: string;
  /** Creation times (ms) of every report with this identifier, the new one included. */
  reportTimes: number[];
  first: number;
  now: number;
}

export interface FiredRule {
  rule: Rule;
  /** Issue number the actions apply to. */
  target: number;
  actions: RuleAction;
  /** The comment to post (template filled, mention added), if any. */
  comment?: string;
  /** Database path of the marker file written. */
  marker: string;
}

export async function matches(rule: Rule, ctx: RuleContext): Promise<boolean> {
  const w = rule.when;
  const test = (source: string | undefined, text: string) => source === undefined || new RegExp(source, "i").test(text);
  if (!test(w.identifier, ctx.record.identifier) || !test(w.title, ctx.record.title) || !test(w.body, ctx.body)) return false;
  if (w.label !== undefined && !ctx.record.labels.includes(w.label)) return false;
  if (w.version !== undefined) {
    const { satisfies, coerce } = await import("semver");
    const version = ctx.record.app_version === null ? null : coerce(ctx.record.app_version);
    if (version === null || !satisfies(version, w.version)) return false;
  }
  if (w.count !== undefined) {
    const since = w.count.withinHours !== undefined ? ctx.now - w.count.withinHours * 3_600_000 : -Infinity;
    if (ctx.reportTimes.filter((t) => t >= since).length < w.count.atLeast) return false;
  }
  return true;
}

/** Fills `{first}`, `{count}`, `{identifier}`, `{number}`: numbers as digits, text as a neutral code span. */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(first|count|identifier|number)\}/g, (_m, key: string) => {
    const value = values[key];
    if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
    return value === undefined ? "" : neutralise(value, 80);
  });
}

/** Evaluates the rules in order; returns those that fire now, and writes their markers under `dbRoot`. */
export async function evaluateRules(rules: Rule[], ctx: RuleContext, dbRoot: string): Promise<FiredRule[]> {
  if (!isSafeIdentifier(ctx.record.identifier)) return [];
  const fired: FiredRule[] = [];
  for (const rule of rules) {
    if (!(await matches(rule, ctx))) continue;
    const onceOnly = rule.when.count !== undefined;
    const marker = join("fired", ctx.record.identifier, `${rule.id}.json`);
    if (onceOnly) {
      const previous = await readMarker(join(dbRoot, marker));
      if (previous !== undefined && previous.issue !== ctx.record.number) continue;
      if (previous === undefined) {
      await mkdir(join(dbRoot, "fired", ctx.record.identifier), { recursive: true });
        await writeFile(join(dbRoot, marker), `${JSON.stringify({ rule: rule.id, at: new Date(ctx.now).toISOString(), issue: ctx.record.number }, null, 2)}\n`);
      }
    }
    const target = (rule.target ?? (onceOnly ? "first" : "new")) === "first" ? ctx.first : ctx.record.number;
    const values = { first: ctx.first, count: ctx.reportTimes.length, identifier: ctx.record.identifier, number: ctx.record.number };
    const parts = [rule.then.comment !== undefined ? fillTemplate(rule.then.comment, values) : undefined, rule.then.mention].filter(
      (p): p is string => p !== undefined,
    );
    const entry: FiredRule = { rule, target, actions: rule.then, marker: onceOnly ? marker : "" };
    if (parts.length > 0) entry.comment = parts.join("\n\n");
    fired.push(entry);
  }
  return fired;
}

/** The marker of a fired count rule: which issue's run fired it. A broken marker still counts as fired. */
async function readMarker(path: string): Promise<{ issue: number | undefined } | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const issue = (JSON.parse(text) as { issue?: unknown }).issue;
    return { issue: typeof issue === "number" ? issue : undefined };
  } catch {
    return { issue: undefined };
  }
}
