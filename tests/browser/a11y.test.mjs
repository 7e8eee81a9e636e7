// Both built sites in headless Chromium: WCAG 2.2 A and AA by axe-core on every
// page type, keyboard use, no external requests or cookies, pages without
// JavaScript, CSS and JS within budget, and screenshots at phone and desktop
// widths for review.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { ROOT, build, serve, launchChromium, CHROMIUM_ARGS } from '../js/harness.mjs';
import { PAGES as PAGE_TYPES } from './pages.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** Bytes of CSS and of JavaScript a page may load (before compression, with
 * their comments): a library page loads search (with typo tolerance, and
 * reading long postings lists block by block), its filters and the menu. */
const BUDGET = { css: 16 * 1024, js: 32 * 1024 };

/** Every page type of both sites, and a misspelt search. */
const PAGES = { ...PAGE_TYPES, 'hub-search-typo': '/productivity/search/?q=procuremnt' };

let out, server, context, profile, shots;

before(async () => {
  out = build(ROOT);
  server = await serve([['/productivity/', join(out, 'hub')], ['/', join(out, 'programme')]]);
  profile = mkdtempSync(join(tmpdir(), 'hubgen-chromium-'));
  context = await launchChromium(profile);
  shots = process.env.HUBGEN_SCREENSHOTS ?? join(ROOT, 'target', 'screenshots');
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await context?.close();
  await server?.close();
  for (const d of [out, profile]) if (d) rmSync(d, { recursive: true, force: true });
});

async function open(path, width = 1280) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  const requests = [];
  page.on('request', r => requests.push(r.url()));
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  await page.goto(server.url + path);
  if (path.includes('/search/')) await page.waitForFunction(() => /result/.test(document.querySelector('#search-status')?.textContent ?? ''));
  return { page, requests, errors };
}

/** axe's WCAG 2.2 A and AA violations on `page` as it is now, one line each. */
async function axe(page, name) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] },
  }));
  return result.violations.map(v => `${name}: ${v.id}: ${v.help}\n    ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join('\n    ')}`);
}

for (const width of [1280, 375]) {
  test(`axe finds no WCAG 2.2 A or AA violation on any page type of either site, at ${width} px`, async () => {
    const failures = [];
    for (const [name, path] of Object.entries(PAGES)) {
      const { page, errors } = await open(path, width);
      failures.push(...await axe(page, `${name} (${path})`));
      assert.deepEqual(errors, [], `${path}: script errors`);
      await page.close();
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });
}

test('axe finds no violation with the suggestion list open, nor with a search filter applied', async () => {
  const failures = [];
  for (const width of [1280, 375]) {
    const { page } = await open('/productivity/', width);
    const box = page.locator('#site-search-q');
    if (await box.isVisible()) {
      await box.fill('procur');
      await page.locator('#site-search-list [role="option"]').first().waitFor();
      failures.push(...await axe(page, `open suggestions at ${width} px`));
    }
    await page.close();
    const search = await open('/productivity/search/?q=procurement', width);
    const facet = search.page.locator('#search-facets input[type="checkbox"]').first();
    await facet.check();
    await search.page.waitForFunction(() => /result/.test(document.querySelector('#search-status')?.textContent ?? ''));
    failures.push(...await axe(search.page, `a filter applied at ${width} px`));
    await search.page.close();
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('the axe check can fail: a control without a name is reported', async () => {
  const { page } = await open('/productivity/');
  await page.evaluate(() => document.querySelector('main').append(Object.assign(document.createElement('button'), { id: 'nameless' })));
  const found = await axe(page, 'a nameless button');
  assert.ok(found.some(f => f.includes('button-name')), found.join('\n'));
  await page.close();
});

test('screenshots of every page type at 375 and 1280 pixels wide', async () => {
  for (const [name, path] of Object.entries(PAGES)) {
    for (const width of [375, 1280]) {
      const { page } = await open(path, width);
      await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
      // Nothing is wider than the screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${path} at ${width}px scrolls sideways by ${overflow}px`);
      await page.close();
    }
  }
  console.log(`screenshots written to ${shots}`);
});

test('the keyboard reaches the skip link, the menu, search and the filters, with focus visible', async () => {
  const { page } = await open('/productivity/opportunities/');
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const a = document.activeElement;
    const r = a.getBoundingClientRect();
    return { text: a.textContent, visible: r.width > 0 && r.top >= 0 && r.left >= 0, outline: getComputedStyle(a).outlineStyle };
  });
  assert.equal(skip.text, 'Skip to main content');
  assert.ok(skip.visible, 'the skip link shows when focused');
  assert.notEqual(skip.outline, 'none');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');

  // From the top: every control is reached by Tab, each with a visible focus indicator.
  await page.goto(`${server.url}/productivity/opportunities/?from=top`);
  const reached = new Set();
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const a = document.activeElement;
      const s = getComputedStyle(a);
      return { key: a.id || a.getAttribute('href') || a.tagName, tag: a.tagName, outline: s.outlineStyle !== 'none' || s.boxShadow !== 'none' };
    });
    if (f.tag === 'BODY') break;
    assert.ok(f.outline, `no visible focus on ${f.key}`);
    reached.add(f.key);
  }
  for (const want of ['/productivity/guides/', 'site-search-q', 'filter-workstream', 'filter-tag']) {
    assert.ok(reached.has(want), `${want} is not reachable by Tab: ${[...reached].join(', ')}`);
  }

  // The filters work by keyboard: choosing a workstream narrows the library.
  const before = await page.locator('[data-library] > li:not([hidden])').count();
  await page.focus('#filter-workstream');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(n => document.querySelectorAll('[data-library] > li:not([hidden])').length < n, before);
  const chosen = await page.inputValue('#filter-workstream');
  const shown = await page.locator('[data-library] > li:not([hidden])').count();
  assert.ok(shown > 0 && shown < before, `${shown} of ${before}`);
  assert.match(await page.locator('[data-library-count]').textContent(), new RegExp(`^${shown} of ${before} items`));
  for (const w of await page.locator('[data-library] > li:not([hidden])').evaluateAll(els => els.map(e => e.dataset.workstream))) {
    assert.ok(w.split('|').includes(chosen), `${w} has not ${chosen}`);
  }
  await page.close();
});

