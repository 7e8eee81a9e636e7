// The Markdown components a reader meets, on the fixture site's one guide
// (tests/fixtures/components), in headless Chromium: a ten-column table
// scrolls inside its own named, focusable region on a phone while the page
// does not; a task list shows checkboxes, not bullets; GitHub alerts are
// titled callouts, a `{.details}` heading folds its section, a definition
// list is a <dl>; an image has its width and height, and a phone loads its
// smaller copy from srcset; axe finds nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, build, serve, launchChromium } from '../js/harness.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const GUIDE = '/guides/every-component/';

let out, server, context, profile;

before(async () => {
  out = build(join(ROOT, 'tests/fixtures/components'));
  server = await serve([['/', out]]);
  profile = mkdtempSync(join(tmpdir(), 'hubgen-chromium-'));
  context = await launchChromium(profile);
});

after(async () => {
  await context?.close();
  await server?.close();
  for (const d of [out, profile]) if (d) rmSync(d, { recursive: true, force: true });
});

async function open(width) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 800 });
  await page.goto(server.url + GUIDE);
  return page;
}

test('a ten-column table scrolls inside a named, focusable region; the page does not scroll sideways', async () => {
  const page = await open(375);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  const region = page.getByRole('region', { name: 'Table: Spending by service' });
  assert.equal(await region.locator('th').count(), 10);
  const sizes = await region.evaluate(r => [r.scrollWidth, r.clientWidth]);
  assert.ok(sizes[0] > sizes[1], `the table (${sizes[0]}px) is wider than its region (${sizes[1]}px)`);
  // The keyboard reaches the region and scrolls it.
  await region.focus();
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'region');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('.table-scroll').scrollLeft > 0);
  await page.close();
});

test('a task list shows its checkboxes, named, and no bullets', async () => {
  const page = await open(375);
  const items = page.locator('.content li:has(> input[type="checkbox"])');
  assert.equal(await items.count(), 3);
  for (const style of await items.evaluateAll(els => els.map(e => getComputedStyle(e).listStyleType))) {
    assert.equal(style, 'none');
  }
  assert.equal(await page.getByRole('checkbox', { name: 'Done', exact: true }).count(), 1);
  assert.equal(await page.getByRole('checkbox', { name: 'Not done', exact: true }).count(), 2);
  await page.close();
});

test('GitHub alerts are callouts with a title; a plain quotation stays a quotation', async () => {
  const page = await open(1280);
  const notes = page.getByRole('note');
  assert.deepEqual(await notes.evaluateAll(els => els.map(e => e.querySelector('.callout-title').textContent)), ['Note', 'Warning', 'Tip']);
  assert.match(await notes.nth(1).textContent(), /Warning\s+Check the contract's break clauses/);
  assert.equal(await page.locator('.content').textContent().then(t => t.includes('[!')), false, 'no alert marker prints');
  assert.equal(await page.locator('.content blockquote').count(), 1);
  await page.close();
});

test('a {.details} heading folds its section until opened, by mouse or keyboard', async () => {
  const page = await open(375);
  const details = page.locator('details.disclosure');
  assert.equal(await details.count(), 2);
  const body = page.getByText("Every figure comes from the councils' own returns.");
  assert.equal(await body.isVisible(), false, 'folded at first');
  await page.getByRole('heading', { name: 'The figures in full' }).click();
  assert.ok(await body.isVisible(), 'a click opens it');
  // The second by keyboard: its summary is focusable and Enter opens it.
  await details.nth(1).locator('summary').focus();
  await page.keyboard.press('Enter');
  assert.ok(await page.getByText("The councils' published accounts.").isVisible());
  // The section ends at the next heading of its level or above.
  assert.equal(await page.locator('details.disclosure h2, details.disclosure #words-used-here').count(), 0);
  await page.close();
});

test('a definition list is a list of terms and their definitions', async () => {
  const page = await open(1280);
  assert.deepEqual(await page.locator('.content dl dt').allTextContents(), ['Unit cost', 'Shared service']);
  assert.match(await page.locator('.content dl dd').first().textContent(), /^What one unit of a service costs/);
  await page.close();
});

test('a content image has its intrinsic width and height, so the text does not jump while it loads', async () => {
  const page = await open(375);
  const img = page.getByRole('img', { name: 'A bar chart of spending by service' });
  assert.deepEqual([await img.getAttribute('width'), await img.getAttribute('height')], ['640', '320']);
  // Scaled to the column, in proportion, with its room kept before it loads.
  const box = await img.boundingBox();
  assert.ok(box.width <= 375 && Math.abs(box.width / box.height - 2) < 0.02, `${box.width}x${box.height}`);
  await page.close();
});

test('a phone loads the smaller copy from srcset; a wide screen the original', async () => {
  for (const [width, natural, file] of [[375, 480, /\/guides\/spending-480w-[0-9a-f]{8}\.png$/], [1280, 640, /\/guides\/spending\.png$/]]) {
    const page = await open(width);
    const img = page.getByRole('img', { name: 'A bar chart of spending by service' });
    assert.match(await img.getAttribute('srcset'), /spending-480w-[0-9a-f]{8}\.png 480w, \.\.\/\.\.\/guides\/spending\.png 640w$/);
    assert.ok(await img.getAttribute('sizes'));
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('.content img').complete);
    const src = await img.evaluate(i => i.currentSrc);
    assert.match(src, file, `at ${width}px`);
    // naturalWidth of a srcset image is scaled by the candidate's density:
    // the file's own width is read from a plain copy of it.
    const w = await page.evaluate(url => new Promise((done, fail) => {
      const probe = new Image();
      probe.onload = () => done(probe.naturalWidth);
      probe.onerror = fail;
      probe.src = url;
    }), src);
    assert.equal(w, natural, `at ${width}px the picture loaded is ${w} pixels wide`);
    await page.close();
  }
});

test('axe finds no WCAG 2.2 A or AA violation on the components at 375 and 1280 pixels', async () => {
  for (const width of [375, 1280]) {
    const page = await open(width);
    // With the disclosures open, so that axe sees what they hold.
    await page.evaluate(() => document.querySelectorAll('details').forEach(d => { d.open = true; }));
    await page.addScriptTag({ content: AXE });
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] },
    }));
    const failures = result.violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`);
    assert.deepEqual(failures, [], `at ${width}px:\n${failures.join('\n')}`);
    await page.close();
  }
});
