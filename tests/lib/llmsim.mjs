// Starts the OpenAI-compatible stand-in (web/llmsim/) for a test and drives
// its control API:
//   const llm = await startLlmsim();
//   const server = await startServer({ env: llm.serverEnv({ timeoutMs: 2000 }) });
//   await llm.mode('hang');  … (await llm.requests())[0].body.messages …
//   await llm.stop();
// stop() sends SIGTERM and throws unless the sim exited 0 on its own
// (tests/lib/exit.mjs), like every server the tests start.
import path from 'node:path';
import { ROOT } from './paths.mjs';
import { startSimProcess } from './simproc.mjs';

export const LLMSIM_MAIN = path.join(ROOT, 'web/llmsim/main.mjs');

export async function startLlmsim({ env = {} } = {}) {
  const proc = await startSimProcess('llmsim', LLMSIM_MAIN, ['--port', '0'], { ...process.env, ...env });
  const port = Number(proc.address);
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
    stop: proc.stop,
  };
}
