// Checks requests to, and responses from, the fake against GitHub's official
// OpenAPI 3.0 description (@octokit/openapi). The point is that a test which
// passes against the fake sends only what real GitHub would accept, and that
// the fake only answers with shapes real GitHub could send.
//
// Everything expensive is cached in module scope: the parsed spec, the path
// matcher, and one compiled Ajv validator per (operation, part). Component
// schemas are registered with Ajv lazily, once, under absolute ids, so
// `#/components/schemas/issue` is compiled once and shared by every operation
// that returns an issue.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete" | "head" | "options";

export interface OperationMatch {
  /** Path template as written in the spec, e.g. `/repos/{owner}/{repo}/issues`. */
  template: string;
  method: HttpMethod;
  operationId: string;
  /** Raw (decoded) path parameter values. */
  pathParams: Record<string, string>;
}

export type MatchResult =
  | { kind: "found"; match: OperationMatch }
  | { kind: "no-path" }
  | { kind: "no-method"; template: string };

export interface Problem {
  /** Where: `path.issue_number`, `query.per_page`, `body/labels`, `response/0/user`... */
  where: string;
  message: string;
  /** GitHub-style error code for the 422 body. */
  code: "missing_field" | "invalid";
}

const SPEC_BASE = "https://fake-github.invalid/spec";

// ajv-formats is CJS; under NodeNext its default export is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

interface Spec {
  paths: Record<string, Record<string, JsonObject>>;
  components: Record<string, Record<string, JsonObject>>;
}

let spec: Spec | undefined;
let specLoadMs = 0;

/** Loads (once per process) and returns the parsed spec. */
export function loadSpec(): Spec {
  if (spec) return spec;
  const started = performance.now();
  const require = createRequire(import.meta.url);
  const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
  spec = JSON.parse(readFileSync(file, "utf8")) as Spec;
  specLoadMs = performance.now() - started;
  return spec;
}

/** How long the one-time spec load (read + JSON.parse) took, in ms. 0 until loaded. */
export function specLoadTimeMs(): number {
  return specLoadMs;
}

// ---------------------------------------------------------------- path matching

interface CompiledTemplate {
  template: string;
  /** Per segment: a literal string, or a regex with named params. */
  segments: Array<{ literal: string } | { regex: RegExp; names: string[] }>;
  literalCount: number;
}

let templatesBySegmentCount: Map<number, CompiledTemplate[]> | undefined;

function compileTemplates(): Map<number, CompiledTemplate[]> {
  if (templatesBySegmentCount) return templatesBySegmentCount;
  const map = new Map<number, CompiledTemplate[]>();
  for (const template of Object.keys(loadSpec().paths)) {
    const parts = template.split("/").slice(1);
    let literalCount = 0;
    const segments = parts.map((part) => {
      if (!part.includes("{")) {
        literalCount++;
        return { literal: part };
      }
      const names: string[] = [];
      const source = part
        .split(/(\{[^}]+\})/)
        .map((piece) => {
          const m = /^\{([^}]+)\}$/.exec(piece);
          if (m?.[1]) {
            names.push(m[1]);
            return "(.+?)";
          }
          return piece.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        })
        .join("");
      return { regex: new RegExp(`^${source}$`), names };
    });
    const list = map.get(parts.length) ?? [];
    list.push({ template, segments, literalCount });
    map.set(parts.length, list);
  }
  // Most literal segments first, so `/repos/{owner}/{repo}/issues/comments`
  // wins over `/repos/{owner}/{repo}/issues/{issue_number}`.
  for (const list of map.values()) list.sort((a, b) => b.literalCount - a.literalCount);
  templatesBySegmentCount = map;
  return map;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Finds the spec operation for a method and a concrete path (no query string). */
export function matchOperation(method: string, pathname: string): MatchResult {
  const parts = pathname.replace(/\/+$/, "").split("/").slice(1);
  const candidates = compileTemplates().get(parts.length) ?? [];
  const m = method.toLowerCase() as HttpMethod;
  let pathOnly: string | undefined;
  for (const candidate of candidates) {
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const seg = candidate.segments[i];
      const actual = parts[i] ?? "";
      if (!seg) ok = false;
      else if ("literal" in seg) ok = seg.literal === actual;
      else {
        const r = seg.regex.exec(actual);
        if (!r || actual === "") ok = false;
        else seg.names.forEach((name, j) => (params[name] = safeDecode(r[j + 1] ?? "")));
      }
    }
    if (!ok) continue;
    const item = loadSpec().paths[candidate.template];
    const op = item?.[m];
    if (op) {
      return {
        kind: "found",
        match: {
          template: candidate.template,
          method: m,
          operationId: String(op.operationId ?? `${m} ${candidate.template}`),
          pathParams: params,
        },
      };
    }
    pathOnly ??= candidate.template;
  }
  return pathOnly ? { kind: "no-method", template: pathOnly } : { kind: "no-path" };
}

// ---------------------------------------------------------------- schema conversion

let ajvStrict: Ajv | undefined;
let ajvCoerce: Ajv | undefined;
const registeredComponents = new Set<string>();

function newAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    coerceTypes,
    validateSchema: false,
    logger: false,
    // Responses and bodies are validated as they are; never mutate them.
    useDefaults: false,
  });
  addFormats(ajv);
  // GitHub-specific formats we have no checker for: accept anything.
  ajv.addFormat("repo.nwo", true);
  ajv.addFormat("timestamp", true);
  return ajv;
}

function ajvs(): { strict: Ajv; coerce: Ajv } {
  ajvStrict ??= newAjv(false);
  ajvCoerce ??= newAjv(true);
  return { strict: ajvStrict, coerce: ajvCoerce };
}

const SCHEMA_MAP_KEYS = new Set(["properties", "patternProperties", "definitions"]);
const SCHEMA_ARRAY_KEYS = new Set(["allOf", "anyOf", "oneOf"]);
const SCHEMA_KEYS = new Set(["items", "additionalProperties", "not"]);
const DROPPED_KEYS = new Set([
  "example",
  "examples",
  "description",
  "title",
  "discriminator",
  "xml",
  "externalDocs",
  "deprecated",
  "readOnly",
  "writeOnly",
]);

function componentId(ref: string): string {
  // "#/components/schemas/issue" -> ".../spec/components/schemas/issue"
  return `${SPEC_BASE}${ref.slice(1)}`;
}

/**
 * Turns an OpenAPI 3.0 schema into a JSON-schema Ajv validates the same way:
 * - `nullable: true` becomes a union with null (Ajv's own `nullable` support
 *   refuses schemas without `type`, which the spec has plenty of);
 * - `$ref: #/components/schemas/x` becomes a ref to a lazily registered id;
 * - annotations (`example`, `x-*`, descriptions) are dropped.
 */
function convertSchema(schema: Json): Json {
  if (Array.isArray(schema) || schema === null || typeof schema !== "object") return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith("x-") || DROPPED_KEYS.has(key) || key === "nullable") continue;
    if (key === "$ref" && typeof value === "string") {
      out.$ref = registerRef(value);
    } else if (SCHEMA_MAP_KEYS.has(key) && value && typeof value === "object" && !Array.isArray(value)) {
      const mapped: JsonObject = {};
      for (const [name, sub] of Object.entries(value)) mapped[name] = convertSchema(sub);
      out[key] = mapped;
    } else if (SCHEMA_ARRAY_KEYS.has(key) && Array.isArray(value)) {
      out[key] = value.map(convertSchema);
    } else if (SCHEMA_KEYS.has(key) && value && typeof value === "object") {
      out[key] = convertSchema(value);
    } else {
      out[key] = value;
    }
  }
  if (schema.nullable !== true) return out;
  const compound = "$ref" in out || "allOf" in out || "anyOf" in out || "oneOf" in out;
  if (!compound && typeof out.type === "string") {
    out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}

