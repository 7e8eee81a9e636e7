// The browser editor end to end: this repository's site copied to a temporary
// folder and previewed with `hubgen serve --editor` (which runs Decap's local
// backend, decap-server from the lockfile, writing to the copy); its /admin/
// opened in headless Chromium. An editor
// creates a guide by filling in every required field — the workstream chosen
// from the relation list, the dates from the date pickers — and saves it; the
// file exists, `hubgen check` passes on it and `hubgen build` publishes it.
// Then the editor changes an existing case study's summary, and only that
// field of the file changes. Also: Decap accepts the generated configuration
// (it validates it against its own schema on load), and the editor's page is
// kept out of the sitemap, search and feeds and tells search engines
// `noindex`. Decap's own files are the npm package's, byte for byte but for
// the build machine's paths baked into two chunks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, HUBGEN, hubgen, launchChromium } from '../js/harness.mjs';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml');
/** Decap's local backend listens where its configuration says by default. */
const PROXY_PORT = 8081;

let site, editorUrl, proxy, context, profile, proxyLog = '';

/** Whether something already listens on 127.0.0.1:`port`. */
function listening(port) {
  return new Promise(resolve => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

/** The front matter of a Markdown file, parsed, and its body. */
function parts(file) {
  const text = readFileSync(file, 'utf8');
  const m = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text);
  assert.ok(m, `${file} has no front matter:\n${text}`);
  return { fields: yaml.safeLoad(m[1], { schema: yaml.JSON_SCHEMA }), body: m[2] };
}

async function waitFor(what, check, ms = 20000) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}\n${proxyLog.slice(-2000)}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

