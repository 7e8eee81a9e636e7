// The search box and search page in headless Chromium (Debian's), driven by
// playwright-core, over the built sites served by a real HTTP server on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, build, serve, launchChromium } from '../js/harness.mjs';

let repoOut, fixtureOut, repo, fixture, context, profile;

before(async () => {
  repoOut = build(ROOT);
  fixtureOut = build(join(ROOT, 'tests/fixtures/good'));
  repo = await serve([['/productivity/', join(repoOut, 'hub')], ['/', join(repoOut, 'programme')]]);
  fixture = await serve([['/docs/', join(fixtureOut, 'beta')], ['/', join(fixtureOut, 'alpha')]]);
  profile = mkdtempSync(join(tmpdir(), 'hubgen-chromium-'));
  context = await launchChromium(profile);
});

after(async () => {
  await context?.close();
  await repo?.close();
  await fixture?.close();
  for (const d of [repoOut, fixtureOut, profile]) if (d) rmSync(d, { recursive: true, force: true });
});

async function page() {
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', e => errors.push(e.message));
  p.errors = errors;
  return p;
}

test('"/" focuses the box, "procur" suggests the procurement workstream, and the keyboard opens it', async () => {
  const p = await page();
  await p.goto(`${repo.url}/`);
  await p.keyboard.press('/');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'site-search-q');
  await p.keyboard.type('procur');
  const options = p.locator('#site-search-list [role="option"]');
  await options.first().waitFor();
  const titles = await p.locator('#site-search-list [role="option"] .result-title').allTextContents();
  assert.ok(titles.slice(0, 3).includes('Procurement, Capital and Shared Assets'), titles.join(' | '));
  assert.equal(await p.getAttribute('#site-search-q', 'aria-expanded'), 'true');
  const want = titles.indexOf('Procurement, Capital and Shared Assets');
  for (let i = 0; i <= want; i++) await p.keyboard.press('ArrowDown');
  const active = await p.getAttribute('#site-search-q', 'aria-activedescendant');
  assert.equal(await p.locator(`#${active} .result-title`).textContent(), 'Procurement, Capital and Shared Assets');
  await Promise.all([p.waitForURL(/\/workstreams\/procurement-capital-and-shared-assets\/$/), p.keyboard.press('Enter')]);
  assert.match(await p.locator('h1').textContent(), /Procurement, Capital and Shared Assets/);
  assert.deepEqual(p.errors, []);
  await p.close();
});

test('Enter without a suggestion opens the search page; a facet narrows the results, by keyboard alone', async () => {
  const p = await page();
  await p.goto(`${repo.url}/productivity/`);
  await p.keyboard.press('/');
  await p.keyboard.type('capital assets');
  await p.locator('#site-search-list [role="option"]').first().waitFor();
  await Promise.all([p.waitForURL(/\/productivity\/search\/\?q=capital\+assets$/), p.keyboard.press('Enter')]);
  const status = p.locator('#search-status');
  await p.waitForFunction(() => /results? for/.test(document.querySelector('#search-status').textContent));
  const before = Number((await status.textContent()).match(/^(\d+)/)[1]);
  assert.ok(before >= 3, await status.textContent());
  assert.ok(await p.locator('#search-results mark').count() > 0, 'matched words are marked');

  // Tab to the first content-type checkbox and tick it with the space bar.
  const box = p.locator('#search-facets fieldset').first().locator('input[type="checkbox"]').first();
  const label = await p.locator(`label[for="${await box.getAttribute('id')}"]`).textContent();
  const [value, count] = label.match(/^(.*) \((\d+)\)$/).slice(1);
  for (let i = 0; i < 40 && !(await box.evaluate(b => b === document.activeElement)); i++) await p.keyboard.press('Tab');
  assert.ok(await box.evaluate(b => b === document.activeElement), 'the facet is reachable by Tab');
  await p.keyboard.press('Space');
  await p.waitForFunction(n => document.querySelector('#search-status').textContent.startsWith(`${n} result`), Number(count));
  const after = Number((await status.textContent()).match(/^(\d+)/)[1]);
  assert.ok(after < before, `${after} < ${before}`);
  const types = await p.locator('#search-results .result-meta').allTextContents();
  assert.equal(types.length, after);
  for (const t of types) assert.ok(t.startsWith(value), `${t} is not ${value}`);
  assert.deepEqual(p.errors, []);
  await p.close();
});

test('a title with <script> in it shows as text and never runs', async () => {
  const p = await page();
  await p.goto(`${fixture.url}/docs/search/?q=tariffs`);
  const title = p.locator('#search-results .result-title a').first();
  await title.waitFor();
  assert.equal(await title.textContent(), '<script>window.pwned = 1</script> Energy tariffs <b>explained</b>');
  await p.locator('#site-search-q').count().then(n => assert.equal(n, 0, 'the search page has its own box'));
  await p.goto(`${fixture.url}/docs/`);
  await p.keyboard.press('/');
  await p.keyboard.type('tariffs');
  const option = p.locator('#site-search-list [role="option"] .result-title').first();
  await option.waitFor();
  assert.equal(await option.textContent(), '<script>window.pwned = 1</script> Energy tariffs <b>explained</b>');
  assert.equal(await p.evaluate(() => window.pwned), undefined);
  assert.equal(await p.locator('#site-search-list script, #site-search-list b, #search-results b').count(), 0);
  await p.close();
});

