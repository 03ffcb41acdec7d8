// A real Redis for the tests that need one (scripts/redis start DIR: a
// throwaway redis-server on 127.0.0.1 and a unix socket, nothing persisted).
// One per test file; stopped by stop(), or by scripts/redis's watchdog once
// this process is gone.
//
//   const redis = await startRedis();
//   startServer({ env: { PA_REDIS_URL: redis.url } });
//   after(() => redis.stop());
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './paths.mjs';

const run = promisify(execFile);
const SCRIPT = path.join(ROOT, 'scripts/redis');

/**
 * Starts Redis in a fresh folder: {url, socket (unix:… URL), dir, pid(),
 * kill(signal) (a crash, for tests of a Redis lost mid-run), restart()
 * (again on the same port, so the same url), log(), stop()}.
 */
export async function startRedis() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pa-redis-'));
  const start = async () => {
    const { stdout } = await run(SCRIPT, ['start', dir, '--owner', String(process.pid)]);
    const url = stdout.trim().split('\n').pop();
    if (!/^redis:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`scripts/redis printed ${stdout}`);
    return url;
  };
  const url = await start();
  const pid = async () => Number((await readFile(path.join(dir, 'redis.pid'), 'utf8')).trim());
  return {
    url,
    socket: `unix:${path.join(dir, 'redis.sock')}`,
    dir,
    pid,
    async kill(signal = 'SIGKILL') {
      const p = await pid();
      process.kill(p, signal);
      // Gone once signal 0 fails or it is a zombie (a daemon's parent is
      // init, which may reap it later); bounded: a killed process ends at once.
      for (let i = 0; i < 200; i++) {
        try {
          process.kill(p, 0);
          if (/^State:\s*Z/m.test(await readFile(`/proc/${p}/status`, 'utf8'))) return;
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`redis-server ${p} did not end after ${signal}`);
    },
    async restart() {
      const again = await start();
      if (again !== url) throw new Error(`Redis came back on ${again}, not ${url}`);
    },
    log: () => readFile(path.join(dir, 'redis.log'), 'utf8'),
    async stop() {
      await run(SCRIPT, ['stop', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
