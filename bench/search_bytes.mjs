// Bytes a reader downloads to search, measured in headless Chromium for hubgen's
// search.js and for Pagefind's JS API over the same built site, served by a real
// HTTP server on 127.0.0.1 that gzips text as a static host does.
//
//   node bench/search_bytes.mjs SITE_DIR BASE_PATH PAGEFIND_DIR QUERIES.json
//
// SITE_DIR is a built hub target, served at BASE_PATH; PAGEFIND_DIR is
// Pagefind's index, served at BASE_PATH/pagefind/. Each tool starts from a
// blank page of the same origin that has loaded neither library, so the first
// query counts the library, its initialisation, the query and its first 10
// results; each later query counts what it adds.
// Prints JSON: for each tool, the first query's bytes and each later query's
// bytes, each loading the first 10 results' metadata.
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { join, normalize, extname, sep } from 'node:path';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(join(import.meta.dirname, '..', 'package.json'));
const { chromium } = require('playwright-core');
const [dir, base, pagefindDir, queriesFile] = process.argv.slice(2);
const BLANK = `${base}__bench-blank.html`;
const queries = JSON.parse(readFileSync(queriesFile, 'utf8'));
const TEXT = new Set(['.html', '.js', '.mjs', '.json', '.css', '.xml', '.txt', '.svg']);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.css': 'text/css', '.wasm': 'application/wasm' };

let sent = 0;
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (path === BLANK) { res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>blank</title>'); return; }
  if (!path.startsWith(base)) { res.writeHead(404).end(); return; }
  const [root, rel] = path.startsWith(`${base}pagefind/`) ? [pagefindDir, path.slice(base.length + 'pagefind/'.length)] : [dir, path.slice(base.length)];
  let file = normalize(join(root, rel));
  if (!file.startsWith(root + sep) && file !== root) { res.writeHead(400).end(); return; }
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

// The first query loads the library and initialises it (`load`), then runs
// like every later one (`run`); all of it is counted.
async function measure(load, run) {
  const page = await context.newPage();
  await page.goto(`${origin}${BLANK}`);
  const perQuery = [];
  const results = [];
  for (const [i, q] of queries.entries()) {
    const before = sent;
    if (i === 0) await page.evaluate(load, base);
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
