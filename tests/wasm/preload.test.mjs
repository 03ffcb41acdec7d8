// The page's preloads (shell/index.html, issue 26): the modules it preloads
// are exactly those app.js imports at start, found by following the site's
// static imports (a module made on-demand must leave the list, or every
// visit downloads it; a new start-up module must join it, or the first paint
// waits for it one level at a time); and the core's WASM is preloaded as the
// glue fetches it (same URL, credentials same-origin), so its streaming
// compile takes the preloaded response.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { SITE } from '../lib/paths.mjs';

const html = () => readFileSync(path.join(SITE, 'index.html'), 'utf8');
const links = (page, rel) =>
  [...page.matchAll(/<link\s+([^>]*)>/g)].map((m) => m[1]).filter((a) => new RegExp(`rel="${rel}"`).test(a));
const href = (attrs) => /href="([^"]+)"/.exec(attrs)?.[1];

// Site paths ('/feed.js') of every module reachable by static imports from entry.
export function startModules(site, entry) {
  const seen = new Set();
  const walk = (p) => {
    if (seen.has(p)) return;
    seen.add(p);
    const src = readFileSync(path.join(site, p), 'utf8');
    // import … from './x.js' and export … from './x.js'; import('./x.js') is on demand.
    for (const m of src.matchAll(/(?:^|;|\n)\s*(?:import|export)\s[^;'"()]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) walk(path.posix.join(path.posix.dirname(p), spec));
    }
  };
  walk(entry);
  seen.delete(entry);
  return [...seen].sort();
}

test('the modules preloaded are exactly the static imports of app.js', () => {
  const page = html();
  const entry = /<script type="module" src="([^"]+)"><\/script>/.exec(page)?.[1];
  assert.equal(entry, '/app.js');
  const preloaded = links(page, 'modulepreload').map(href).sort();
  const needed = startModules(SITE, entry);
  assert.ok(needed.includes('/feed.js') && needed.includes('/petamigos-core.mjs'), needed.join(' '));
  for (const p of preloaded) assert.ok(existsSync(path.join(SITE, p)), `${p} is preloaded but not in the site`);
  assert.deepEqual(preloaded.filter((p) => !needed.includes(p)), [], 'preloaded, but not imported at start');
  assert.deepEqual(needed.filter((p) => !preloaded.includes(p)), [], 'imported at start, but not preloaded');
});

test('the walk finds what a module imports, and nothing it imports on demand', () => {
  // On the real site: feed.js imports grid.js statically; account.js imports the support widget only on a click.
  const mods = startModules(SITE, '/app.js');
  assert.ok(mods.includes('/grid.js'));
  assert.ok(!mods.includes('/support/widget.js'));
  assert.ok(!mods.some((p) => p.startsWith('/screens/')), 'screens load when visited');
});

test("the core's WASM is preloaded as the glue fetches it", () => {
  const wasm = links(html(), 'preload').filter((a) => href(a) === '/petamigos-core.wasm');
  assert.equal(wasm.length, 1);
  assert.match(wasm[0], /as="fetch"/);
  assert.match(wasm[0], /\bcrossorigin\b(?!=)/); // anonymous: credentials same-origin, as the glue asks
  const glue = readFileSync(path.join(SITE, 'petamigos-core.mjs'), 'utf8');
  assert.match(glue, /petamigos-core\.wasm/);
  assert.match(glue, /instantiateStreaming/);
  assert.match(glue, /fetch\(wasmBinaryFile,\{credentials:"same-origin"\}\)/);
});
