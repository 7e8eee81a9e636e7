// hubgen search: reads the sharded index that `hubgen build` writes into
// search/, with no dependencies, no build step and no WebAssembly.
//
// A query downloads the manifest, the shard of each of its words, and the
// metadata of the results it shows; never the whole index. Every string from
// the index reaches the page as text (textContent), never as HTML.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DIGIT = new Map([...ALPHABET].map((c, i) => [c, i]));
const MAX_EXPANSIONS = 24;
// A match of a word near a misspelt one counts this much of an exact match (as in `hubgen search`).
const FUZZY = 0.5;
// At most this many near words stand for a misspelt one (as in `hubgen search`).
const MAX_NEAR = 3;
// Postings: a list's best score is written times TOP_SCALE; scores are levels 1 to LEVELS of a step of it.
const TOP_SCALE = 1024;
const LEVELS = 63;
const SUFFIXES = ['ations', 'ation', 'ments', 'ment', 'ings', 'ing', 'ies', 'ers', 'er', 'es', 'ed', 'ly', 's'];

/** Numbers written by the index's variable-length base-64. */
export function decodeNumbers(s) {
  const out = [];
  let n = 0, shift = 0;
  for (let i = 0; i < s.length; i++) {
    const v = DIGIT.get(s[i]) ?? 0;
    n += (v & 31) * 2 ** shift;
    if (v & 32) shift += 5;
    else { out.push(n); n = 0; shift = 0; }
  }
  return out;
}

const FOLD = { 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'đ': 'd', 'ð': 'd', 'ł': 'l', 'þ': 'th', 'ı': 'i' };

/** Lower-cases and folds a word as the index's analyzer did (approximately: no stemmer here). */
export function fold(word) {
  return word.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[ßæœøđðłþı]/g, c => FOLD[c]);
}

/** The words of a query, folded; tokens over 40 bytes are dropped, as at indexing. */
export function words(text) {
  const enc = new TextEncoder();
  return text.split(/[^\p{L}\p{N}]+/u).filter(w => w && enc.encode(w).length <= 40).map(fold);
}

/** The edits a query word of this many letters may be from a page's word: Algolia's rule. */
export function maxDistance(word) {
  const n = [...word].length;
  return n >= 9 ? 2 : n >= 5 ? 1 : 0;
}

/** Edits between two words (inserted, deleted or changed letters, or two swapped), at most `max` + 1. */
export function distance(a, b, max = 2) {
  a = [...a]; b = [...b];
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2 = null, prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let low = i;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
      low = Math.min(low, d);
    }
    if (low > max) return max + 1;
    prev2 = prev; prev = cur;
  }
  return prev[b.length];
}

/** The typo index's two bucket keys of a word: its first two letters and its last two. */
export function fuzzyKeys(word) {
  const c = [...word];
  return [`^${c.slice(0, 2).join('')}`, `${c.slice(-2).join('')}$`];
}

/** FNV-1a over the key's UTF-8 bytes: the typo index file holding its bucket. */
export function fuzzyFile(key, files) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(key)) { h ^= b; h = Math.imul(h, 0x01000193) >>> 0; }
  return h % Math.max(1, files);
}

export class SearchIndex {
  /** @param {string|URL} base the URL of the target's search/ folder */
  constructor(base) {
    this.base = new URL(base, typeof location === 'undefined' ? undefined : location.href);
    if (!this.base.pathname.endsWith('/')) this.base.pathname += '/';
    this.shards = new Map();
    this.chunks = new Map();
    this.decoded = new Map();
    this.bytes = 0;
  }

  async json(path) {
    const res = await fetch(new URL(path, this.base));
    if (!res.ok) throw new Error(`search index: ${path}: HTTP ${res.status}`);
    const text = await res.text();
    this.bytes += text.length;
    return JSON.parse(text);
  }

  manifest() {
    return (this._manifest ??= this.json('manifest.json'));
  }

