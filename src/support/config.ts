/**
 * `bugbeacon.config.json` in the support repository: layout, what to do with duplicates, and the
 * maintainers' rules. Validated with ajv; every problem names the field it is about.
 */
import { readFile } from "node:fs/promises";
import { BugbeaconError } from "../errors.js";
import type { Layout } from "./database.js";
import { createAjv } from "./record.js";
import { nearestName } from "../_internal/validate-options.js";

export const CONFIG_FILE = "bugbeacon.config.json";

export interface RuleCondition {
  /** Regular expressions (JavaScript syntax, case-insensitive) on the identifier, title or body. */
  identifier?: string;
  title?: string;
  body?: string;
  /** A semver range the report's app version must satisfy, e.g. ">=2.0.0 <3". */
  version?: string;
  /** A label the new issue must carry. */
  label?: string;
  /** Count of reports with this identifier: at least `atLeast` (within the last `withinHours`, when given). */
  count?: { atLeast: number; withinHours?: number };
}

export interface RuleAction {
  labels?: string[];
  assign?: string[];
  /** Comment template: `{first}` (first issue number), `{count}`, `{identifier}`, `{number}`. */
  comment?: string;
  /** Mention a team or person, e.g. "@my-org/maintainers" (in a comment). */
  mention?: string;
  close?: boolean;
  reopen?: boolean;
}

export interface Rule {
  /** Stable name: remembers that the rule fired. Letters, digits, `-`, `_`. */
  id: string;
  when: RuleCondition;
  then: RuleAction;
  /** Which issue the actions apply to. @default "first" for count rules, else "new" */
  target?: "new" | "first";
}

/** One step of a timed rule: its actions, fired once per issue, `after` the rule's `openFor` (default at once). */
export interface TimedStep extends RuleAction {
  /** Delay after `openFor`, e.g. "48h": escalation chains are steps with growing delays. */
  after?: string;
}

/**
 * A time-based rule (run by `bugbeacon sweep`): when a filed report's issue has stayed open for `openFor`
 * (and matches the optional conditions), each step fires once, remembered in `timers/` in the database.
 */
export interface TimedRule {
  id: string;
  when: {
    /** "30m", "24h", "7d", "2w": how long the issue has been open. */
    openFor: string;
    identifier?: string;
    title?: string;
    label?: string;
  };
  then: TimedStep[];
}

export interface SupportConfig {
  version: 1;
  layout: Layout;
  duplicates: {
    /** Close a new issue whose identifier was reported before. @default true */
    close: boolean;
    /** @default "not_planned" */
    stateReason: "not_planned" | "completed";
    /** Label for closed duplicates. @default "duplicate" */
    label: string | null;
    /** On the first issue: a compact "seen again" comment, or nothing. @default "comment" */
    seenAgain: "comment" | "none";
  };
  identity: {
    /**
     * Label put on an issue whose body was edited to carry another identifier than the one it was filed
     * under (the report stays filed where it was; the change is logged either way). @default null (no label)
     */
    changedLabel: string | null;
  };
  rules: Rule[];
  /** Time-based rules, run by `bugbeacon sweep`. @default [] */
  timed: TimedRule[];
}

export const DEFAULT_CONFIG: SupportConfig = {
  version: 1,
  layout: "flat",
  duplicates: { close: true, stateReason: "not_planned", label: "duplicate", seenAgain: "comment" },
  identity: { changedLabel: null },
  rules: [],
  timed: [],
};

const DURATION = /^([1-9]\d{0,5})(m|h|d|w)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Milliseconds of "30m", "24h", "7d", "2w"; undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (m === null) return undefined;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

const ACTION_PROPERTIES = {
  labels: { type: "array", items: { type: "string", minLength: 1, maxLength: 50 } },
  assign: { type: "array", items: { type: "string", pattern: "^[A-Za-z0-9-]{1,39}$" } },
  comment: { type: "string", minLength: 1, maxLength: 10000 },
  mention: { type: "string", pattern: "^@[A-Za-z0-9-]+(/[A-Za-z0-9_.-]+)?$" },
  close: { type: "boolean" },
  reopen: { type: "boolean" },
} as const;

const CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    $schema: { type: "string" },
    version: { const: 1 },
    layout: { enum: ["flat", "by-version"] },
    duplicates: {
      type: "object",
      additionalProperties: false,
      properties: {
        close: { type: "boolean" },
        stateReason: { enum: ["not_planned", "completed"] },
        label: { type: ["string", "null"], minLength: 1, maxLength: 50 },
        seenAgain: { enum: ["comment", "none"] },
      },
    },
    identity: {
      type: "object",
      additionalProperties: false,
      properties: { changedLabel: { type: ["string", "null"], minLength: 1, maxLength: 50 } },
    },
    rules: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "when", "then"],
        properties: {
          id: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" },
          target: { enum: ["new", "first"] },
          when: {
            type: "object",
            additionalProperties: false,
            minProperties: 1,
            properties: {
              identifier: { type: "string", minLength: 1 },
              title: { type: "string", minLength: 1 },
              body: { type: "string", minLength: 1 },
              version: { type: "string", minLength: 1 },
              label: { type: "string", minLength: 1 },
              count: {
                type: "object",
                additionalProperties: false,
                required: ["atLeast"],
                properties: { atLeast: { type: "integer", minimum: 1 }, withinHours: { type: "number", exclusiveMinimum: 0 } },
              },
            },
          },
          then: {
            type: "object",
            additionalProperties: false,
            minProperties: 1,
            properties: {
              ...ACTION_PROPERTIES,
            },
          },
        },
      },
    },
    timed: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "when", "then"],
        properties: {
          id: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" },
          when: {
            type: "object",
            additionalProperties: false,
            required: ["openFor"],
            properties: {
              openFor: { type: "string", minLength: 1 },
              identifier: { type: "string", minLength: 1 },
              title: { type: "string", minLength: 1 },
              label: { type: "string", minLength: 1 },
            },
          },
          then: {
            type: "array",
            minItems: 1,
            maxItems: 20,
            items: {
              type: "object",
              additionalProperties: false,
              minProperties: 1,
              properties: { after: { type: "string", minLength: 1 }, ...ACTION_PROPERTIES },
            },
          },
        },
      },
    },
  },
} as const;