test('no external requests, no cookies, and every page reads without JavaScript', async () => {
  for (const path of Object.values(PAGES)) {
    const { page, requests } = await open(path);
    for (const r of requests) assert.ok(r.startsWith(server.url) || r.startsWith('data:'), `${path} requested ${r}`);
    await page.close();
  }
  assert.deepEqual(await context.cookies(), []);
  const plain = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const noJs = await plain.newContext({ javaScriptEnabled: false });
  const page = await noJs.newPage();
  await page.goto(server.url + '/productivity/opportunities/');
  const all = await page.locator('[data-library] > li').count();
  assert.ok(all >= 12);
  assert.equal(await page.locator('[data-library] > li:visible').count(), all, 'every item shows');
  assert.equal(await page.locator('[data-library-filters]').isVisible(), false, 'filters need JavaScript, so they hide');
  await page.goto(server.url + '/workstreams/procurement-capital-and-shared-assets/');
  assert.match(await page.locator('h1').textContent(), /Procurement/);
  await plain.close();
});

test('CSS and JavaScript on every page stay within budget', () => {
  for (const path of Object.values(PAGES)) {
    const site = path.startsWith('/productivity/') ? join(out, 'hub') : join(out, 'programme');
    const base = path.startsWith('/productivity/') ? '/productivity/' : '/';
    const file = join(site, path.slice(base.length).split('?')[0]);
    const html = readFileSync(file.endsWith('.html') ? file : join(file, 'index.html'), 'utf8');
    const size = re => [...html.matchAll(re)].map(m => statSync(join(site, m[1].slice(base.length))).size).reduce((a, b) => a + b, 0);
    const css = size(/<link rel="stylesheet" href="([^"]+)"/g);
    const js = size(/<script type="module" src="([^"]+)"/g);
    assert.ok(css <= BUDGET.css, `${path}: ${css} bytes of CSS`);
    assert.ok(js <= BUDGET.js, `${path}: ${js} bytes of JavaScript`);
  }
});

test('JSON-LD, Open Graph and the canonical link describe each page', async () => {
  const { page } = await open('/productivity/guides/sharing-capital-assets/');
  const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
  const types = ld['@graph'].map(x => x['@type']);
  assert.deepEqual(types, ['WebSite', 'Article', 'BreadcrumbList']);
  assert.equal(ld['@graph'][0].potentialAction['@type'], 'SearchAction');
  assert.equal(ld['@graph'][1].headline, 'Sharing capital assets with partners');
  assert.equal(await page.getAttribute('meta[property="og:title"]', 'content'), 'Sharing capital assets with partners');
  assert.equal(await page.getAttribute('link[rel="canonical"]', 'href'), 'https://knowledgehub.example.org/productivity/guides/sharing-capital-assets/');
  await page.close();
});

test('a guide prints cleanly: no navigation, the text at full width, link targets shown', async () => {
  const { page } = await open('/productivity/guides/sharing-capital-assets/');
  await page.emulateMedia({ media: 'print' });
  const hidden = await page.evaluate(() => ['.site-header', '.site-footer', '.breadcrumbs', '.prev-next', '.skip-link']
    .map(sel => [sel, [...document.querySelectorAll(sel)].every(e => getComputedStyle(e).display === 'none')]));
  for (const [sel, gone] of hidden) assert.ok(gone, `${sel} prints`);
  assert.ok(await page.locator('h1').isVisible());
  const widths = await page.evaluate(() => [document.querySelector('.content').getBoundingClientRect().width, document.querySelector('main').getBoundingClientRect().width]);
  assert.ok(widths[0] >= widths[1] * 0.9, `the text is ${widths[0]} of ${widths[1]} wide`);
  await page.screenshot({ path: join(shots, 'guide-print.png'), fullPage: true });
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 1000);
  await page.close();
});
