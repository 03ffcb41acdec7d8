// Shared by the server test files: the real binary on a real SQLite file,
// and an HTTP client whose every API answer is checked against
// web/openapi.yaml (nothing reaches a test without passing the contract).
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateResponse } from '../lib/openapi.mjs';
import { createDatabase, databaseUrl, dropDatabase } from '../lib/pg.mjs';
import { STOP_GRACE_MS, STOP_SIGNAL, assertCleanExit, sanitizerReports } from '../lib/exit.mjs';
import { dataTemplate, fileKey } from '../lib/template.mjs';
import { existsSync, readFileSync } from 'node:fs';

const PG_BIN = process.env.PA_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PSQL = path.join(PG_BIN, 'psql');
const PG_DUMP = path.join(PG_BIN, 'pg_dump');

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.resolve(
  repoRoot,
  process.env.PA_SERVER_BIN ?? 'build/native-debug/web/petamigos-server',
);
// The demo world's tool (web/demo/), built beside the server: BUILD/web/demo/.
export const DEMO_BIN = path.resolve(
  repoRoot,
  process.env.PA_DEMO_BIN ?? path.join(path.dirname(BIN), 'demo', 'petamigos-demo'),
);
const START_TIMEOUT_MS = 120_000;

// The database test servers run on: PA_TEST_DATABASE=postgresql gives each
// data folder its own PostgreSQL database on the run's cluster
// (PA_TEST_PG_URL, from scripts/pg; a copy of the seeded template's), named
// in the folder so a restart on the same folder finds it; else SQLite.
export const DATABASE = process.env.PA_TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';
const DB_NAME_FILE = '.pa-test-database';

/**
 * Whether data folder dir runs on PostgreSQL: in a PostgreSQL pass, every
 * folder but one that already holds a SQLite file (the upgrade tests build
 * old SQLite databases on purpose; those stay SQLite in both passes).
 */
function onPostgres(dir) {
  return DATABASE === 'postgresql' && !existsSync(path.join(dir, 'petamigos.db'));
}

/** The environment that points a server or tool at dir's database. */
export async function databaseEnv(dir) {
  return onPostgres(dir) ? { PA_DATABASE_URL: databaseUrl(await folderDatabase(dir)) } : {};
}

/** The PostgreSQL database of data folder dir, made (from template) when it has none. */
async function folderDatabase(dir, template) {
  const file = path.join(dir, DB_NAME_FILE);
  const known = await readFile(file, 'utf8').catch(() => '');
  if (known) return known;
  const { name } = await createDatabase('pa_srv', { template });
  await mkdir(dir, { recursive: true });
  await writeFile(file, name);
  return name;
}

// Every server started and not yet checked by stopServer: when a file's
// tests end, each is stopped (a failed test skipped its stop, or a test forgot
// it) and checked like stopServer does; one that never came up (a test
// expected it to refuse its arguments) is checked for sanitizer reports only.
// So a crash, a leak or a non-zero exit fails the file's `after` even where no
// test stops the server itself.
const unchecked = new Set();
after(async () => {
  const problems = [];
  for (const s of [...unchecked]) {
    try {
      if (s.url) await stopServer(s);
      else {
        await s.exited;
        unchecked.delete(s);
        assert.deepEqual(sanitizerReports(s.stderr), [], `server that did not start (${s.child.spawnargs.join(' ')}):\n${s.stderr.slice(-6000)}`);
      }
    } catch (e) {
      problems.push(e.message);
    }
  }
  if (problems.length) throw new Error(`servers left by this file's tests did not end cleanly:\n${problems.join('\n')}`);
});

/** dataTemplate for this binary, demo tool and engine (tests/lib/template.mjs). */
async function template(name, make) {
  return dataTemplate(name, `${DATABASE}:${await fileKey(BIN)}:${await fileKey(DEMO_BIN)}`, make);
}