function resolveLocal(ref: string): Json | undefined {
  let node: Json | undefined = loadSpec() as unknown as Json;
  for (const part of ref.replace(/^#\//, "").split("/")) {
    if (!node || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = node[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

function registerRef(ref: string): string {
  if (!ref.startsWith("#/components/")) return ref;
  const id = componentId(ref);
  if (registeredComponents.has(id)) return id;
  registeredComponents.add(id);
  const target = resolveLocal(ref);
  const converted = convertSchema(target ?? {});
  const withId: JsonObject =
    converted && typeof converted === "object" && !Array.isArray(converted)
      ? { ...converted, $id: id }
      : { $id: id };
  // Both Ajv instances need every component: params are compiled on the
  // coercing one, bodies and responses on the strict one.
  const { strict, coerce } = ajvs();
  strict.addSchema(withId);
  coerce.addSchema(withId);
  return id;
}

/** Follows `$ref`s for non-schema objects (parameters, responses, requestBodies). */
function deref<T extends Json>(node: T | undefined): T | undefined {
  let current: Json | undefined = node;
  for (let i = 0; i < 10 && current && typeof current === "object" && !Array.isArray(current); i++) {
    const ref = current.$ref;
    if (typeof ref !== "string") break;
    current = resolveLocal(ref);
  }
  return current as T | undefined;
}

// ---------------------------------------------------------------- validators

interface ParamSpec {
  name: string;
  in: string;
  required: boolean;
  schema: Json;
}

interface OperationValidators {
  path: ValidateFunction | undefined;
  query: ValidateFunction | undefined;
  queryNames: Set<string>;
  body: ValidateFunction | undefined;
  bodyRequired: boolean;
  bodyAllowed: boolean;
  responses: Map<string, ValidateFunction | null>;
}

const validatorCache = new Map<string, OperationValidators>();

function operationObject(match: OperationMatch): JsonObject {
  const op = loadSpec().paths[match.template]?.[match.method];
  if (!op) throw new Error(`no operation ${match.method} ${match.template}`);
  return op;
}

function paramsOf(match: OperationMatch): ParamSpec[] {
  const item = loadSpec().paths[match.template] as unknown as JsonObject | undefined;
  const op = operationObject(match);
  const list = [
    ...(Array.isArray(item?.parameters) ? item.parameters : []),
    ...(Array.isArray(op.parameters) ? op.parameters : []),
  ];
  const out: ParamSpec[] = [];
  for (const raw of list) {
    const p = deref(raw);
    if (!p || typeof p !== "object" || Array.isArray(p)) continue;
    out.push({
      name: String(p.name),
      in: String(p.in),
      required: p.required === true || p.in === "path",
      schema: p.schema ?? {},
    });
  }
  return out;
}

function compileParams(ajv: Ajv, params: ParamSpec[]): ValidateFunction | undefined {
  if (params.length === 0) return undefined;
  const properties: JsonObject = {};
  const required: string[] = [];
  for (const p of params) {
    properties[p.name] = convertSchema(p.schema);
    if (p.required) required.push(p.name);
  }
  return ajv.compile({ type: "object", properties, required } as object);
}

function validatorsFor(match: OperationMatch): OperationValidators {
  const key = `${match.method} ${match.template}`;
  const cached = validatorCache.get(key);
  if (cached) return cached;
  const { strict, coerce } = ajvs();
  const params = paramsOf(match);
  const queryParams = params.filter((p) => p.in === "query");
  const op = operationObject(match);
  const requestBody = deref(op.requestBody);
  let body: ValidateFunction | undefined;
  let bodyRequired = false;
  let bodyAllowed = false;
  if (requestBody && typeof requestBody === "object" && !Array.isArray(requestBody)) {
    bodyAllowed = true;
    bodyRequired = requestBody.required === true;
    const content = requestBody.content as JsonObject | undefined;
    const json = content?.["application/json"] as JsonObject | undefined;
    if (json?.schema) body = strict.compile(convertSchema(json.schema) as object);
  }
  const v: OperationValidators = {
    path: compileParams(
      coerce,
      params.filter((p) => p.in === "path"),
    ),
    query: compileParams(coerce, queryParams),
    queryNames: new Set(queryParams.map((p) => p.name)),
    body,
    bodyRequired,
    bodyAllowed,
    responses: new Map(),
  };
  validatorCache.set(key, v);
  return v;
}

function toProblems(prefix: string, errors: ErrorObject[] | null | undefined): Problem[] {
  return (errors ?? []).map((e) => {
    const missing = e.keyword === "required" ? `/${String(e.params.missingProperty)}` : "";
    return {
      where: `${prefix}${e.instancePath}${missing}`,
      message: e.keyword === "required" ? "is missing" : (e.message ?? e.keyword),
      code: e.keyword === "required" ? "missing_field" : "invalid",
    };
  });
}

export interface RequestParts {
  query: Record<string, string>;
  /** `undefined` when the request had no body. */
  body: unknown;
}

/** Validates path params, query params and the JSON body. Empty array = valid. */
export function validateRequest(match: OperationMatch, parts: RequestParts): Problem[] {
  const v = validatorsFor(match);
  const problems: Problem[] = [];
  if (v.path) {
    const data: Record<string, unknown> = { ...match.pathParams };
    if (!v.path(data)) problems.push(...toProblems("path", v.path.errors));
  }
  if (v.query) {
    // Unknown query params are ignored by GitHub too, so only check known ones.
    const data: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(parts.query)) if (v.queryNames.has(k)) data[k] = val;
    if (!v.query(data)) problems.push(...toProblems("query", v.query.errors));
  }
  if (parts.body === undefined) {
    if (v.bodyRequired) problems.push({ where: "body", message: "is required", code: "missing_field" });
  } else if (!v.bodyAllowed) {
    // GitHub ignores bodies on GETs etc.; not a contract problem.
  } else if (v.body && !v.body(parts.body)) {
    problems.push(...toProblems("body", v.body.errors));
  }
  return problems;
}

/**
 * Validates a response body the fake is about to send. Returns problems, or
 * `["undocumented status"]`-style problem when the spec does not list the
 * status for the operation (statuses every endpoint can return, such as 401,
 * 403, 404, 422, 429, 5xx, are not required to be listed).
 */
export function validateResponse(match: OperationMatch, status: number, body: unknown): Problem[] {
  const v = validatorsFor(match);
  const key = String(status);
  let fn = v.responses.get(key);
  if (fn === undefined) {
    const op = operationObject(match);
    const responses = (op.responses ?? {}) as JsonObject;
    const response = deref(responses[key] ?? responses[`${key[0]}XX`] ?? responses.default);
    if (!response || typeof response !== "object" || Array.isArray(response)) {
      v.responses.set(key, null);
      const generic = [304, 401, 403, 404, 409, 410, 422, 429, 500, 502, 503].includes(status);
      if (!generic) return [{ where: "response", message: `status ${status} is not documented`, code: "invalid" }];
      return [];
    }
    const content = response.content as JsonObject | undefined;
    const json = content?.["application/json"] as JsonObject | undefined;
    fn = json?.schema ? ajvs().strict.compile(convertSchema(json.schema) as object) : null;
    v.responses.set(key, fn);
  }
  if (!fn) return [];
  return fn(body) ? [] : toProblems("response", fn.errors);
}
