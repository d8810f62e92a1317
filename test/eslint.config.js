// ESLint flat config for `npm run lint` (kept under test/ so the top level stays small; the script passes
// --config). typescript-eslint's recommended rules on the sources, tests, examples and the build config.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // tsup writes its bundled config next to the config file while it builds (npm test builds and lints at once).
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "**/*.bundled_*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", fetch: "readonly", AbortSignal: "readonly", performance: "readonly", structuredClone: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", setInterval: "readonly", clearInterval: "readonly", queueMicrotask: "readonly", Request: "readonly", Response: "readonly", Headers: "readonly", setImmediate: "readonly", URLSearchParams: "readonly", __BUGBEACON_VERSION__: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/consistent-type-imports": ["error", { disallowTypeAnnotations: false }],
    },
  },
);
