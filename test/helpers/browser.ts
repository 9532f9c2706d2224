import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ensureDebianPackage } from './debian.ts';

/** Debian's Chromium, installed when absent (a failure, not a skip, in CI). */
export const chromium = ensureDebianPackage('chromium');

/** Where report tests leave their screenshots. */
export const SHOTS = join(new URL('../../', import.meta.url).pathname, 'test-output', 'report');

/**
 * Open `file` in headless Chromium, fail on console errors and on any request that is not file://, check every chart
 * has ink, screenshot it.
 */
export async function inBrowser(file: string, shot: string, check: (page: Page) => Promise<void>): Promise<void> {
  const { chromium: browserType } = await import('playwright-core');
  const browser = await browserType.launch({
    executablePath: chromium.ok ? chromium.path : undefined,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    await page.waitForSelector('canvas');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file://')),
      [],
      'no network request',
    );
    // Every chart drew something: no canvas is blank.
    const inked = await page.$$eval('canvas', (canvases) =>
      canvases.map((c) => {
        const canvas = c as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      }),
    );
    assert.ok(inked.length > 0 && inked.every((n) => n > 1000), `chart canvases have ${inked.join(', ')} drawn pixels`);
    await check(page);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
  } finally {
    await browser.close();
  }
}
