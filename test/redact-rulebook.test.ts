/**
 * Every row of the rule book, with a fresh value drawn from the row's own pattern, in every carrier
 * (assignment syntaxes of many languages, XML, CLI flags, JSON-escaped text, percent-encoding,
 * `util.inspect` of a Map and of a child's stdout): nothing of the value is left whole or as a
 * 16-character fragment. The seed is in every failure message; `REDACT_SEED=<n>` replays a run.
 */
import { describe, expect, it } from "vitest";
import { createRedactor } from "../src/sdk/redact.js";
import { parseDetectors } from "../src/sdk/redact/detectors.js";

const DETECTORS = parseDetectors();
import { BARE_CARRIERS, CARRIERS, SEED, seededRandom, valueFor } from "./support/detector-values.js";
import { fragmentsOf } from "./support/secret-corpus.js";

const redact = createRedactor({ home: "/home/alice", username: "alice" });

describe(`the rule book, fresh values (REDACT_SEED=${SEED})`, () => {
  const rand = seededRandom(SEED);
  const rows = DETECTORS.map((d) => {
    const value = valueFor(d.pattern.source, rand);
    const name = d.near ? `${d.keywords[0]!.replace(/[^a-z0-9_-]/gi, "")}_key` : "upstream";
    return { d, value, name };
  });

  it("every value drawn matches its own row (the generator is faithful)", () => {
    const wrong = rows.filter(({ d, value }) => {
      d.pattern.lastIndex = 0;
      const m = d.pattern.exec(value);
      return m === null || m[0] !== value;
    });
    expect(wrong.map((r) => `${r.d.id}: ${r.value}`)).toEqual([]);
  });

  it("every value drawn holds one of its row's keywords (the prefilter can find it)", () => {
    const lost = rows.filter(({ d, value }) => !d.near && !d.keywords.some((k) => value.toLowerCase().includes(k)));
    expect(lost.map((r) => `${r.d.id}: ${r.value}`)).toEqual([]);
  });

  it.each(rows.map((r) => [r.d.id, r] as const))("%s: nothing left in any carrier", (_id, { d, value, name }) => {
    const carriers = d.near ? CARRIERS : [...CARRIERS, ...BARE_CARRIERS];
    const leaks: string[] = [];
    // Named snake_case (`adafruit_key`) and camelCase (`adafruitToken`), in every carrier.
    const names = d.near ? [name, name.replace(/_key$/, "Token")] : [name];
    for (const carrier of carriers) {
      for (const n of names) {
        const out = redact(carrier.make(n, value));
        const left = fragmentsOf(value.slice(d.keep), 16).filter((f) => out.includes(f));
        if (left.length > 0) leaks.push(`${carrier.id}: ${JSON.stringify(out)}`);
      }
    }
    expect(leaks, `seed ${SEED}, value ${value}`).toEqual([]);
  });
});
