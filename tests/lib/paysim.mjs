// Starts the payment provider simulator (web/paysim/) for a test and drives
// its control API. Shared by the server tests of the billing feature:
//   const sim = await startPaysim();
//   const server = await startServer({ env: sim.serverEnv() });
//   await sim.config({ paypal_webhook_url: server.url + 'api/v1/webhooks/paypal', … });
//   … await sim.stop();
// stop() sends SIGTERM and throws unless the sim exited 0 on its own
// (tests/lib/exit.mjs), like every server the tests start.
import path from 'node:path';
import { ROOT } from './paths.mjs';
import { startSimProcess } from './simproc.mjs';

export const PAYSIM_MAIN = path.join(ROOT, 'web/paysim/main.mjs');
// Mercado Pago accounts the sim knows: token SIM-MP-<CC> for each country.
export const MP_COUNTRIES = ['BR', 'AR', 'MX', 'CO', 'CL'];

/**
 * env: extra environment for the sim (PAYSIM_*; PAYSIM_RETRY_MS is 50 unless
 * given). args: extra arguments, e.g. ['--state', file].
 */
export async function startPaysim({ env = {}, args = [] } = {}) {
  const started = { PAYSIM_RETRY_MS: '50', ...process.env, ...env };
  const setting = (name, fallback) => started[name] ?? fallback;
  const proc = await startSimProcess('paysim', PAYSIM_MAIN, ['--port', '0', ...args], started);
  const url = proc.address;

  /**
   * Any request to the sim: body an object (sent as JSON) or a string (sent
   * as is); signal: to give up on a call a timeout fault holds. Redirects are
   * not followed. → {status, headers, body (parsed when JSON)}.
   */
  async function call(method, pathAndQuery, body, { headers = {}, signal } = {}) {
    const init = { method, headers: { ...headers }, signal };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      if (typeof body !== 'string') init.headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(new URL(pathAndQuery.replace(/^\//, ''), url), { ...init, redirect: 'manual' });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').startsWith('application/json') && text ? JSON.parse(text) : text;
    return { status: res.status, headers: res.headers, body: json };
  }

  /** A control call that must succeed; its JSON answer. */
  async function sim(method, name, body) {
    const res = await call(method, `__sim/${name}`, body);
    if (res.status !== 200) throw new Error(`paysim ${method} /__sim/${name} ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  return {
    url,
    call,
    /** The variables the server reads to use this sim as both providers. */
    serverEnv() {
      const vars = {
        PA_PAYPAL_API: `${url}paypal`,
        PA_PAYPAL_CLIENT_ID: setting('PAYSIM_PAYPAL_CLIENT_ID', 'sim-client'),
        PA_PAYPAL_SECRET: setting('PAYSIM_PAYPAL_SECRET', 'sim-secret'),
        PA_PAYPAL_WEBHOOK_ID: setting('PAYSIM_PAYPAL_WEBHOOK_ID', 'WH-SIM-1'),
        PA_PAYPAL_CERT_PREFIXES: `${url}paypal/certs/`,
        PA_MP_API: `${url}mercadopago`,
        PA_MP_WEBHOOK_SECRET: setting('PAYSIM_MP_WEBHOOK_SECRET', 'sim-mp-secret'),
        // The marketplace's application (sellers connect to it through OAuth).
        PA_MP_CLIENT_ID: setting('PAYSIM_MP_CLIENT_ID', '1234567890123456'),
        PA_MP_CLIENT_SECRET: setting('PAYSIM_MP_CLIENT_SECRET', 'sim-mp-client-secret'),
        PA_MP_AUTH: `${url}mercadopago`,
      };
      for (const cc of MP_COUNTRIES) vars[`PA_MP_TOKEN_${cc}`] = `SIM-MP-${cc}`;
      return vars;
    },
    config: (o) => sim('POST', 'config', o),
    clock: (offset) => sim('POST', 'clock', { offset }),
    // payerEmail: the account the payer pays from (the sim makes a new one when not given).
    approve: (provider, id, decision = 'approve', payerEmail) => sim('POST', 'approve', { provider, id, decision, payer_email: payerEmail }),
    bill: () => sim('POST', 'bill', {}),
    decline: (provider, id, times = 1) => sim('POST', 'decline', { provider, id, times }),
    refund: (provider, txnId, amountMinor) => sim('POST', 'refund', { provider, txn_id: txnId, amount_minor: amountMinor }),
    chargeback: (provider, txnId) => sim('POST', 'chargeback', { provider, txn_id: txnId }),
    faults: (f) => sim('POST', 'faults', f),
    delivery: (mode) => sim('POST', 'delivery', { mode }),
    release: (order = 'fifo') => sim('POST', 'release', { order }),
    deliveries: () => sim('GET', 'deliveries'),
    record: () => sim('GET', 'record'),
    /** Payouts to receiver (an email) from now on end as outcome: success, unclaimed or failed. */
    payoutReceiver: (receiver, outcome) => sim('POST', 'payouts/receiver', { receiver, outcome }),
    /** PayPal processes the pending payout batches (and returns items unclaimed for 30 days): {processed, returned}. */
    processPayouts: () => sim('POST', 'payouts/process', {}),
    /** A seller's decision on Mercado Pago's authorization page: {redirect, code, user_id}. */
    mpAuthorize: (o) => sim('POST', 'mp/authorize', o),
    stop: proc.stop,
  };
}

/**
 * Polls fn until it returns a truthy value and returns that value: what the
 * payment tests wait on (a webhook applied, a state reached). tries × 50 ms
 * (2 minutes) is a hang guard, not a deadline any test asserts: a renewal's
 * downgrade once took longer than 30 s on a loaded machine.
 */
export async function until(what, fn, { tries = 2400 } = {}) {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}
