// Self-serve ads, serving (issue 21; CONTRACT21.md "Serving"): sponsored
// candidates with their signed single-use token, link and why; targeting by
// the viewer's pets' species, the tags of posts they liked, their locale and
// declared country; pacing over the day, the daily and lifetime budgets and
// the balance as hard caps (within one impression's cost); the frequency cap;
// none for Plus; POST /ads/events counting once (replays, forgeries, another
// viewer's token, expiry, races); the campaign report. One server on a clock
// moved to ten minutes past a UTC midnight (PA_TEST_CLOCK_OFFSET), restarted
// once an hour later for the next pacing slot and expiry. Campaigns are
// written straight into the database (the ads-buy lane's routes make them in
// the product; here only serving is under test). SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, Client, assertError, databaseEnv, dbQuery, email, png, startServer, stopServer } from './helpers.mjs';

// The repository as the site: its locales/ are the languages a person may choose.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// web/src/ads_serving.h
const FREQ_CAP = 3; // PA_ADSERVE_FREQ_CAP
const TOKEN_SECONDS = 3600; // PA_ADSERVE_TOKEN_SECONDS
const SLOT = 3600; // PA_ADSERVE_PACE_SLOT_SECONDS
const TOKEN_MAX = 256; // PA_ADSERVE_TOKEN_MAX
const PAGE_SHARE = 5; // PA_ADSERVE_PAGE_SHARE: at most one ad in five candidates
const EVENTS_BURST = 5; // PA_LIMIT_AD_EVENTS_BURST lowered for the second phase (limit.h: 120 a minute)

const nowReal = Math.floor(Date.now() / 1000);
// Ten minutes into the next UTC day: the first pacing slot, with 50 minutes to run in.
// A key of the test's, so tokens outlive the restart and only their expiry refuses them.
const SECRETS = { PA_SECRETS_KEY: '5e'.repeat(32) };
const OFFSET = (Math.floor(nowReal / 86400) + 1) * 86400 + 600 - nowReal;

let server;
let n = 0;
const clients = [];
const q = (sql) => dbQuery(server, sql);
const first = (out) => Number.parseInt(out, 10);
const num = (id) => Number(id.split('_')[1]);

async function person(tag, { species, locale, country } = {}) {
  const c = new Client(server);
  clients.push(c);
  c.email = email(tag);
  await c.signup(c.email);
  if (species) assert.equal((await c.post('/api/v1/pets', { name: 'Pet', species })).status, 201);
  const patch = {};
  if (locale) patch.locale = locale;
  if (country) patch.country = country;
  if (Object.keys(patch).length) assert.equal((await c.patch('/api/v1/me', patch)).status, 200);
  return c;
}

/** A person who advertises: an advertiser row of theirs, a pet to post as, credited minor units. */
async function advertiser(tag, credit) {
  const c = await person(tag);
  const pet = (await c.post('/api/v1/pets', { name: 'Brand', species: 'cat' })).body;
  const media = (await c.upload(png(8, 8), 'image/png')).id;
  const adv = first(q(`INSERT INTO advertisers (name, user_id, currency, created_at)
    VALUES ('${tag}', ${num(c.user.id)}, 'USD', 0) RETURNING id`));
  const a = { c, pet, media, adv, id: `ad_${adv}` };
  if (credit) topup(a, credit);
  return a;
}

/** A paid top-up of minor units (the provider's fee kept apart: the balance gets it all). */
function topup(a, minor, fee = 37) {
  const t = first(q(`INSERT INTO ad_topups (advertiser_id, provider, idem_key, amount_minor, currency,
    state, fee_minor, created_at, updated_at) VALUES (${a.adv}, 'paypal', 'serve-test-${a.adv}-${++n}-key',
    ${minor}, 'USD', 'paid', ${fee}, 0, 0) RETURNING id`));
  q(`INSERT INTO ad_ledger (advertiser_id, kind, amount_milli, currency, topup_id, at)
    VALUES (${a.adv}, 'topup', ${minor * 1000}, 'USD', ${t}, 0)`);
  return t;
}

