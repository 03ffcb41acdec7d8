// The store layer's boundary (web/src/store/store.h): SQL lives in the
// store's implementation — store/sql/ (written once) and the two drivers,
// store/sqlite/ and store/pg/ — and each database library in its own driver
// only, so the handlers speak HTTP and JSON only and a driver can be swapped.
// The checks read the sources; each is first shown to find what it looks for
// where it must be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const IMPLEMENTATION = ['web/src/store/sql/', 'web/src/store/sqlite/', 'web/src/store/pg/'];
const inside = (f) => IMPLEMENTATION.some((d) => f.startsWith(d));

// Every C source and header of the server and its tools, as repo paths.
function sources() {
  const out = [];
  for (const top of ['web/src', 'web/demo', 'web/tools']) {
    let names;
    try {
      names = readdirSync(path.join(repo, top), { recursive: true });
    } catch {
      continue; // web/demo exists once the demo world has left the server
    }
    for (const name of names) if (/\.[ch]$/.test(name)) out.push(`${top}/${name}`);
  }
  return out.sort();
}

// The C string literals of a file, with comments removed first, joined as
// the compiler joins adjacent literals (with a space, so a word never runs
// into the next literal).
function literals(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  const parts = [];
  for (const m of code.matchAll(/"((?:[^"\\\n]|\\.)*)"/g)) parts.push(m[1]);
  return parts.join(' ');
}

// SQL as it is written here: a statement keyword followed by what only SQL puts after it.
const SQL = new RegExp(
  [
    String.raw`\bSELECT\b[\s\S]{0,400}?\bFROM\b`,
    String.raw`\bINSERT\s+(OR\s+\w+\s+)?INTO\b`,
    String.raw`\bUPDATE\s+\w+\s+SET\b`,
    String.raw`\bDELETE\s+FROM\b`,
    String.raw`\bCREATE\s+(TABLE|INDEX|TRIGGER|UNIQUE|VIEW)\b`,
    String.raw`\bPRAGMA\s+\w+`,
    String.raw`\bBEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION)\b`,
  ].join('|'),
);
const SQLITE = /\bsqlite3_\w+|#include\s*<sqlite3\.h>|\bSQLITE_[A-Z_]+\b/;
const LIBPQ = /#include\s*<libpq-fe\.h>|\bPQ[a-z]\w*\(|\bPGconn\b|\bPGresult\b/;
// hiredis (issue 25): only web/src/redis/ talks to Redis; the rest calls pa_redis_/pa_bus_/pa_presence_.
const HIREDIS = /#include\s*<hiredis\/|\bredis[A-Z]\w*\(|\bredisContext\b|\bredisReply\b|\bREDIS_REPLY_\w+/;
const SEAM = /#include\s*"store\/(sql|sqlite|pg)\/|\bpa_sq_\w+/;

function problems(file) {
  const text = readFileSync(path.join(repo, file), 'utf8');
  const found = [];
  const sql = SQL.exec(literals(text));
  if (sql) found.push(`SQL in a string: "${sql[0].slice(0, 60)}"`);
  const lite = SQLITE.exec(text);
  if (lite) found.push(`the SQLite library: ${lite[0]}`);
  const pq = LIBPQ.exec(text);
  if (pq) found.push(`libpq: ${pq[0]}`);
  const hi = HIREDIS.exec(text);
  if (hi) found.push(`hiredis: ${hi[0]}`);
  const seam = SEAM.exec(text);
  if (seam) found.push(`the store's statement seam: ${seam[0]}`);
  return found;
}

// What a file may hold: SQL and the seam anywhere in the implementation,
// each library only in its own driver's folder.
function allowed(file, problem) {
  if (problem.startsWith('hiredis')) return file.startsWith('web/src/redis/');
  if (!inside(file)) return false;
  if (problem.startsWith('the SQLite library')) return file.startsWith('web/src/store/sqlite/');
  if (problem.startsWith('libpq')) return file.startsWith('web/src/store/pg/');
  return true;
}

