import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../harness/report/html-reporter.js';
import { launchChromium } from '../helpers/browser.js';
import { sampleResults } from '../helpers/sample-results.js';

// The HTML report opened from disk in a real headless Chromium (Debian's), offline.
let dir: string;
let browser: Browser;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-browser-test-'));
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('report.html in Chromium', () => {
  it('renders the verdicts, draws the timeline and loads the screenshots', async () => {
    const results = sampleResults(dir);
    for (const boot of results.flatMap((r) => r.boots)) {
      await mkdir(boot.artifactsDir, { recursive: true });
      await writeFile(join(boot.artifactsDir, 'screen-end.png'), PNG);
      await writeFile(join(boot.artifactsDir, 'serial.log'), '[ 1.0] hello\n');
    }
    const path = join(dir, 'report.html');
    await writeFile(path, await renderHtmlReport(results, dir, { iso: '/x.iso' }));

    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(path).href);
    expect(await page.locator('h1').textContent()).toBe('pxe-harness report');
    expect(await page.locator('article.scenario').count()).toBe(2);
    expect(await page.locator('article.FAIL .reason').first().textContent()).toContain('boot 2 (b. network boot again)');
    // The timeline: one SVG per boot, with bars that have a visible width.
    const bars = await page.locator('svg.timeline rect.bar').evaluateAll((rects) => rects.map((r) => (r as SVGRectElement).getBBox().width));
    expect(bars.length).toBe(3 * 4);
    expect(bars.every((w) => w >= 2)).toBe(true);
    // The screenshots are inside the file and decode.
    const images = await page.locator('img.screenshot').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth));
    expect(images).toEqual([1, 1, 1]);
    // The log links point at files beside the report.
    expect(await page.locator('a[href$="serial.log"]').count()).toBe(3);
    // Offline: nothing but the file itself was requested.
    expect(requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
    await page.close();
  });
});
