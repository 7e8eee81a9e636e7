// Shared by the node tests: build a site with the real binary, serve it over
// a real HTTP server on 127.0.0.1, and ask `hubgen search` for the reference.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, extname, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(import.meta.dirname, '../..');
export const HUBGEN = process.env.HUBGEN ?? join(ROOT, 'target/debug/hubgen');

export function hubgen(args, { allowFail = false } = {}) {
  const r = spawnSync(HUBGEN, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFail) throw new Error(`hubgen ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r;
}

/** Builds `site` into a fresh temporary folder; returns it. */
export function build(site) {
  const out = mkdtempSync(join(tmpdir(), 'hubgen-js-'));
  hubgen(['-C', site, 'build', '--output', out]);
  return out;
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.js': 'text/javascript', '.css': 'text/css', '.xml': 'application/xml', '.yml': 'text/yaml', '.wasm': 'application/wasm' };

/**
 * Serves each target folder under its base path on 127.0.0.1 (a free port).
 * `mounts`: [[basePath, dir]], longest first. Counts the bytes it sends.
 */
export async function serve(mounts) {
  const stats = { requests: [], bytes: 0 };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const mount = mounts.find(([base]) => path.startsWith(base));
    if (!mount) { res.writeHead(404).end(); return; }
    let file = normalize(join(mount[1], path.slice(mount[0].length)));
    if (!file.startsWith(mount[1] + sep) && file !== mount[1]) { res.writeHead(400).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404).end('not found'); return; }
    const body = readFileSync(file);
    stats.requests.push(path);
    stats.bytes += body.length;
    // One connection per request: the tests block node's event loop while
    // `hubgen search` runs (spawnSync), and a kept-alive socket that the
    // server times out meanwhile fails the next fetch.
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', connection: 'close' }).end(body);
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, stats, close: () => new Promise(r => server.close(r)) };
}

/** The search module exactly as a target ships it. */
export async function searchModule(dir) {
  return import(pathToFileURL(join(dir, 'search.js')).href);
}

/** `hubgen search --json` for one query: the reference ranking. */
export function reference(site, target, query, limit = 10) {
  const r = hubgen(['-C', site, 'search', '--json', '--target', target, '--limit', String(limit), query], { allowFail: true });
  // 0: results, 1: none (and `[]`); anything else is an error, never "no results".
  if (r.status !== 0 && r.status !== 1) throw new Error(`hubgen search ${query} failed (${r.status}):\n${r.stderr}`);
  const results = JSON.parse(r.stdout);
  if ((r.status === 1) !== (results.length === 0)) throw new Error(`hubgen search ${query}: exit ${r.status} with ${results.length} results`);
  return results;
}

/** Overlap of two top-k lists of positions, and whether their first entries agree. */
export function agreement(ours, theirs, k = 10) {
  const a = ours.slice(0, k), b = new Set(theirs.slice(0, k));
  const denom = Math.min(k, Math.max(a.length, b.size));
  return { overlap: denom === 0 ? 1 : a.filter(x => b.has(x)).length / denom, top1: a[0] === theirs[0] };
}

/** Chromium's flags for tests here: headless, and nothing that reaches the network. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's Chromium with a fresh profile, driven by playwright-core. */
export async function launchChromium(profile) {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}
