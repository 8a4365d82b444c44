/**
 * The README's picture of the inspector (Node, a developer's tool): opens
 * the page in headless Chromium (Debian's, through playwright-core, as the
 * browser tests do) and takes a full-page screenshot at the moment that
 * shows the most: demo-cow just after its fork, the child's first writes
 * copied, parent and child still sharing the other pages copy-on-write. The
 * page takes no more of the worker's messages from that moment on (the demo
 * goes on in its worker), so that a slow screenshot shows it.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { holdCowMoment } from "./cow-moment.js";

/** How long each step may take before the tool gives up (ms). */
const GUARD_MS = 120_000;

/** The page's document, as far as the function run in the page uses it (this file is built without DOM types). */
declare const document: { readonly body: { readonly dataset: Readonly<Record<string, string | undefined>> } };

/**
 * Writes a PNG of the page at `url` to `file`.
 *
 * @throws {Error} Chromium is missing or fails, or a step (launching, loading, the moment coming) took over
 *   two minutes: a guard against a page that never gets there, not a measure of speed (the moment is caught as its
 *   sample arrives, see `cow-moment.ts`; a machine loaded enough makes every step slow).
 */
export async function screenshotInspector(url: string, file: string, executablePath: string): Promise<void> {
  const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"], timeout: GUARD_MS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
    await holdCowMoment(page, { copied: true });
    await page.goto(url, { timeout: GUARD_MS });
    // The page holds back every message after the moment's sample, so once it has drawn that sample it stays.
    await page.waitForFunction(
      () => {
        const seq = (globalThis as unknown as { inspectorHold: { seq: number | undefined } }).inspectorHold.seq;
        return seq !== undefined && document.body.dataset.sample === String(seq);
      },
      undefined,
      { timeout: GUARD_MS },
    );
    writeFileSync(file, await page.screenshot({ fullPage: true }));
  } finally {
    await browser.close();
  }
}
