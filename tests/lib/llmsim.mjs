// Starts the OpenAI-compatible stand-in (web/llmsim/) for a test and drives
// its control API:
//   const llm = await startLlmsim();
//   const server = await startServer({ env: llm.serverEnv({ timeoutMs: 2000 }) });
//   await llm.mode('hang');  … (await llm.requests())[0].body.messages …
//   await llm.stop();
// stop() sends SIGTERM and throws unless the sim exited 0 on its own
// (tests/lib/exit.mjs), like every server the tests start.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { STOP_GRACE_MS, STOP_SIGNAL, assertCleanExit } from './exit.mjs';
import { ROOT } from './paths.mjs';

export const LLMSIM_MAIN = path.join(ROOT, 'web/llmsim/main.mjs');
const START_BOUND_MS = 30000; // hang guard only

export async function startLlmsim({ env = {} } = {}) {
  const child = spawn(process.execPath, [LLMSIM_MAIN, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let stopped = false;
  let endedAlone = false;
  exited.then(() => { endedAlone = !stopped; });

  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`llmsim did not start:\n${stderr}`)); }, START_BOUND_MS);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/llmsim listening on (\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('error', (e) => { clearTimeout(timer); reject(new Error(`cannot run ${LLMSIM_MAIN}: ${e.message}`)); });
    exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`llmsim exited ${code ?? signal}:\n${stderr}`)); });
  });
  const url = `http://127.0.0.1:${port}`;

  async function control(method, name, body) {
    const res = await fetch(`${url}/__llm/${name}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json();
    if (res.status !== 200) throw new Error(`llmsim ${method} /__llm/${name}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  return {
    url,
    port,
    /**
     * The variables the server (and `petamigos-server llm ask`) read to use
     * this sim: PA_LLM_URL, and PA_LLM_TIMEOUT_MS when timeoutMs is given.
     */
    serverEnv({ timeoutMs, key, model } = {}) {
      const vars = { PA_LLM_URL: url };
      if (timeoutMs !== undefined) vars.PA_LLM_TIMEOUT_MS = String(timeoutMs);
      if (key !== undefined) vars.PA_LLM_KEY = key;
      if (model !== undefined) vars.PA_LLM_MODEL = model;
      return vars;
    },
    /** normal | hang (headers, then nothing) | error (500) | slow | stall (two pieces, then nothing) | bad (a broken chunk) | nodone (no [DONE]); chunkMs: the gap between chunks. */
    mode: (mode, { chunkMs } = {}) => control('POST', 'mode', chunkMs === undefined ? { mode } : { mode, chunk_ms: chunkMs }),
    /** Every chat request received so far: [{path, authorization, body}]. */
    requests: async () => (await control('GET', 'requests')).requests,
    /** Back to normal mode with no recorded requests. */
    reset: () => control('POST', 'reset', {}),
    /** SIGTERM; throws unless it exited 0 by itself within the grace period. Safe to call twice. */
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill(STOP_SIGNAL);
      let killed = false;
      const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, STOP_GRACE_MS);
      const exit = await exited;
      clearTimeout(timer);
      assertCleanExit('llmsim', { exit, stderr, stopped: !endedAlone, killed });
    },
  };
}
