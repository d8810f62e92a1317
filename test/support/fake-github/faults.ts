// Fault injection: deterministic (seeded PRNG) failures the delivery code must
// survive. A fault matches by method and route and fires for a fraction of
// matching requests (`rate`) and/or for the next `times` of them.

export type FaultKind =
  | { kind?: "status"; status: 500 | 502 | 503 | 504 }
  | {
      kind: "rate-limit";
      status?: 403 | 429;
      retryAfterSeconds?: number;
      /** Primary limit (`x-ratelimit-remaining: 0` + reset) instead of a secondary one. */
      primary?: boolean;
    }
  | { kind: "reset" }
  | { kind: "slow"; delayMs: number }
  | {
      kind: "lost-response";
      /** What the client sees after the write was performed. Default 502. */
      respond?: 502 | "reset";
    };

export interface FaultMatch {
  /** HTTP method, case-insensitive. Omitted = any. */
  method?: string;
  /**
   * Spec path template (`/repos/{owner}/{repo}/issues`) or concrete path
   * (`/repos/o/r/issues`). Omitted = any route.
   */
  route?: string;
  /** Fraction 0..1 of matching requests to affect. Default 1. */
  rate?: number;
  /** Affect only the next n matching (and selected) requests, then disarm. */
  times?: number;
}

export type FaultSpec = FaultKind & FaultMatch;

export interface ActiveFault {
  readonly id: number;
  readonly spec: FaultSpec;
  /** How many requests this fault has affected so far. */
  hits: number;
  remaining: number;
}

/** mulberry32: tiny, fast, good enough, and reproducible from a seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultController {
  private readonly active: ActiveFault[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(private readonly seed: number = 1) {
    this.random = mulberry32(seed);
  }

  /** Arms a fault. Returns a handle; `remove()` disarms it. */
  add(spec: FaultSpec): ActiveFault & { remove(): void } {
    if (spec.rate !== undefined && !(spec.rate >= 0 && spec.rate <= 1)) throw new Error("fault rate must be in 0..1");
    const fault: ActiveFault = { id: this.nextId++, spec, hits: 0, remaining: spec.times ?? Infinity };
    this.active.push(fault);
    return Object.assign(fault, { remove: () => this.remove(fault.id) });
  }

  remove(id: number): void {
    const i = this.active.findIndex((f) => f.id === id);
    if (i >= 0) this.active.splice(i, 1);
  }

  /** Disarms every fault and restarts the PRNG from the seed. */
  clear(): void {
    this.active.length = 0;
    this.random = mulberry32(this.seed);
  }

  list(): readonly ActiveFault[] {
    return this.active;
  }

  /** Picks the first armed fault that applies to this request, consuming one of its `times`. */
  pick(method: string, template: string | undefined, path: string): ActiveFault | undefined {
    for (const fault of this.active) {
      const { spec } = fault;
      if (fault.remaining <= 0) continue;
      if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) continue;
      if (spec.route && spec.route !== template && spec.route !== path) continue;
      // Draw only for faults with a rate, so adding an unrelated fault does not
      // shift the random sequence of others.
      if (spec.rate !== undefined && spec.rate < 1 && this.random() >= spec.rate) continue;
      fault.remaining--;
      fault.hits++;
      return fault;
    }
    return undefined;
  }
}

/** Sliding-window counter: "at most `limit` events in any `windowMs`". */
export class SlidingWindow {
  private readonly events: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  private prune(now: number): void {
    while (this.events.length > 0 && (this.events[0] ?? 0) <= now - this.windowMs) this.events.shift();
  }

  /** 0 if an event may happen now, else ms until one may. Records nothing. */
  waitMs(now: number): number {
    this.prune(now);
    if (this.events.length < this.limit) return 0;
    return (this.events[0] ?? now) + this.windowMs - now;
  }

  record(now: number): void {
    this.events.push(now);
  }

  count(now: number): number {
    this.prune(now);
    return this.events.length;
  }

  clear(): void {
    this.events.length = 0;
  }
}