before(async () => {
  assert.equal(await listening(PROXY_PORT), false, `port ${PROXY_PORT} is taken: Decap's local backend needs it`);
  site = mkdtempSync(join(tmpdir(), 'hubgen-editor-'));
  for (const d of ['content', 'themes', 'site.toml', 'package.json', 'package-lock.json']) cpSync(join(ROOT, d), join(site, d), { recursive: true });
  // decap-server at the pinned version, found by npx without the network.
  symlinkSync(join(ROOT, 'node_modules'), join(site, 'node_modules'));
  // `hubgen serve --editor`, as the editors' guide says: the preview and
  // Decap's local backend, in a process group of their own to stop together.
  proxy = spawn(HUBGEN, ['-C', site, 'serve', '--target', 'programme', '--port', '0', '--editor'], {
    stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  for (const s of [proxy.stdout, proxy.stderr]) s.on('data', d => { proxyLog += d; });
  await waitFor('the preview and the editor', () => /Browser editor at (\S+)/.test(proxyLog), 120000);
  editorUrl = /Browser editor at (\S+)/.exec(proxyLog)[1];
  await waitFor('the local backend', async () => await listening(PROXY_PORT), 60000);
  profile = mkdtempSync(join(tmpdir(), 'hubgen-chromium-'));
  context = await launchChromium(profile);
});

after(async () => {
  await context?.close();
  if (proxy) try { process.kill(-proxy.pid, 'SIGTERM'); } catch { /* already gone */ }
  for (const d of [site, profile]) if (d) rmSync(d, { recursive: true, force: true });
});

/** Opens the editor, logged in to the local backend, at `hash`. */
async function open(hash) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  page.on('console', m => { if (/config/i.test(m.text()) && m.type() === 'error') errors.push(m.text()); });
  await page.goto(editorUrl);
  const login = page.getByRole('button', { name: /login/i });
  await Promise.race([
    login.waitFor({ timeout: 20000 }).then(() => login.click()),
    page.getByText(/Guides and toolkits/).first().waitFor({ timeout: 20000 }),
  ]);
  await page.goto(`${editorUrl}${hash}`);
  return { page, errors };
}

async function publish(page) {
  await page.getByRole('button', { name: 'Publish' }).first().click();
  await page.getByText('Publish now').click();
}

test('Decap loads the generated configuration without an error', async () => {
  const { page, errors } = await open('#/collections/guides');
  await page.getByText(/Guides and toolkits/).first().waitFor();
  assert.equal(await page.getByText(/Error loading the CMS configuration/i).count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the check above can fail: Decap refuses a configuration that breaks its schema', async () => {
  const page = await context.newPage();
  // The generated configuration with a value of the wrong type for Decap's schema.
  let served = 0;
  await page.route('**/config.yml', async route => {
    const res = await route.fetch();
    served += 1;
    await route.fulfill({ response: res, body: (await res.text()).replace('create: true', 'create: sometimes') });
  });
  await page.goto(editorUrl);
  await page.getByText(/Error loading the CMS configuration/i).waitFor({ timeout: 20000 });
  assert.ok(served > 0);
  await page.close();
});

test('an editor creates a guide in the browser, and it passes check and is published', async () => {
  const { page } = await open('#/collections/guides/new');
  await page.locator('[id^="title-field"]').fill('Trying the browser editor');
  await page.locator('[id^="summary-field"]').fill('A guide written in the browser editor, to show that it works.');
  await page.locator('[id^="updated-field"]').fill('2026-11-20');
  // The workstream, from the relation list of the workstreams' titles.
  await page.locator('[id^="workstream-field"]').fill('Procurement');
  await page.getByRole('option', { name: 'Procurement, Capital and Shared Assets' }).click();
  await page.locator('[id^="audience-field"]').fill('Council officers');
  await page.locator('[id^="owner-field"]').fill('Programme web editor');
  await page.locator('[id^="review_by-field"]').fill('2027-05-01');
  await publish(page);
  const file = join(site, 'content/guides/trying-the-browser-editor.md');
  await waitFor('the new guide on disk', () => existsSync(file));
  await page.close();

  const { fields } = parts(file);
  assert.equal(fields.title, 'Trying the browser editor');
  assert.equal(fields.workstream, 'procurement-capital-and-shared-assets');
  assert.equal(String(fields.review_by), '2027-05-01');
  assert.equal(String(fields.updated), '2026-11-20');

  const check = hubgen(['-C', site, 'check'], { allowFail: true });
  assert.equal(check.status, 0, `check failed on the new guide:\n${check.stdout}\n${check.stderr}`);
  const out = mkdtempSync(join(tmpdir(), 'hubgen-editor-out-'));
  try {
    hubgen(['-C', site, 'build', '--target', 'hub', '--output', out]);
    const html = readFileSync(join(out, 'guides/trying-the-browser-editor/index.html'), 'utf8');
    assert.match(html, /Trying the browser editor/);
    assert.match(html, /Procurement, Capital and Shared Assets/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("editing a case study's summary changes only its summary", async () => {
  const file = join(site, 'content/case-studies/hampshire-wigan-capital-assets.md');
  const before = parts(file);
  const { page } = await open('#/collections/case-studies/entries/hampshire-wigan-capital-assets');
  const summary = page.locator('[id^="summary-field"]');
  await summary.waitFor();
  await summary.fill('Hampshire is working with Wigan on capital assets: an example of practice exchange.');
  await publish(page);
  await waitFor('the saved case study', () => parts(file).fields.summary !== before.fields.summary);
  await page.close();
  const after = parts(file);
  assert.equal(after.fields.summary, 'Hampshire is working with Wigan on capital assets: an example of practice exchange.');
  assert.deepEqual({ ...after.fields, summary: null }, { ...before.fields, summary: null });
  assert.equal(after.body.trim(), before.body.trim());
  const check = hubgen(['-C', site, 'check'], { allowFail: true });
  assert.equal(check.status, 0, `check failed after the edit:\n${check.stdout}\n${check.stderr}`);
});

test('the editor is kept out of the sitemap, search and feeds, and asks not to be indexed', t => {
  const tmp = mkdtempSync(join(tmpdir(), 'hubgen-editor-out-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const out = join(tmp, 'programme');
  hubgen(['-C', ROOT, 'build', '--target', 'programme', '--output', out]);
  const html = readFileSync(join(out, 'admin/index.html'), 'utf8');
  assert.match(html, /<meta name="robots" content="noindex, nofollow">/);
  assert.doesNotMatch(html, /https?:\/\//, 'Decap comes from the site itself, not another host');
  for (const f of ['sitemap.xml', 'atom.xml']) assert.doesNotMatch(readFileSync(join(out, f), 'utf8'), /\/admin\//, f);
  const search = readdirSync(join(out, 'search'), { recursive: true, withFileTypes: true }).filter(e => e.isFile());
  assert.ok(search.length > 3, 'the search index was built');
  for (const e of search) {
    const f = join(e.parentPath, e.name);
    assert.doesNotMatch(readFileSync(f).toString('latin1'), /\/admin\/|noindex, nofollow/, f);
  }
});

/**
 * A file of Decap's package as the base theme vendors it: byte for byte but
 * the build machine's paths webpack baked into two chunks (`import.meta.url`
 * of the WebP encoder, a fallback the editor never uses), emptied.
 */
const vendoredForm = bytes => Buffer.from(bytes.toString('latin1').replace(/"file:\/\/\/[^"]*"/g, '""'), 'latin1');

test("Decap's files are the npm package's at the pinned version, byte for byte but for build paths", () => {
  const dist = join(require.resolve('decap-cms/package.json'), '..', 'dist');
  const version = require('decap-cms/package.json').version;
  const pinned = /DECAP_VERSION: &str = "([^"]+)"/.exec(readFileSync(join(ROOT, 'src/editor/mod.rs'), 'utf8'))[1];
  assert.equal(version, pinned, 'package.json and src/editor/mod.rs name different Decap versions');
  const server = /DECAP_SERVER_VERSION: &str = "([^"]+)"/.exec(readFileSync(join(ROOT, 'src/editor/mod.rs'), 'utf8'))[1];
  assert.equal(require('decap-server/package.json').version, server, 'package.json and src/editor/mod.rs name different decap-server versions');
  const vendored = readdirSync(join(ROOT, 'themes/base/editor')).sort();
  const shipped = readdirSync(dist).filter(f => /decap-cms\.js$|decap-cms\.js\.LICENSE\.txt$|\.wasm$/.test(f)).sort();
  assert.deepEqual(vendored, shipped);
  for (const f of vendored) {
    const ours = readFileSync(join(ROOT, 'themes/base/editor', f));
    assert.ok(ours.equals(vendoredForm(readFileSync(join(dist, f)))), `${f} differs from the package`);
    assert.ok(!ours.toString('latin1').includes('file:///'), `${f} holds a machine path`);
  }
});
