// The throwaway PostgreSQL cluster of a test run (scripts/pg, started by
// scripts/test), through the psql CLI: databases made and dropped per test,
// and SQL run on them.
//
//   const db = await createDatabase('feed', { template: seeded.name });
//   startServer({ env: { PA_DATABASE_URL: db.url } });
//   const rows = await query(db.url, 'SELECT count(*) AS n FROM posts'); // [{ n: '30' }]
//   await dropDatabase(db.name);
import { spawn } from 'node:child_process';
import path from 'node:path';

const PSQL = path.join(process.env.PA_PG_BIN ?? '/usr/lib/postgresql/15/bin', 'psql');
// What psql prints for NULL (CSV prints NULL and '' alike otherwise).
const NULL_MARK = '\u0001NULL\u0001';

/** The cluster's URL (as pa, database postgres); an error when there is none. */
export function pgUrl() {
  const url = process.env.PA_TEST_PG_URL;
  if (!url) {
    throw new Error(
      'PA_TEST_PG_URL is not set: these tests need a PostgreSQL cluster. scripts/test starts one; ' +
        'by hand: export PA_TEST_PG_URL=$(scripts/pg start /tmp/pa-pg) (and scripts/pg stop /tmp/pa-pg afterwards)',
    );
  }
  return url;
}

/** The URL of database `name` on the cluster. */
export function databaseUrl(name) {
  const url = new URL(pgUrl());
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** An identifier, quoted for SQL. */
export const ident = (name) => `"${String(name).replaceAll('"', '""')}"`;
/** A string literal, quoted for SQL. */
export const literal = (s) => `'${String(s).replaceAll("'", "''")}'`;

let counter = 0;
/** A database name no other call (in any process on the cluster) gets: prefix_pid_n. */
export function uniqueName(prefix = 'pa_test') {
  const tail = `_${process.pid}_${++counter}`;
  let p = String(prefix).toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z_]/.test(p)) p = `d${p}`;
  return p.slice(0, 63 - tail.length) + tail;
}

/**
 * Creates a database named prefix_pid_n, empty or a copy of `template` (a
 * database nobody is connected to; PostgreSQL waits up to 5 s for leavers).
 * Resolves with { name, url }. FILE_COPY copies the files after a checkpoint,
 * which costs little without fsync: about 13 ms for a small database against
 * 33 ms for WAL_LOG, PostgreSQL 15's default (which writes every page to WAL).
 */
export async function createDatabase(prefix = 'pa_test', { template, strategy = 'FILE_COPY' } = {}) {
  if (!['FILE_COPY', 'WAL_LOG'].includes(strategy)) throw new Error(`strategy ${strategy}: FILE_COPY or WAL_LOG`);
  const name = uniqueName(prefix);
  await runSql(pgUrl(), `CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template ?? 'template1')} STRATEGY ${strategy}`);
  return { name, url: databaseUrl(name) };
}

/** Drops database `name`, ending its sessions first (nothing to do when it does not exist). */
export async function dropDatabase(name) {
  await runSql(pgUrl(), `DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
}

/**
 * Runs one statement on the database at `url`; resolves with its rows as
 * objects of strings (NULL as null), keyed by column name, in order.
 * For several statements use runSql.
 */
export async function query(url, sql) {
  const out = await psql(url, sql, ['--csv', '-P', `null=${NULL_MARK}`]);
  const [head, ...rows] = parseCsv(out);
  if (!head) return [];
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] === NULL_MARK ? null : r[i]])));
}

/** Runs a script of statements (stopping at the first error); resolves with nothing. */
export async function runSql(url, sql) {
  await psql(url, sql, []);
}

function psql(url, sql, extra) {
  // The URL says where and who: PG* variables of the caller's shell must not.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
  env.PGCONNECT_TIMEOUT = '10';
  env.PGAPPNAME = 'pa-test';
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, ...extra, '-f', '-'];
  return new Promise((resolve, reject) => {
    const child = spawn(PSQL, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (err += c));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(
        e.code === 'ENOENT'
          ? new Error(`no ${PSQL}: run scripts/setup (it installs Debian's postgresql)`)
          : e,
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`psql failed (${code ?? signal}) on ${url}: ${err.trim()}\nSQL: ${sql.slice(0, 500)}`));
    });
    child.stdin.on('error', () => {}); // psql gone early: its exit says why
    child.stdin.end(sql);
  });
}

/** RFC 4180 as psql --csv writes it: rows of fields. */
export function parseCsv(text) {
  const rows = [];
  let row = [], field = '', i = 0, quoted = false, any = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; any = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\n' || c === '\r') {
      row.push(field); rows.push(row); row = []; field = ''; any = false;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += c; any = true; i++;
  }
  if (any || field || row.length) { row.push(field); rows.push(row); }
  return rows;
}