  async shardFor(key) {
    const m = await this.manifest();
    let lo = 0, hi = m.shards.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (m.shards[mid] <= key) lo = mid; else hi = mid - 1;
    }
    return this.shard(lo);
  }

  shard(i) {
    if (!this.shards.has(i)) this.shards.set(i, this.json(`s/${i}.json`).then(s => ({ ...s, index: i })));
    return this.shards.get(i);
  }

  /** Shards holding keys from `prefix` to the end of its range. */
  async shardsForPrefix(prefix) {
    const m = await this.manifest();
    const out = [await this.shardFor(prefix)];
    for (let i = out[0].index + 1; i < m.shards.length && m.shards[i].startsWith(prefix) && out.length < 3; i++) {
      out.push(await this.shard(i));
    }
    return out;
  }

  /**
   * A stem's postings as loaded so far: `map` (position → score), `n` pages in
   * all, the blocks not loaded yet (`pending`: file, best score) and `rest`, the
   * best score they hold (0 once complete). A long list's best postings come
   * with its shard; its second block, then the rest, from block files.
   */
  entry(stem) {
    if (!this.decoded.has(stem)) {
      this.decoded.set(stem, this.shardFor(stem).then(shard => {
        const raw = shard.p[stem] ?? '';
        const [head, n, ...blocks] = typeof raw === 'string' ? [raw] : raw;
        // The list opens with its best score, scaled; a level is a step of it.
        const [top, at] = firstNumber(head);
        const step = top / TOP_SCALE / LEVELS;
        const pending = [];
        for (let i = 0; i < blocks.length; i += 2) pending.push([`${'tr'[i / 2]}/${blocks[i]}.json`, blocks[i + 1] * step]);
        const map = addPostings(new Map(), head.slice(at), step);
        return { map, step, pending, rest: pending[0]?.[1] ?? 0, n: n ?? map.size };
      }));
    }
    return this.decoded.get(stem);
  }

  /** Loads a stem's next block (every block when `all`); returns its entry. */
  async more(stem, all = false) {
    const e = await this.entry(stem);
    while (e.pending.length) {
      const [path] = e.pending[0];
      if (!this.chunks.has(path)) this.chunks.set(path, this.json(path));
      const file = await this.chunks.get(path);
      if (e.pending[0]?.[0] === path) {
        addPostings(e.map, file[stem], e.step);
        e.pending.shift();
        e.rest = e.pending[0]?.[1] ?? 0;
      }
      if (!all) break;
    }
    return e;
  }

  /** A stem's whole postings list. */
  async postings(stem) {
    return (await this.more(stem, true)).map;
  }

  /** The words of the pages within `maxDistance(word)` edits of `word`, with their stems, distances and pages. */
  async near(word) {
    const max = maxDistance(word);
    const m = await this.manifest();
    if (!max || !m.fuzzy) return [];
    const out = new Map();
    for (const key of fuzzyKeys(word)) {
      this.fuzzyFiles ??= new Map();
      const n = fuzzyFile(key, m.fuzzy);
      if (!this.fuzzyFiles.has(n)) this.fuzzyFiles.set(n, this.json(`f/${n}.json`));
      const bucket = (await this.fuzzyFiles.get(n))[key] ?? {};
      for (const [w, [stem, pages]] of Object.entries(bucket)) {
        if (w === word || out.has(w)) continue;
        const d = distance(word, w, max);
        if (d <= max) out.set(w, { word: w, stem: stem || w, distance: d, pages });
      }
    }
    return [...out.values()];
  }

  /**
   * The stems a query word stands for: its own stem, or those of the words it
   * begins; with `typos`, those of the words near it when it is neither, with
   * the nearest (then the one on most pages) as `corrected`.
   */
  async stemsFor(word, typos = false) {
    const found = await this.exactOrPrefix(word);
    if (found.stems.length || !typos) return found;
    const near = await this.near(word);
    if (!near.length) return found;
    const order = [...near]
      .sort((a, b) => a.distance - b.distance || b.pages - a.pages || (a.word < b.word ? -1 : 1))
      .slice(0, MAX_NEAR);
    return { stems: [...new Set(order.map(n => n.stem))], exact: false, fuzzy: true, corrected: order[0].word };
  }

  async exactOrPrefix(word) {
    const shard = await this.shardFor(word);
    if (word in shard.w) return { stems: [shard.w[word] || word], exact: true };
    if (word in shard.p) return { stems: [word], exact: true };
    for (const suffix of SUFFIXES) {
      const base = word.slice(0, -suffix.length);
      if (word.endsWith(suffix) && base.length > 2) {
        const s = await this.shardFor(base);
        if (base in s.p) return { stems: [base], exact: true };
      }
    }
    const found = new Set();
    for (const s of await this.shardsForPrefix(word)) {
      for (const w of Object.keys(s.w)) if (w.startsWith(word)) found.add(s.w[w] || w);
      for (const p of Object.keys(s.p)) if (p.startsWith(word)) found.add(p);
    }
    const stems = [...found];
    if (stems.length > MAX_EXPANSIONS) {
      const sized = await Promise.all(stems.map(async s => [s, (await this.entry(s)).n]));
      sized.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      return { stems: sized.slice(0, MAX_EXPANSIONS).map(x => x[0]), exact: false };
    }
    return { stems, exact: false };
  }

  /**
   * Ranks documents for `text`: each word's BM25 score (the best of its stems when
   * it is a prefix, half the best of the words near it when it is misspelt),
   * summed over the words; ties go to the earlier document. `corrected` is the
   * query as searched when a word was taken for a near one. Long postings
   * lists are read from their best postings, and their next blocks only while a
   * page in one could still enter the first `limit` (or take the first place):
   * then `total` is at least the number of pages that match, and `approximate`.
   * Filters and facet counts read every list whole.
   * @returns {Promise<{total:number, approximate:boolean, hits:{position:number, score:number}[], terms:string[], stems:string[], corrected:string|null}>}
   */
  async query(text, { limit = 10, filters = {}, typos = true } = {}) {
    const ws = [...new Set(words(text))];
    const groups = [];
    const shown = [];
    let corrected = false;
    for (const w of ws) {
      const found = await this.stemsFor(w, typos);
      groups.push({ stems: found.stems, weight: found.fuzzy ? FUZZY : 1 });
      shown.push(found.corrected ?? w);
      corrected ||= Boolean(found.fuzzy);
    }
    const active = Object.entries(filters).filter(([, vs]) => vs && vs.size);
    const whole = active.length > 0 || Boolean(filters.__counts);
    let total, docs, rests;
    for (;;) {
      // Each word's best score per page from what is loaded, and what its unread blocks may add.
      const scored = await Promise.all(groups.map(async g => {
        const entries = await Promise.all(g.stems.map(s => (whole ? this.more(s, true) : this.entry(s))));
        const best = new Map();
        for (const e of entries) for (const [doc, score] of e.map) if ((best.get(doc) ?? 0) < score) best.set(doc, score);
        for (const [doc, score] of best) best.set(doc, score * g.weight);
        return { g, best, rest: Math.max(0, ...entries.map(e => e.rest)) * g.weight, n: Math.max(0, ...entries.map(e => e.n)) };
      }));
      total = new Map();
      for (const { best } of scored) for (const [doc, score] of best) total.set(doc, (total.get(doc) ?? 0) + score);
      docs = [...total.keys()].sort((a, b) => total.get(b) - total.get(a) || a - b);
      rests = scored;
      const next = unsettled(docs, total, scored, limit);
      if (!next) break;
      await Promise.all(next.g.stems.map(s => this.more(s)));
    }
    let facetCounts = null;
    if (whole) {
      const facets = await this.facets();
      facetCounts = counts(facets, docs, filters);
      docs = docs.filter(d => active.every(([name, vs]) => [...vs].some(v => facets.has(name, v, d))));
    }
    // One stem's page count is exact; a union of several is at least the largest.
    const partial = rests.some(x => x.rest > 0);
    const approximate = partial && (groups.length > 1 || groups[0].stems.length > 1);
    return {
      total: partial ? Math.max(docs.length, ...rests.map(x => x.n)) : docs.length,
      approximate,
      hits: docs.slice(0, limit).map(position => ({ position, score: total.get(position) })),
      terms: ws,
      stems: [...new Set(groups.flatMap(g => g.stems))],
      corrected: corrected ? shown.join(' ') : null,
      facets: facetCounts,
    };
  }

  /** Facet postings: which documents have each value. Loaded on first use. */
  facets() {
    return (this._facets ??= Promise.all([this.manifest(), this.json('facets.json')]).then(([m, f]) => {
      const sets = new Map();
      for (const facet of f.facets) {
        const values = new Map();
        for (const [value, enc] of facet.values) {
          const set = new Set();
          let d = 0;
          for (const gap of decodeNumbers(enc)) { d += gap; set.add(d); }
          values.set(value, set);
        }
        sets.set(facet.name, values);
      }
      return {
        list: m.facets.filter(x => sets.has(x.name)).map(x => ({ ...x, values: [...sets.get(x.name).keys()] })),
        has: (name, value, doc) => sets.get(name)?.get(value)?.has(doc) ?? false,
      };
    }));
  }

  /** A result's title, URL, site, type, workstream, summary and excerpt text. */
  async meta(position) {
    const m = await this.manifest();
    const n = Math.floor(position / m.chunk);
    if (!this.chunks.has(n)) this.chunks.set(n, this.json(`m/${n}.json`));
    const doc = (await this.chunks.get(n))[position % m.chunk];
    // `o`: the sites that publish the page, the first its owner. A page of
    // this site is linked by its path here; any other by its canonical,
    // absolute URL on its owner.
    if (!doc.o.length || doc.o.includes(m.self)) {
      const path = m.base + doc.u;
      return { ...doc, h: m.sites[m.self].title, url: new URL(path, this.base).href, path };
    }
    const home = m.sites[doc.o[0]];
    return { ...doc, h: home.title, url: home.url + doc.u, path: home.url + doc.u };
  }
}

