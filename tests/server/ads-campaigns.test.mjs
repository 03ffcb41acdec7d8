// Self-serve ads, campaigns and creatives (issue 21; web/README.md,
// "Self-serve ads"; web/src/api/ads.c, ads_rules.h): every route closed to
// who must not use it (no session 401, no CSRF token 403, another person's
// campaign or creative 404, a non-moderator's review 403); every limit of a
// campaign and a creative at its edge (last allowed, first refused); a
// creative's post kept out of every organic listing (feeds, following, a
// profile and a pet page with their counts, a tag page and the tag search,
// the ranking candidates) and readable by id only by its author until a
// moderator approves it; the moderation queue flow (kind ad: in the queue,
// in context, rejected with a note the advertiser reads, approved, the
// queue emptied, audited); pause and resume with their refusals. One server
// for the file. Runs on SQLite and on PostgreSQL (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, Client, assertError, databaseEnv, dbQuery, email, png, startServer, stopServer } from './helpers.mjs';

const PASSWORD = 'correct horse battery';
// The limits of web/src/ads_rules.h, in USD minor units (a "unit" is 100).
const NAME_MAX = 80; // PA_ADS_CAMPAIGN_NAME_MAX
const BID_MIN = 10; // PA_ADS_BID_MIN_TENTHS × unit / 10
const BID_MAX = 10000; // PA_ADS_BID_MAX_UNITS × unit
const DAILY_MIN = 100; // PA_ADS_DAILY_MIN_UNITS × unit
const DAILY_MAX = 1000000; // PA_ADS_DAILY_MAX_UNITS × unit
const TOTAL_MAX = 100000000; // PA_ADS_TOTAL_MAX_UNITS × unit
const START_PAST = 3600; // PA_ADS_START_PAST_SECONDS
const RUN_MIN = 3600; // PA_ADS_RUN_MIN_SECONDS
const RUN_MAX = 366 * 86400; // PA_ADS_RUN_MAX_SECONDS
const TAGS_MAX = 20; // PA_ADS_TARGET_TAGS_MAX
const COUNTRIES_MAX = 30; // PA_ADS_TARGET_COUNTRIES_MAX
const SPECIES_MAX = 9; // PA_ADS_TARGET_SPECIES_MAX
const LANGUAGES_MAX = 20; // PA_ADS_TARGET_LANGUAGES_MAX
const PHOTOS_MAX = 10; // PA_ADS_PHOTOS_MAX
const CAPTION_MAX = 2200; // PA_ADS_CAPTION_MAX
const LINK_MAX = 200; // PA_ADS_LINK_MAX
const NOTE_MAX = 300; // PA_ADS_NOTE_MAX
const CREATIVES_MAX = 10; // PA_ADS_CREATIVES_MAX

