/**
 * Fresh values for every row of the rule book, each run: a small generator that reads the row's own
 * pattern (the subset the table uses: literals, escapes, classes, `(?:a|b)` groups, `{n}`, `{n,m}`,
 * `?`) and draws a random string it matches. Seeded, so a failure can be replayed: the seed is printed
 * in every failure message (`REDACT_SEED=<n>` reruns it).
 */
import { inspect } from "node:util";
import { mulberry32 } from "./fake-github/faults.js";

/** A reproducible random sequence from a seed (mulberry32, shared with the fake GitHub's faults). */
export const seededRandom = mulberry32;

export const SEED = Number(process.env.REDACT_SEED ?? Math.floor(Math.random() * 2 ** 31));

type Node =
  | { kind: "chars"; set: string }
  | { kind: "alt"; options: Node[][] }
  | { kind: "repeat"; node: Node; min: number; max: number };

/** A value matching `source` (the table's pattern subset), drawn with `rand`. */
export function valueFor(source: string, rand: () => number): string {
  const [nodes, end] = parseSeq(source, 0);
  if (end !== source.length) throw new Error(`pattern not understood at ${end}: ${source}`);
  return emit(nodes, rand);
}

function emit(nodes: Node[], rand: () => number): string {
  let out = "";
  for (const node of nodes) out += emitOne(node, rand);
  return out;
}

function emitOne(node: Node, rand: () => number): string {
  if (node.kind === "chars") return node.set[Math.floor(rand() * node.set.length)]!;
  if (node.kind === "alt") return emit(node.options[Math.floor(rand() * node.options.length)]!, rand);
  // Near the minimum, a little above it: realistic lengths, not the pattern's upper bound.
  const spread = Math.min(node.max - node.min, 24);
  const count = node.min + Math.floor(rand() * (spread + 1));
  let out = "";
  for (let i = 0; i < count; i++) out += emitOne(node.node, rand);
  return out;
}

function parseSeq(s: string, at: number): [Node[], number] {
  const seq: Node[] = [];
  let i = at;
  while (i < s.length && s[i] !== ")" && s[i] !== "|") {
    let node: Node;
    if (s[i] === "(") {
      if (s.slice(i, i + 3) !== "(?:") throw new Error(`only (?:…) groups: ${s}`);
      const options: Node[][] = [];
      i += 3;
      for (;;) {
        const [opt, next] = parseSeq(s, i);
        options.push(opt);
        i = next;
        if (s[i] === "|") i++;
        else break;
      }
      if (s[i] !== ")") throw new Error(`unclosed group: ${s}`);
      i++;
      node = { kind: "alt", options };
    } else if (s[i] === "[") {
      const [set, next] = parseClass(s, i + 1);
      node = { kind: "chars", set };
      i = next;
    } else if (s[i] === "\\") {
      node = { kind: "chars", set: escapeSet(s[i + 1]!) };
      i += 2;
    } else {
      node = { kind: "chars", set: s[i]! };
      i++;
    }
    if (s[i] === "{") {
      const close = s.indexOf("}", i);
      const [min, max] = s.slice(i + 1, close).split(",");
      node = { kind: "repeat", node, min: Number(min), max: Number(max ?? min) };
      i = close + 1;
    } else if (s[i] === "?") {
      node = { kind: "repeat", node, min: 0, max: 1 };
      i++;
    }
    seq.push(node);
  }
  return [seq, i];
}

function escapeSet(c: string): string {
  if (c === "d") return "0123456789";
  return c;
}

function parseClass(s: string, at: number): [string, number] {
  let set = "";
  let i = at;
  while (s[i] !== "]") {
    let c = s[i]!;
    if (c === "\\") {
      c = s[i + 1]!;
      i++;
      if (c === "d") {
        set += "0123456789";
        i++;
        continue;
      }
    }
    if (s[i + 1] === "-" && s[i + 2] !== "]" && s[i + 2] !== undefined) {
      const to = s[i + 2]!;
      for (let k = c.charCodeAt(0); k <= to.charCodeAt(0); k++) set += String.fromCharCode(k);
      i += 3;
    } else {
      set += c;
      i++;
    }
  }
  return [set, i + 1];
}

/** One way a value is written down: `name` and `value` in, the text out. */
export interface Carrier {
  id: string;
  make: (name: string, value: string) => string;
}

