// Lint: eslint's and typescript-eslint's recommended rules, plus the few
// that keep the public surface honest (no `any`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

const layers = ["base", "pod", "io", "frame", "vm", "guest", "user", "wasi"];

function layerRules() {
  const outside = ["**/kernel/**", "**/inspector/**", "**/test/**", "**/bench/**", "vmio", "vmio/*"];
  return layers.map((layer, i) => ({
    files: [`src/${layer}/**/*.ts`],
    ignores: layer === "wasi" ? ["src/wasi/fs/host-fs.ts", "src/wasi/node-stdio.ts"] : [],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          {
            group: [...layers.slice(i + 1).flatMap((l) => [`../${l}/*`, `../../${l}/*`]), "../index.js", "../../index.js", ...outside],
            message: `src/${layer} may import only the layers before it (docs/architecture.md, "Layers").`,
          },
          { group: ["node:*"], message: "The library runs in browsers: no Node built-ins in src/ (docs/architecture.md, \"Layers\")." },
        ],
      }],
    },
  })).concat([
    {
      files: ["kernel/**/*.ts"],
      ignores: ["kernel/host/**", "kernel/cli.ts"],
      rules: {
        "no-restricted-imports": ["error", {
          patterns: [
            { group: ["node:*"], message: "The kernel's core runs in browsers: Node built-ins belong in kernel/host/." },
            { group: ["**/src/*", "**/src/**"], message: "The kernel uses vmio's public API only: import from \"vmio\"." },
          ],
        }],
      },
    },
  ]);
}

export default tseslint.config(
  { ignores: ["build/", "node_modules/", "test/wasi-testsuite/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ["scripts/**/*.mjs"], languageOptions: { globals: { process: "readonly", console: "readonly" } } },
  {
    // Pages and workers that browser tests load as they are (plain JavaScript).
    files: ["test/browser/pages/**/*.js"],
    languageOptions: { globals: globals.browser },
  },
  // The layers of docs/architecture.md: each folder of src/ imports only the
  // ones before it in this list, and nothing outside the library (kernel/,
  // inspector/, Node built-ins — except the WASI host file system, which only
  // the Node entry of vmio/wasi reaches). The kernel's core must run in a
  // browser: only its Node host may import Node built-ins.
  ...layerRules(),
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
);
