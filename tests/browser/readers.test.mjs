// Both sites as a council officer uses them, in headless Chromium: from every
// page type the menu reaches About, Governance, the accessibility statement
// and the other site in one click; on a 375-pixel phone the header stays
// compact with one search box, the menu opens from its button, and no page
// scrolls sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, build, serve, launchChromium } from '../js/harness.mjs';
import { PAGES } from './pages.mjs';

/** Where each menu link must land: the heading of the page it opens. */
const DESTINATIONS = {
  programme: [['About', /^About the programme$/], ['Governance', /^Governance/], ['Accessibility', /^Accessibility statement$/], ['Knowledge Hub', /^Knowledge Hub$/]],
  hub: [['About', /^About the programme$/], ['Governance', /^Governance/], ['Accessibility', /^Accessibility statement$/], ['Local Productivity Programme', /^Local Productivity Programme$/]],
};

/** The sites' public addresses, answered by the local server. */
const PUBLIC = [['https://productivity.example.org/', '/'], ['https://knowledgehub.example.org/productivity/', '/productivity/']];

let out, server, context, profile;

before(async () => {
  out = build(ROOT);
  server = await serve([['/productivity/', join(out, 'hub')], ['/', join(out, 'programme')]]);
  profile = mkdtempSync(join(tmpdir(), 'hubgen-chromium-'));
  context = await launchChromium(profile);
  // A link to the other site is absolute (its public address): serve it from here.
  await context.route(/^https:\/\/(productivity|knowledgehub)\.example\.org\//, async route => {
    const url = route.request().url();
    const [from, to] = PUBLIC.find(([p]) => url.startsWith(p));
    const response = await route.fetch({ url: server.url + to + url.slice(from.length) });
    await route.fulfill({ response });
  });
});

after(async () => {
  await context?.close();
  await server?.close();
  for (const d of [out, profile]) if (d) rmSync(d, { recursive: true, force: true });
});

async function open(path, width) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 800 });
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  const response = await page.goto(server.url + path);
  assert.ok(response.ok() || path === '/404.html', `${path}: HTTP ${response.status()}`);
  return { page, errors };
}

const site = path => (path.startsWith('/productivity/') ? 'hub' : 'programme');

test('from every page type, the menu reaches About, Governance, the accessibility statement and the other site in one click', async () => {
  for (const [name, path] of Object.entries(PAGES)) {
    for (const [label, heading] of DESTINATIONS[site(path)]) {
      const { page, errors } = await open(path, 1280);
      const link = page.locator('#site-nav').getByRole('link', { name: label, exact: false }).first();
      assert.ok(await link.isVisible(), `${name} (${path}): no visible "${label}" in the menu`);
      const href = await link.evaluate(a => a.href);
      const [from, to] = PUBLIC.find(([p]) => href.startsWith(p)) ?? [server.url, server.url];
      const local = href.startsWith(server.url) ? href : server.url + to + href.slice(from.length);
      await Promise.all([page.waitForEvent('load'), link.click()]);
      // A public address stays in the address bar (the route answers it here).
      assert.ok([href, local].includes(page.url()), `${name}: "${label}" opened ${page.url()}, not ${href}`);
      const h1 = (await page.locator('h1').first().textContent()).trim();
      assert.match(h1, heading, `${name} (${path}): "${label}" led to "${h1}" (${page.url()})`);
      assert.deepEqual(errors, [], `${path}: script errors`);
      await page.close();
    }
  }
});

