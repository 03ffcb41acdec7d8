// Starts the Chatwoot stand-in (web/chatwootsim/) for a test and drives its
// control API:
//   const cw = await startChatwootsim({ secret });
//   const server = await startServer({ env: cw.serverEnv('hook-token') });
//   await cw.config({ hook: `${server.url}api/v1/webhooks/chatwoot/hook-token` });
//   … await cw.stop();
// stop() sends SIGTERM and throws unless the sim exited 0 on its own
// (tests/lib/exit.mjs), like every process the tests start.
import path from 'node:path';
import { ROOT } from './paths.mjs';
import { startSimProcess } from './simproc.mjs';

export const CHATWOOTSIM_MAIN = path.join(ROOT, 'web/chatwootsim/main.mjs');

/** token: the api_access_token it accepts; account, inbox: its ids; secret: webhook signing ('' none). */
export async function startChatwootsim({ token = 'cw-sim-token', account = 3, inbox = 7, secret = '' } = {}) {
  const args = ['--port', '0', '--token', token, '--account', String(account), '--inbox', String(inbox)];
  if (secret) args.push('--secret', secret);
  const proc = await startSimProcess('chatwootsim', CHATWOOTSIM_MAIN, args, process.env);
  const url = proc.address;

  /** Any request to the sim → {status, body (parsed JSON)}. */
  async function call(method, p, body, headers = {}) {
    const init = { method, headers: { ...headers } };
    if (body !== undefined) { init.body = JSON.stringify(body); init.headers['content-type'] = 'application/json'; }
    const res = await fetch(new URL(p.replace(/^\//, ''), url), init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
  async function ctl(method, name, body) {
    const res = await call(method, `__cw/${name}`, body);
    if (res.status !== 200) throw new Error(`chatwootsim ${method} /__cw/${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  return {
    url,
    call,
    token,
    account,
    inbox,
    /** The variables that point the server's mirror at this sim; hookToken: its webhook path token. */
    serverEnv(hookToken) {
      const env = { PA_CHATWOOT_URL: url, PA_CHATWOOT_TOKEN: token, PA_CHATWOOT_ACCOUNT: String(account), PA_CHATWOOT_INBOX: String(inbox) };
      if (hookToken) env.PA_CHATWOOT_WEBHOOK_TOKEN = hookToken;
      if (secret) env.PA_CHATWOOT_WEBHOOK_SECRET = secret;
      return env;
    },
    config: (o) => ctl('POST', 'config', o),
    state: () => ctl('GET', 'state'),
    /** The next `times` calls of method to a path containing `path` answer status (after doing the work when after). */
    fail: (f) => ctl('POST', 'fail', f),
    /** An agent replies in Chatwoot: the webhook's {status, body} as our server answered it. */
    reply: (conversation, content, priv = false) => ctl('POST', 'reply', { conversation, content, private: priv }),
    status: (conversation, status) => ctl('POST', 'status', { conversation, status }),
    replay: () => ctl('POST', 'replay', {}),
    stop: proc.stop,
  };
}