/** The small demo world, seeded by a server's first start (so its chores ran too). */
const smallTemplate = () => template('seed', async (dir) => stopServer(await launch({ dir, seed: 'small' })));

/**
 * An empty database at the latest schema, migrated by `petamigos-server admin
 * … list` (the server's own migrations, without a start's chores): what an
 * unseeded server would make at its first start, less the 2 s that
 * migrating costs under the sanitizers.
 */
const emptyTemplate = () => template('empty', async (dir) => {
  const env = { ...process.env, ...(await databaseEnv(dir)) };
  const r = await new Promise((resolve) => {
    execFile(BIN, ['admin', '--data', dir, 'list'], { env, timeout: 120_000 }, (e, stdout, stderr) => resolve({ e, stderr }));
  });
  if (r.e || sanitizerReports(r.stderr).length) throw new Error(`petamigos-server admin list on ${dir}: ${r.e?.message ?? ''}\n${r.stderr}`);
});

/**
 * Starts the server on a fresh data folder holding the small demo world
 * (a copy of the template; fresh: true seeds it anew), or on data as it is
 * (seed false: no seeding; 'full': the whole demo world). Seeding is
 * petamigos-demo's, run on the folder before the server starts. sameDataAs:
 * a server from this function: a second process on its data and database.
 */
export async function startServer({ root, data, seed = 'small', fresh = false, env = {}, args = [], sameDataAs } = {}) {
  if (sameDataAs) {
    // Another process of the same cluster: the first one's data folder (its
    // media) and database (the same SQLite file in WAL, or the same
    // PostgreSQL database), nothing seeded; its own port. Its tmp stays
    // null, so stopping it never removes what the first one owns.
    const shared = sameDataAs.env?.PA_DATABASE_URL;
    const server = await launch({ root, dir: sameDataAs.dir, seed: false, args,
      env: shared === undefined ? env : { PA_DATABASE_URL: shared, ...env } });
    server.database = sameDataAs.database;
    return server;
  }
  const tmp = data ? null : await mkdtemp(path.join(os.tmpdir(), 'pa-srv-'));
  const dir = data ?? path.join(tmp, 'data');
  // A fresh folder starts from a copy: the small world's, or (unseeded) the
  // empty database's; fresh: true makes it anew.
  const copied = !data && !fresh && (seed === 'small' || !seed);
  if (copied) {
    const template = await (seed ? smallTemplate() : emptyTemplate());
    await cp(template, dir, { recursive: true });
    if (DATABASE === 'postgresql') {
      // The copy gets a database of its own, copied from the template's.
      const from = await readFile(path.join(template, DB_NAME_FILE), 'utf8');
      await rm(path.join(dir, DB_NAME_FILE));
      await folderDatabase(dir, from);
    }
  }
  const server = await launch({ root, dir, seed: copied ? false : seed, env, args });
  server.tmp = tmp;
  return server;
}

/** Runs petamigos-demo on dir (size 'small' or 'full'); resolves with what it printed. */
function seedWorld(dir, size, env) {
  return new Promise((resolve, reject) => {
    execFile(DEMO_BIN, ['--data', dir, '--size', size], { env, timeout: 600_000 }, (e, stdout, stderr) => {
      if (e) reject(new Error(`${DEMO_BIN} failed (set PA_DEMO_BIN): ${e.message}\n${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

async function launch({ root, dir, seed, env = {}, args: extra = [] }) {
  const site = root ?? path.join(repoRoot, 'tests/corpus');
  const args = ['--root', site, '--data', dir, '--port', '0', ...extra];
  let database = null;
  // PA_DATABASE_URL given (a URL, or '' for SQLite) is the caller's choice.
  if (onPostgres(dir) && env.PA_DATABASE_URL === undefined) {
    database = await folderDatabase(dir);
    env = { ...env, PA_DATABASE_URL: databaseUrl(database) };
  }
  // What the tool printed heads the server's stderr, so its sanitizer reports are checked too.
  const seeded = seed ? await seedWorld(dir, seed === true ? 'full' : seed, { ...process.env, ...env }) : '';
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const server = { child, dir, database, env, tmp: null, stdout: '', stderr: seeded, exit: null, stopped: false };
  unchecked.add(server);
  server.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      server.exit = { code, signal };
      resolve(server.exit);
    });
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => (server.stderr += c));
  child.stdout.setEncoding('utf8');
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${server.stderr}`));
    }, START_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      unchecked.delete(server); // never ran: nothing to check, and no exit may follow
      reject(new Error(`cannot run ${BIN}: ${e.message} (set PA_SERVER_BIN)`));
    });
    child.stdout.on('data', (c) => {
      server.stdout += c;
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(server.stdout);
      if (m && !server.url) {
        clearTimeout(timer);
        server.url = m[1];
        server.port = Number(m[2]);
        resolve();
      }
    });
    server.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      if (!server.url) reject(new Error(`server exited (${code ?? signal}):\n${server.stderr}`));
    });
  });
  return server;
}

