// Bytes a reader downloads to search, measured in headless Chromium for hubgen's
// search.js and for Pagefind's JS API over the same built site, served by a real
// HTTP server on 127.0.0.1 that gzips text as a static host does.
//
//   node bench/search_bytes.mjs SITE_DIR BASE_PATH QUERIES.json
//
// SITE_DIR is a built hub target with Pagefind's index in SITE_DIR/pagefind/.
// Prints JSON: for each tool, the first query's bytes (library included) and
// each later query's bytes, each loading the first 10 results' metadata.
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { join, normalize, extname, sep } from 'node:path';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(join(import.meta.dirname, '..', 'package.json'));
const { chromium } = require('playwright-core');
const [dir, base, queriesFile] = process.argv.slice(2);
const queries = JSON.parse(readFileSync(queriesFile, 'utf8'));
const TEXT = new Set(['.html', '.js', '.mjs', '.json', '.css', '.xml', '.txt', '.svg']);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.css': 'text/css', '.wasm': 'application/wasm' };

let sent = 0;
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (!path.startsWith(base)) { res.writeHead(404).end(); return; }
  let file = normalize(join(dir, path.slice(base.length)));
  if (!file.startsWith(dir + sep) && file !== dir) { res.writeHead(400).end(); return; }
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) { res.writeHead(404).end(); return; }
  let body = readFileSync(file);
  const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'max-age=3600' };
  if (TEXT.has(extname(file)) && /gzip/.test(req.headers['accept-encoding'] ?? '')) {
    body = gzipSync(body, { level: 6 });
    headers['content-encoding'] = 'gzip';
  }
  sent += body.length;
  res.writeHead(200, headers).end(body);
});
await new Promise(r => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const profile = mkdtempSync(join(tmpdir(), 'hubgen-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function measure(setup, run) {
  const page = await context.newPage();
  await page.goto(`${origin}${base}404.html`);
  await page.evaluate(setup, base);
  const perQuery = [];
  const results = [];
  for (const q of queries) {
    const before = sent;
    results.push(await page.evaluate(run, q));
    perQuery.push(sent - before);
  }
  await page.close();
  return { first: perQuery[0], later: perQuery.slice(1), results };
}

const hubgen = await measure(
  async b => { const m = await import(`${b}search.js`); window.idx = new m.SearchIndex(`${b}search/`); },
  async q => { const r = await window.idx.query(q, { limit: 10 }); const ms = await Promise.all(r.hits.map(h => window.idx.meta(h.position))); return ms.map(m => m.t); },
);
const pagefind = await measure(
  async b => { window.pf = await import(`${b}pagefind/pagefind.js`); await window.pf.options({ baseUrl: b }); await window.pf.init(); },
  async q => { const r = await window.pf.search(q); const ds = await Promise.all(r.results.slice(0, 10).map(x => x.data())); return ds.map(d => d.meta?.title); },
);
await context.close();
rmSync(profile, { recursive: true, force: true });
server.close();
console.log(JSON.stringify({ hubgen: { first: hubgen.first, later: hubgen.later }, pagefind: { first: pagefind.first, later: pagefind.later },
  sample: { query: queries[0], hubgen: hubgen.results[0].slice(0, 3), pagefind: pagefind.results[0].slice(0, 3) } }));