/** The syntaxes code, configuration and logs use to give a name a value, and the ways text gets wrapped. */
export const CARRIERS: readonly Carrier[] = [
  { id: "env", make: (n, v) => `${n.toUpperCase()}=${v}` },
  { id: "ini spaced", make: (n, v) => `${n} = ${v}` },
  { id: "yaml", make: (n, v) => `config:\n  ${n}: ${v}\n  region: eu` },
  { id: "json", make: (n, v) => `{"${n}": "${v}", "retries": 3}` },
  { id: "go :=", make: (n, v) => `${n} := "${v}"` },
  { id: "go var", make: (n, v) => `var ${n} string = "${v}"` },
  { id: "ts typed const", make: (n, v) => `const ${n}: string = "${v}";` },
  { id: "php .=", make: (n, v) => `$${n} .= '${v}';` },
  { id: "php array =>", make: (n, v) => `'${n}' => '${v}',` },
  { id: "make ?=", make: (n, v) => `${n.toUpperCase()} ?= ${v}` },
  { id: "make ::=", make: (n, v) => `${n.toUpperCase()} ::= ${v}` },
  { id: "logstash =>", make: (n, v) => `output { http { ${n} => "${v}" } }` },
  { id: "setProperty", make: (n, v) => `System.setProperty("${n}", "${v}");` },
  { id: "xml element", make: (n, v) => `<config><${n}>${v}</${n}></config>` },
  { id: "xml multi-line", make: (n, v) => `<${n}>\n    ${v}\n</${n}>` },
  { id: "make :::=", make: (n, v) => `${n.toUpperCase()} :::= "${v}"` },
  { id: "php ??=", make: (n, v) => `$${n} ??= "${v}";` },
  { id: "make +=", make: (n, v) => `${n.toUpperCase()} += ${v}` },
  { id: "go backticks", make: (n, v) => `${n} := \`${v}\`` },
  { id: "java", make: (n, v) => `String ${n} = "${v}";` },
  { id: "kotlin typed", make: (n, v) => `var ${n}: String = "${v}"` },
  { id: "yaml literal block", make: (n, v) => `${n}: |\n  ${v}\nnext: 1` },
  { id: "env map in a log", make: (n, v) => `environmentVariables = {PATH=/usr/local/bin, ENV=/etc/bashrc, ${n.toUpperCase()}=${v}, LC_CTYPE=en_CA.UTF-8},` },
  { id: "url query", make: (n, v) => `https://example.com/cb?${n}=${v}&fooBar=baz` },
  { id: "xml attribute", make: (n, v) => `<service ${n}="${v}" />` },
  { id: "shell export", make: (n, v) => `export ${n.toUpperCase()}='${v}'` },
  { id: "cli flag", make: (n, v) => `deploy --${n.replace(/_/g, "-")}=${v} --verbose` },
  { id: "json-escaped", make: (n, v) => JSON.stringify({ out: `starting\n${n}=${v}\n\tdone` }) },
  { id: "json-escaped tab", make: (n, v) => JSON.stringify({ out: `loaded:\t"${n}": "${v}"` }) },
  { id: "xml multi-line, JSON-escaped", make: (n, v) => JSON.stringify({ config: `<${n}>\n    ${v}\n</${n}>` }) },
  { id: "JSON in JSON", make: (n, v) => JSON.stringify({ details: JSON.stringify({ out: `loaded:\t"${n}": "${v}"` }) }) },
  { id: "JSON in JSON in JSON", make: (n, v) => JSON.stringify({ e: JSON.stringify({ details: JSON.stringify({ [n]: v }) }) }) },
  { id: "percent-encoded", make: (n, v) => `GET /cb?next=${encodeURIComponent(`/x?${n}=${v}&y=1`)} 302` },
  { id: "inspect Map", make: (n, v) => inspect(new Map([[n, v]])) },
  { id: "inspect object", make: (n, v) => inspect({ [n]: v, retries: 3 }) },
  { id: "child stdout", make: (n, v) => inspect({ status: 1, stdout: `> build\n${n}: ${v}\n`, stderr: "" }) },
];

/** Carriers for a value that names itself (a prefixed token): no name needed. */
export const BARE_CARRIERS: readonly Carrier[] = [
  { id: "bare in prose", make: (_n, v) => `request failed with ${v} (401)` },
  { id: "bare after \\n", make: (_n, v) => JSON.stringify(`line one\n${v}\nline three`) },
  { id: "bare after \\t", make: (_n, v) => JSON.stringify(`key:\t${v}`) },
  { id: "bare quoted", make: (_n, v) => `use('${v}')` },
];