/**
 * Runs one SQL query on the server's database (its SQLite file, or its
 * PostgreSQL database); the rows as the sqlite3 shell prints them: fields
 * joined by |, rows by newlines, booleans as 1 and 0.
 */
export function dbQuery(server, sql) {
  if (!server.database) {
    return execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(server.dir, 'petamigos.db'), sql]).toString().trim();
  }
  const out = execFileSync(PSQL, ['-X', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl(server.database), '-c', sql]);
  return out.toString().trim().split('\n').map((row) => row.split('|').map((f) => (f === 't' ? '1' : f === 'f' ? '0' : f)).join('|')).join('\n');
}

/**
 * Everything the server's database holds on disk, for searching it for bytes
 * that must not be there: the SQLite file and its WAL, or a dump of the
 * PostgreSQL database (bytea in it as hex, so both spellings are searched).
 */
export function databaseHolds(server, bytes) {
  if (!server.database) {
    const db = path.join(server.dir, 'petamigos.db');
    return [db, `${db}-wal`].filter(existsSync).some((f) => readFileSync(f).indexOf(bytes) >= 0);
  }
  const dump = execFileSync(PG_DUMP, ['--data-only', '-d', databaseUrl(server.database)], { maxBuffer: 512 << 20 });
  return dump.indexOf(bytes) >= 0 || dump.indexOf(Buffer.from(Buffer.from(bytes).toString('hex'))) >= 0;
}

/**
 * SIGTERM and wait (SIGKILL after STOP_GRACE_MS); throws unless the server
 * exited 0 after it, with a sanitizer-clean stderr (tests/lib/exit.mjs). A
 * server that had already ended before this is a crash, whatever its status.
 */
export async function stopServer(server, { keepData = true } = {}) {
  if (!server) return;
  let killed = false;
  if (!server.exit) {
    server.stopped = true;
    server.child.kill(STOP_SIGNAL);
    const timer = setTimeout(() => { killed = true; server.child.kill('SIGKILL'); }, STOP_GRACE_MS);
    await server.exited;
    clearTimeout(timer);
  }
  unchecked.delete(server);
  try {
    assertCleanExit(`petamigos-server on ${server.dir}`, { exit: server.exit, stderr: server.stderr, stopped: server.stopped, killed });
  } finally {
    if (!keepData && server.tmp) {
      await rm(server.tmp, { recursive: true, force: true });
      if (server.database) await dropDatabase(server.database);
    }
  }
}

/**
 * Kills the server with signal (default SIGKILL: a crash, no clean stop) and
 * waits for it to end; it is then not checked for a clean exit, only for
 * sanitizer reports in what it wrote before. Its data stays.
 */
export async function killServer(server, signal = 'SIGKILL') {
  if (!server.exit) {
    server.stopped = true;
    server.child.kill(signal);
    await server.exited;
  }
  unchecked.delete(server);
  assertNoSanitizerReports(server.stderr);
}

