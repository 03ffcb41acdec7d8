// What the affiliate browser files (affiliate-dashboard, affiliate-journey)
// do over the API besides their pages, on a shopWorld (shop-world.mjs): a
// click on an affiliate's link as a newcomer's browser makes it (the
// first-touch cookie it sets), a sign-up carrying that cookie, Plus bought
// through the simulated PayPal, and the expected commission of a sale.
import assert from 'node:assert/strict';
import { until } from '../lib/paysim.mjs';
import { Client } from '../server/helpers.mjs';
import { mail } from './shop-world.mjs';

export const BASE_RATE_BP = 2500; // the first tier's rate, 0–9 active referred subscribers (issue 21 §3)
export const FIRST_TIER_NEXT_AT = 10; // where the second tier starts

/** An affiliate's commission on a sale the simulator recorded: rate × (gross − the provider's fee), rounded down. */
export const commissionOf = (sale, rateBp = BASE_RATE_BP) => Math.floor(((sale.gross_minor - sale.fee_minor) * rateBp) / 10000);

/** The path of an affiliate's link on this server (the link names the configured origin). */
export const linkPath = (w, link) => new URL(new URL(link).pathname + new URL(link).search, w.server.url).href;

/** GET /r/{code} as a browser that has never been here: 302, and the cookies it sets as a Cookie header. */
export async function click(w, link) {
  const r = await fetch(linkPath(w, link), { redirect: 'manual' });
  assert.equal(r.status, 302, `${link}: ${r.status}`);
  const cookies = r.headers.getSetCookie().map((c) => c.split(';')[0]);
  assert.ok(cookies.length > 0, `${link} set no first-touch cookie`);
  return cookies.join('; ');
}

/** Someone new signing up with cookie (a click's) on a fresh source address: a Client with their session. */
export async function signUpWith(w, cookie, tag, name = `Referred ${tag}`) {
  const c = new Client({ port: Number(new URL(w.server.url).port) });
  const r = await c.post('/api/v1/auth/signup', { email: mail(tag), password: 'correct horse battery', display_name: name },
    { headers: cookie ? { cookie } : {} });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return c;
}

/** c takes Plus (monthly unless plan says) with PayPal in the US, approved at the simulator: the sale as the simulator booked it. */
export async function buyPlus(w, c, plan = 'plus_monthly') {
  const r = await c.post('/api/v1/billing/checkout', { plan, provider: 'paypal', country: 'US' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const { redirect } = await w.sim.approve('paypal', new URL(r.body.checkout.approve_url).searchParams.get('ba_token'));
  const sub = new URL(redirect).searchParams.get('subscription_id');
  // The return page's read (what a browser coming back does) and the webhooks, whichever is first.
  await until('Plus', async () => (await c.get(`/api/v1/billing/checkouts/${r.body.checkout.id}`)).body.checkout.status === 'active'
    && (await c.get('/api/v1/billing')).body.tier === 'plus');
  const sale = (await w.sim.record()).money.find((m) => m.parent_id === sub && m.kind === 'charge');
  assert.ok(sale && sale.fee_minor > 0, `a PayPal sale with a fee for ${sub}`);
  return sale;
}

/** The affiliate's earnings once pred(earnings) holds. */
export const earningsWhen = (affiliate, what, pred) => until(what, async () => {
  const e = (await affiliate.get('/api/v1/affiliate/earnings')).body;
  return pred(e) && e;
});
