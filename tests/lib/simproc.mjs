// One simulator process (web/paysim, web/llmsim, web/chatwootsim) as the
// tests run it: `node MAIN ...args`, ready once its stdout says "<name>
// listening on <address>" (a whole line), stopped with SIGTERM and required
// to exit 0 by itself with nothing on stderr a crash would leave
// (tests/lib/exit.mjs). The helpers of each simulator add its own calls.
import { spawn } from 'node:child_process';
import { STOP_GRACE_MS, STOP_SIGNAL, assertCleanExit } from './exit.mjs';

const START_BOUND_MS = 30000; // hang guard only

/** Resolves {address, stop} once the process announced its address; env is its whole environment. */
export async function startSimProcess(name, main, args, env) {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let stopped = false;
  let endedAlone = false; // exited before stop(): a crash, whatever its status
  exited.then(() => { endedAlone = !stopped; });

  const listening = new RegExp(`${name} listening on (\\S+)\\r?\\n`);
  const address = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${name} did not start:\n${stderr}`)); }, START_BOUND_MS);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(listening);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('error', (e) => { clearTimeout(timer); reject(new Error(`cannot run ${main}: ${e.message}`)); });
    exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`${name} exited ${code ?? signal}:\n${stderr}`)); });
  });

  /** SIGTERM; throws unless it exited 0 by itself within the grace period. Safe to call twice. */
  async function stop() {
    if (stopped) return;
    stopped = true;
    child.kill(STOP_SIGNAL);
    let killed = false;
    const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, STOP_GRACE_MS);
    const exit = await exited;
    clearTimeout(timer);
    assertCleanExit(name, { exit, stderr, stopped: !endedAlone, killed });
  }
  return { address, stop };
}