/** The search page of the Hub for `q`, once its results are shown. */
async function hubSearch(p, q) {
  await p.goto(`${repo.url}/productivity/search/?q=${encodeURIComponent(q)}`);
  await p.waitForFunction(() => /results? for/.test(document.querySelector('#search-status').textContent));
  return p.locator('#search-results .result');
}

test('on the Hub, "procurement hub" lists a programme-site page in the first five, labelled and at its canonical URL', async () => {
  const p = await page();
  const results = await hubSearch(p, 'procurement hub');
  const top = await results.evaluateAll(rs => rs.slice(0, 5).map(r => ({
    site: r.querySelector('.result-site').textContent,
    href: r.querySelector('.result-title a').getAttribute('href'),
  })));
  const other = top.find(r => r.site === 'Local Productivity Programme');
  assert.ok(other, JSON.stringify(top));
  assert.match(other.href, /^https:\/\/productivity\.example\.org\/(workstreams|programmes)\//);
  assert.ok(top.some(r => r.site === 'Knowledge Hub' && r.href.startsWith('/productivity/')), JSON.stringify(top));
  assert.deepEqual(p.errors, []);
  await p.close();
});

test('misspelt words find their pages with a "Showing results for" line, and a link to the words as typed', async () => {
  const p = await page();
  for (const [typo, fixed, title] of [
    ['procuremnt', 'procurement', 'Procurement, Capital and Shared Assets'],
    ['hampshre', 'hampshire', 'Hampshire and Wigan: practice exchange on capital assets'],
  ]) {
    await hubSearch(p, typo);
    const titles = await p.locator('#search-results .result-title').allTextContents();
    assert.ok(titles.slice(0, 5).includes(title), `${typo}: ${titles.join(' | ')}`);
    const line = p.locator('#search-corrected');
    assert.ok(await line.isVisible());
    assert.equal(await line.textContent(), `Showing results for ${fixed}. Search instead for ${typo}.`);
    assert.equal(await line.locator('em').textContent(), fixed);
    await line.locator('a').click();
    await p.waitForFunction(t => document.querySelector('#search-status').textContent === `No results for “${t}”`, typo);
    assert.match(p.url(), /[?&]exact=1/);
    assert.ok(await line.isHidden());
  }
  assert.deepEqual(p.errors, []);
  await p.close();
});

test('a champion\'s surname finds their workstream', async () => {
  const p = await page();
  await hubSearch(p, 'Bettison');
  const first = p.locator('#search-results .result').first();
  assert.equal(await first.locator('.result-title').textContent(), 'Procurement, Capital and Shared Assets');
  assert.equal(await first.locator('.result-site').textContent(), 'Local Productivity Programme');
  await p.close();
});

test('at 375 px the first result sits above the first facet', async () => {
  const p = await page();
  await p.setViewportSize({ width: 375, height: 800 });
  await hubSearch(p, 'capital assets');
  await p.locator('#search-facets fieldset').first().waitFor();
  const result = await p.locator('#search-results .result').first().boundingBox();
  const facet = await p.locator('#search-facets fieldset').first().boundingBox();
  assert.ok(result.y + result.height <= facet.y, `result at ${result.y}, facet at ${facet.y}`);
  await p.close();
});

test('the query and facets live in the address: they survive Back after opening a result, and a copied link', async () => {
  const p = await page();
  await hubSearch(p, 'capital assets');
  const box = p.locator('#search-facets input[type="checkbox"]').first();
  const id = await box.getAttribute('id');
  const label = await p.locator(`label[for="${id}"]`).textContent();
  const [value, count] = label.match(/^(.*) \((\d+)\)$/).slice(1);
  await box.check();
  await p.waitForFunction(n => document.querySelector('#search-status').textContent.startsWith(`${n} result`), Number(count));
  const url = p.url();
  assert.ok(new URL(url).searchParams.getAll(id.split('-')[1]).includes(value), url);
  const titles = await p.locator('#search-results .result-title').allTextContents();

  await Promise.all([p.waitForURL(u => u.href !== url), p.locator('#search-results .result-title a').first().click()]);
  await p.goBack();
  await p.waitForFunction(n => document.querySelector('#search-status').textContent.startsWith(`${n} result`), Number(count));
  assert.equal(p.url(), url);
  assert.ok(await p.locator(`#${id}`).isChecked());
  assert.equal(await p.inputValue('#search-q'), 'capital assets');
  assert.deepEqual(await p.locator('#search-results .result-title').allTextContents(), titles);

  const fresh = await page();
  await fresh.goto(url);
  await fresh.waitForFunction(n => document.querySelector('#search-status').textContent.startsWith(`${n} result`), Number(count));
  assert.ok(await fresh.locator(`#${id}`).isChecked());
  assert.deepEqual(await fresh.locator('#search-results .result-title').allTextContents(), titles);
  assert.deepEqual([...p.errors, ...fresh.errors], []);
  await fresh.close();
  await p.close();
});

test('an excerpt is the sentence that matched, from the page\'s own text, with the word marked', async () => {
  const p = await page();
  await hubSearch(p, 'duplication');
  const result = p.locator('#search-results .result').filter({ hasText: 'Procure waste services collaboratively' });
  const text = await result.locator('.result-excerpt').textContent();
  assert.match(text, /buying together can bring scale and remove duplication\./, text);
  assert.doesNotMatch(text, /on-line library launched/, 'not the notice every illustrative page opens with');
  assert.equal(await result.locator('.result-excerpt mark').first().textContent(), 'duplication');
  await p.close();
});