/** Fails when stderr holds a sanitizer report (tests/lib/exit.mjs's markers). */
export function assertNoSanitizerReports(stderr) {
  assert.deepEqual(sanitizerReports(stderr), [], `sanitizer report in stderr:\n${stderr.slice(-6000)}`);
}

let nextAddress = 2;
/** A fresh loopback address per client, so per-address limits stay apart. */
function freshAddress() {
  const n = nextAddress++;
  return `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

export const validated = { count: 0, operations: new Set() };

/**
 * One browser-like client: keeps its session cookie, sends X-CSRF-Token on
 * state-changing requests, and validates every /api/ answer against the
 * contract (and media answers' content types).
 */
export class Client {
  constructor(server, { address } = {}) {
    this.server = server;
    this.address = address ?? freshAddress();
    this.cookie = null;
    this.csrf = null;
    this.user = null;
  }

  request(method, target, { json, body, headers = {}, csrf = true, cookie = true } = {}) {
    const h = { ...headers };
    let payload = body;
    if (json !== undefined) {
      payload = Buffer.from(JSON.stringify(json));
      h['content-type'] ??= 'application/json';
    }
    if (payload !== undefined && !Buffer.isBuffer(payload)) payload = Buffer.from(payload);
    if (payload !== undefined && !h['transfer-encoding']) h['content-length'] = String(payload.length);
    for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
    if (cookie && this.cookie) h.cookie = `pa_session=${this.cookie}`;
    if (csrf && this.csrf && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) h['x-csrf-token'] ??= this.csrf;
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: this.server.port, method, path: target, headers: h,
          localAddress: this.address, agent: false },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            try {
              resolve(this.#finish(method, target, res, Buffer.concat(chunks)));
            } catch (e) {
              reject(e);
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${target} timed out`)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  #finish(method, target, res, buf) {
    const type = res.headers['content-type'];
    const out = { status: res.statusCode, headers: res.headers, buf, body: undefined };
    const p = target.split('?')[0];
    const setCookie = res.headers['set-cookie'];
    if (setCookie) {
      for (const c of setCookie) {
        const m = /^pa_session=([^;]*);/.exec(c);
        if (m) this.cookie = /Max-Age=0/.test(c) ? null : m[1];
      }
    }
    if (p.startsWith('/api/') && res.statusCode === 200 && type && !type.startsWith('application/json')) {
      // A download (the data export's media archive): the contract names its type.
      assert.equal(res.headers['cache-control'], 'no-store', `${method} ${target}: cache-control`);
      const template = validateResponse(method, target, res.statusCode, undefined, type);
      validated.count++;
      validated.operations.add(`${method} ${template} ${res.statusCode}`);
    } else if (p.startsWith('/api/')) {
      if (method !== 'HEAD') {
        assert.equal(type, 'application/json; charset=utf-8', `${method} ${target}: content-type`);
        out.body = JSON.parse(buf.toString('utf8'));
      }
      assert.equal(res.headers['cache-control'], 'no-store', `${method} ${target}: cache-control`);
      const template = validateResponse(method, target, res.statusCode, out.body);
      validated.count++;
      validated.operations.add(`${method} ${template} ${res.statusCode}`);
      if (out.body && out.body.csrf_token !== undefined && res.statusCode < 300) {
        this.csrf = out.body.csrf_token;
        this.user = out.body.user;
      }
    } else if (p.startsWith('/media/')) {
      validateResponse(method, target, res.statusCode, undefined, type);
      validated.count++;
    }
    return out;
  }

  get(target, opts) { return this.request('GET', target, opts); }
  post(target, json, opts = {}) { return this.request('POST', target, { json, ...opts }); }
  put(target, json, opts = {}) { return this.request('PUT', target, { json, ...opts }); }
  patch(target, json, opts = {}) { return this.request('PATCH', target, { json, ...opts }); }
  del(target, json, opts = {}) { return this.request('DELETE', target, { json, ...opts }); }

  async signup(email, password = 'correct horse battery', name = 'Test Person') {
    const r = await this.post('/api/v1/auth/signup', { email, password, display_name: name });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.user;
  }

  async login(email, password) {
    const r = await this.post('/api/v1/auth/login', { email, password });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.user;
  }

  async upload(bytes, type) {
    const r = await this.request('POST', '/api/v1/media', { body: bytes, headers: { 'content-type': type } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  }
}

/**
 * A version 1 chat prekey bundle (core/src/chat/chat.md) for a fresh identity, in
 * base64, without one-time prekeys: made here with node:crypto's Ed25519, as
 * the server checks only its shape and the signed prekey's signature.
 */
export function chatBundle() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const ik = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  const spk = Buffer.alloc(44); // id, created_at, X25519 key
  spk.writeUInt32BE(1, 0);
  spk.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000)), 4);
  randomBytes(32).copy(spk, 12);
  const sig = sign(null, Buffer.concat([Buffer.from('PetAmigos SPK v1'), spk]), privateKey);
  return Buffer.concat([Buffer.from([1]), ik, spk, sig, Buffer.from([0, 0])]).toString('base64');
}

