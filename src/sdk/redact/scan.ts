/**
 * Every secret scanner over one text, collecting what to replace. Decoded views (base64, percent
 * encoding) are scanned by the same scanners, batched, up to two levels deep.
 */
import { findAssignments, findFlagValues } from "./assignments.js";
import { findCommandCredentials } from "./commands.js";
import { findEncodedBlobs, findPercentEncoded } from "./encoded.js";
import { findTokensNearSensitiveWords } from "./nearby.js";
import { findPemBlocks } from "./pem.js";
import { findRuleMatches } from "./rules.js";
import { Spans } from "./spans.js";
import { findUrlCredentials } from "./urls.js";

const MAX_DEPTH = 2;
const SEPARATOR = "\n\u0000\n";

export function scanSecrets(text: string, out: Spans, depth = 0): void {
  findPemBlocks(text, out);
  findRuleMatches(text, out);
  findUrlCredentials(text, out);
  findAssignments(text, out);
  findFlagValues(text, out);
  findCommandCredentials(text, out);
  findTokensNearSensitiveWords(text, out);
  if (depth < MAX_DEPTH) {
    const check = (texts: string[]) => batchCheck(texts, depth + 1);
    findEncodedBlobs(text, out, check);
    findPercentEncoded(text, out, check);
  }
}

/** Scans several texts as one (joined by a separator no scanner crosses) and says which held a secret. */
function batchCheck(texts: string[], depth: number): boolean[] {
  const starts: number[] = [];
  let offset = 0;
  for (const t of texts) {
    starts.push(offset);
    offset += t.length + SEPARATOR.length;
  }
  const found = new Spans();
  scanSecrets(texts.join(SEPARATOR), found, depth);
  const hit = new Array<boolean>(texts.length).fill(false);
  for (const span of found.list) hit[indexAt(starts, span.start)] = true;
  return hit;
}

function indexAt(starts: number[], position: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= position) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
