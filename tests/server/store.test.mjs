// The store layer's boundary (web/src/store/store.h): SQL, the SQLite
// library and the SQLite store's own header live under web/src/store/sqlite/
// and nowhere else, so a second implementation (PostgreSQL) can sit beside it
// and the handlers speak HTTP and JSON only. The PostgreSQL store's files,
// under web/src/store/pg/, hold SQL too, but never the SQLite library. The
// checks read the sources; each one is first shown to find what it looks for
// where it must be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SQLITE_DIR = 'web/src/store/sqlite/';
const PG_DIR = 'web/src/store/pg/';

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
// the compiler joins adjacent literals.
function literals(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  const parts = [];
  for (const m of code.matchAll(/"((?:[^"\\\n]|\\.)*)"/g)) parts.push(m[1]);
  return parts.join('');
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
const LIBRARY = /\bsqlite3_\w+|#include\s*<sqlite3\.h>|\bSQLITE_[A-Z_]+\b/;
const OWN_HEADER = /#include\s*"store\/sqlite\/|\bpa_sq_\w+/;

function problems(file) {
  const text = readFileSync(path.join(repo, file), 'utf8');
  const found = [];
  const sql = file.startsWith(PG_DIR) ? null : SQL.exec(literals(text));
  if (sql) found.push(`SQL in a string: "${sql[0].slice(0, 60)}"`);
  const lib = LIBRARY.exec(text);
  if (lib) found.push(`the SQLite library: ${lib[0]}`);
  const own = OWN_HEADER.exec(text);
  if (own) found.push(`the SQLite store's internals: ${own[0]}`);
  return found;
}

test('the checks find SQL and the SQLite library where they belong', () => {
  const inside = sources().filter((f) => f.startsWith(SQLITE_DIR));
  assert.ok(inside.length >= 5, `SQLite store files found: ${inside.join(', ')}`);
  for (const name of ['conn.c', 'schema.c', 'feed.c']) {
    const found = problems(`${SQLITE_DIR}${name}`);
    assert.ok(found.some((p) => p.startsWith('SQL in a string')), `${name}: ${found}`);
    assert.ok(found.some((p) => p.startsWith('the SQLite library')), `${name}: ${found}`);
  }
  // The PostgreSQL schema is SQL the check would find, were it not allowed there.
  const pg = readFileSync(path.join(repo, `${PG_DIR}schema.c`), 'utf8');
  assert.ok(SQL.test(literals(pg)), 'store/pg/schema.c holds SQL');
  assert.deepEqual(problems(`${PG_DIR}schema.c`), []);
  // The literal joining and comment stripping, on made-up text.
  assert.ok(SQL.test(literals('const char *q = "SELECT id"\n  " FROM posts";')));
  assert.ok(!SQL.test(literals('/* SELECT x FROM y */ const char *m = "Select a photo from your files";')));
});

test('no SQL outside web/src/store/sqlite/ and store/pg/, no SQLite library or store internals outside store/sqlite/', () => {
  const outside = sources().filter((f) => !f.startsWith(SQLITE_DIR));
  assert.ok(outside.some((f) => f.startsWith('web/src/api/')), 'the handlers are checked');
  const bad = outside.map((f) => [f, problems(f)]).filter(([, p]) => p.length);
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
