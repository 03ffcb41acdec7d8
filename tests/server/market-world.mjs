// The marketplace server tests' shared world (market-orders, -reviews,
// -shipping, -payouts, -disputes): one payment simulator and one server for a
// file, restarted on the same data to move the clock, and the people, sellers,
// listings, addresses and paid orders those files build their cases from. What
// one file alone needs (its listing's defaults, its environment) it passes in;
// the rest stays in the file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startPaysim } from '../lib/paysim.mjs';
import { BIN, Client, databaseEnv, email, png, startServer, stopServer } from './helpers.mjs';

export const PASSWORD = 'correct horse battery';

/** What a file's ledger rows of kind add up to. */
export const sum = (rows, kind) => rows.filter((r) => r.kind === kind).reduce((a, r) => a + r.amount_minor, 0);

/**
 * A world for one test file. Options: env (the server's environment beside the simulator's and the
 * clock's), mercadopago (the simulator also sends Mercado Pago webhooks), clock (false: no
 * PA_TEST_CLOCK_OFFSET), photoSize (the first photo's [width, height]: each file's photos differ),
 * listing (the defaults of listing(), its title followed by a number).
 * The answer is the state the tests read (sim, server, offset, clients) with the helpers beside it.
 */
export function marketWorld({ env = {}, mercadopago = false, clock = true, photoSize = [2, 2], listing: defaults = {} } = {}) {
  let uniq = 0;
  const w = { sim: null, server: null, offset: 0, clients: [] };

  /** Starts the server on data (a new folder when none) with extra in its environment. */
  w.start = async (data, extra = {}) => {
    const clockEnv = clock ? { PA_TEST_CLOCK_OFFSET: String(w.offset) } : {};
    w.server = await startServer({ data, env: { ...w.sim.serverEnv(), ...env, ...clockEnv, ...extra } });
    // PayPal reports each capture by webhook too: applied once, whichever of it and the return comes
    // first; Mercado Pago reports a seller's split payments only by webhook.
    const hooks = { paypal_webhook_url: `${w.server.url}api/v1/webhooks/paypal` };
    if (mercadopago) hooks.mp_webhook_url = `${w.server.url}api/v1/webhooks/mercadopago`;
    await w.sim.config(hooks);
    for (const c of w.clients) c.server = w.server;
  };

  /** The simulator and the server, for the file's before. */
  w.open = async () => {
    w.sim = await startPaysim({ env: { PA_TEST_CLOCK_OFFSET: '0' } });
    await w.start();
  };

  /** Both stopped, the server's data removed, for the file's after. */
  w.close = async () => {
    try {
      await stopServer(w.server, { keepData: false });
    } finally {
      await w.sim.stop();
    }
  };

  /**
   * Stops the server and starts it again on the same data with the clock offset by off seconds
   * (between: what the simulator does meanwhile).
   */
  w.restart = async (off, between = async () => {}) => {
    await stopServer(w.server);
    w.offset = off;
    await w.sim.clock(off);
    await between();
    await w.start(w.server.dir);
  };

  /** A new account signed in on its own client: { c, id, mail }. */
  w.person = async (tag) => {
    const c = new Client(w.server);
    w.clients.push(c);
    const mail = email(`${tag}${++uniq}`);
    const user = await c.signup(mail, PASSWORD, `Person ${tag}`);
    return { c, id: user.id, mail };
  };

  /** Gives p the role through the admin tool on the server's database. */
  w.grant = async (p, role) => {
    const envNow = { ...process.env, ...(await databaseEnv(w.server.dir)) };
    const r = spawnSync(BIN, ['admin', '--data', w.server.dir, 'grant', p.mail, role], { env: envNow, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
  };

  /** A new person made a seller paid through provider (a PayPal one at payout, its address kept as p.payout). */
  w.seller = async (tag, { provider = 'paypal', payout } = {}) => {
    const p = await w.person(tag);
    let out = { provider };
    if (provider === 'paypal') {
      p.payout = payout ?? `pay.${tag}${uniq}@example.test`;
      out = { provider, email: p.payout };
    }
    const r = await p.c.put('/api/v1/me/seller', { name: `Shop ${tag}`, payout: out });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return p;
  };

  /** A new listing of seller s with one photo of its own: the file's defaults, then extra. */
  w.listing = async (s, extra = {}) => {
    const [pw, ph] = photoSize;
    const photo = (await s.c.upload(png(pw + (++uniq % 200), ph + Math.floor(uniq / 200)), 'image/png')).id;
    const { title = 'Listing', ...rest } = defaults;
    const r = await s.c.post('/api/v1/listings', { title: `${title} ${uniq}`, photos: [photo], ...rest, ...extra });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };

  /** A new address in p's book (Porto Alegre unless extra says otherwise): its detail. */
  w.address = async (p, extra = {}) => {
    const r = await p.c.post('/api/v1/me/addresses', { name: 'Ana Souza', street: 'Rua das Flores 12', city: 'Porto Alegre', country: 'BR', ...extra });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };

  /** Puts quantity units of listing (an id) into b's cart. */
  w.put = async (b, listing, quantity = 1) => assert.equal((await b.c.put('/api/v1/cart/items', { listing, quantity })).status, 200);

  /** One unit of listing (an id) put into b's cart and checked out with body (its address…): the one order. */
  w.checkoutOne = async (b, listing, body) => {
    await w.put(b, listing);
    const r = await b.c.post('/api/v1/checkout', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.orders.length, 1);
    return r.body.orders[0];
  };

  /** Approves order o at the simulated PayPal and captures it by its buyer b: the captured order. */
  w.pay = async (b, o) => {
    const token = new URL(o.approve_url).searchParams.get('token');
    assert.ok(token, 'the approval page names the PayPal order');
    await w.sim.approve('paypal', token);
    const r = await b.c.post(`/api/v1/orders/${o.id}/capture`, {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  /** Seller s ships order o (Correios, BR1): the order. */
  w.ship = async (s, o) => {
    const r = await s.c.post(`/api/v1/orders/${o.id}/ship`, { carrier: 'Correios', tracking: 'BR1' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.state, 'shipped');
    return r.body;
  };

  /** Buyer b confirms order o delivered: the order. */
  w.deliver = async (b, o) => {
    const r = await b.c.post(`/api/v1/orders/${o.id}/deliver`, {});
    assert.equal(r.body.state, 'delivered');
    return r.body;
  };

  /** p's order notices (kind order), oldest first: their details, every page read. */
  w.orderNotices = async (p) => {
    const out = [];
    let cursor = null;
    do {
      const r = await p.c.get(`/api/v1/notifications?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200);
      for (const n of r.body.notifications.filter((x) => x.kind === 'order')) out.push(n.detail);
      cursor = r.body.next_cursor;
    } while (cursor);
    return out.reverse();
  };

  return w;
}

/** A small PRNG (xorshift32), seeded, so a failing property test's history can be replayed from its seed. */
export function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}