/** The first variable-length number of `s`, and where the rest begins. */
function firstNumber(s = '') {
  let n = 0, shift = 0;
  for (let i = 0; i < s.length; i++) {
    const v = DIGIT.get(s[i]) ?? 0;
    n += (v & 31) * 2 ** shift;
    if (!(v & 32)) return [n, i + 1];
    shift += 5;
  }
  return [0, s.length];
}

/**
 * Adds postings to `map`, position → score: each a document gap (a variable-length
 * number) and a level (one character), the score in steps of `step`.
 */
function addPostings(map, encoded = '', step = 1) {
  let doc = 0, gap = 0, shift = 0, inGap = true;
  for (let i = 0; i < encoded.length; i++) {
    const v = DIGIT.get(encoded[i]) ?? 0;
    if (!inGap) { map.set(doc, v * step); inGap = true; continue; }
    gap += (v & 31) * 2 ** shift;
    if (v & 32) shift += 5;
    else { doc += gap; gap = 0; shift = 0; inGap = false; }
  }
  return map;
}

/**
 * Whether the first `limit` of `docs` (ranked by what is loaded) are the first
 * `limit` of the whole lists, the first of them too: no page outside them,
 * read or not, can reach the last one's score once the unread blocks are counted.
 * Returns null if so, else the word whose next block to read.
 */