export class InvalidConfigError extends BugbeaconError {
  override name = "InvalidConfigError";
  constructor(file: string, problems: string[]) {
    super(`${file} is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}\nFix the fields named above (see docs/support-repository.md, "Maintainers' rules").`, {
      code: "ERR_INVALID_CONFIG",
    });
  }
}

/** Reads and validates the config; a missing file means the defaults. */
export async function loadConfig(path: string): Promise<SupportConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return DEFAULT_CONFIG;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError(path, [`not JSON: ${(error as Error).message}`]);
  }
  return parseConfig(value, path);
}

/** " (name)", and the nearest key the schema allows there: a misspelt key is named with what was meant. */
function unknownKey(name: string, schemaPath: string): string {
  let node: unknown = CONFIG_SCHEMA;
  for (const segment of schemaPath.replace(/^#\//, "").split("/").slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[segment];
  const known = Object.keys((node as { properties?: object } | undefined)?.properties ?? {});
  const nearest = nearestName(name, known);
  return ` (${name})${nearest !== undefined ? `; did you mean ${JSON.stringify(nearest)}?` : known.length > 0 ? `; allowed: ${known.join(", ")}` : ""}`;
}

export async function parseConfig(value: unknown, file = CONFIG_FILE): Promise<SupportConfig> {
  const ajv = await createAjv();
  const validate = ajv.compile(CONFIG_SCHEMA);
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => {
      const extra = e.keyword === "additionalProperties" ? unknownKey(String((e.params as { additionalProperty?: string }).additionalProperty), e.schemaPath) : "";
      const allowed = e.keyword === "enum" ? `: ${(e.params as { allowedValues?: unknown[] }).allowedValues?.map((v) => JSON.stringify(v)).join(", ")}` : "";
      return `${e.instancePath || "(top level)"} ${e.message ?? "is invalid"}${allowed}${extra}`;
    });
    throw new InvalidConfigError(file, problems);
  }
  const v = value as Partial<SupportConfig>;
  const config: SupportConfig = {
    version: 1,
    layout: v.layout ?? DEFAULT_CONFIG.layout,
    duplicates: { ...DEFAULT_CONFIG.duplicates, ...(v.duplicates ?? {}) },
    identity: { ...DEFAULT_CONFIG.identity, ...(v.identity ?? {}) },
    rules: v.rules ?? [],
    timed: v.timed ?? [],
  };
  const problems: string[] = [];
  const { validRange } = await import("semver");
  for (const [i, rule] of config.rules.entries()) {
    for (const key of ["identifier", "title", "body"] as const) {
      const source = rule.when[key];
      if (source === undefined) continue;
      try {
        new RegExp(source, "i");
      } catch (error) {
        problems.push(`/rules/${i}/when/${key} is not a valid regular expression: ${(error as Error).message}`);
      }
    }
    if (rule.when.version !== undefined && validRange(rule.when.version) === null) {
      problems.push(`/rules/${i}/when/version ${JSON.stringify(rule.when.version)} is not a semver range (e.g. ">=2.0.0 <3")`);
    }
  }
  for (const [i, rule] of config.timed.entries()) {
    if (parseDuration(rule.when.openFor) === undefined) problems.push(`/timed/${i}/when/openFor ${JSON.stringify(rule.when.openFor)} is not a duration (e.g. "30m", "24h", "7d", "2w")`);
    for (const key of ["identifier", "title"] as const) {
      const source = rule.when[key];
      if (source === undefined) continue;
      try {
        new RegExp(source, "i");
      } catch (error) {
        problems.push(`/timed/${i}/when/${key} is not a valid regular expression: ${(error as Error).message}`);
      }
    }
    for (const [j, step] of rule.then.entries()) {
      if (step.after !== undefined && parseDuration(step.after) === undefined) problems.push(`/timed/${i}/then/${j}/after ${JSON.stringify(step.after)} is not a duration (e.g. "30m", "24h", "7d", "2w")`);
      if (Object.keys(step).every((k) => k === "after")) problems.push(`/timed/${i}/then/${j} has no action (labels, assign, comment, mention, close or reopen)`);
    }
  }
  const timedIds = config.timed.map((r) => r.id);
  for (const id of timedIds.filter((id, i) => timedIds.indexOf(id) !== i)) problems.push(`/timed: id ${JSON.stringify(id)} is used twice`);
  const ids = config.rules.map((r) => r.id);
  for (const id of ids.filter((id, i) => ids.indexOf(id) !== i)) problems.push(`/rules: id ${JSON.stringify(id)} is used twice`);
  if (problems.length > 0) throw new InvalidConfigError(file, problems);
  return config;
}
