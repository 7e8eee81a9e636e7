// The Nu Html Checker (npm vnu-jar, run with the machine's Java) on every page
// of both built sites, and of the components fixture's: no errors. The checker is held to having run: its exit
// status, the files it says it checked (every HTML file of both sites), and a
// deliberately invalid page that it must report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, build } from '../js/harness.mjs';

const require = createRequire(import.meta.url);
const JAR = String(require('vnu-jar'));

/** Every `.html` file under `dir`. */
function htmlFiles(dir) {
  return readdirSync(dir, { recursive: true }).filter(f => f.endsWith('.html')).map(f => join(dir, f));
}

/**
 * Runs vnu on `dirs`: the files it checked and the problems it found. Fails
 * the test if the checker did not run, ended other than 0 or 1, or printed
 * something other than its JSON report; I/O problems count as problems.
 */
function vnu(dirs) {
  const r = spawnSync('java', ['-jar', JAR, '--verbose', '--errors-only', '--format', 'json', '--skip-non-html', ...dirs], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.ok(r.status === 0 || r.status === 1, `vnu did not run properly (status ${r.status}, ${r.error ?? ''}): ${r.stderr.slice(0, 500)}`);
  const checked = r.stdout.split('\n').filter(Boolean);
  const messages = JSON.parse(r.stderr).messages;
  const problems = messages.filter(m => m.type !== 'info');
  assert.equal(problems.length > 0, r.status === 1, 'the exit status and the report disagree');
  return { checked, problems };
}

const describe = (out, problems) => problems.map(m => `${(m.url ?? '').replace('file:' + out, '')}:${m.lastLine}: ${m.message}`);

test('vnu reports no error on any page of either site, nor on the Markdown components, and checked every page', () => {
  const out = build(ROOT);
  const components = build(join(ROOT, 'tests/fixtures/components'));
  try {
    const dirs = [join(out, 'programme'), join(out, 'hub'), components];
    const expected = dirs.flatMap(htmlFiles).sort();
    assert.ok(expected.length > 50, `only ${expected.length} pages were built`);
    const { checked, problems } = vnu(dirs);
    assert.deepEqual(describe(out, problems), []);
    assert.deepEqual(checked.sort(), expected, 'vnu did not check exactly the built pages');
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(components, { recursive: true, force: true });
  }
});

test('vnu reports a deliberately invalid page (the check above can fail)', () => {
  const out = build(ROOT);
  try {
    const site = join(out, 'programme');
    writeFileSync(join(site, 'broken.html'), '<!doctype html><html lang="en"><title>x</title><div><p>bad</span>');
    const { problems } = vnu([site]);
    const found = describe(out, problems);
    assert.ok(found.some(p => p.includes('/programme/broken.html:1: Stray end tag')), found.join('\n'));
    assert.ok(found.every(p => p.includes('/broken.html:')), `only the broken page is reported: ${found.join('\n')}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