test('on a phone the header is compact, has one search box, and its menu opens from the Menu button', async () => {
  for (const [name, path] of Object.entries(PAGES)) {
    const { page } = await open(path, 375);
    const header = await page.locator('.site-header').boundingBox();
    assert.ok(header.height <= 120, `${name} (${path}): the header is ${header.height}px tall at 375px`);
    const boxes = await page.locator('input[type="search"]').evaluateAll(els => els.filter(e => e.offsetParent !== null).length);
    assert.equal(boxes, 1, `${name} (${path}): ${boxes} search boxes show at 375px`);
    const menu = page.getByRole('button', { name: 'Menu' });
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    const about = page.locator('#site-nav').getByRole('link', { name: 'About', exact: true });
    assert.equal(await about.isVisible(), false, `${name}: the menu is folded until asked for`);
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    assert.ok(await about.isVisible(), `${name}: the Menu button shows the menu`);
    await page.keyboard.press('Escape');
    await page.close();
  }
  // Escape from inside the open menu closes it and returns to the button.
  const { page } = await open('/productivity/guides/', 375);
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.locator('#site-nav a').first().focus();
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#site-nav').isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.className), 'menu-toggle');
  // One tap on the menu's link, and the reader is there.
  await page.getByRole('button', { name: 'Menu' }).click();
  await Promise.all([page.waitForURL(/\/productivity\/accessibility\/$/), page.locator('#site-nav').getByRole('link', { name: 'Accessibility' }).click()]);
  assert.equal((await page.locator('h1').textContent()).trim(), 'Accessibility statement');
  await page.close();
});

test('at 375 pixels no page type of either site scrolls sideways, and at 1280 the menu is one line', async () => {
  const wide = [];
  for (const [name, path] of Object.entries(PAGES)) {
    const { page } = await open(path, 375);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) wide.push(`${name} (${path}): ${overflow}px too wide`);
    // On a desktop the menu is one line.
    await page.setViewportSize({ width: 1280, height: 800 });
    const menu = await page.locator('#site-nav li').evaluateAll(lis => new Set(lis.map(li => li.getBoundingClientRect().top)).size);
    if (menu !== 1) wide.push(`${name} (${path}): the menu takes ${menu} lines at 1280px`);
    await page.close();
  }
  assert.deepEqual(wide, [], wide.join('\n'));
});

test('the library filters live in the address: they survive Back, and a copied link opens the same list', async () => {
  const { page } = await open('/productivity/opportunities/', 1280);
  const shown = () => page.locator('[data-library] > li:not([hidden])').count();
  const all = await shown();
  const workstream = await page.locator('#filter-workstream option').nth(1).getAttribute('value') ?? await page.locator('#filter-workstream option').nth(1).textContent();
  await page.selectOption('#filter-workstream', workstream);
  await page.waitForURL(u => u.searchParams.get('workstream') === workstream);
  const byWorkstream = await shown();
  assert.ok(byWorkstream > 0 && byWorkstream < all, `${byWorkstream} of ${all}`);
  // A word narrows further; every word typed must be in the item.
  const word = (await page.locator('[data-library] > li:not([hidden]) .item-title').first().textContent()).trim().split(/\s+/)[0];
  await page.fill('#filter-words', word.toLowerCase());
  await page.waitForURL(u => u.searchParams.get('words') === word.toLowerCase());
  const filtered = await shown();
  assert.ok(filtered >= 1 && filtered <= byWorkstream);
  const copied = page.url();

  // To a result and Back: the same filters, the same list.
  await Promise.all([page.waitForEvent('load'), page.locator('[data-library] > li:not([hidden]) a').first().click()]);
  assert.doesNotMatch(page.url(), /\/opportunities\/\?/);
  await page.goBack();
  await page.waitForFunction(n => document.querySelectorAll('[data-library] > li:not([hidden])').length === n, filtered);
  assert.equal(await page.inputValue('#filter-workstream'), workstream);
  assert.equal(await page.inputValue('#filter-words'), word.toLowerCase());
  assert.match(await page.locator('[data-library-count]').textContent(), new RegExp(`^${filtered} of ${all} items`));
  await page.close();

  // The copied address, in a fresh page: the same filtered list.
  const fresh = await context.newPage();
  await fresh.goto(copied);
  await fresh.waitForFunction(n => document.querySelectorAll('[data-library] > li:not([hidden])').length === n, filtered);
  assert.equal(await fresh.inputValue('#filter-workstream'), workstream);
  // Clearing the filters clears the address too.
  await fresh.getByRole('button', { name: 'Clear filters' }).click();
  await fresh.waitForURL(u => u.search === '');
  assert.equal(await fresh.locator('[data-library] > li:not([hidden])').count(), all);
  await fresh.close();
});
