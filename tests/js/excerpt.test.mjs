// The excerpt a result shows, from the text the index ships for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

const { excerpt } = await import(pathToFileURL(join(ROOT, 'themes', 'base', 'static', 'search.js')).href);
const text = segs => segs.map(s => s.text).join('');
const marked = segs => segs.filter(s => s.match).map(s => s.text);

test('the sentence holding the query words is shown, the words marked', () => {
  const segs = excerpt('Councils share back offices. Hampshire is working with Wigan on procurement. More follows.',
    ['wigan'], ['wigan']);
  assert.equal(text(segs), '… Hampshire is working with Wigan on procurement. …');
  assert.deepEqual(marked(segs), ['Wigan']);
});

test('with no query word in the text, the opening is shown: two sentences', () => {
  const segs = excerpt('A summary of the page. The first sentence of its own text. Another one.', ['zzz'], ['zzz']);
  assert.equal(text(segs), 'A summary of the page. The first sentence of its own text. …');
  assert.deepEqual(marked(segs), []);
});

test('with no query word, a piece cut from the middle of the page is not shown after the summary', () => {
  const segs = excerpt('A summary of the page. … the hub helps councils share …', ['zzz'], ['zzz']);
  assert.equal(text(segs), 'A summary of the page. …');
  assert.ok(!text(segs).includes('hub'));
});

test('a long sentence is cut around its first match', () => {
  const words = Array.from({ length: 60 }, (_, i) => `w${i}`);
  words[25] = 'procurement';
  const segs = excerpt(`${words.join(' ')}.`, ['procurement'], ['procur']);
  assert.ok(text(segs).startsWith('… '), text(segs));
  assert.ok(text(segs).endsWith(' …'), text(segs));
  assert.deepEqual(marked(segs), ['procurement']);
  assert.equal(text(segs).split(' ').filter(w => /\p{L}/u.test(w)).length, 30);
});

test('a sentence ends after its stop and any closing quote, not after a bracket', () => {
  const segs = excerpt('He said “we share.” The council (as agreed.) shares offices. More follows.', ['shares'], ['shares']);
  assert.equal(text(segs), '… The council (as agreed.) shares offices. …');
  assert.deepEqual(marked(segs), ['shares']);
});