test('the checks find SQL, the seam and each database library where they belong', () => {
  const all = sources();
  assert.ok(all.filter(inside).length >= 15, all.filter(inside).join(', '));
  const has = (file, kind) => problems(file).some((p) => p.startsWith(kind));
  for (const f of ['web/src/store/sql/posts.c', 'web/src/store/sqlite/schema.c', 'web/src/store/pg/migrate.c']) {
    assert.ok(has(f, 'SQL in a string'), f);
    assert.ok(has(f, "the store's statement seam"), f);
  }
  assert.ok(has('web/src/store/sqlite/driver.c', 'the SQLite library'));
  assert.ok(has('web/src/store/pg/driver.c', 'libpq'));
  assert.ok(!allowed('web/src/store/pg/driver.c', 'the SQLite library: sqlite3_open'));
  assert.ok(!allowed('web/src/store/sql/posts.c', 'libpq: PQexec('));
  assert.ok(has('web/src/redis/bus.c', 'hiredis'));
  assert.ok(has('web/src/redis/redis_internal.h', 'hiredis'));
  assert.ok(allowed('web/src/redis/bus.c', 'hiredis: redisContext'));
  assert.ok(!allowed('web/src/srv.c', 'hiredis: redisCommand('));
  assert.ok(!allowed('web/src/store/pg/driver.c', 'hiredis: redisContext'));
  // The literal joining and comment stripping, on made-up text.
  assert.ok(SQL.test(literals('const char *q = "SELECT id"\n  " FROM posts";')));
  assert.ok(!SQL.test(literals('/* SELECT x FROM y */ const char *m = "Select a photo from your files";')));
});

test('SQL only in the store; each database library only in its driver; hiredis only in web/src/redis/', () => {
  const all = sources();
  assert.ok(all.some((f) => f.startsWith('web/src/api/')), 'the handlers are checked');
  const bad = all.map((f) => [f, problems(f).filter((p) => !allowed(f, p))]).filter(([, p]) => p.length);
  assert.deepEqual(bad, []);
});

test('the store interface names no database library type', () => {
  const headers = sources().filter((f) => /^web\/src\/store\/[^/]+\.h$/.test(f));
  assert.ok(headers.includes('web/src/store/store.h'));
  for (const h of headers) {
    const text = readFileSync(path.join(repo, h), 'utf8');
    assert.ok(!/sqlite|\bPG\w*|libpq/i.test(text.replace(/\/\*[\s\S]*?\*\//g, '')), `${h} names a database library`);
  }
});

test("web/src/redis/'s public headers name nothing of hiredis (only redis_internal.h does)", () => {
  const headers = sources().filter((f) => /^web\/src\/redis\/[^/]+\.h$/.test(f) && !f.endsWith('/redis_internal.h'));
  assert.ok(['redis.h', 'bus.h', 'presence.h'].every((h) => headers.includes(`web/src/redis/${h}`)), headers.join(', '));
  for (const h of headers) assert.deepEqual(problems(h), [], h);
});

test('one prefix per store header: the functions of store/NAME.h are pa_store_NAME_*', () => {
  const headers = sources().filter((f) => /^web\/src\/store\/[^/]+\.h$/.test(f) && !f.endsWith('/store.h'));
  assert.ok(headers.length >= 10, headers.join(', '));
  const strays = [];
  for (const h of headers) {
    const name = path.basename(h, '.h');
    const code = readFileSync(path.join(repo, h), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const fns = [...code.matchAll(/\b(pa_store_\w+)\s*\(/g)].map((m) => m[1]);
    assert.ok(fns.length > 0, `${h} declares no functions`);
    for (const fn of fns) if (fn !== `pa_store_${name}` && !fn.startsWith(`pa_store_${name}_`)) strays.push(`${h}: ${fn}`);
  }
  assert.deepEqual(strays, []);
});
