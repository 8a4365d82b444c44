/**
 * Links a compiled module and everything it imports into one browser
 * module (Node, at build time), with esbuild: the modules are `tsc`'s
 * output, esbuild only joins them. The reason is the bare specifier
 * `"vmio"`: the kernel imports the library by its package name, a page
 * maps that name with an import map, but module workers do not see import
 * maps (Chromium, as of this writing), so a worker that runs the kernel is
 * loaded bundled. `platform: "browser"` also proves the worker imports
 * nothing from Node.
 *
 * @module
 */

import { build } from "esbuild";
import { join } from "node:path";

/** Options of {@link bundleForBrowser}. */
export interface BundleOptions {
  /** The repository root (where `build/src/index.js` is). */
  readonly root: string;
  /** The compiled entry module. */
  readonly entry: string;
  /** Where to write the bundle (with a source map beside it). */
  readonly outfile: string;
}

/**
 * Writes the bundle of `entry` to `outfile`.
 *
 * @throws {Error} esbuild failed: a module is missing, or imports a Node built-in.
 */
export async function bundleForBrowser(opts: BundleOptions): Promise<void> {
  await build({
    entryPoints: [opts.entry],
    outfile: opts.outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    sourcemap: true,
    alias: { vmio: join(opts.root, "build", "src", "index.js") },
    logLevel: "error",
  });
}

/** Bundles the inspector's kernel worker: `build/inspector/worker/kernel-worker.js` → `build/inspector/kernel-worker.js`. */
export function bundleInspectorWorker(root: string): Promise<void> {
  const dir = join(root, "build", "inspector");
  return bundleForBrowser({ root, entry: join(dir, "worker", "kernel-worker.js"), outfile: join(dir, "kernel-worker.js") });
}
