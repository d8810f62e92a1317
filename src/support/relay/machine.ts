/**
 * Machines are counted by the per-install random id the SDK keeps (never an address), reduced here to a
 * 53-bit number (SHA-256 prefix): the id itself is never stored. Two installs share a number with odds of
 * about 1 in 18,000 per million distinct machines.
 */
import { createHash } from "node:crypto";

export function machineOf(install: string): number {
  const d = createHash("sha256").update(install).digest();
  return d.readUIntBE(0, 6) * 32 + (d[6]! >> 3);
}