/** An active campaign of a with one approved creative (a post of a's with campaign_id). */
async function campaign(a, { bid = 1000, daily = 0, total = 0, targets = {}, link = 'https://shop.example/ad' } = {}) {
  const id = first(q(`INSERT INTO campaigns (advertiser_id, name, state, bid_cpm_minor, daily_budget_minor,
    total_budget_minor, currency, starts_at, created_at, updated_at)
    VALUES (${a.adv}, 'campaign ${++n}', 'active', ${bid}, ${daily}, ${total}, 'USD', 0, 0, 0) RETURNING id`));
  for (const [kind, values] of Object.entries(targets)) {
    for (const v of values) q(`INSERT INTO ad_targets (campaign_id, kind, value) VALUES (${id}, '${kind}', '${v}')`);
  }
  const post = (await a.c.post('/api/v1/posts', { caption: `Our new thing #toys ${n}`, media_ids: [a.media], pet_ids: [a.pet.id] })).body;
  q(`UPDATE posts SET campaign_id = ${id} WHERE id = ${num(post.id)}`);
  q(`INSERT INTO ad_creatives (campaign_id, post_id, link, review, reviewed_at, created_at)
    VALUES (${id}, ${num(post.id)}, '${link}', 'approved', 1, 1)`);
  return { id: `c_${id}`, n: id, post: post.id, a };
}

/** The viewer's sponsored candidates of campaign cmp (all served ads when cmp is omitted). */
async function served(c, cmp) {
  const r = await c.get('/api/v1/feed/candidates');
  assert.equal(r.status, 200);
  return r.body.candidates.filter((k) => k.sponsored && (!cmp || k.sponsored.campaign_id === cmp.id));
}

async function tokenOf(c, cmp) {
  const ads = await served(c, cmp);
  assert.equal(ads.length, 1, `one ad of ${cmp.id} served`);
  return ads[0].sponsored.token;
}

const event = async (c, token, kind) => {
  const r = await c.post('/api/v1/ads/events', { token, kind });
  assert.equal(r.status, 200);
  return r.body.counted;
};

/** The campaign's ledger: [counted spend rows, their sum in thousandths]. */
function spend(cmp) {
  const [rows, sum] = q(`SELECT count(*), COALESCE(-SUM(amount_milli), 0) FROM ad_ledger
    WHERE campaign_id = ${cmp.n} AND kind = 'spend'`).split('|').map(Number);
  return { rows, sum };
}

const balance = (a) => Number(q(`SELECT COALESCE(SUM(amount_milli), 0) FROM ad_ledger WHERE advertiser_id = ${a.adv}`));

async function restart(offset, extra = {}) {
  await stopServer(server, { keepData: true });
  server = await startServer({ root: repoRoot, data: server.dir, env: { ...SECRETS, ...extra, PA_TEST_CLOCK_OFFSET: String(offset) } });
  for (const c of clients) c.server = server;
}

