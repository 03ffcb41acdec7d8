// Starts `petamigos-server site` (web/README.md, "Origins"): the shell and
// /media/ on their own origin, the API elsewhere. Its stop() checks the exit
// like every server the tests start (tests/lib/exit.mjs).
import { spawn } from 'node:child_process';
import { STOP_GRACE_MS, STOP_SIGNAL, assertCleanExit } from './exit.mjs';
import { SERVER } from './paths.mjs';

// args: --root, --media, --api-origin [--origin …]; port 0 picks one.
// → {port, url, stop()}; bin: the server binary (default PA_SERVER_BIN).
export async function startSite(args, { env = {}, cwd, port = 0, bin = SERVER } = {}) {
  const child = spawn(bin, ['site', ...args, '--port', String(port)], { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', log = '', stopped = false;
  child.stderr.on('data', (c) => (log += c));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`site did not start:\n${log}`)); }, 30_000);
    child.on('error', (e) => { clearTimeout(timer); reject(new Error(`cannot run ${bin}: ${e.message}`)); });
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+\/)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`site exited ${code ?? signal}:\n${log}`)); });
  });
  return {
    url,
    port: Number(new URL(url).port),
    async stop() {
      stopped = true;
      child.kill(STOP_SIGNAL);
      let killed = false;
      const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, STOP_GRACE_MS);
      const exit = await exited;
      clearTimeout(timer);
      assertCleanExit('petamigos-server site', { exit, stderr: log, stopped, killed });
    },
  };
}
