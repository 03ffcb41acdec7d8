// Affiliates: joining, links, clicks and attribution at sign-up (issue 21,
// CONTRACT21.md "Joining, links, attribution"; web/README.md, "Affiliates"),
// the embeds that carry an affiliate's code, and the upgrade to the schema
// that holds them. One server (the small world, PA_SECRETS_KEY set so the
// first-touch cookie survives its one restart, which moves the clock to the
// window's edges), both engines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { validateResponse } from '../lib/openapi.mjs';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';
import {
  BIN, Client, assertError, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, png, startServer,
  stopServer,
} from './helpers.mjs';

// The named limits, as in web/src/aff.h.
const WINDOW = 30 * 86400; // PA_AFF_WINDOW_DAYS
const CLICKS_SOURCE_DAY = 5; // PA_AFF_CLICKS_SOURCE_DAY
const VELOCITY_PER_HOUR = 5; // PA_AFF_VELOCITY_PER_HOUR
const EDGE_TRIES = 4; // restarts the window's edge test may take to land its sign-ups on the planned seconds
const TO_MAX = 512; // PA_AFF_TO_MAX
const KEY = '5e'.repeat(32);
const PASSWORD = 'correct horse battery';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function person(server, tag) {
  const c = new Client(server);
  const mail = email(tag);
  const user = await c.signup(mail, PASSWORD, `Person ${tag}`);
  return { c, mail, id: user.id, num: Number(user.id.slice(2)) };
}

async function affiliate(server, tag, kind = 'person') {
  const p = await person(server, tag);
  const r = await p.c.post('/api/v1/affiliate', { kind });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { ...p, code: r.body.affiliate.code, link: r.body.affiliate.link };
}

/** GET (or another method) of an affiliate's link; the pa_aff cookie it set, if any. */
async function follow(c, code, { to, headers = {}, method = 'GET', xff } = {}) {
  const target = `/r/${code}${to === undefined ? '' : `?to=${encodeURIComponent(to)}`}`;
  const h = { ...headers };
  if (xff) h['x-forwarded-for'] = xff;
  const r = await c.request(method, target, { headers: h });
  assert.equal(r.status, 302, `${method} ${target}`);
  validateResponse('GET', '/r/{code}', 302, undefined);
  const set = (r.headers['set-cookie'] ?? []).find((x) => x.startsWith('pa_aff='));
  return { ...r, location: r.headers.location, set, value: set ? /^pa_aff=([^;]*)/.exec(set)[1] : null };
}

