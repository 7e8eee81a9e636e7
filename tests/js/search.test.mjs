// search.js in node over a real built index served by a real HTTP server,
// held against `hubgen search` (tantivy) for the same target.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, build, serve, searchModule, reference, agreement } from './harness.mjs';

const REPO_QUERIES = [
  'procurement', 'shared services', 'energy', 'waste', 'children', 'adult social care', 'data transparency',
  'unit costs', 'benchmarking', 'workforce skills', 'leadership', 'peer challenge', 'whitehall barriers',
  'community budgets', 'total place', 'assets', 'capital buildings', 'conference', 'knowledge hub',
  'opportunities', 'mutual', 'commissioning', 'personalisation', 'highways transport', 'front office',
  'management', 'governance', 'members', 'pathfinders', 'hampshire wigan', 'toolkit', 'phase two',
  'name', 'productivity programme', 'market', 'staff',
];

/** One edit of each word of five letters or more, chosen by a seeded generator: a deletion, an insertion, a change or a swap. */
function misspell(query, seed) {
  let x = seed;
  const next = n => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return (x >>> 8) % n; };
  return query.split(' ').map(w => {
    if (w.length < 5) return w;
    const i = 1 + next(w.length - 2);
    switch (next(4)) {
      case 0: return w.slice(0, i) + w.slice(i + 1);
      case 1: return w.slice(0, i) + 'aeiou'[next(5)] + w.slice(i);
      case 2: return w.slice(0, i) + (w[i] === 'x' ? 'y' : 'x') + w.slice(i + 1);
      default: return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
    }
  }).join(' ');
}

const MISSPELT = ['procuremnt', 'hampshre', 'shred services', 'bettisn', ...REPO_QUERIES.map((q, i) => misspell(q, i + 1))];

let out, server, mod;
const sites = [];

before(async () => {
  out = build(ROOT);
  server = await serve([['/productivity/', join(out, 'hub')], ['/', join(out, 'programme')]]);
  mod = await searchModule(join(out, 'hub'));
});

after(async () => {
  await server?.close();
  rmSync(out, { recursive: true, force: true });
  for (const s of sites) rmSync(s, { recursive: true, force: true });
});

test('variable-length numbers decode', () => {
  assert.deepEqual(mod.decodeNumbers('AF' + 'gB'), [0, 5, 32]);
  assert.deepEqual(mod.words('Procurement, CAFÉ-naïve!'), ['procurement', 'cafe', 'naive']);
});