describe('ads serving', () => {
  let brand, cats, shop, paced, capped, lifetime, held;
  before(async () => {
    server = await startServer({ root: repoRoot, env: { ...SECRETS, PA_TEST_CLOCK_OFFSET: String(OFFSET) } });
    brand = await advertiser('brand', 100000);
    shop = await advertiser('shop', 100000);
    cats = await campaign(brand, { bid: 2500, targets: { species: ['cat'], language: ['es'], country: ['ES'] } });
  });
  after(async () => {
    const dir = server.dir;
    await stopServer(server, { keepData: false });
    assert.ok(dir);
  });

  test('a Spanish-speaking cat owner in Spain is served the ad, with its token, link and why', async () => {
    const v = await person('gato', { species: 'cat', locale: 'es', country: 'ES' });
    const ads = await served(v, cats);
    assert.equal(ads.length, 1);
    const s = ads[0].sponsored;
    assert.deepEqual(Object.keys(s), ['advertiser_id', 'campaign_id', 'token', 'link', 'why']);
    assert.equal(s.advertiser_id, brand.id);
    assert.equal(ads[0].post_id, cats.post);
    assert.equal(s.link, 'https://shop.example/ad');
    assert.match(s.token, /^[A-Za-z0-9_-]{87}$/);
    assert.deepEqual(s.why, { species: ['cat'], tags: [], languages: ['es'], countries: ['ES'] });
    // One serve row per offered ad, the viewer's, with what matched.
    assert.equal(q(`SELECT count(*) FROM ad_serves WHERE campaign_id = ${cats.n} AND viewer_id = ${num(v.user.id)}
      AND impressed_at IS NULL`), '1');
    // The creative is a candidate only as served: never also as an organic one.
    const all = (await v.get('/api/v1/feed/candidates')).body.candidates.filter((k) => k.post_id === cats.post);
    assert.equal(all.length, 1);
    assert.ok(all[0].sponsored);
    // The advertiser is never served their own ad.
    assert.equal((await served(brand.c, cats)).length, 0);
  });

  test('through the ads-buy routes: account, campaign, creative approved by a moderator, activated → served, counted, reported', async () => {
    const adv = await person('acme');
    assert.equal((await adv.put('/api/v1/ads/account', { name: 'Acme Pets', currency: 'USD' })).status, 200);
    const account = (await adv.get('/api/v1/ads/account')).body.advertiser;
    topup({ adv: num(account.id) }, 5000); // the top-up's provider flow is ads-buy's (tests/server/ads-account.test.mjs)
    const cmp = (await adv.post('/api/v1/ads/campaigns', { name: 'Gatos', objective: 'traffic', bid_cpm_minor: 3000,
      daily_budget_minor: 1000, total_budget_minor: 5000, targeting: { species: ['cat'], languages: ['es'], countries: ['ES'] } })).body.campaign;
    assert.equal(cmp.state, 'draft');
    const pet = (await adv.post('/api/v1/pets', { name: 'Michi', species: 'cat' })).body;
    const m = await adv.upload(png(9, 9), 'image/png');
    const cr = await adv.post(`/api/v1/ads/campaigns/${cmp.id}/creatives`,
      { pet_id: pet.id, media: [m.id], caption: 'Juguetes #gatosfelices', link: 'https://acme.example/juguete' });
    assert.equal(cr.status, 201, JSON.stringify(cr.body));
    const mod = await person('mod');
    const env = { ...process.env, ...(await databaseEnv(server.dir)) };
    const g = spawnSync(BIN, ['admin', '--data', server.dir, 'grant', mod.email, 'moderator'], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(g.status, 0, g.stderr);
    await mod.login(mod.email, 'correct horse battery');
    const viewer = await person('gata', { species: 'cat', locale: 'es', country: 'ES' });
    const unserved = await (async () => {
      const r = await adv.patch(`/api/v1/ads/campaigns/${cmp.id}`, { state: 'active' });
      return r.status;
    })();
    assert.notEqual(unserved, 200, 'no approved creative yet: not active');
    assert.equal((await served(viewer, cmp)).length, 0);
    assert.equal((await mod.post(`/api/v1/mod/ads/${cr.body.creative.id}/review`, { decision: 'approve' })).status, 200);
    assert.equal((await served(viewer, cmp)).length, 0, 'approved but still a draft');
    const act = await adv.patch(`/api/v1/ads/campaigns/${cmp.id}`, { state: 'active' });
    assert.equal(act.status, 200, JSON.stringify(act.body));
    const ads = await served(viewer, cmp);
    assert.equal(ads.length, 1);
    assert.equal(ads[0].post_id, cr.body.creative.post_id);
    assert.deepEqual(ads[0].sponsored.why, { species: ['cat'], tags: [], languages: ['es'], countries: ['ES'] });
    assert.equal(ads[0].sponsored.link, 'https://acme.example/juguete');
    const t = ads[0].sponsored.token;
    assert.deepEqual([await event(viewer, t, 'impression'), await event(viewer, t, 'impression')], [true, false]);
    assert.deepEqual([await event(viewer, t, 'click'), await event(viewer, t, 'click')], [true, false]);
    const r = (await adv.get(`/api/v1/ads/campaigns/${cmp.id}/report`)).body;
    assert.deepEqual(r.totals, { impressions: 1, clicks: 1, ctr_bp: 10000, spend_minor: 3 });
    assert.equal((await adv.get('/api/v1/ads/account')).body.advertiser.balance_minor, 5000 - 3);
    // Paused: served no more.
    assert.equal((await adv.patch(`/api/v1/ads/campaigns/${cmp.id}`, { state: 'paused' })).status, 200);
    assert.equal((await served(viewer, cmp)).length, 0);
  });

  test('targeting: species, language, country each must match; nothing is guessed', async () => {
    const dog = await person('perro', { species: 'dog', locale: 'es', country: 'ES' });
    const english = await person('cat-en', { species: 'cat', locale: 'en', country: 'ES' });
    const mexico = await person('gato-mx', { species: 'cat', locale: 'es', country: 'MX' });
    const undeclared = await person('gato-x', { species: 'cat', locale: 'es' });
    for (const c of [dog, english, mexico, undeclared]) assert.equal((await served(c, cats)).length, 0);
    const mx = await campaign(shop, { targets: { language: ['es', 'pt'], country: ['MX', 'AR'] } });
    const ads = await served(mexico, mx);
    assert.deepEqual(ads[0].sponsored.why, { species: [], tags: [], languages: ['es'], countries: ['MX'] });
    // A base language matches a locale with a script or region ("zh" serves "zh-Hans").
    const zh = await campaign(shop, { targets: { language: ['zh'] } });
    const hans = await person('hans', { locale: 'zh-Hans' });
    assert.deepEqual((await served(hans, zh))[0].sponsored.why, { species: [], tags: [], languages: ['zh'], countries: [] });
    assert.equal((await served(mexico, zh)).length, 0);
    // The longest list a campaign may keep (30 countries: PA_ADS_TARGET_COUNTRIES_MAX) is read whole.
    const thirty = ['AR', 'AT', 'AU', 'BE', 'BO', 'BR', 'CA', 'CH', 'CL', 'CO', 'CR', 'CU', 'DE', 'DK', 'DO', 'EC', 'ES', 'FI',
      'FR', 'GB', 'GT', 'HN', 'IE', 'IT', 'JP', 'NI', 'NL', 'PA', 'PE', 'MX'];
    const wide = await campaign(shop, { targets: { country: thirty } });
    assert.deepEqual((await served(mexico, wide))[0].sponsored.why.countries, ['MX']);
    // Tags: those of posts the viewer liked.
    const tagged = await campaign(shop, { targets: { tag: ['toys', 'nap'] } });
    const liker = await person('liker');
    assert.equal((await served(liker, tagged)).length, 0);
    const likedPost = (await liker.get(`/api/v1/posts/${cats.post}`)).body;
    assert.ok(likedPost.tags.includes('toys'), 'the creative\'s caption has #toys (campaign())');
    assert.equal((await liker.put(`/api/v1/posts/${cats.post}/like`)).status, 200);
    const t = await served(liker, tagged);
    assert.deepEqual(t[0].sponsored.why, { species: [], tags: ['toys'], languages: [], countries: [] });
    // Untargeted: everyone, with empty why lists.
    const open = await campaign(shop);
    assert.deepEqual((await served(dog, open))[0].sponsored.why, { species: [], tags: [], languages: [], countries: [] });
  });

  test('events: counted once each, a click only after the impression, the spend row with it', async () => {
    const v = await person('events', { species: 'cat', locale: 'es', country: 'ES' });
    const token = await tokenOf(v, cats);
    const before = spend(cats);
    assert.equal(await event(v, token, 'click'), false, 'no click before the impression');
    assert.equal(await event(v, token, 'impression'), true);
    assert.equal(await event(v, token, 'impression'), false, 'replayed');
    assert.equal(await event(v, token, 'click'), true);
    assert.equal(await event(v, token, 'click'), false, 'replayed');
    const after = spend(cats);
    assert.deepEqual(after, { rows: before.rows + 1, sum: before.sum + 2500 });
    assert.equal(q(`SELECT count(*) FROM ad_serves WHERE viewer_id = ${num(v.user.id)}
      AND impressed_at IS NOT NULL AND clicked_at IS NOT NULL`), '1');
    // Two at once: one counts.
    const t2 = await tokenOf(v, cats);
    const both = await Promise.all([event(v, t2, 'impression'), event(v, t2, 'impression')]);
    assert.deepEqual(both.sort(), [false, true]);
    const clicks = await Promise.all([event(v, t2, 'click'), event(v, t2, 'click'), event(v, t2, 'click')]);
    assert.deepEqual(clicks.sort(), [false, false, true]);
    assert.equal(spend(cats).rows, before.rows + 2);
  });

  test('forgeries count nothing: a flipped bit, another viewer\'s token, spliced tokens, junk', async () => {
    const v = await person('forger', { species: 'cat', locale: 'es', country: 'ES' });
    const w = await person('other', { species: 'cat', locale: 'es', country: 'ES' });
    const mine = await tokenOf(v, cats);
    const before = spend(cats);
    const bytes = Buffer.from(mine, 'base64url');
    for (const bit of [0, 8, 9 * 8 + 3, 17 * 8 + 5, 25 * 8, 40 * 8 + 7, bytes.length * 8 - 1]) {
      const b = Buffer.from(bytes);
      b[bit >> 3] ^= 1 << (bit & 7);
      assert.equal(await event(v, b.toString('base64url'), 'impression'), false, `bit ${bit}`);
    }
    assert.equal(await event(w, mine, 'impression'), false, 'another viewer\'s token');
    // Another campaign's token spliced in: its serve and campaign, this MAC; and the reverse.
    const wt = await tokenOf(w, cats);
    const open = await campaign(shop);
    const ot = await tokenOf(v, open);
    const [x, y] = [Buffer.from(mine, 'base64url'), Buffer.from(ot, 'base64url')];
    const splice = (a, b, from, to) => Buffer.concat([a.subarray(0, from), b.subarray(from, to), a.subarray(to)]).toString('base64url');
    assert.equal(await event(v, splice(x, y, 17, 25), 'impression'), false, 'campaign swapped');
    assert.equal(await event(v, splice(x, y, 1, 9), 'impression'), false, 'serve swapped');
    assert.equal(await event(v, splice(x, Buffer.from(wt, 'base64url'), 9, 17), 'impression'), false, 'viewer swapped');
    for (const junk of ['x', 'A'.repeat(87), `${mine}A`, mine.slice(0, -1), `${mine}=`, 'A'.repeat(TOKEN_MAX)]) {
      assert.equal(await event(v, junk, 'impression'), false, junk.slice(0, 20));
    }
    assert.deepEqual(spend(cats), before);
    // The real one still counts after all that.
    assert.equal(await event(v, mine, 'impression'), true);
  });

  test('the events route: no session 401, CSRF 403, malformed bodies 400 (the token at its length edge)', async () => {
    const v = await person('route');
    const anon = new Client(server);
    assertError(await anon.post('/api/v1/ads/events', { token: 'x', kind: 'impression' }), 401, 'unauthorized');
    const noCsrf = await v.post('/api/v1/ads/events', { token: 'x', kind: 'impression' }, { csrf: false });
    assert.equal(noCsrf.status, 403);
    for (const bad of [{}, { token: 'x' }, { kind: 'click' }, { token: 'x', kind: 'view' }, { token: 1, kind: 'click' },
      { token: '', kind: 'click' }, { token: 'x', kind: 'click', more: 1 }, { token: 'A'.repeat(TOKEN_MAX + 1), kind: 'click' }]) {
      assertError(await v.post('/api/v1/ads/events', bad), 400, 'bad_request');
    }
    const edge = await v.post('/api/v1/ads/events', { token: 'A'.repeat(TOKEN_MAX), kind: 'click' });
    assert.deepEqual([edge.status, edge.body], [200, { counted: false }]);
    assertError(await v.post('/api/v1/ads/events', undefined, { body: '[1]', headers: { 'content-type': 'application/json' } }), 400, 'bad_request');
  });

  test(`frequency cap: ${FREQ_CAP} counted impressions per person per campaign, the next neither served nor counted`, async () => {
    capped = await campaign(shop, { bid: 1000 });
    const v = await person('freq');
    const held = [];
    for (let i = 0; i < FREQ_CAP; i++) held.push(await tokenOf(v, capped));
    const extra = await tokenOf(v, capped); // served: nothing counted yet
    for (const t of held) assert.equal(await event(v, t, 'impression'), true);
    assert.equal((await served(v, capped)).length, 0, 'the cap reached: not served');
    assert.equal(await event(v, extra, 'impression'), false, 'nor counted from a token served before');
    // Someone else still is.
    assert.equal((await served(await person('freq2'), capped)).length, 1);
  });

  test('lifetime budget and balance are hard caps: delivery stops within one impression\'s cost', async () => {
    // 5 minor units at 2 per impression: served while the next fits (0, 2000 -> 4000 spent).
    const a = await advertiser('lifetime', 1000);
    lifetime = await campaign(a, { bid: 2000, total: 5 });
    const viewers = [];
    for (let i = 0; i < 4; i++) viewers.push(await person(`life${i}`));
    const tokens = [];
    for (const v of viewers) tokens.push(await tokenOf(v, lifetime)); // all served before any spend
    const counted = [];
    for (const [i, v] of viewers.entries()) counted.push(await event(v, tokens[i], 'impression'));
    // 0 -> 2000 -> 4000 -> 6000 (under 5000 when counted), then refused: 1000 over, under one step.
    assert.deepEqual(counted, [true, true, true, false]);
    assert.equal(spend(lifetime).sum, 6000);
    assert.equal((await served(await person('life-late'), lifetime)).length, 0);

    // The balance: 3 minor units at 2 each.
    const poor = await advertiser('broke', 3);
    const broke = await campaign(poor, { bid: 2000 });
    const p = [await person('b1'), await person('b2'), await person('b3')];
    const bt = [await tokenOf(p[0], broke), await tokenOf(p[1], broke)];
    assert.equal(await event(p[0], bt[0], 'impression'), true); // 3000 -> 1000
    assert.equal((await served(p[2], broke)).length, 0, '1000 left cannot pay 2000: not served');
    assert.equal(await event(p[1], bt[1], 'impression'), true); // 1000 > 0: counted -> -1000
    assert.equal(balance(poor), -1000);
    assert.ok(balance(poor) >= -2000, 'never below one impression\'s cost');
    assert.equal((await served(p[2], broke)).length, 0);
  });

  test('a top-up refunded after it was spent: the balance below zero shows as owed, nothing is served or counted until a top-up', async () => {
    // 10 minor units at 2 per impression; 4 spent, then the 10 refunded at the provider
    // (booked as ads_pay.c books it; tests/server/ads-account.test.mjs books it through the simulators).
    const a = await advertiser('refunded');
    const t = topup(a, 10);
    const cmp = await campaign(a, { bid: 2000 });
    const v = [await person('rf1'), await person('rf2'), await person('rf3'), await person('rf4')];
    const tokens = [await tokenOf(v[0], cmp), await tokenOf(v[1], cmp), await tokenOf(v[2], cmp)];
    assert.equal(await event(v[0], tokens[0], 'impression'), true);
    assert.equal(await event(v[1], tokens[1], 'impression'), true);
    q(`INSERT INTO ad_ledger (advertiser_id, kind, amount_milli, currency, refund_of, at) VALUES (${a.adv}, 'refund', -10000, 'USD', ${t}, 0)`);
    assert.equal(balance(a), -4000);
    let acc = (await a.c.get('/api/v1/ads/account')).body.advertiser;
    assert.deepEqual([acc.balance_minor, acc.owed_minor, acc.spent_minor], [0, 4, 4]);
    assert.equal((await served(v[3], cmp)).length, 0, 'a negative balance serves nothing');
    assert.equal(await event(v[2], tokens[2], 'impression'), false, 'nor counts a token served before');
    assert.equal(spend(cmp).rows, 2);
    // A part of a minor unit below zero owes nothing whole: rounded toward zero.
    topup(a, 4);
    q(`INSERT INTO ad_ledger (advertiser_id, kind, amount_milli, currency, serve_id, campaign_id, at) VALUES (${a.adv}, 'spend', -500, 'USD', -1, ${cmp.n}, 0)`);
    acc = (await a.c.get('/api/v1/ads/account')).body.advertiser;
    assert.deepEqual([balance(a), acc.balance_minor, acc.owed_minor], [-500, 0, 0]);
    assert.equal((await served(v[3], cmp)).length, 0);
    // A top-up that covers the debt and one impression serves again.
    topup(a, 3);
    acc = (await a.c.get('/api/v1/ads/account')).body.advertiser;
    assert.deepEqual([acc.balance_minor, acc.owed_minor], [2, 0]);
    assert.equal((await served(v[3], cmp)).length, 1, 'served again once the balance pays an impression');
  });

  test(`at most one ad in ${PAGE_SHARE} candidates`, async () => {
    const v = await person('share');
    const count = async (limit) => {
      const r = await v.get(`/api/v1/feed/candidates?limit=${limit}`);
      assert.equal(r.body.candidates.length, limit);
      return r.body.candidates.filter((k) => k.sponsored).length;
    };
    // Eligible for this viewer: the seed's two untargeted campaigns and the shop's open ones.
    assert.equal(await count(PAGE_SHARE - 1), 0);
    assert.equal(await count(PAGE_SHARE), 1);
    assert.equal(await count(2 * PAGE_SHARE - 1), 1);
    assert.equal(await count(2 * PAGE_SHARE), 2);
  });

  test('Plus members are served no ads and their serves are not recorded', async () => {
    const v = await person('plus', { species: 'cat', locale: 'es', country: 'ES' });
    q(`UPDATE users SET plus_until = 4102444800 WHERE id = ${num(v.user.id)}`);
    const cands = (await v.get('/api/v1/feed/candidates')).body.candidates;
    assert.ok(cands.length > 0);
    assert.ok(cands.every((k) => k.sponsored === null));
    assert.equal(q(`SELECT count(*) FROM ad_serves WHERE viewer_id = ${num(v.user.id)}`), '0');
  });

  test('pacing: the first hour allows 1/24 of the daily budget; the next slot opens an hour later', async () => {
    // 48 minor units a day at 1 per impression: 2 in each hour's slot.
    const a = await advertiser('paced', 1000);
    paced = await campaign(a, { bid: 1000, daily: 48 });
    const vs = [await person('pace1'), await person('pace2'), await person('pace3')];
    for (const v of vs.slice(0, 2)) assert.equal(await event(v, await tokenOf(v, paced), 'impression'), true);
    assert.equal((await served(vs[2], paced)).length, 0, 'the slot\'s allowance is spent');
    held = { v: vs[0], token: await tokenOf(vs[0], capped) }; // unused until the clock moves past its hour
  });

  test('an hour later: the next slot serves again; a token older than its hour counts nothing', async () => {
    await restart(OFFSET + SLOT, { PA_LIMIT_AD_EVENTS_BURST: String(EVENTS_BURST), PA_LIMIT_AD_EVENTS_WINDOW: '3600' });
    const v = clients.find((c) => c === held.v);
    assert.ok(v);
    assert.equal(await event(v, held.token, 'impression'), false, `expired after ${TOKEN_SECONDS} s`);
    const vs = [await person('pace4'), await person('pace5'), await person('pace6')];
    for (const p of vs.slice(0, 2)) assert.equal(await event(p, await tokenOf(p, paced), 'impression'), true);
    assert.equal((await served(vs[2], paced)).length, 0, '2 more in the second slot, then paced again');
  });

  test(`events are rate limited per person: ${EVENTS_BURST} allowed, the next 429`, async () => {
    const v = await person('limited');
    for (let i = 0; i < EVENTS_BURST; i++) assert.equal(await event(v, 'x', 'impression'), false);
    assertError(await v.post('/api/v1/ads/events', { token: 'x', kind: 'impression' }), 429, 'rate_limited');
    // A malformed body is refused before the limit is charged.
    assertError(await (await person('limited2')).post('/api/v1/ads/events', { kind: 'x' }), 400, 'bad_request');
  });

  test('the report: the owner\'s totals, days and targets are the ledger\'s; others 404, no session 401', async () => {
    const r = await brand.c.get(`/api/v1/ads/campaigns/${cats.id}/report`);
    assert.equal(r.status, 200);
    const { rows, sum } = spend(cats);
    const clicks = Number(q(`SELECT count(*) FROM ad_serves WHERE campaign_id = ${cats.n} AND clicked_at IS NOT NULL`));
    assert.equal(r.body.currency, 'USD');
    assert.deepEqual(r.body.totals, {
      impressions: rows, clicks, ctr_bp: Math.floor((clicks * 10000) / rows), spend_minor: Math.floor(sum / 1000),
    });
    assert.ok(rows >= 3 && clicks >= 2, 'the events and forgeries tests counted some');
    assert.equal(r.body.days.length, 1);
    assert.match(r.body.days[0].day, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(r.body.days[0].day, new Date((nowReal + OFFSET) * 1000).toISOString().slice(0, 10));
    assert.deepEqual(r.body.days.map((d) => d.impressions), [rows]);
    // Everyone counted matched all three targets.
    const kinds = r.body.targets.map((t) => `${t.kind}:${t.value}:${t.impressions}`).sort();
    assert.deepEqual(kinds, [`country:ES:${rows}`, `language:es:${rows}`, `species:cat:${rows}`]);
    // Another person (another advertiser included), nobody, a campaign that does not exist.
    assertError(await shop.c.get(`/api/v1/ads/campaigns/${cats.id}/report`), 404, 'not_found');
    assertError(await (await person('nosy')).get(`/api/v1/ads/campaigns/${cats.id}/report`), 404, 'not_found');
    assertError(await new Client(server).get(`/api/v1/ads/campaigns/${cats.id}/report`), 401, 'unauthorized');
    assertError(await brand.c.get('/api/v1/ads/campaigns/c_999999/report'), 404, 'not_found');
    // The seed's campaigns have no person: nobody's.
    assertError(await brand.c.get('/api/v1/ads/campaigns/c_1/report'), 404, 'not_found');
    // Lifetime: 6000 thousandths reported as 6 minor units, ctr 0.
    const l = (await lifetime.a.c.get(`/api/v1/ads/campaigns/${lifetime.id}/report`)).body;
    assert.deepEqual(l.totals, { impressions: 3, clicks: 0, ctr_bp: 0, spend_minor: 6 });
    assert.deepEqual(l.targets, []);
    // Two days for the paced campaign? One: both slots are the same UTC day.
    const p = (await paced.a.c.get(`/api/v1/ads/campaigns/${paced.id}/report`)).body;
    assert.deepEqual(p.totals, { impressions: 4, clicks: 0, ctr_bp: 0, spend_minor: 4 });
    assert.equal(p.days.length, 1);
  });
});
