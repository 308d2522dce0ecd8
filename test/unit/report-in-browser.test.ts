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
    expect(await page.locator('details.scenario').count()).toBe(2);
    expect(await page.locator('details.FAIL > summary .reason').textContent()).toContain('boot 2 (b. network boot again)');
    // A failure is open at its evidence, a passing scenario folded.
    expect(await page.locator('details.scenario').evaluateAll((ds) => ds.map((d) => [d.id, (d as HTMLDetailsElement).open]))).toEqual([['ram-deploy-http', false], ['persistent-lifecycle', true]]);
    await page.locator('details.PASS > summary').click();
    // The timeline: one SVG per boot, with bars that have a visible width.
    const bars = await page.locator('svg.timeline rect.bar').evaluateAll((rects) => rects.map((r) => (r as SVGRectElement).getBBox().width));
    expect(bars.length).toBe(3 * 4);
    expect(bars.every((w) => w >= 2)).toBe(true);
    // The screenshot of the boot that failed is inside the file and decodes; a passing boot's is a link.
    const images = await page.locator('img.screenshot').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth));
    expect(images).toEqual([1]);
    expect(await page.locator('a[href$="screen-end.png"]').count()).toBe(3);
    // The log links point at files beside the report.
    expect(await page.locator('a[href$="serial.log"]').count()).toBe(3);
    // Offline: nothing but the file itself was requested.
    expect(requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
    await page.close();
  });

  it('filters by verdict and searches what the scenarios show, in the page itself', async () => {
    const results = sampleResults(join(dir, 'filter'));
    const path = join(dir, 'filter.html');
    await writeFile(path, await renderHtmlReport(results, join(dir, 'filter'), { iso: '/x.iso' }));
    const page = await browser.newPage();
    await page.goto(pathToFileURL(path).href);
    const shown = () => page.locator('details.scenario:not([hidden])').evaluateAll((ds) => ds.map((d) => d.id));
    expect(await shown()).toEqual(['ram-deploy-http', 'persistent-lifecycle']);
    await page.locator('.verdict-filter[value="FAIL"]').uncheck();
    expect(await shown()).toEqual(['ram-deploy-http']);
    expect(await page.locator('#shown').textContent()).toBe('1 of 2 shown');
    await page.locator('.verdict-filter[value="FAIL"]').check();
    // A console warning of the failed boot, folded away in the passing one's absence: found, and its scenario opened.
    await page.locator('#search').fill('falling back to temporary');
    expect(await shown()).toEqual(['persistent-lifecycle']);
    await page.locator('#search').fill('no such text anywhere');
    expect(await shown()).toEqual([]);
    expect(await page.locator('#shown').textContent()).toBe('0 of 2 shown');
    await page.close();
  });
});
