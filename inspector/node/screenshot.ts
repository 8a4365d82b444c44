/**
 * The README's picture of the inspector (Node, a developer's tool): opens
 * the page in headless Chromium (Debian's, through playwright-core, as the
 * browser tests do) and takes a full-page screenshot at the moment that
 * shows the most: demo-cow just after its fork, the child's first writes
 * copied, parent and child still sharing the other pages copy-on-write. The
 * page stops redrawing at that moment (the demo goes on in its worker), so
 * that a slow screenshot shows it.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

/** The parts of the page's model the moment is read from. */
interface PageModel {
  readonly demo?: { readonly index: number };
  readonly latest?: {
    readonly seq: number;
    readonly processes: ReadonlyArray<{ readonly regions: ReadonlyArray<{ readonly cowShared: number }> }>;
    readonly counters: { readonly faults: Readonly<Record<string, number>> };
  };
}

/** The page's document, as far as the function run in the page uses it (this file is built without DOM types). */
declare const document: { readonly body: { readonly dataset: Readonly<Record<string, string | undefined>> } };

/**
 * Writes a PNG of the page at `url` to `file`.
 *
 * @throws {Error} Chromium is missing or fails, or the moment did not come within a minute.
 */
export async function screenshotInspector(url: string, file: string, executablePath: string): Promise<void> {
  const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"], timeout: 60_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
    await page.goto(url, { timeout: 30_000 });
    await page.waitForFunction(
      () => {
        const g = globalThis as unknown as { inspector?: PageModel; requestAnimationFrame: (f: unknown) => number };
        // Undefined until the page's module has run.
        const m = g.inspector;
        const s = m?.latest;
        const moment =
          m?.demo?.index === 0 &&
          s !== undefined &&
          document.body.dataset.sample === String(s.seq) &&
          s.processes.length === 2 &&
          s.processes.every((p) => p.regions.some((r) => r.cowShared > 0)) &&
          (s.counters.faults["cow-copy"] ?? 0) > 0;
        // Hold the picture: the page draws the latest sample, and no redraw is pending (a newer sample would fail
        // the test above), so with no more frames the panels stay as they are while the screenshot is taken.
        if (moment) g.requestAnimationFrame = () => 0;
        return moment;
      },
      undefined,
      { timeout: 60_000, polling: 10 },
    );
    writeFileSync(file, await page.screenshot({ fullPage: true }));
  } finally {
    await browser.close();
  }
}