const iso = (secs) => new Date(secs * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const now = () => Math.floor(Date.now() / 1000);
const COUNTRIES = ['AR', 'AT', 'AU', 'BE', 'BO', 'BR', 'CA', 'CH', 'CL', 'CO', 'CR', 'CU', 'DE', 'DK', 'DO', 'EC', 'ES', 'FI',
  'FR', 'GB', 'GT', 'HN', 'IE', 'IT', 'JP', 'MX', 'NI', 'NL', 'PA', 'PE', 'PT'];
const LANGUAGES = ['ar', 'bn', 'de', 'en', 'es', 'fr', 'hi', 'id', 'it', 'ja', 'ko', 'nl', 'pl', 'pt', 'ru', 'th', 'tr', 'uk', 'vi', 'zh-Hans'];
const SPECIES = ['dog', 'cat', 'rabbit', 'hamster', 'guinea pig', 'parrot', 'fish', 'turtle', 'horse'];

async function cli(server, ...args) {
  const env = { ...process.env, ...(await databaseEnv(server.dir)) };
  const r = spawnSync(BIN, ['admin', '--data', server.dir, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

describe('ad campaigns and creatives', () => {
  let server, anon, adv, other, mod, viewer;
  let photo = 0;

  async function person(tag) {
    const c = new Client(server);
    c.mail = email(tag);
    c.user = await c.signup(c.mail, PASSWORD, tag);
    return c;
  }
  async function advertiser(c, currency = 'USD') {
    const r = await c.put('/api/v1/ads/account', { name: 'Acme Pets', currency });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.advertiser;
  }
  const base = (o = {}) => ({ name: 'Gatos', objective: 'traffic', bid_cpm_minor: 300, daily_budget_minor: 1000,
    total_budget_minor: 5000, ...o });
  async function campaign(c, o = {}) {
    const r = await c.post('/api/v1/ads/campaigns', base(o));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.campaign;
  }
  async function pet(c, species = 'cat') {
    const r = await c.post('/api/v1/pets', { name: 'Michi', species });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  }
  async function creative(c, cmp, petId, caption = 'Juguetes #gatosfelices') {
    const m = await c.upload(png(30 + ++photo, 20), 'image/png');
    const r = await c.post(`/api/v1/ads/campaigns/${cmp}/creatives`,
      { pet_id: petId, media: [m.id], caption, link: 'https://acme.example/juguete' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.creative;
  }

  before(async () => {
    server = await startServer({ seed: false });
    anon = new Client(server);
    adv = await person('adv');
    other = await person('other');
    mod = await person('mod');
    viewer = await person('viewer');
    await cli(server, 'grant', mod.mail, 'moderator');
    await mod.login(mod.mail, PASSWORD);
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  test('every route: no session 401, no CSRF token 403, another person 404 (or 403 for a review)', async () => {
    await advertiser(adv);
    const cmp = await campaign(adv);
    const p = await pet(adv);
    const cr = await creative(adv, cmp.id, p.id);
    const routes = [
      ['GET', '/api/v1/ads/campaigns', undefined, 200],
      ['POST', '/api/v1/ads/campaigns', base(), 404],
      ['GET', `/api/v1/ads/campaigns/${cmp.id}`, undefined, 404],
      ['PATCH', `/api/v1/ads/campaigns/${cmp.id}`, { name: 'x' }, 404],
      ['POST', `/api/v1/ads/campaigns/${cmp.id}/creatives`, { pet_id: p.id, media: ['m_1'] }, 404],
      ['DELETE', `/api/v1/ads/creatives/${cr.id}`, undefined, 404],
    ];
    for (const [method, url, json, otherStatus] of routes) {
      assertError(await anon.request(method, url, { json }), 401, 'unauthorized');
      if (method !== 'GET') assertError(await adv.request(method, url, { json, csrf: false }), 403, 'csrf');
      const r = await other.request(method, url, { json });
      assert.equal(r.status, otherStatus, `${method} ${url}: ${JSON.stringify(r.body)}`);
    }
    // Another person without an account sees no campaigns, not someone else's.
    assert.deepEqual((await other.get('/api/v1/ads/campaigns')).body, { campaigns: [] });
    const review = `/api/v1/mod/ads/${cr.id}/review`;
    assertError(await anon.post(review, { decision: 'approve' }), 401, 'unauthorized');
    assertError(await other.post(review, { decision: 'approve' }), 403, 'forbidden');
    assertError(await mod.post(review, { decision: 'approve' }, { csrf: false }), 403, 'csrf');
    // Nothing changed: the creative still waits, still the advertiser's.
    const got = (await adv.get(`/api/v1/ads/campaigns/${cmp.id}`)).body.campaign;
    assert.deepEqual(got.creatives.map((k) => [k.id, k.review]), [[cr.id, 'pending']]);
    assert.equal(got.state, 'draft');
    assert.equal(got.name, 'Gatos');
  });

  test('a campaign: each limit at its edge, the schedule, the targeting lists, the account currency', async () => {
    const c = await person('limits');
    assertError(await c.post('/api/v1/ads/campaigns', base()), 404, 'no_advertiser');
    await advertiser(c);
    const edge = async (o, code, field) => {
      const ok = await c.post('/api/v1/ads/campaigns', base(o[0]));
      assert.equal(ok.status, 201, `${JSON.stringify(o[0])}: ${JSON.stringify(ok.body)}`);
      const r = await c.post('/api/v1/ads/campaigns', base(o[1]));
      assertError(r, 422, code);
      assert.equal(r.body.error.field, field);
      return ok.body.campaign;
    };
    await edge([{ name: 'n'.repeat(NAME_MAX) }, { name: 'n'.repeat(NAME_MAX + 1) }], 'bad_length', 'name');
    await edge([{ bid_cpm_minor: BID_MIN }, { bid_cpm_minor: BID_MIN - 1 }], 'out_of_range', 'bid_cpm_minor');
    await edge([{ bid_cpm_minor: BID_MAX }, { bid_cpm_minor: BID_MAX + 1 }], 'out_of_range', 'bid_cpm_minor');
    await edge([{ daily_budget_minor: DAILY_MIN }, { daily_budget_minor: DAILY_MIN - 1 }], 'out_of_range', 'daily_budget_minor');
    await edge([{ daily_budget_minor: DAILY_MAX, total_budget_minor: DAILY_MAX }, { daily_budget_minor: DAILY_MAX + 1, total_budget_minor: DAILY_MAX + 1 }],
      'out_of_range', 'daily_budget_minor');
    await edge([{ total_budget_minor: TOTAL_MAX }, { total_budget_minor: TOTAL_MAX + 1 }], 'out_of_range', 'total_budget_minor');
    await edge([{ total_budget_minor: 1000 }, { total_budget_minor: 999 }], 'budget_below_daily', 'total_budget_minor');
    const t = now();
    await edge([{ starts_at: iso(t - START_PAST + 60) }, { starts_at: iso(t - START_PAST - 60) }], 'bad_schedule', 'starts_at');
    const s = t + 86400;
    const run = await edge([{ starts_at: iso(s), ends_at: iso(s + RUN_MIN) }, { starts_at: iso(s), ends_at: iso(s + RUN_MIN - 1) }], 'bad_schedule', 'ends_at');
    assert.equal(run.starts_at, iso(s));
    assert.equal(run.ends_at, iso(s + RUN_MIN));
    await edge([{ starts_at: iso(s), ends_at: iso(s + RUN_MAX) }, { starts_at: iso(s), ends_at: iso(s + RUN_MAX + 1) }], 'bad_schedule', 'ends_at');
    await edge([{ ends_at: null }, { ends_at: iso(t - 10) }], 'bad_schedule', 'ends_at');
    const tags = Array.from({ length: TAGS_MAX + 1 }, (_, i) => `tag${i}`);
    const full = await edge([{ targeting: { tags: tags.slice(0, TAGS_MAX), countries: COUNTRIES.slice(0, COUNTRIES_MAX), species: SPECIES.slice(0, SPECIES_MAX), languages: LANGUAGES.slice(0, LANGUAGES_MAX) } },
      { targeting: { tags } }], 'too_many', 'targeting.tags');
    assert.equal(full.targeting.tags.length, TAGS_MAX);
    assert.equal(full.targeting.countries.length, COUNTRIES_MAX);
    assert.equal(full.targeting.species.length, SPECIES_MAX);
    assert.equal(full.targeting.languages.length, LANGUAGES_MAX);
    assertError(await c.post('/api/v1/ads/campaigns', base({ targeting: { countries: COUNTRIES } })), 422, 'too_many');
    assertError(await c.post('/api/v1/ads/campaigns', base({ targeting: { species: [...SPECIES, 'cat'] } })), 422, 'too_many');
    assertError(await c.post('/api/v1/ads/campaigns', base({ targeting: { languages: [...LANGUAGES, 'es'] } })), 422, 'too_many');
    // Words that are not the app's: 400 naming the entry.
    for (const [targeting, field] of [[{ species: ['dragon'] }, 'targeting.species[0]'], [{ languages: ['xx'] }, 'targeting.languages[0]'],
      [{ countries: ['es'] }, 'targeting.countries[0]'], [{ tags: ['#gatos'] }, 'targeting.tags[0]'], [{ tags: ['a', 'a'] }, 'targeting.tags[1]'],
      [{ cities: ['Madrid'] }, 'targeting.cities']]) {
      const r = await c.post('/api/v1/ads/campaigns', base({ targeting }));
      assertError(r, 400, 'bad_request');
      assert.equal(r.body.error.field, field);
    }
    assertError(await c.post('/api/v1/ads/campaigns', base({ currency: 'EUR' })), 422, 'currency_mismatch');
    assertError(await c.post('/api/v1/ads/campaigns', base({ state: 'active' })), 400, 'bad_request');
    assertError(await c.post('/api/v1/ads/campaigns', base({ objective: 'sales' })), 400, 'bad_request');
    assertError(await c.post('/api/v1/ads/campaigns', base({ bid_cpm_minor: 12.5 })), 400, 'bad_request');
    assertError(await c.post('/api/v1/ads/campaigns', { ...base(), name: undefined }), 400, 'bad_request');
    // The currency is the account's: a campaign fixes it.
    assertError(await c.put('/api/v1/ads/account', { name: 'Acme Pets', currency: 'EUR' }), 409, 'currency_locked');
    const list = (await c.get('/api/v1/ads/campaigns')).body.campaigns;
    assert.ok(list.every((x) => x.state === 'draft' && x.currency === 'USD' && x.spent_minor === 0));
    assert.ok(list.length >= 12);
    // An edit: the same limits; a stored start long past stays as it is.
    const e = list.at(-1);
    const r = await c.patch(`/api/v1/ads/campaigns/${e.id}`, { name: 'Gatos 2', targeting: { languages: ['es', 'pt'] } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.campaign.name, 'Gatos 2');
    assert.deepEqual(r.body.campaign.targeting, { species: [], tags: [], languages: ['es', 'pt'], countries: [] });
    assertError(await c.patch(`/api/v1/ads/campaigns/${e.id}`, { bid_cpm_minor: BID_MAX + 1 }), 422, 'out_of_range');
    assertError(await c.patch(`/api/v1/ads/campaigns/${e.id}`, { state: 'ended' }), 400, 'bad_request');
    assertError(await c.patch(`/api/v1/ads/campaigns/${e.id}`, { state: 'draft' }), 400, 'bad_request');
    // No money pending or unspent: the account may go; its campaigns end and the advertiser row
    // outlives the person (user_id NULL), as money records do.
    const adv = (await c.get('/api/v1/ads/account')).body.advertiser.id.slice(3);
    assert.equal((await c.del('/api/v1/me', { password: PASSWORD })).status, 200);
    assert.equal(dbQuery(server, `SELECT count(*) FROM advertisers WHERE id = ${adv} AND user_id IS NULL`), '1');
    assert.equal(dbQuery(server, `SELECT count(*) FROM campaigns WHERE advertiser_id = ${adv} AND state <> 'ended'`), '0');
  });

  test('a creative: its limits at their edges, an https link, the caller\'s own pet and photos', async () => {
    const c = await person('creative');
    await advertiser(c);
    const cmp = await campaign(c);
    const p = await pet(c);
    const url = `/api/v1/ads/campaigns/${cmp.id}/creatives`;
    const m = await c.upload(png(90, 20), 'image/png');
    const body = (o) => ({ pet_id: p.id, media: [m.id], caption: 'x', link: 'https://acme.example/', ...o });
    const link = `https://acme.example/${'a'.repeat(LINK_MAX - 'https://acme.example/'.length)}`;
    assert.equal((await c.post(url, body({ caption: 'c'.repeat(CAPTION_MAX), link }))).status, 201);
    assertError(await c.post(url, body({ caption: 'c'.repeat(CAPTION_MAX + 1) })), 422, 'bad_length');
    assertError(await c.post(url, body({ link: `${link}a` })), 422, 'bad_link');
    assertError(await c.post(url, body({ link: 'http://acme.example/' })), 422, 'bad_link');
    assertError(await c.post(url, body({ link: 'javascript:alert(1)' })), 422, 'bad_link');
    assertError(await c.post(url, body({ link: '' })), 422, 'link_required'); // a traffic campaign links somewhere
    assertError(await c.post(url, body({ media: [] })), 422, 'too_many');
    assertError(await c.post(url, body({ media: Array.from({ length: PHOTOS_MAX + 1 }, (_, i) => `m_${i + 1}`) })), 422, 'too_many');
    assertError(await c.post(url, body({ reel: m.id })), 400, 'bad_request'); // a reel with photos (media): one or the other
    const theirPet = await pet(other);
    assertError(await c.post(url, body({ pet_id: theirPet.id })), 403, 'forbidden');
    const theirPhoto = await other.upload(png(91, 20), 'image/png');
    assertError(await c.post(url, body({ media: [theirPhoto.id] })), 400, 'unknown_upload');
    // An awareness campaign's creative may carry no link.
    const aw = await campaign(c, { objective: 'awareness' });
    const m2 = await c.upload(png(92, 20), 'image/png');
    const r = await c.post(`/api/v1/ads/campaigns/${aw.id}/creatives`, { pet_id: p.id, media: [m2.id], caption: 'x' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.creative.link, '');
    // At most CREATIVES_MAX per campaign: the refused ones above left none behind.
    const have = (await c.get(`/api/v1/ads/campaigns/${cmp.id}`)).body.campaign.creatives.length;
    assert.equal(have, 1);
    for (let i = have; i < CREATIVES_MAX; i++) await creative(c, cmp.id, p.id, `n${i}`);
    const m3 = await c.upload(png(93, 20), 'image/png');
    assertError(await c.post(url, body({ media: [m3.id] })), 409, 'too_many_creatives');
    assert.equal(dbQuery(server, `SELECT count(*) FROM posts WHERE author_id = ${c.user.id.slice(2)}`), String(CREATIVES_MAX + 1));
  });

  test('a creative\'s post is in no organic listing, and readable by id only by its author until approved', async () => {
    const a = await person('hidden');
    await advertiser(a);
    const cmp = await campaign(a);
    const p = await pet(a);
    // An organic post of the same person, pet and tag: the control.
    const m = await a.upload(png(120, 20), 'image/png');
    const organic = (await a.post('/api/v1/posts', { caption: 'Hola #gatosfelices', media_ids: [m.id], pet_ids: [p.id] })).body;
    const cr = await creative(a, cmp.id, p.id, 'Compra #gatosfelices');
    assert.equal((await viewer.put(`/api/v1/users/${a.user.id}/follow`)).status, 200);
    assert.equal((await viewer.put(`/api/v1/pets/${p.id}/follow`)).status, 200);
    const ids = (r) => { assert.equal(r.status, 200, JSON.stringify(r.body)); return r.body.posts.map((x) => x.id); };
    const lists = async (who) => ({
      feed: ids(await who.get('/api/v1/feed?limit=50')),
      following: who === anon ? [] : ids(await who.get('/api/v1/feed/following?limit=50')),
      tag: ids(await who.get('/api/v1/feed/tag?tag=gatosfelices&limit=50')),
      profile: ids(await who.get(`/api/v1/users/${a.user.id}/posts?limit=50`)),
      pet: ids(await who.get(`/api/v1/pets/${p.id}/posts?limit=50`)),
    });
    for (const who of [anon, viewer, a]) {
      const l = await lists(who);
      for (const [name, list] of Object.entries(l)) {
        assert.ok(!list.includes(cr.post_id), `${name} lists the creative`);
        if (name !== 'following' || who === viewer) assert.ok(list.includes(organic.id), `${name}: control`);
      }
      assert.equal((await who.get(`/api/v1/users/${a.user.id}`)).body.post_count, 1, 'profile count');
      assert.equal((await who.get(`/api/v1/pets/${p.id}`)).body.post_count, 1, 'pet count');
      const tags = (await who.get('/api/v1/search?type=tags&q=gatosfelices')).body.results;
      assert.deepEqual(tags.map((x) => [x.tag, x.post_count]), [['gatosfelices', 1]], 'tag search counts the organic post only');
    }
    const cands = (await viewer.get('/api/v1/feed/candidates')).body.candidates.map((x) => x.post_id);
    assert.ok(cands.includes(organic.id) && !cands.includes(cr.post_id), 'no organic candidate');
    // By id: the author reads it (to see what waits for review); nobody else until approved.
    assert.equal((await a.get(`/api/v1/posts/${cr.post_id}`)).status, 200);
    assertError(await viewer.get(`/api/v1/posts/${cr.post_id}`), 404, 'not_found');
    assert.deepEqual((await viewer.get(`/api/v1/posts?ids=${cr.post_id}`)).body.posts, []);
    assert.equal((await mod.post(`/api/v1/mod/ads/${cr.id}/review`, { decision: 'approve' })).status, 200);
    assert.equal((await viewer.get(`/api/v1/posts/${cr.post_id}`)).status, 200);
    assert.deepEqual((await viewer.get(`/api/v1/posts?ids=${cr.post_id}`)).body.posts.map((x) => x.id), [cr.post_id]);
    // Approved, still in no organic listing.
    for (const [name, list] of Object.entries(await lists(viewer))) assert.ok(!list.includes(cr.post_id), `${name} after approval`);
    // Deleted by its advertiser: the post goes with it; another person's delete is a 404.
    assertError(await viewer.del(`/api/v1/ads/creatives/${cr.id}`), 404, 'not_found');
    assert.equal((await a.del(`/api/v1/ads/creatives/${cr.id}`)).status, 200);
    assertError(await a.get(`/api/v1/posts/${cr.post_id}`), 404, 'not_found');
    assertError(await a.del(`/api/v1/ads/creatives/${cr.id}`), 404, 'not_found');
  });

  test('the moderation queue: kind ad waits, is seen in context, rejected with a note the advertiser reads, approved; then pause and resume', async () => {
    const a = await person('queue');
    await advertiser(a);
    const cmp = await campaign(a);
    const p = await pet(a);
    const bad = await creative(a, cmp.id, p.id, 'Miracle cure');
    const good = await creative(a, cmp.id, p.id, 'Arena para gatos');
    const queue = async () => (await mod.get('/api/v1/mod/queue?limit=100')).body.items.filter((i) => i.kind === 'ad').map((i) => i.id);
    assert.deepEqual((await queue()).filter((id) => id === bad.id || id === good.id), [bad.id, good.id]);
    const item = await mod.get(`/api/v1/mod/items/ad/${bad.id}`);
    assert.equal(item.status, 200, JSON.stringify(item.body));
    assert.equal(item.body.state, 'pending');
    assert.equal(item.body.ad.campaign_id, cmp.id);
    assert.equal(item.body.post.id, bad.post_id);
    assert.equal(item.body.post.caption, 'Miracle cure');
    assert.equal(item.body.post.images.length, 1);
    // A rejection says why; its note at its edge.
    const review = (id, body) => mod.post(`/api/v1/mod/ads/${id}/review`, body);
    assertError(await review(bad.id, { decision: 'reject' }), 400, 'bad_request');
    assertError(await review(bad.id, { decision: 'reject', note: 'n'.repeat(NOTE_MAX + 1) }), 422, 'bad_length');
    assertError(await review(bad.id, { decision: 'approve', note: 'fine' }), 400, 'bad_request');
    assertError(await review(bad.id, { decision: 'maybe' }), 400, 'bad_request');
    const note = `${'n'.repeat(NOTE_MAX - 20)} health claims false`;
    const r = await review(bad.id, { decision: 'reject', note });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.creative.review, r.body.creative.review_note], ['rejected', note]);
    assertError(await review(bad.id, { decision: 'approve' }), 409, 'already_reviewed');
    assertError(await review('cr_999999', { decision: 'approve' }), 404, 'not_found');
    // The advertiser reads the rejection and its note; active needs an approved creative.
    let mine = (await a.get(`/api/v1/ads/campaigns/${cmp.id}`)).body.campaign;
    assert.deepEqual(mine.creatives.map((k) => [k.id, k.review, k.review_note]), [[bad.id, 'rejected', note], [good.id, 'pending', '']]);
    assertError(await a.patch(`/api/v1/ads/campaigns/${cmp.id}`, { state: 'active' }), 409, 'no_approved_creative');
    assert.equal((await review(good.id, { decision: 'approve' })).status, 200);
    assert.deepEqual((await queue()).filter((id) => id === bad.id || id === good.id), [], 'the queue is emptied');
    // The advertiser was told each decision: a moderation notice naming the ad, its creative's post,
    // and the rejection's note (the longest note fits a notice's detail when it is plain text).
    const told = async () => (await a.get('/api/v1/notifications?limit=50')).body.notifications
      .filter((n) => n.kind === 'moderation' && n.detail.item === 'ad');
    let notes = await told();
    assert.deepEqual(notes.map((n) => [n.detail.action, n.detail.creative, n.detail.campaign, n.post_id, n.actor, n.detail.note ?? null]),
      [['approve', good.id, cmp.id, good.post_id, null, null], ['reject', bad.id, cmp.id, bad.post_id, null, note]]);
    const audit = dbQuery(server, `SELECT action FROM audit_log WHERE action LIKE 'mod.ad_%' ORDER BY id`).split('\n');
    assert.ok(audit.includes('mod.ad_reject') && audit.includes('mod.ad_approve'), audit.join());
    // Approved, but no balance: still refused; a credited balance lets it run, pause and resume.
    assertError(await a.patch(`/api/v1/ads/campaigns/${cmp.id}`, { state: 'active' }), 409, 'no_balance');
    const adv = (await a.get('/api/v1/ads/account')).body.advertiser.id.slice(3);
    dbQuery(server, `INSERT INTO ad_topups (advertiser_id, provider, idem_key, amount_minor, currency, state, created_at, updated_at)
      VALUES (${adv}, 'paypal', 'test-${adv}-0123456789', 1000, 'USD', 'paid', 1, 1)`);
    dbQuery(server, `INSERT INTO ad_ledger (advertiser_id, kind, amount_milli, currency, topup_id, at)
      SELECT ${adv}, 'topup', 1000000, 'USD', id, 1 FROM ad_topups WHERE idem_key = 'test-${adv}-0123456789'`);
    assert.equal((await a.get('/api/v1/ads/account')).body.advertiser.balance_minor, 1000);
    for (const state of ['active', 'paused', 'active']) {
      const x = await a.patch(`/api/v1/ads/campaigns/${cmp.id}`, { state });
      assert.equal(x.status, 200, JSON.stringify(x.body));
      assert.equal(x.body.campaign.state, state);
    }
    mine = (await a.get('/api/v1/ads/campaigns')).body.campaigns.find((x) => x.id === cmp.id);
    assert.equal(mine.state, 'active');
    // A person shown the approved ad reports it; the same review takes it down, closing their report.
    const rep = await viewer.post('/api/v1/reports', { kind: 'ad', id: good.id, reason: 'scam' });
    assert.equal(rep.status, 201, JSON.stringify(rep.body));
    assertError(await viewer.post('/api/v1/reports', { kind: 'ad', id: bad.id, reason: 'scam' }), 404, 'not_found');
    assert.deepEqual((await queue()).filter((id) => id === good.id), [good.id]);
    const inQueue = (await mod.get(`/api/v1/mod/items/ad/${good.id}`)).body;
    assert.deepEqual([inQueue.state, inQueue.actions], ['approved', []]);
    const down = await review(good.id, { decision: 'reject', note: 'Reported as a scam; the shop does not exist' });
    assert.equal(down.status, 200, JSON.stringify(down.body));
    assert.equal(down.body.creative.review, 'rejected');
    notes = await told();
    assert.deepEqual(notes.map((n) => [n.detail.action, n.detail.creative]).slice(0, 2), [['reject', good.id], ['approve', good.id]],
      'the take-down is told too');
    // Nobody else is told: the reporter's notices name no ad decision.
    assert.deepEqual((await viewer.get('/api/v1/notifications?limit=50')).body.notifications.filter((n) => n.detail?.item === 'ad'), []);
    assert.deepEqual((await queue()).filter((id) => id === good.id), []);
    assertError(await viewer.get(`/api/v1/posts/${good.post_id}`), 404, 'not_found');
    // An ended campaign (here by the database, as the serving side ends them) changes no more.
    dbQuery(server, `UPDATE campaigns SET state = 'ended' WHERE id = ${cmp.id.slice(2)}`);
    assertError(await a.patch(`/api/v1/ads/campaigns/${cmp.id}`, { state: 'paused' }), 409, 'campaign_ended');
  });
});