function unsettled(docs, total, scored, limit) {
  const open = scored.filter(x => x.rest > 0);
  if (!open.length) return null;
  const widest = open.reduce((a, b) => (b.rest > a.rest ? b : a));
  if (docs.length < limit) return widest;
  const last = total.get(docs[limit - 1]);
  if (open.reduce((s, x) => s + x.rest, 0) >= last) return widest;
  for (let i = 1; i < docs.length; i++) {
    const missing = open.filter(x => x.rest > (x.best.get(docs[i]) ?? 0));
    const bound = total.get(docs[i]) + missing.reduce((s, x) => s + x.rest - (x.best.get(docs[i]) ?? 0), 0);
    if (missing.length && bound >= (i < limit ? total.get(docs[0]) : last)) {
      return missing.reduce((a, b) => (b.rest > a.rest ? b : a));
    }
  }
  return null;
}

/** Facet value counts over `docs`, each facet counted with the other facets' filters applied. */
function counts(facets, docs, filters) {
  const out = [];
  for (const facet of facets.list) {
    const others = Object.entries(filters).filter(([name, vs]) => name !== facet.name && name !== '__counts' && vs && vs.size);
    const pool = docs.filter(d => others.every(([name, vs]) => [...vs].some(v => facets.has(name, v, d))));
    const values = facet.values
      .map(value => ({ value, count: pool.filter(d => facets.has(facet.name, value, d)).length }))
      .filter(v => v.count > 0 || filters[facet.name]?.has(v.value))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    if (values.length) out.push({ name: facet.name, title: facet.title, values });
  }
  return out;
}

