/** `npm run docs:detectors`: writes the detector list into docs/redaction.md. */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { withDetectorList } from "./detector-docs.js";

const file = fileURLToPath(new URL("../../docs/redaction.md", import.meta.url));
const before = readFileSync(file, "utf8");
const after = withDetectorList(before);
writeFileSync(file, after);
console.log(before === after ? "docs/redaction.md: detector list already current" : "docs/redaction.md: detector list updated");
