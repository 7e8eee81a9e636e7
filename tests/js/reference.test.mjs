// The agreement tests compare search.js with `hubgen search` (tantivy): this
// holds the harness to telling "no results" from "could not search", so an
// error can never pass as an agreed empty answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, reference } from './harness.mjs';

test('no results is an empty list', () => {
  assert.deepEqual(reference(ROOT, 'hub', 'zzqqxxnothing'), []);
});

test('a search that cannot run is an error, not "no results"', () => {
  assert.throws(() => reference(ROOT, 'no-such-target', 'procurement'), /failed \(2\)/);
});

test('a search that finds something returns it', () => {
  assert.ok(reference(ROOT, 'hub', 'procurement').length > 0);
});