/**
 * A data folder whose database is at schema `version`, built from the first
 * `version` migrations in web/src/store/sqlite/schema.c, as an older server left it: for
 * upgrade tests. sql(text) runs SQL on it with the sqlite3 shell.
 */
export async function oldDatabase(name, version) {
  const tmp = await mkdtemp(path.join(os.tmpdir(), `pa-${name}-migrate-`));
  const data = path.join(tmp, 'data');
  const db = path.join(data, 'petamigos.db');
  await mkdir(path.join(data, 'media'), { recursive: true });
  // A server running on the file (its worker writes every few seconds) may
  // hold the write lock a moment: wait for it, as the server's own
  // connections do, rather than fail with "database is locked".
  const sql = (text) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', '-separator', ' ', db], { input: text })
    .toString().trim();
  const m = await migrationsFromSource();
  assert.ok(m.length > version);
  sql(`${m.slice(0, version).join('\n')}\nPRAGMA user_version = ${version};`);
  return { tmp, data, db, sql, migrations: m };
}

// The SQL of each entry of migrations[] in web/src/store/sqlite/schema.c (its C string literals
// joined), so a test can build a database exactly as an older server left it.
export async function migrationsFromSource() {
  const src = await readFile(path.join(repoRoot, 'web/src/store/sqlite/schema.c'), 'utf8');
  const out = [];
  let cur = '';
  for (let i = src.indexOf('{', src.indexOf('migrations[PA_STORE_SCHEMA_VERSION] = {')) + 1; ; i++) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '*') {
      i = src.indexOf('*/', i) + 1;
    } else if (c === '"') {
      const end = src.indexOf('"', i + 1);
      cur += src.slice(i + 1, end);
      i = end;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else if (c === '}') {
      return out;
    }
  }
}

/**
 * The PostgreSQL schema as web/src/store/pg/schema.c writes it: `base`, the
 * complete schema at PA_PG_SCHEMA_BASE (pa_pg_schema), its version, and
 * `migrations`, the SQL of each later version (pa_pg_migrations[]), so a test
 * can build a database exactly as an older server left it.
 */
export async function pgSchemaFromSource() {
  const src = await readFile(path.join(repoRoot, 'web/src/store/pg/schema.c'), 'utf8');
  const header = await readFile(path.join(repoRoot, 'web/src/store/pg/pg.h'), 'utf8');
  const baseVersion = Number(/PA_PG_SCHEMA_BASE = (\d+)/.exec(header)[1]);
  const [base] = cLiterals(src, src.indexOf('=', src.indexOf('const char pa_pg_schema[]')) + 1);
  const migrations = cLiterals(src, src.indexOf('{', src.indexOf('pa_pg_migrations[PA_STORE_SCHEMA_VERSION')) + 1);
  return { base, baseVersion, migrations };
}

