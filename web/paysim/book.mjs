// The simulator's state, its money record, its clock and the money arithmetic.
// One process simulates both providers, so the state is one module-level
// object; every module reads and changes it here and the HTTP layer calls
// save() after each change so a restart with --state finds the same world.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

// Decimals per currency as the providers take them. PayPal takes no decimals
// for HUF, JPY and TWD (its currency-codes page), Mercado Pago none for CLP.
export const EXPONENT = {
  AUD: 2, BRL: 2, CAD: 2, CHF: 2, CZK: 2, DKK: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 0, ILS: 2, JPY: 0, MXN: 2,
  MYR: 2, NOK: 2, NZD: 2, PHP: 2, PLN: 2, SEK: 2, SGD: 2, THB: 2, TWD: 0, USD: 2, ARS: 2, COP: 2, CLP: 0,
};

// Amounts above this many minor units are refused: integer arithmetic on them
// (fees multiply by up to 10000) stays exact in a double.
const MAX_MINOR = 10 ** 11;

/** The defaults of every run-time setting, overridden by the environment, then by POST /__sim/config. */
function configFromEnv(env) {
  return {
    paypal_client_id: env.PAYSIM_PAYPAL_CLIENT_ID ?? 'sim-client',
    paypal_secret: env.PAYSIM_PAYPAL_SECRET ?? 'sim-secret',
    paypal_webhook_url: env.PAYSIM_PAYPAL_WEBHOOK_URL ?? '',
    paypal_webhook_id: env.PAYSIM_PAYPAL_WEBHOOK_ID ?? 'WH-SIM-1',
    paypal_merchant_country: env.PAYSIM_PAYPAL_MERCHANT_COUNTRY ?? 'US',
    mp_webhook_url: env.PAYSIM_MP_WEBHOOK_URL ?? '',
    mp_webhook_secret: env.PAYSIM_MP_WEBHOOK_SECRET ?? 'sim-mp-secret',
    mp_client_id: env.PAYSIM_MP_CLIENT_ID ?? '1234567890123456',
    mp_client_secret: env.PAYSIM_MP_CLIENT_SECRET ?? 'sim-mp-client-secret',
    // Days after approval before a marketplace payment's money is released to the seller.
    mp_money_release_days: Number(env.PAYSIM_MP_MONEY_RELEASE_DAYS ?? 14),
    retry_ms: Number(env.PAYSIM_RETRY_MS ?? 60000),
  };
}
export const CONFIG_KEYS = Object.keys(configFromEnv({}));

function freshState(env) {
  return {
    config: configFromEnv(env),
    clock_offset: Number(env.PA_TEST_CLOCK_OFFSET ?? 0),
    creates: {
      paypal_products: 0, paypal_plans: 0, paypal_subscriptions: 0, paypal_orders: 0,
      mp_preapprovals: 0, mp_preferences: 0,
    },
    tokens_issued: 0,
    money: [],
    idempotency: {},
    faults: [],
    delivery_mode: 'deliver',
    deliveries: [],
    signing: null, // {key, cert}: PEM text, kept so a restart keeps the certificate a receiver cached
    paypal: { tokens: {}, products: {}, plans: {}, subscriptions: {}, orders: {}, sales: {}, captures: {}, refunds: {} },
    mp: { preapprovals: {}, preferences: {}, payments: {}, serial: 1000000000 },
  };
}

export const book = {
  state: null,
  file: null,
  base: null, // the URL the sim is reached at, ending in "/", for the links it hands out

  /** Loads FILE when it exists (a restart keeps the saved world and settings), else starts from the environment. */
  open(file, env = process.env) {
    this.file = file;
    let loaded = null;
    if (file) {
      try {
        loaded = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        if (e.code !== 'ENOENT') throw new Error(`paysim: cannot read state ${file}: ${e.message}`);
      }
    }
    this.state = loaded ?? freshState(env);
  },

  /** Writes the whole state to the file (temp + rename: a reader never sees half a file). */
  save() {
    if (!this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.file);
  },

  get config() {
    return this.state.config;
  },

  // While a request is handled, the instant it arrived: everything one call
  // does (a charge, its payment, the next billing date) happens at one time.
  instant: null,

  /** The sim's now in ms: the real clock plus the test offset (seconds), like the server's. */
  now() {
    return this.instant ?? Date.now() + this.state.clock_offset * 1000;
  },

  /** A serial number (Mercado Pago ids are numbers). */
  serial() {
    return ++this.state.mp.serial;
  },

  /**
   * An API call made with an idempotency key: the answer stored under slot
   * when there is one (nothing done again), else run()'s, stored when it
   * succeeded (a refused call may be retried with the same key).
   */
  idempotent(slot, run) {
    const stored = this.state.idempotency[slot];
    if (stored) return stored;
    const answer = run();
    if (answer.status < 300) this.state.idempotency[slot] = answer;
    return answer;
  },

  /** Appends one money movement to the sim's own book (GET /__sim/record). */
  money(provider, kind, txnId, parentId, currency, grossMinor, feeMinor, extra = {}) {
    this.state.money.push({
      provider, kind, txn_id: txnId, parent_id: parentId, currency, gross_minor: grossMinor, fee_minor: feeMinor, ...extra,
    });
  },
};

/** An upper-case alphanumeric id like PayPal's ("I-" + 12 characters). */
export function newId(prefix, length = 12) {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return prefix + s;
}

export function hexId(bytes) {
  return randomBytes(bytes).toString('hex');
}

/**
 * Decimal text to integer minor units, exactly (no float on the way), or null.
 * exact: the text must have exactly the currency's decimals (PayPal);
 * otherwise at most that many (Mercado Pago, whose numbers drop trailing zeros).
 */
export function toMinor(text, currency, { exact }) {
  const exp = EXPONENT[currency];
  if (exp === undefined || typeof text !== 'string') return null;
  const m = /^(0|[1-9][0-9]{0,14})(?:\.([0-9]+))?$/.exec(text);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (exact ? frac.length !== exp : frac.length > exp) return null;
  const minor = Number(m[1] + frac.padEnd(exp, '0'));
  return minor <= MAX_MINOR ? minor : null;
}

/** A JSON number (Mercado Pago) to minor units: its shortest decimal text, so 19.9 is 1990 exactly. */
export function numberToMinor(n, currency) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return null;
  return toMinor(String(n), currency, { exact: false });
}

/** Minor units to decimal text with exactly the currency's decimals ("4.99", "4990"). */
export function toDecimal(minor, currency) {
  const exp = EXPONENT[currency];
  if (exp === 0) return String(minor);
  const s = String(minor).padStart(exp + 1, '0');
  return `${s.slice(0, -exp)}.${s.slice(-exp)}`;
}

/** Minor units to a JSON number (Mercado Pago): parsed from exact text, so it prints back the same. */
export function toNumber(minor, currency) {
  return Number(toDecimal(minor, currency));
}

/** round(gross × basisPoints / 10000), half up, in integers. */
export function percentOf(gross, basisPoints) {
  return Math.floor((gross * basisPoints + 5000) / 10000);
}

/** PayPal's time format: ISO 8601 in UTC without milliseconds. */
export function isoTime(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** ms plus count months (or years), the day clamped to the target month's last day (Jan 31 → Feb 28). */
export function addMonths(ms, months) {
  const d = new Date(ms);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.getTime();
}

/** url with the query parameters added (keeping any it has). */
export function withQuery(url, params) {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) u.searchParams.set(k, String(v));
  return u.href;
}
