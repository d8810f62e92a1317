import { defineConfig } from "tsup";
import configs from "../tsup.config.js";

/**
 * `npm test`'s build (pretest): the package's JavaScript exactly as `npm run build` makes it, without the
 * type declarations, which no test reads and which cost most of the build time. The declarations are
 * checked by `npm run check:package` (publint and a packed install), which CI runs after the full build.
 */
export default defineConfig((Array.isArray(configs) ? configs : [configs]).map((c) => ({ ...c, dts: false })));