/** Signs a newcomer up carrying cookie (the pa_aff value, or null) from xff. */
async function signupWith(server, tag, value, { xff, mail = email(tag), session } = {}) {
  const c = new Client(server);
  const headers = {};
  if (xff) headers['x-forwarded-for'] = xff;
  const cookies = [session ? `pa_session=${session}` : null, value ? `pa_aff=${value}` : null].filter(Boolean);
  if (cookies.length) headers.cookie = cookies.join('; ');
  const r = await c.request('POST', '/api/v1/auth/signup', {
    json: { email: mail, password: PASSWORD, display_name: `Person ${tag}` }, headers, cookie: false,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { c, id: r.body.user.id, num: Number(r.body.user.id.slice(2)) };
}

const referral = (server, who) =>
  dbQuery(server, `SELECT state, coalesce(reason, ''), affiliate_id FROM aff_referrals WHERE referred_id = ${who.num}`);
const clicks = (server, aff) => Number(dbQuery(server, `SELECT count(*) FROM aff_clicks WHERE affiliate_id = ${aff.num}`));

describe('affiliates: joining, links and attribution', () => {
  let server, first, origin, ann, bea, cy;

  before(async () => {
    server = first = await startServer({ env: { PA_SECRETS_KEY: KEY } });
    origin = server.url.replace(/\/$/, '');
    ann = await affiliate(server, 'ann', 'shelter');
    bea = await affiliate(server, 'bea', 'vet');
    cy = await affiliate(server, 'cy');
  });
  after(async () => {
    server.tmp = first.tmp;
    await stopServer(server, { keepData: false });
  });

  test('joining: no session 401, CSRF 403, kinds checked, 201 then 200 with the same code; each sees only their own', async () => {
    const anon = new Client(server);
    assertError(await anon.get('/api/v1/affiliate'), 401, 'unauthorized');
    assertError(await anon.post('/api/v1/affiliate', { kind: 'person' }), 401, 'unauthorized');
    assertError(await anon.get('/api/v1/affiliate/stats'), 401, 'unauthorized');
    const dee = await person(server, 'dee');
    assert.deepEqual((await dee.c.get('/api/v1/affiliate')).body, { affiliate: null });
    assertError(await dee.c.get('/api/v1/affiliate/stats'), 404, 'not_found');
    assertError(await dee.c.post('/api/v1/affiliate', { kind: 'person' }, { csrf: false }), 403, 'csrf');
    for (const body of [{}, { kind: 'breeder' }, { kind: 'Vet' }, { kind: 3 }, { kind: 'vet', code: 'mine123' }]) {
      const r = await dee.c.post('/api/v1/affiliate', body);
      assert.equal(r.status, 400, JSON.stringify(body));
    }
    assert.deepEqual((await dee.c.get('/api/v1/affiliate')).body, { affiliate: null });
    const joined = await dee.c.post('/api/v1/affiliate', { kind: 'shop' });
    assert.equal(joined.status, 201);
    const a = joined.body.affiliate;
    assert.match(a.code, /^[a-hjkmnp-z2-9]{8}$/);
    assert.equal(a.kind, 'shop');
    assert.equal(a.link, `${origin}/r/${a.code}`);
    assert.equal(a.payout_email, null);
    const again = await dee.c.post('/api/v1/affiliate', { kind: 'vet' });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, joined.body);
    assert.deepEqual((await dee.c.get('/api/v1/affiliate')).body, joined.body);
    // Another person: their own membership, never dee's; codes differ.
    const other = (await ann.c.get('/api/v1/affiliate')).body.affiliate;
    assert.equal(other.kind, 'shelter');
    assert.notEqual(other.code, a.code);
    assert.equal(new Set([ann.code, bea.code, cy.code, a.code]).size, 4);
  });

  test('/r/{code}: counts a click, sets a signed first-touch cookie, keeps the first touch, redirects', async () => {
    const anon = new Client(server);
    const r = await follow(anon, ann.code, { to: '/posts/p_1' });
    assert.equal(r.location, '/posts/p_1');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.match(r.set, new RegExp(`^pa_aff=${ann.code}\\.[1-9][0-9]*\\.[A-Za-z0-9_-]{43}; Path=/; Max-Age=${WINDOW}; HttpOnly; SameSite=Lax$`));
    assert.equal(clicks(server, ann), 1);
    // First touch: a later link of someone else counts for them but keeps ann's cookie.
    const later = await follow(anon, bea.code, { headers: { cookie: `pa_aff=${r.value}` } });
    assert.equal(later.location, '/');
    assert.equal(later.set, undefined);
    assert.equal(clicks(server, bea), 1);
    // A cookie we did not sign (altered time, another code's MAC) is replaced.
    const [code, at, mac] = r.value.split('.');
    for (const forged of [`${code}.${Number(at) - 1}.${mac}`, `${bea.code}.${at}.${mac}`, `${code}.${at}.${'A'.repeat(43)}`, 'junk']) {
      const again = await follow(anon, bea.code, { headers: { cookie: `pa_aff=${forged}` } });
      assert.ok(again.value?.startsWith(`${bea.code}.`), forged);
    }
    // Secure behind an https proxy on this machine.
    const secure = await follow(new Client(server), cy.code, { headers: { 'x-forwarded-proto': 'https' } });
    assert.match(secure.set, /; HttpOnly; SameSite=Lax; Secure$/);
    // An unknown code and a malformed one: home (or to), no cookie, nothing counted.
    for (const bad of ['zzzzzzzz', 'AB', 'a'.repeat(17), 'ann-123']) {
      const u = await follow(anon, bad, { to: '/market' });
      assert.equal(u.location, '/market');
      assert.equal(u.set, undefined);
    }
    assert.equal(Number(dbQuery(server, 'SELECT count(*) FROM aff_clicks')), 1 + 1 + 4 + 1);
  });

  test('/r/{code}: HEAD, prefetches, crawlers and the affiliate themself are not clicks; one source counts five a day', async () => {
    const before = clicks(server, cy);
    const head = await follow(new Client(server), cy.code, { method: 'HEAD' });
    assert.equal(head.set, undefined);
    for (const headers of [{ purpose: 'prefetch' }, { 'sec-purpose': 'prefetch;prerender' }, { 'x-moz': 'prefetch' },
      { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' },
      { 'user-agent': 'facebookexternalhit/1.1' }, { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1)' }]) {
      const r = await follow(new Client(server), cy.code, { headers });
      // A prefetch may become the navigation: it still gets the cookie; a crawler does not. Neither counts.
      assert.equal(Boolean(r.set), Boolean(headers.purpose || headers['sec-purpose'] || headers['x-moz']), JSON.stringify(headers));
    }
    const own = await follow(cy.c, cy.code);
    assert.equal(own.set, undefined);
    assert.equal(clicks(server, cy), before);
    // PA_AFF_CLICKS_SOURCE_DAY: five from one /24 count (different addresses in it), the sixth does not.
    for (let i = 1; i <= CLICKS_SOURCE_DAY; i++) await follow(new Client(server), cy.code, { xff: `192.0.2.${i}` });
    assert.equal(clicks(server, cy), before + CLICKS_SOURCE_DAY);
    const sixth = await follow(new Client(server), cy.code, { xff: '192.0.2.200', to: '/market' });
    assert.equal(sixth.location, '/market');
    assert.ok(sixth.set, 'still the cookie: the person is real enough to attribute');
    assert.equal(clicks(server, cy), before + CLICKS_SOURCE_DAY);
    await follow(new Client(server), cy.code, { xff: '192.0.3.1' });
    assert.equal(clicks(server, cy), before + CLICKS_SOURCE_DAY + 1);
    // The stored source is a keyed hash of the prefix, never the address.
    const sources = dbQuery(server, `SELECT DISTINCT source_hash FROM aff_clicks WHERE affiliate_id = ${cy.num}`).split('\n');
    for (const h of sources) assert.match(h, /^[0-9a-f]{32}$/);
    assert.equal(Number(dbQuery(server, "SELECT count(*) FROM aff_clicks WHERE source_hash LIKE '%192%'")), 0);
  });

  test('/r/{code}?to=: only a path on this site; every open-redirect attempt goes home', async () => {
    const anon = new Client(server);
    for (const good of ['/posts/p_1', '/listings/lst_2?lang=es#photos', '/market?q=cama%20perro', '/a/../b', `/${'x'.repeat(TO_MAX - 1)}`])
      assert.equal((await follow(anon, ann.code, { to: good })).location, good);
    for (const bad of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'http:evil.example', 'javascript:alert(1)',
      'evil.example', '', ' /posts', '/posts p_1', '/\t/evil.example', '/x\r\nSet-Cookie: a=b', '/café', `/${'x'.repeat(TO_MAX)}`,
      '\\\\evil.example'])
      assert.equal((await follow(anon, ann.code, { to: bad })).location, '/', JSON.stringify(bad));
  });

  test('sign-up through the link: attributed; self-referral, velocity and no valid cookie are not', async () => {
    const click = await follow(new Client(server), bea.code, { xff: '203.0.113.7' });
    // Attributed, from one /24: PA_AFF_VELOCITY_PER_HOUR of them, the next refused.
    const made = [];
    for (let i = 1; i <= VELOCITY_PER_HOUR; i++) made.push(await signupWith(server, `v${i}`, click.value, { xff: `198.51.100.${i}` }));
    for (const m of made) assert.equal(referral(server, m), `attributed||${bea.num}`);
    const burst = await signupWith(server, 'v6', click.value, { xff: '198.51.100.77' });
    assert.equal(referral(server, burst), `refused|velocity|${bea.num}`);
    // Another source is not part of that burst.
    const elsewhere = await signupWith(server, 'else', click.value, { xff: '203.0.113.9' });
    assert.equal(referral(server, elsewhere), `attributed||${bea.num}`);
    // Self-referral: bea's own address with another case and a +tag …
    const [local, domain] = bea.mail.split('@');
    const tagged = await signupWith(server, 'self', click.value, { mail: `${local.toUpperCase()}+second@${domain.toUpperCase()}`, xff: '192.0.2.99' });
    assert.equal(referral(server, tagged), `refused|self_referral|${bea.num}`);
    // … or signing up while signed in as bea.
    const session = await signupWith(server, 'self2', click.value, { session: bea.c.cookie, xff: '192.0.2.98' });
    assert.equal(referral(server, session), `refused|self_referral|${bea.num}`);
    // No cookie, one we did not sign, an unknown code: no decision at all.
    const [, at, mac] = click.value.split('.');
    for (const [tag, value] of [['none', null], ['forged', `${bea.code}.${Number(at) + 1}.${mac}`], ['unknown', `zzzzzzzz.${at}.${mac}`]]) {
      const who = await signupWith(server, tag, value, { xff: '192.0.2.97' });
      assert.equal(referral(server, who), '', tag);
    }
    // Every sign-up through the link has its one decision.
    assert.equal(dbQuery(server, `SELECT count(*) FROM aff_referrals WHERE affiliate_id = ${bea.num}`), String(VELOCITY_PER_HOUR + 4));
  });

  test('the first-touch cookie is cleared on the sign-up\'s answer: a second account from that browser is not attributed', async () => {
    const dan = await affiliate(server, 'dan');
    const click = await follow(new Client(server), dan.code, { xff: '100.64.1.1' });
    // A browser's jar: what each answer's Set-Cookie leaves (Max-Age=0 removes).
    const jar = new Map([['pa_aff', click.value]]);
    const take = (r) => {
      for (const line of r.headers['set-cookie'] ?? []) {
        const [, name, value] = /^([^=]+)=([^;]*)/.exec(line);
        if (/;\s*Max-Age=0(;|$)/i.test(line)) jar.delete(name);
        else jar.set(name, value);
      }
    };
    const signup = async (tag, xff) => {
      const r = await new Client(server).request('POST', '/api/v1/auth/signup', {
        json: { email: email(tag), password: PASSWORD, display_name: `Person ${tag}` },
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), 'x-forwarded-for': xff }, cookie: false,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      take(r);
      return { r, num: Number(r.body.user.id.slice(2)) };
    };
    const first = await signup('browser1', '100.64.2.1');
    assert.equal(referral(server, first), `attributed||${dan.num}`);
    const cleared = first.r.headers['set-cookie'].filter((x) => x.startsWith('pa_aff='));
    assert.deepEqual(cleared, ['pa_aff=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax']);
    assert.ok(jar.has('pa_session') && !jar.has('pa_aff'));
    const second = await signup('browser2', '100.64.2.1');
    assert.equal(referral(server, second), '');
    // A sign-up with no affiliate cookie clears nothing.
    assert.ok(!(second.r.headers['set-cookie'] ?? []).some((x) => x.startsWith('pa_aff=')));
    assert.equal(dbQuery(server, `SELECT count(*) FROM aff_referrals WHERE affiliate_id = ${dan.num}`), '1');
  });

  test('stats: every month since joining, clicks and attributed sign-ups, refusals by reason', async () => {
    const r = await bea.c.get('/api/v1/affiliate/stats');
    assert.equal(r.status, 200);
    const joined = (await bea.c.get('/api/v1/affiliate')).body.affiliate.joined_at.slice(0, 7);
    assert.deepEqual(r.body.months, [{ month: joined, clicks: clicks(server, bea), signups: VELOCITY_PER_HOUR + 1 }]);
    assert.ok(r.body.months[0].clicks >= 2);
    assert.deepEqual(r.body.refused, [{ reason: 'self_referral', n: 2 }, { reason: 'velocity', n: 1 }]);
    // Nobody else's figures: cy's are cy's.
    const c = (await cy.c.get('/api/v1/affiliate/stats')).body;
    assert.deepEqual(c.months.map((m) => m.signups), [0]);
    assert.deepEqual(c.refused, []);
  });

  test('embeds carry the code: oEmbed and the embed pages of a post and a listing link through /r/{code}', async () => {
    const post = (await new Client(server).get('/api/v1/feed?limit=1')).body.posts[0].id;
    const seller = await ann.c.put('/api/v1/me/seller', { name: 'Shelter Shop', payout: { provider: 'paypal', email: 'pay.ann@example.test' } });
    assert.equal(seller.status, 201, JSON.stringify(seller.body));
    const photo = (await ann.c.upload(png(40, 30), 'image/png')).id;
    const made = await ann.c.post('/api/v1/listings', {
      title: 'Cat tree', lang: 'en', photos: [photo], description: '', price_minor: 4990, currency: 'USD', stock: 3,
      condition: 'new', kind: 'product', category: 'toys', species: ['cat'], location: { city: 'Austin', country: 'US' },
      shipping: { pickup: true },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const listing = made.body.id;
    const anon = new Client(server);
    const oembed = (c, url, extra = {}) => c.get(`/api/v1/oembed?${new URLSearchParams({ url, ...extra })}`);
    for (const [kind, id, pathOf] of [['post', post, `/posts/${post}`], ['listing', listing, `/listings/${listing}`]]) {
      const through = `${origin}/r/${ann.code}?to=${encodeURIComponent(pathOf)}`;
      const attr = kind === 'post' ? 'data-post-id' : 'data-listing-id';
      // ?ref=, a ref= in the item's address, or the signed-in affiliate copying it: the same snippet.
      for (const r of [await oembed(anon, `${origin}${pathOf}`, { ref: ann.code }), await oembed(anon, `${origin}${pathOf}?ref=${ann.code}`),
        await oembed(ann.c, `${origin}${pathOf}`)]) {
        assert.equal(r.status, 200);
        assert.ok(r.body.html.includes(`${attr}="${id}"`), r.body.html);
        assert.ok(r.body.html.includes(`data-ref="${ann.code}"`), r.body.html);
        assert.ok(r.body.html.includes(`<a href="${through.replaceAll('&', '&amp;')}">`), r.body.html);
        assert.ok(r.body.html.includes(`cite="${origin}${pathOf}"`), 'cite names the item itself');
      }
      // Nobody's code: no ref, an unknown one, a person who is not an affiliate.
      const dee = await person(server, `plain${kind}`);
      for (const r of [await oembed(anon, `${origin}${pathOf}`), await oembed(anon, `${origin}${pathOf}`, { ref: 'zzzzzzzz' }),
        await oembed(dee.c, `${origin}${pathOf}`), await oembed(anon, `${origin}${pathOf}`, { ref: '<b>' })]) {
        assert.equal(r.status, 200);
        assert.ok(!r.body.html.includes('data-ref'), r.body.html);
        assert.ok(r.body.html.includes(`<a href="${origin}${pathOf}">`), r.body.html);
      }
      // The embed page embed.js frames with ?ref=: its link goes through the affiliate's.
      const page = async (q) => {
        const target = `/embed/${kind === 'post' ? 'p' : 'l'}/${id}${q}`;
        const r = await anon.get(target);
        validateResponse('GET', target, r.status, undefined, r.headers['content-type']);
        assert.equal(r.status, 200);
        return r.buf.toString('utf8');
      };
      assert.ok((await page(`?ref=${ann.code}&lang=es`)).includes(`<a class="view" href="/r/${ann.code}?to=${encodeURIComponent(pathOf)}"`));
      for (const q of ['', '?ref=zzzzzzzz', '?ref=%22%3E'])
        assert.ok((await page(q)).includes(`<a class="view" href="${pathOf}"`), q);
    }
    // The click from an embed counts as any other.
    const before = clicks(server, ann);
    const r = await follow(new Client(server), ann.code, { to: `/posts/${post}`, xff: '10.9.8.7' });
    assert.equal(r.location, `/posts/${post}`);
    assert.equal(clicks(server, ann), before + 1);
  });

  test('leaving: a referred person who deletes their account takes their referral; an affiliate takes their clicks and referrals', async () => {
    const eve = await affiliate(server, 'eve');
    const click = await follow(new Client(server), eve.code, { xff: '172.16.5.1' });
    const kept = await signupWith(server, 'kept', click.value, { xff: '172.16.6.1' });
    const leaver = await signupWith(server, 'leaver', click.value, { xff: '172.16.7.1' });
    assert.equal(referral(server, leaver), `attributed||${eve.num}`);
    assert.equal((await leaver.c.del('/api/v1/me', { password: PASSWORD })).status, 200);
    assert.equal(referral(server, leaver), '');
    assert.equal(referral(server, kept), `attributed||${eve.num}`);
    // Download my data: the affiliate's membership, clicks by day and sign-ups (not who); the newcomer's referrer.
    const mine = (await eve.c.get('/api/v1/me/export')).body;
    assert.deepEqual(mine.affiliate.map((a) => [a.code, a.kind, a.payout_email]), [[eve.code, 'person', null]]);
    assert.deepEqual(mine.affiliate_clicks.map((c) => c.clicks), [1]);
    assert.deepEqual(mine.affiliate_referrals.map((r) => [r.state, r.reason]), [['attributed', '']]); // the leaver's went with them
    assert.ok(!JSON.stringify(mine.affiliate_referrals).includes(kept.id));
    assert.deepEqual(mine.referred_by, []);
    const theirs = (await kept.c.get('/api/v1/me/export')).body.referred_by;
    assert.deepEqual(theirs.map((r) => [r.affiliate, r.state]), [[eve.id, 'attributed']]);
    assert.equal((await eve.c.del('/api/v1/me', { password: PASSWORD })).status, 200);
    assert.equal(dbQuery(server, `SELECT (SELECT count(*) FROM affiliates WHERE user_id = ${eve.num})
      + (SELECT count(*) FROM aff_clicks WHERE affiliate_id = ${eve.num})
      + (SELECT count(*) FROM aff_referrals WHERE affiliate_id = ${eve.num})`), '0');
    // Their link now leads home like any unknown code, and sets nothing.
    const after = await follow(new Client(server), eve.code, { to: '/market' });
    assert.equal(after.location, '/market');
    assert.equal(after.set, undefined);
  });

  test(`the window's edges on the test clock: a sign-up ${WINDOW} s after the click is attributed, one second later expired`, async () => {
    const click = await follow(new Client(server), cy.code, { xff: '100.64.0.1' });
    const at = Number(click.value.split('.')[1]);
    // Restart with the clock moved so that a sign-up sent just after a planned
    // whole second of the real clock is asked at exactly at + WINDOW, and the
    // next one a second later (the server judges the time a sign-up was asked,
    // not when its hash ended). A slow start or a slow answer lands a sign-up
    // on a later second: each one is checked against the rule for the second
    // it landed on, and the restart is tried again, with a longer lead, until
    // both edges were met.
    const dir = server.dir;
    const landed = new Map(); // seconds after the click → how it was judged
    const row = (who) => dbQuery(server, `SELECT attributed_at - clicked_at, state, coalesce(reason, '') FROM aff_referrals WHERE referred_id = ${who.num}`);
    for (let attempt = 0; attempt < EDGE_TRIES && !(landed.has(WINDOW) && landed.has(WINDOW + 1)); attempt++) {
      await stopServer(server);
      const target = Math.ceil(Date.now() / 1000) + 5 * 2 ** attempt; // the first sign-up's real second
      server = await startServer({ data: dir, seed: false, env: { PA_SECRETS_KEY: KEY, PA_TEST_CLOCK_OFFSET: String(at + WINDOW - target) } });
      for (const k of [0, 1]) {
        const wait = (target + k) * 1000 + 30 - Date.now();
        if (wait > 0) await sleep(wait);
        const who = await signupWith(server, `edge${attempt}${k}`, click.value, { xff: `100.64.${1 + 2 * attempt + k}.1` });
        const [after, ...rest] = row(who).split('|');
        const judged = rest.join('|');
        assert.equal(judged, Number(after) <= WINDOW ? 'attributed|' : 'refused|expired', `a sign-up ${after} s after the click`);
        landed.set(Number(after), judged);
      }
    }
    assert.equal(landed.get(WINDOW), 'attributed|', `the last second of the window met: ${[...landed.keys()]}`);
    assert.equal(landed.get(WINDOW + 1), 'refused|expired', `the first second after it met: ${[...landed.keys()]}`);
    // The cookie is kept as long as the window: a click now (30 days on) sets a new one.
    const again = await follow(new Client(server), cy.code, { headers: { cookie: `pa_aff=${click.value}` } });
    assert.ok(again.value?.startsWith(`${cy.code}.`));
  });
});

describe('PA_AFF_WINDOW_DAYS: the window from the environment', () => {
  test('a malformed value stops the server (exit 2, named); 1 day makes the cookie last a day', async () => {
    for (const bad of ['0', '366', '7d', '-1', '030']) {
      const r = spawnSync(BIN, ['--root', 'tests/corpus', '--data', path.join(os.tmpdir(), `pa-aff-never-${process.pid}`), '--port', '0'],
        { env: { ...process.env, PA_AFF_WINDOW_DAYS: bad }, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /PA_AFF_WINDOW_DAYS must be a whole number of days, 1\.\.365/);
    }
    const server = await startServer({ seed: false, env: { PA_AFF_WINDOW_DAYS: '1' } });
    try {
      const a = await affiliate(server, 'oneday');
      const r = await follow(new Client(server), a.code);
      assert.match(r.set, /; Max-Age=86400; /);
    } finally {
      await stopServer(server, { keepData: false });
    }
  });
});

// The version that makes the affiliate tables (31 when written; found in the source).
const AFF_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE affiliates')) + 1;

describe(`the upgrade to schema ${AFF_VERSION}: affiliates, clicks and referrals`, () => {
  const rows = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1), (2, 'bo', 'Bo', 'bo@example.test', 1);`;
  const after = `INSERT INTO affiliates (user_id, code, kind, joined_at) VALUES (1, 'annann', 'vet', 5);
    INSERT INTO aff_clicks (affiliate_id, at, day, source_hash) VALUES (1, 6, 0, '${'0a'.repeat(16)}');
    INSERT INTO aff_referrals (referred_id, affiliate_id, clicked_at, attributed_at, state, source_hash) VALUES (2, 1, 6, 7, 'attributed', '${'0a'.repeat(16)}');`;

  test('SQLite: a file one version older gains the three tables, empty, its people kept', async () => {
    assert.ok(AFF_VERSION > 0, 'a migration makes affiliates');
    const { tmp, data, sql, migrations: m } = await oldDatabase('affjoin', AFF_VERSION - 1);
    sql(rows);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql('SELECT count(*) FROM users'), '2');
      assert.equal(sql('SELECT (SELECT count(*) FROM affiliates) + (SELECT count(*) FROM aff_clicks) + (SELECT count(*) FROM aff_referrals)'), '0');
      sql(after);
      assert.equal(sql('SELECT a.code, r.state, c.day FROM affiliates a, aff_referrals r, aff_clicks c'), 'annann attributed 0');
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: a database one version older gets the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-affjoin-pg-'));
    const pg = await createDatabase('pa_affjoin_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, AFF_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${AFF_VERSION - 1};
        ${rows}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, 'SELECT count(*) AS n FROM affiliates'), [{ n: '0' }]);
        await runSql(pg.url, after);
        assert.deepEqual(await query(pg.url, 'SELECT a.code, r.state, c.day FROM affiliates a, aff_referrals r, aff_clicks c'),
          [{ code: 'annann', state: 'attributed', day: '0' }]);
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