/**
 * The sentence of `text` that holds most of the query's words (the first such),
 * as segments to insert as text: [{text, match}]. A long sentence is cut to
 * `size` words around its first match; with no match, the start of the text.
 * An ellipsis marks text left out before or after.
 */
export function excerpt(text, terms, stems, size = 30) {
  const isMatch = w => {
    const f = fold(w);
    return f.length > 0 && (terms.some(t => f.startsWith(t)) || stems.some(s => s.length > 2 && f.startsWith(s)));
  };
  // After a stop and any closing quotes, as the index's passages split.
  const sentences = text.trim().split(/(?<=[.!?…。！？]["'”’»]*)\s+/u).filter(Boolean);
  let best = 0, bestCount = 0;
  sentences.forEach((sentence, i) => {
    const matched = new Set(sentence.split(/[^\p{L}\p{N}]+/u).filter(isMatch).map(fold));
    if (matched.size > bestCount) { best = i; bestCount = matched.size; }
  });
  // With no match, the opening: the first sentence, and the second unless it
  // is a piece cut from the middle of the page (it begins with an ellipsis).
  const opening = sentences.length > 1 && !sentences[1].startsWith('…') ? 2 : 1;
  const chosen = bestCount ? sentences[best] : sentences.slice(0, opening).join(' ');
  const parts = (chosen ?? '').split(/([^\p{L}\p{N}]+)/u);
  const wordIdx = [];
  parts.forEach((p, i) => { if (i % 2 === 0 && p) wordIdx.push(i); });
  const first = Math.max(0, wordIdx.findIndex(i => isMatch(parts[i])));
  const start = Math.max(0, Math.min(first - Math.floor(size / 3), wordIdx.length - size));
  const from = wordIdx[start] ?? 0;
  const to = start + size - 1 >= wordIdx.length - 1 ? parts.length - 1 : wordIdx[start + size - 1];
  const segs = [];
  if (start > 0 || (bestCount && best > 0)) segs.push({ text: '… ', match: false });
  for (let i = from; i <= to; i++) {
    if (parts[i]) segs.push({ text: parts[i], match: i % 2 === 0 && isMatch(parts[i]) });
  }
  if (to < parts.length - 1 || (bestCount ? best < sentences.length - 1 : sentences.length > opening)) segs.push({ text: ' …', match: false });
  return segs;
}

// ---------------------------------------------------------------- the page

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function markedText(segs) {
  const frag = document.createDocumentFragment();
  for (const s of segs) frag.append(s.match ? el('mark', {}, s.text) : document.createTextNode(s.text));
  return frag;
}

function debounce(fn, ms) {
  let t;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

/** The type-ahead box in every page's header (a combobox with a listbox of results). */
function attachBox(index, form) {
  const input = form.querySelector('input[type="search"]');
  // The combobox parts exist only where this script runs: without it the box is a plain search form.
  const list = el('ul', { id: 'site-search-list', role: 'listbox', 'aria-label': 'Suggestions' });
  list.hidden = true;
  const status = el('span', { class: 'visually-hidden', 'aria-live': 'polite' });
  input.parentElement.append(list);
  form.append(status);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);
  document.getElementById('site-search-hint')?.append(' Use the arrow keys to choose a suggestion.');
  let options = [], active = -1, generation = 0;

  const close = () => {
    list.hidden = true; input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant'); active = -1;
  };
  const setActive = i => {
    options.forEach((o, j) => o.setAttribute('aria-selected', String(j === i)));
    active = i;
    if (i >= 0) input.setAttribute('aria-activedescendant', options[i].id);
    else input.removeAttribute('aria-activedescendant');
  };
  const update = debounce(async () => {
    const q = input.value.trim();
    const mine = ++generation;
    if (!q) { close(); status.textContent = ''; return; }
    const res = await index.query(input.value, { limit: 6 });
    const metas = await Promise.all(res.hits.map(h => index.meta(h.position)));
    if (mine !== generation) return;
    list.replaceChildren();
    options = metas.map((m, i) => {
      // An option holds text only (a link inside it would be a control inside
      // a control); choosing it, by Enter or a click, goes to its page.
      const o = el('li', { role: 'option', id: `site-search-option-${i}`, 'aria-selected': 'false', 'data-href': m.path },
        el('span', { class: 'result-title' }, m.t), el('span', { class: 'result-type' }, m.path === m.url ? `${m.y} · ${m.h}` : m.y));
      o.addEventListener('mousedown', e => { e.preventDefault(); location.href = m.path; });
      return o;
    });
    list.append(...options);
    if (res.total > options.length) {
      list.append(el('li', { role: 'presentation', class: 'more' }, `Press Enter for all ${res.approximate ? '' : `${res.total} `}results`));
    }
    list.hidden = options.length === 0;
    input.setAttribute('aria-expanded', String(options.length > 0));
    status.textContent = res.total ? `${res.approximate ? 'At least ' : ''}${res.total} result${res.total === 1 ? '' : 's'} for ${q}` : `No results for ${q}`;
    setActive(-1);
  }, 60);

  input.addEventListener('input', update);
  input.addEventListener('keydown', e => {
    if (e.key === 'ArrowDown' && options.length) { e.preventDefault(); setActive((active + 1) % options.length); }
    else if (e.key === 'ArrowUp' && options.length) { e.preventDefault(); setActive(active <= 0 ? options.length - 1 : active - 1); }
    else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); location.href = options[active].dataset.href; }
    else if (e.key === 'Escape') { close(); }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
}

/** The search's state as the page's address holds it: `?q=…&exact=1&FACET=VALUE…`. */
function readState(search) {
  const params = new URLSearchParams(search);
  const filters = { __counts: true };
  for (const [k, v] of params) {
    if (k !== 'q' && k !== 'exact') (filters[k] ??= new Set()).add(v);
  }
  return { q: params.get('q') ?? '', exact: params.get('exact') === '1', filters };
}

function stateSearch(q, exact, filters) {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (exact) params.set('exact', '1');
  for (const [k, vs] of Object.entries(filters)) if (k !== '__counts') for (const v of vs ?? []) params.append(k, v);
  const s = params.toString();
  return s ? `?${s}` : location.pathname;
}

/**
 * The full search page: results with excerpts, and facets to narrow them. The
 * query and the facets ticked live in the page's address, so Back and a copied
 * link bring the same results back.
 */
async function attachPage(index, page) {
  const form = page.querySelector('form');
  const input = form.querySelector('input[type="search"]');
  const results = page.querySelector('#search-results');
  const facetsBox = page.querySelector('#search-facets');
  const status = page.querySelector('#search-status');
  const correctedBox = page.querySelector('#search-corrected');
  const more = page.querySelector('#search-more');
  let { q: initial, exact, filters } = readState(location.search);
  let limit = 20;
  input.value = initial;

  const remember = () => {
    const next = stateSearch(input.value.trim(), exact, filters);
    if (next !== location.search && !(next === location.pathname && !location.search)) history.replaceState(null, '', next);
  };

  const render = async () => {
    const q = input.value.trim();
    remember();
    if (!q) {
      results.replaceChildren(); facetsBox.replaceChildren(); status.textContent = 'Type a word to search.';
      more.hidden = true; if (correctedBox) correctedBox.hidden = true; return;
    }
    const res = await index.query(q, { limit, filters, typos: !exact });
    const metas = await Promise.all(res.hits.map(h => index.meta(h.position)));
    results.replaceChildren(...metas.map(m => el('li', { class: 'result' },
      el('h2', { class: 'result-title' }, el('a', { href: m.path }, m.t)),
      el('p', { class: 'result-meta' }, el('span', { class: 'result-site' }, m.h), ` · ${m.y}` + (m.w ? ` · ${m.w}` : '')),
      el('p', { class: 'result-excerpt' }, markedText(excerpt(`${m.s} ${m.x}`, res.terms, res.stems))))));
    status.textContent = res.total ? `${res.total} result${res.total === 1 ? '' : 's'} for “${res.corrected ?? q}”` : `No results for “${q}”`;
    if (correctedBox) {
      correctedBox.hidden = !(res.corrected && res.total);
      if (res.corrected && res.total) {
        const exactLink = el('a', { href: stateSearch(q, true, {}) }, q);
        exactLink.addEventListener('click', e => {
          e.preventDefault();
          exact = true; clearFilters(); limit = 20; render();
        });
        correctedBox.replaceChildren('Showing results for ', el('em', {}, res.corrected), '. Search instead for ', exactLink, '.');
      }
    }
    more.hidden = res.total <= limit;
    facetsBox.replaceChildren(...(res.facets ?? []).map(f => {
      const set = filters[f.name] ?? new Set();
      return el('fieldset', { class: 'facet' }, el('legend', {}, f.title), ...f.values.slice(0, 12).map((v, i) => {
        const id = `facet-${f.name}-${i}`;
        const box = el('input', { type: 'checkbox', id, value: v.value });
        box.checked = set.has(v.value);
        box.addEventListener('change', () => {
          const s = (filters[f.name] ??= new Set());
          if (box.checked) s.add(v.value); else s.delete(v.value);
          limit = 20;
          render().then(() => document.getElementById(id)?.focus());
        });
        return el('div', { class: 'facet-value' }, box, el('label', { for: id }, `${v.value} (${v.count})`));
      }));
    }));
  };
  const clearFilters = () => { for (const k of Object.keys(filters)) if (k !== '__counts') delete filters[k]; };
  form.addEventListener('submit', e => {
    e.preventDefault();
    clearFilters();
    exact = false;
    render();
  });
  input.addEventListener('input', debounce(() => { exact = false; render(); }, 120));
  more.addEventListener('click', () => { limit += 20; render(); });
  // Coming back to a page the browser kept (Back), or to another address of it.
  window.addEventListener('pageshow', e => {
    if (!e.persisted) return;
    ({ q: initial, exact, filters } = readState(location.search));
    input.value = initial;
    render();
  });
  await render();
}

if (typeof document !== 'undefined') {
  const index = new SearchIndex(new URL('search/', import.meta.url));
  const start = () => {
    for (const form of document.querySelectorAll('form.site-search')) attachBox(index, form);
    const page = document.getElementById('search-page');
    if (page) attachPage(index, page);
    document.addEventListener('keydown', e => {
      const t = e.target;
      const typing = t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        const box = document.querySelector('#search-page input[type="search"]') ?? document.querySelector('form.site-search input[type="search"]');
        if (box) { e.preventDefault(); box.focus(); }
      }
    });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
}