// The C string literals from src[i] on, adjacent ones joined, one entry per
// comma, up to the closing '}' or ';' (escapes \n, \", \\ decoded).
function cLiterals(src, i) {
  const out = [];
  let cur = '';
  for (; ; i++) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '*') {
      i = src.indexOf('*/', i) + 1;
    } else if (c === '"') {
      for (i++; src[i] !== '"'; i++) {
        if (src[i] !== '\\') { cur += src[i]; continue; }
        const e = src[++i];
        const map = { n: '\n', t: '\t', '"': '"', '\\': '\\' };
        assert.ok(e in map, `schema.c: unexpected escape \\${e}`);
        cur += map[e];
      }
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else if (c === '}' || c === ';') {
      if (cur) out.push(cur);
      return out;
    }
  }
}

/** Asserts the one error shape with the given status and code. */
export function assertError(res, status, code) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.deepEqual(Object.keys(res.body), ['error']);
  assert.equal(res.body.error.code, code);
  assert.ok(res.body.error.message.length > 0);
}

let uniq = 0;
export const email = (tag = 'user') => `${tag}.${process.pid}.${++uniq}@example.test`;

// ---- small media files made here, byte by byte

/** A valid PNG of w x h (one grey colour), via zlib stored blocks. */
export function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlibStored(Buffer.alloc((w + 1) * h, 0x80).map((v, i) => (i % (w + 1) === 0 ? 0 : v)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function zlibStored(data) {
  const parts = [Buffer.from([0x78, 0x01])];
  for (let i = 0; i < data.length || i === 0; i += 65535) {
    const block = data.subarray(i, i + 65535);
    const head = Buffer.alloc(5);
    head[0] = i + 65535 >= data.length ? 1 : 0;
    head.writeUInt16LE(block.length, 1);
    head.writeUInt16LE(~block.length & 0xffff, 3);
    parts.push(head, block);
    if (data.length === 0) break;
  }
  let a = 1, b = 0;
  for (const x of data) { a = (a + x) % 65521; b = (b + a) % 65521; }
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((b << 16) | a) >>> 0);
  parts.push(adler);
  return Buffer.concat(parts);
}

/**
 * The smallest JPEG header the server's reader accepts: SOI, DQT (its first
 * values are the tag, so tags make different files), SOF0 (w x h), EOI. No
 * metadata segment, so the server stores it byte for byte.
 */
export function jpegHeader(w, h, tag = 0) {
  const dqt = Buffer.alloc(69, 1);
  dqt.set([0xff, 0xdb, 0, 67, 0, tag & 255, (tag >> 8) & 255]);
  const sof = Buffer.from([0xff, 0xc0, 0, 11, 8, h >> 8, h & 255, w >> 8, w & 255, 1, 1, 0x11, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), dqt, sof, Buffer.from([0xff, 0xd9])]);
}

/** WebP headers of the three kinds, one 10-byte chunk each (the server reads only the size). */
export function webp(kind, w, h) {
  const body = Buffer.alloc(30);
  body.write('RIFF', 0);
  body.writeUInt32LE(22, 4);
  body.write('WEBP', 8);
  body.writeUInt32LE(10, 16);
  if (kind === 'VP8 ') {
    body.write('VP8 ', 12);
    body.set([0x9d, 0x01, 0x2a], 23);
    body.writeUInt16LE(w, 26);
    body.writeUInt16LE(h, 28);
  } else if (kind === 'VP8L') {
    body.write('VP8L', 12);
    body[20] = 0x2f;
    const bits = (w - 1) | ((h - 1) << 14);
    body.writeUInt32LE(bits >>> 0, 21);
  } else {
    body.write('VP8X', 12);
    body.writeUIntLE(w - 1, 24, 3);
    body.writeUIntLE(h - 1, 27, 3);
  }
  return body;
}

