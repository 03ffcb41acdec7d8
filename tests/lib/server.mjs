// Starts the real server binary on a fresh data folder and an ephemeral port.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SERVER, SITE } from './paths.mjs';
import { STOP_GRACE_MS, STOP_SIGNAL, assertCleanExit, sanitizerReports } from './exit.mjs';
import { dataTemplate, fileKey } from './template.mjs';

// The demo world's tool (web/demo/), built beside the server: BUILD/web/demo/.
const DEMO = process.env.PA_DEMO_BIN ?? path.join(path.dirname(SERVER), 'demo', 'petamigos-demo');

// Runs petamigos-demo on dir; resolves with what it printed.
function seedWorld(dir, size, env) {
  return new Promise((resolve, reject) => {
    execFile(DEMO, ['--data', dir, '--size', size], { env, timeout: 300000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${DEMO} failed (set PA_DEMO_BIN): ${err.message}\n${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

// The variables that change what petamigos-demo seeds
// (its clock; where media and sealed secrets go): part of a template's key.
const SEED_ENV = ['PA_TEST_CLOCK_OFFSET', 'PA_MEDIA_DIR', 'PA_SECRETS_KEY'];

// The SQLite world of size seeded once (tests/lib/template.mjs), copied into
// dir: seeding under the sanitizers costs seconds, copying milliseconds. env
// is the whole environment the tool runs with.
async function seedCopy(dir, size, env) {
  const key = `${await fileKey(DEMO)}:${JSON.stringify(SEED_ENV.map((k) => env[k] ?? null))}`;
  const template = await dataTemplate(`browser-${size}`, key, async (into) => {
    const out = await seedWorld(into, size, env);
    const reports = sanitizerReports(out);
    if (reports.length) throw new Error(`${DEMO} on ${into}: ${reports.join('; ')}\n${out}`);
  });
  await cp(template, dir, { recursive: true });
}

// seed: true or 'small' seeds the quick test world (6 owners, 3 demo accounts,
// 30 posts, stories, 2 reels) with petamigos-demo before the server starts;
// 'full' the whole demo world; false nothing.
// port: 0 picks a free one. The returned server can go down() and come up()
// again on the same data and port, as the same object, so whoever stops it at
// the end stops the one running.
// Every life of the server ends through down() (stop() calls it): SIGTERM,
// then its exit status and stderr (the seeding tool's output heads it) are
// checked (tests/lib/exit.mjs), and down() throws when it crashed, exited
// non-zero, ended by a signal or printed a sanitizer report; a test file's
// `after` that stops it therefore fails.
export async function startServer({ root = SITE, data, seed = true, env = {}, port = 0 } = {}) {
  const dir = data ?? mkdtempSync(path.join(os.tmpdir(), 'pa-data-'));
  const size = seed === 'full' ? 'full' : 'small';
  // A browser is one address (127.0.0.1) signing many people up and in;
  // the per-address limits are tested at their edges in tests/server.
  const childEnv = { PA_LIMIT_SIGNUP_ADDR_BURST: '1000', PA_LIMIT_LOGIN_ADDR_BURST: '1000', ...process.env, ...env };
  // A new folder on SQLite gets a copy of the seeded world; a given folder,
  // or a world on PostgreSQL (PA_DATABASE_URL), is seeded in place.
  let log = '';
  if (seed && !data && !childEnv.PA_DATABASE_URL) await seedCopy(dir, size, childEnv);
  else if (seed) log = await seedWorld(dir, size, childEnv);
  let life = null; // {child, exited, stopped}: the running server's

  async function launch(args) {
    const child = spawn(SERVER, ['--root', root, '--data', dir, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv,
    });
    const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    life = { child, exited, stopped: false };
    child.stderr.on('data', (d) => { log += d; });
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not start:\n${log}`)); }, 60000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/\S+\/)/);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      child.on('error', (e) => { clearTimeout(timer); reject(new Error(`cannot run ${SERVER}: ${e.message} (set PA_SERVER_BIN)`)); });
      exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`server exited ${code ?? signal}:\n${log}`)); });
    });
  }

  // SIGTERM (unless it already ended), wait, check how it ended.
  async function down() {
    if (!life) return;
    const { child, exited } = life;
    let killed = false;
    if (child.exitCode === null && child.signalCode === null) {
      life.stopped = true;
      child.kill(STOP_SIGNAL);
    }
    const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, STOP_GRACE_MS);
    const exit = await exited;
    clearTimeout(timer);
    const { stopped } = life;
    life = null;
    assertCleanExit(`petamigos-server on ${dir}`, { exit, stderr: log, stopped, killed });
  }

  const server = {
    url: await launch(['--port', String(port)]),
    dir,
    log: () => log,
    // The running server's process id, and a promise of its {code, signal}
    // (tests of this harness kill it and wait).
    get pid() { return life?.child.pid; },
    get exited() { return life?.exited; },
    down,
    // Back on the same data and port (nothing seeded again).
    async up() {
      await down();
      server.url = await launch(['--port', new URL(server.url).port]);
    },
    async stop() {
      try {
        await down();
      } finally {
        if (!data) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return server;
}
