// The Nu Html Checker (npm vnu-jar, run with the machine's Java) on every page
// of both built sites, and of the components fixture's: no errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, build } from '../js/harness.mjs';

const require = createRequire(import.meta.url);

test('vnu reports no error on any page of either site, nor on the Markdown components', () => {
  const out = build(ROOT);
  const components = build(join(ROOT, 'tests/fixtures/components'));
  try {
    const jar = require('vnu-jar');
    const r = spawnSync('java', ['-jar', jar, '--errors-only', '--format', 'json', '--skip-non-html', join(out, 'programme'), join(out, 'hub'), components], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.ok(r.status !== null, `java could not run: ${r.error}`);
    const messages = JSON.parse(r.stderr || '{"messages":[]}').messages;
    const errors = messages.filter(m => m.type === 'error' || m.subType === 'fatal');
    assert.deepEqual(errors.map(m => `${m.url.replace('file:' + out, '').replace('file:' + components, 'components')}:${m.lastLine}: ${m.message}`), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(components, { recursive: true, force: true });
  }
});