test('typing "procur" finds the procurement workstream in the first three', async () => {
  const index = new mod.SearchIndex(`${server.url}/search/`);
  const res = await index.query('procur', { limit: 3 });
  const metas = await Promise.all(res.hits.map(h => index.meta(h.position)));
  const titles = metas.map(m => m.t);
  assert.ok(titles.includes('Procurement, Capital and Shared Assets'), titles.join(' | '));
  const meta = metas[titles.indexOf('Procurement, Capital and Shared Assets')];
  assert.match(meta.url, /^http:\/\/127\.0\.0\.1:\d+\/workstreams\//);
  assert.equal(meta.h, 'Local Productivity Programme');
});

test('each site searches both: the other site\'s pages are labelled and linked at their canonical URL', async () => {
  const index = new mod.SearchIndex(`${server.url}/search/`);
  const res = await index.query('hampshire wigan', { limit: 5 });
  const metas = await Promise.all(res.hits.map(h => index.meta(h.position)));
  const study = metas.find(m => m.t.startsWith('Hampshire and Wigan'));
  assert.ok(study, metas.map(m => m.t).join(' | '));
  assert.equal(study.h, 'Knowledge Hub');
  assert.equal(study.url, 'https://knowledgehub.example.org/productivity/case-studies/hampshire-wigan-capital-assets/');
  const hub = new mod.SearchIndex(`${server.url}/productivity/search/`);
  const both = await Promise.all([index, hub].map(async i => (await i.query('procurement hub', { limit: 10 })).hits));
  assert.deepEqual(both[0], both[1], 'BM25 over the union ranks alike from either site');
});

test('facets narrow the results, and combine', async () => {
  const index = new mod.SearchIndex(`${server.url}/productivity/search/`);
  const all = await index.query('capital assets', { limit: 50, filters: { __counts: true } });
  const type = all.facets.find(f => f.name === 'type');
  assert.ok(type.values.length >= 2, JSON.stringify(type));
  const pick = type.values.find(v => v.count < all.total);
  const narrowed = await index.query('capital assets', { limit: 50, filters: { __counts: true, type: new Set([pick.value]) } });
  assert.equal(narrowed.total, pick.count);
  assert.ok(narrowed.total < all.total);
  for (const h of narrowed.hits) assert.equal((await index.meta(h.position)).y, pick.value);
  const tag = narrowed.facets.find(f => f.name === 'tags').values[0];
  const both = await index.query('capital assets', { limit: 50, filters: { type: new Set([pick.value]), tags: new Set([tag.value]) } });
  assert.equal(both.total, tag.count);
});

/** Runs the queries on both targets of a built site and reports agreement with tantivy. */
async function agree(site, dir, mounts, targets, queries) {
  const srv = await serve(mounts);
  try {
    let overlap = 0, top1 = 0, n = 0;
    for (const [target, base] of targets) {
      const index = new (await searchModule(join(dir, target))).SearchIndex(`${srv.url}${base}search/`);
      for (const q of queries) {
        const ours = (await index.query(q, { limit: 10 })).hits.map(h => h.position);
        const theirs = reference(site, target, q).map(h => h.position);
        if (theirs.length === 0 && ours.length === 0) continue;
        const a = agreement(ours, theirs);
        overlap += a.overlap; top1 += a.top1 ? 1 : 0; n++;
      }
    }
    return { overlap: overlap / n, top1: top1 / n, n };
  } finally {
    await srv.close();
  }
}

test('the browser ranks the repo content as hubgen search does', async () => {
  const r = await agree(ROOT, out, [['/productivity/', join(out, 'hub')], ['/', join(out, 'programme')]],
    [['programme', '/'], ['hub', '/productivity/']], REPO_QUERIES);
  console.log(`repo content: ${r.n} queries, mean top-10 overlap ${r.overlap.toFixed(3)}, equal top-1 ${(100 * r.top1).toFixed(1)}%`);
  assert.ok(r.n >= 30, `only ${r.n} queries had results`);
  assert.ok(r.overlap >= 0.8, `mean overlap ${r.overlap}`);
  assert.ok(r.top1 >= 0.9, `top-1 agreement ${r.top1}`);
});

test('misspelt words find their pages, say what was searched, and rank as hubgen search does', async () => {
  const index = new mod.SearchIndex(`${server.url}/productivity/search/`);
  for (const [typo, fixed, title] of [
    ['procuremnt', 'procurement', 'Procurement, Capital and Shared Assets'],
    ['hampshre', 'hampshire', 'Hampshire and Wigan: practice exchange on capital assets'],
    ['shred services', 'shared services', null],
  ]) {
    const res = await index.query(typo, { limit: 10 });
    assert.equal(res.corrected, fixed);
    if (title) {
      const titles = await Promise.all(res.hits.map(async h => (await index.meta(h.position)).t));
      assert.ok(titles.includes(title), `${typo}: ${titles.join(' | ')}`);
      assert.equal((await index.query(typo, { limit: 10, typos: false })).total, 0, `${typo} as typed finds nothing`);
    }
  }
  assert.equal((await index.query('capitol', { limit: 5 })).corrected, 'capital');
  const r = await agree(ROOT, out, [['/productivity/', join(out, 'hub')], ['/', join(out, 'programme')]],
    [['programme', '/'], ['hub', '/productivity/']], MISSPELT);
  console.log(`misspelt queries: ${r.n} queries, mean top-10 overlap ${r.overlap.toFixed(3)}, equal top-1 ${(100 * r.top1).toFixed(1)}%`);
  assert.ok(r.n >= 40, `only ${r.n} queries had results`);
  assert.ok(r.overlap >= 0.8, `mean overlap ${r.overlap}`);
  assert.ok(r.top1 >= 0.9, `top-1 agreement ${r.top1}`);
});

test('the browser ranks a generated 1,000-page site as hubgen search does, downloading a fraction of the index', async () => {
  const site = mkdtempSync(join(tmpdir(), 'hubgen-corpus-'));
  sites.push(site);
  const gen = spawnSync('python3', [join(ROOT, 'bench/corpus.py'), '--pages', '1000', '--out', site], { encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  const dir = build(site);
  sites.push(dir);
  // Queries: two words from the titles of documents spread across the corpus.
  const files = readdirSync(join(site, 'content/guides')).sort();
  const queries = files.filter((_, i) => i % 8 === 0).slice(0, 32).map(f => {
    const title = readFileSync(join(site, 'content/guides', f), 'utf8').match(/^title: "(.*)"$/m)[1];
    return title.split(' ').slice(1, 3).join(' ');
  });
  assert.ok(queries.length >= 30);
  const mounts = [['/productivity/', join(dir, 'hub')], ['/', join(dir, 'programme')]];
  const r = await agree(site, dir, mounts, [['hub', '/productivity/'], ['programme', '/']], queries);
  console.log(`1,000-page site: ${r.n} queries, mean top-10 overlap ${r.overlap.toFixed(3)}, equal top-1 ${(100 * r.top1).toFixed(1)}%`);
  assert.ok(r.overlap >= 0.8, `mean overlap ${r.overlap}`);
  assert.ok(r.top1 >= 0.9, `top-1 agreement ${r.top1}`);
  const typos = await agree(site, dir, mounts, [['hub', '/productivity/']], queries.map((q, i) => misspell(q, 100 + i)));
  console.log(`1,000-page site, misspelt: ${typos.n} queries, mean top-10 overlap ${typos.overlap.toFixed(3)}, equal top-1 ${(100 * typos.top1).toFixed(1)}%`);
  assert.ok(typos.n >= 20, `only ${typos.n} misspelt queries had results`);
  assert.ok(typos.overlap >= 0.8, `mean overlap ${typos.overlap}`);
  assert.ok(typos.top1 >= 0.9, `top-1 agreement ${typos.top1}`);

  // One query fetches the manifest, its shards and its results' metadata: a fraction of the index.
  const srv = await serve(mounts);
  try {
    const m = await searchModule(join(dir, 'hub'));
    const index = new m.SearchIndex(`${srv.url}/productivity/search/`);
    const res = await index.query(queries[0], { limit: 10 });
    await Promise.all(res.hits.map(h => index.meta(h.position)));
    const total = readdirSync(join(dir, 'hub/search'), { recursive: true })
      .map(f => join(dir, 'hub/search', f)).filter(f => f.endsWith('.json'))
      .reduce((s, f) => s + readFileSync(f).length, 0);
    console.log(`one query fetched ${srv.stats.bytes} of ${total} index bytes in ${srv.stats.requests.length} requests`);
    assert.ok(srv.stats.bytes < total / 4, `${srv.stats.bytes} of ${total}`);
    assert.ok(srv.stats.requests.some(p => p.endsWith('manifest.json')));

    // Long postings lists are read from their best postings: the first results,
    // and the first of them, are those of the whole lists (which facet counts read).
    let skipped = 0;
    for (const q of [...queries, 'the', 'and council', 'services local']) {
      const fresh = new m.SearchIndex(`${srv.url}/productivity/search/`);
      const before = srv.stats.requests.length;
      const top = await fresh.query(q, { limit: 10 });
      const blocks = srv.stats.requests.slice(before).filter(p => /\/search\/[tr]\//.test(p)).length;
      const whole = await fresh.query(q, { limit: 10, filters: { __counts: true } });
      const ids = r => r.hits.map(h => h.position);
      assert.deepEqual(new Set(ids(top)), new Set(ids(whole)), q);
      assert.equal(ids(top)[0], ids(whole)[0], q);
      const split = srv.stats.requests.slice(before).some(p => /\/search\/[tr]\//.test(p));
      if (split && !blocks) skipped += 1;
      if (!top.approximate) assert.equal(top.total, whole.total, q);
    }
    assert.ok(skipped >= 3, `only ${skipped} queries ranked long lists without all their blocks`);
  } finally {
    await srv.close();
  }
});
