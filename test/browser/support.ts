// Browser tests: Debian's Chromium driven by playwright-core (no browser
// download), against pages served by a local static server on 127.0.0.1 that
// sends the COOP/COEP headers making pages cross-origin isolated — the
// condition for `SharedArrayBuffer`, and so for `PhysicalMemory({ shared: true })`.
import { createServer, type Server } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { chromium, type Browser, type ConsoleMessage, type Page } from "playwright-core";

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's. Undefined when there is none. */
export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((p): p is string => p !== undefined && p !== "" && existsSync(p));
}

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".png": "image/png",
};

/** A static file server over `root` on 127.0.0.1 (an ephemeral port), cross-origin isolated. */
export async function serve(root: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const file = join(root, path);
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, {
      "Content-Type": types[extname(file)] ?? "application/octet-stream",
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cache-Control": "no-store",
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("server has no port");
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Flags for a headless Chromium on a machine with no network but loopback. */
const flags = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * Time boxes of the browser tests: guards against a page that never gets
 * there, not measures of speed. Nothing in these tests waits for a moment
 * it could miss (see `inspector/node/cow-moment.ts`): what they wait for
 * comes, however slow the machine, so the boxes can be wide. Measured under
 * `nice -n 19` on a 2-core machine at load 8: the whole inspector demo in
 * the page 12 s, the live and screenshot tests 7–8 s each.
 */
export const GUARD = {
  /** Launching Chromium; loading a page. */
  load: 120_000,
  /** A page's script settling its result, a moment in a page coming. */
  wait: 300_000,
  /** A test that loads a page and waits for it (a load and a wait, and room). */
  test: 600_000,
} as const;

/** Launches Chromium (headless). */
export function launch(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: flags, timeout: GUARD.load });
}

/**
 * Opens `url` in a new page and collects its console errors and uncaught
 * exceptions (workers' included), so a test can insist there were none.
 * `beforeLoad` runs before the page loads (to install init scripts).
 */
export async function open(browser: Browser, url: string, beforeLoad?: (page: Page) => Promise<void>): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  await beforeLoad?.(page);
  const errors: string[] = [];
  page.on("console", (m: ConsoleMessage) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("worker", (w) => w.on("console", (m) => m.type() === "error" && errors.push(`worker: ${m.text()}`)));
  await page.goto(url, { timeout: GUARD.load });
  return { page, errors };
}

/**
 * Waits for the page's script to settle `window.result` (a promise the page
 * sets) and returns its value; a rejection fails with the page's message.
 */
export async function result<T>(page: Page, timeoutMs: number = GUARD.wait): Promise<T> {
  await page.waitForFunction(() => (globalThis as { result?: unknown }).result !== undefined, undefined, { timeout: timeoutMs });
  return page.evaluate(() => (globalThis as unknown as { result: Promise<unknown> }).result) as Promise<T>;
}
