// The simulator's control API (/__sim/…, no auth, loopback only): what tests
// use to stand in for the payer, the merchant's dashboard, the card network,
// the clock and a misbehaving network.
import { book, CONFIG_KEYS } from './book.mjs';
import { addFault } from './faults.mjs';
import * as paypal from './paypal.mjs';
import * as mercadopago from './mercadopago.mjs';
import * as payouts from './payouts.mjs';
import { authorize } from './mp-oauth.mjs';
import { DELIVERY_MODES, listDeliveries, release } from './webhooks.mjs';

const PROVIDERS = { paypal, mercadopago };
const ok = (body = { ok: true }) => ({ status: 200, body });
const bad = (status, error) => ({ status, body: { error } });

function provider(name) {
  return PROVIDERS[name] ?? null;
}

const ROUTES = {
  'POST /__sim/config': (b) => {
    const unknown = Object.keys(b).filter((k) => !CONFIG_KEYS.includes(k));
    if (unknown.length) return bad(400, `unknown settings: ${unknown.join(', ')} (known: ${CONFIG_KEYS.join(', ')})`);
    if ('retry_ms' in b && !(Number.isInteger(b.retry_ms) && b.retry_ms > 0)) return bad(400, 'retry_ms must be a positive integer');
    if ('mp_money_release_days' in b && !(Number.isInteger(b.mp_money_release_days) && b.mp_money_release_days >= 0)) {
      return bad(400, 'mp_money_release_days must be a non-negative integer');
    }
    Object.assign(book.config, b);
    return ok(book.config);
  },
  'POST /__sim/clock': ({ offset }) => {
    if (!Number.isFinite(offset)) return bad(400, 'offset (seconds) must be a number');
    book.state.clock_offset = offset;
    book.instant = null; // this request's instant was on the old clock
    return ok({ offset, now: new Date(book.now()).toISOString() });
  },
  'POST /__sim/approve': ({ provider: name, id, decision, payer_email: payerEmail }) => {
    const p = provider(name);
    if (!p || typeof id !== 'string' || !['approve', 'cancel'].includes(decision)) {
      return bad(400, 'provider (paypal|mercadopago), id and decision (approve|cancel) are required');
    }
    if (payerEmail !== undefined && (typeof payerEmail !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(payerEmail))) {
      return bad(400, 'payer_email must be an email address');
    }
    const out = p.approve(id, decision, payerEmail);
    return out.error ? bad(out.status, out.error) : ok({ redirect: out.redirect });
  },
  'POST /__sim/bill': () => {
    const charged = [];
    const failed = [];
    for (const p of Object.values(PROVIDERS)) p.bill(charged, failed);
    return ok({ charged, failed });
  },
  'POST /__sim/decline': ({ provider: name, id, times = 1 }) => {
    const p = provider(name);
    if (!p || !Number.isInteger(times) || times < 1) return bad(400, 'provider, id and a positive integer times are required');
    return p.decline(id, times) ? ok() : bad(404, `no ${name} subscription ${id}`);
  },
  'POST /__sim/refund': ({ provider: name, txn_id, amount_minor }) => {
    const p = provider(name);
    if (!p || typeof txn_id !== 'string') return bad(400, 'provider and txn_id are required');
    if (amount_minor !== undefined && !(Number.isInteger(amount_minor) && amount_minor > 0)) return bad(400, 'amount_minor must be a positive integer');
    const error = p.dashboardRefund(txn_id, amount_minor);
    return error ? bad(409, error) : ok();
  },
  'POST /__sim/chargeback': ({ provider: name, txn_id }) => {
    const p = provider(name);
    if (!p || typeof txn_id !== 'string') return bad(400, 'provider and txn_id are required');
    const error = p.chargeback(txn_id);
    return error ? bad(409, error) : ok();
  },
  'POST /__sim/faults': (b) => {
    const error = addFault(b);
    return error ? bad(400, error) : ok({ faults: book.state.faults });
  },
  'GET /__sim/faults': () => ok({ faults: book.state.faults }),
  'POST /__sim/delivery': ({ mode }) => {
    if (!DELIVERY_MODES.includes(mode)) return bad(400, `mode must be one of ${DELIVERY_MODES.join(', ')}`);
    book.state.delivery_mode = mode;
    return ok({ mode });
  },
  'POST /__sim/release': ({ order = 'fifo' }) => {
    if (!['fifo', 'reverse'].includes(order)) return bad(400, 'order must be fifo or reverse');
    return ok({ released: release(order) });
  },
  'GET /__sim/deliveries': () => ok(listDeliveries()),
  'POST /__sim/payouts/receiver': ({ receiver, outcome }) => {
    const error = payouts.setReceiver(receiver, outcome);
    return error ? bad(400, error) : ok();
  },
  'POST /__sim/payouts/process': () => ok(payouts.processPayouts()),
  'POST /__sim/mp/authorize': (b) => {
    const out = authorize(b);
    return out.error ? bad(out.status, out.error) : ok({ redirect: out.redirect, code: out.code, user_id: out.user_id });
  },
  'GET /__sim/record': () => ok({ creates: book.state.creates, tokens_issued: book.state.tokens_issued, money: book.state.money }),
};

/** Answers one control call: {status, body}. body: the parsed JSON ({} when empty, null when not an object). */
export function control(method, path, body) {
  const route = ROUTES[`${method} ${path}`];
  if (!route) return bad(404, `no control route ${method} ${path}`);
  if (body === null) return bad(400, 'the body must be a JSON object');
  return route(body);
}
