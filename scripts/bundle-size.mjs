// What vmio costs a web page: bundles each browser entry point of the built
// package with esbuild (as a bundler would: ESM, minified, tree-shaken from
// the entry's exports) and prints its size, raw and gzipped.
//
//   npm run build:lib && node scripts/bundle-size.mjs
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { gzipSync } from "node:zlib";

const entries = [
  ["vmio", "build/src/index.js"],
  ["vmio/wasi (browser)", "build/src/wasi/index.js"],
].filter(([, file]) => existsSync(file));

if (entries.length === 0) {
  console.error("nothing to measure: run `npm run build:lib` first");
  process.exit(1);
}
for (const [name, file] of entries) {
  const result = await build({ entryPoints: [file], bundle: true, minify: true, format: "esm", platform: "browser", write: false, logLevel: "error" });
  const code = result.outputFiles[0].contents;
  const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
  console.log(`${name}: ${kb(code.length)} minified, ${kb(gzipSync(code, { level: 9 }).length)} gzipped`);
}
