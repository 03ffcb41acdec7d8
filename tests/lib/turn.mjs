// A real coturn for the tests that need TURN (scripts/turn start DIR --test:
// allow-loopback-peers, which relaying between two browsers on this machine
// needs). One per test file; stopped by stop(), or by scripts/turn's
// watchdog once this process is gone.
//
//   const turn = await startTurn();
//   startServer({ env: turn.env }); // PA_TURN_URL, PA_TURN_SECRET
//   after(() => turn.stop());
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './paths.mjs';

const run = promisify(execFile);
const SCRIPT = path.join(ROOT, 'scripts/turn');

/** Starts coturn in a fresh folder: {url, secret, dir, env, log(), stop()}. */
export async function startTurn() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pa-turn-'));
  const { stdout } = await run(SCRIPT, ['start', dir, '--test', '--owner', String(process.pid)]);
  const url = stdout.trim().split('\n').pop();
  if (!/^turn:127\.0\.0\.1:\d+$/.test(url)) throw new Error(`scripts/turn printed ${stdout}`);
  const secret = (await readFile(path.join(dir, 'turn-secret'), 'utf8')).trim();
  return {
    url,
    secret,
    dir,
    env: { PA_TURN_URL: url, PA_TURN_SECRET: secret },
    log: () => readFile(path.join(dir, 'turn.log'), 'utf8'),
    async stop() {
      await run(SCRIPT, ['stop', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
