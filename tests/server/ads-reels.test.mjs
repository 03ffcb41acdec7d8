// Self-serve ads, creatives that are reels (issue 21, "Self-serve ads" item
// 1; schema 34; web/README.md "Self-serve ads"): POST
// /ads/campaigns/{c}/creatives takes "reel" (the caller's video upload, held
// to the reels' length and size by POST /media) with its "poster" (their
// image), a caption at its edge, a link and their pet, and refuses what is
// not that; the reel is in no organic listing (GET /reels for anyone, its
// advertiser included); the moderation queue shows it as kind ad with its
// reel (poster and video); once approved and its campaign active it is
// served in GET /reels as a sponsored reel after every four organic ones (at
// most one in five), with the contract's sponsored object, never to a Plus
// member or someone signed out; its impression and click count once each;
// deleting the creative deletes the reel. Then the upgrade to schema 34 on
// SQLite (ids and the AUTOINCREMENT high-water mark kept) and PostgreSQL.
// One server for the serving part. SQLite and PostgreSQL
// (PA_TEST_DATABASE=postgresql).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  BIN, Client, assertError, databaseEnv, dbQuery, email, migrationsFromSource, oldDatabase, pgSchemaFromSource, png,
  startServer, stopServer,
} from './helpers.mjs';
import { createDatabase, dropDatabase, query, runSql } from '../lib/pg.mjs';

const PASSWORD = 'correct horse battery';
const CAPTION_MAX = 2200; // PA_ADS_CAPTION_MAX (web/src/ads_rules.h)
const PAGE_SHARE = 5; // PA_ADSERVE_PAGE_SHARE (web/src/ads_serving.h): at most one ad in five
const num = (id) => Number(id.split('_')[1]);

async function cli(server, ...args) {
  const env = { ...process.env, ...(await databaseEnv(server.dir)) };
  const r = spawnSync(BIN, ['admin', '--data', server.dir, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

describe('creatives that are reels', () => {
  let server, tmp, clip, anon, adv, other, mod, viewer, plus, author, p, cmp;
  let photo = 0;
  const q = (sql) => dbQuery(server, sql);

  async function person(tag) {
    const c = new Client(server);
    c.mail = email(tag);
    c.user = await c.signup(c.mail, PASSWORD, tag);
    return c;
  }
  const video = async (c) => c.upload(await readFile(clip), 'video/mp4');
  const image = (c) => c.upload(png(40 + ++photo, 30), 'image/png');
  const url = (c) => `/api/v1/ads/campaigns/${c.id}/creatives`;
  async function reelCreative(c, campaign, petId, caption = 'Nuevo juguete') {
    const body = { pet_id: petId, reel: (await video(c)).id, poster: (await image(c)).id, caption, link: 'https://acme.example/reel' };
    const r = await c.post(url(campaign), body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.creative;
  }
  const reelIds = async (c, limit = 50) => {
    const r = await c.get(`/api/v1/reels?limit=${limit}`);
    assert.equal(r.status, 200, `${JSON.stringify(r.body)}\n${server.stderr.slice(-2000)}`);
    return r.body.reels;
  };

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-ads-reels-'));
    clip = path.join(tmp, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=96x64:rate=10', '-t', '1',
      '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', clip], { stdio: ['ignore', 'ignore', 'inherit'] });
    server = await startServer({ seed: false });
    anon = new Client(server);
    adv = await person('radv');
    other = await person('rother');
    mod = await person('rmod');
    viewer = await person('rviewer');
    plus = await person('rplus');
    author = await person('rauthor');
    await cli(server, 'grant', mod.mail, 'moderator');
    await mod.login(mod.mail, PASSWORD);
    assert.equal((await adv.put('/api/v1/ads/account', { name: 'Acme Pets', currency: 'USD' })).status, 200);
    const c = await adv.post('/api/v1/ads/campaigns', { name: 'Reels', objective: 'traffic', bid_cpm_minor: 300,
      daily_budget_minor: 100000, total_budget_minor: 500000 });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    cmp = c.body.campaign;
    p = (await adv.post('/api/v1/pets', { name: 'Michi', species: 'cat' })).body;
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await rm(tmp, { recursive: true, force: true });
  });

  test('the route: a reel with its poster, the caption at its edge; refusals; another person\'s uploads and campaign', async () => {
    const v = await video(adv);
    const poster = await image(adv);
    const body = (o) => ({ pet_id: p.id, reel: v.id, poster: poster.id, caption: 'x', link: 'https://acme.example/', ...o });
    assertError(await adv.post(url(cmp), body({ caption: 'c'.repeat(CAPTION_MAX + 1) })), 422, 'bad_length');
    assertError(await adv.post(url(cmp), body({ media: [poster.id] })), 400, 'bad_request'); // photos or a reel
    assertError(await adv.post(url(cmp), body({ poster: undefined })), 400, 'bad_request'); // a reel needs its poster
    assertError(await adv.post(url(cmp), body({ poster: v.id })), 400, 'bad_request'); // not the video itself
    assertError(await adv.post(url(cmp), { pet_id: p.id, media: [poster.id], poster: poster.id, link: 'https://acme.example/' }), 400, 'bad_request');
    assertError(await adv.post(url(cmp), body({ reel: 'r_1' })), 400, 'bad_request');
    assertError(await adv.post(url(cmp), body({ reel: poster.id, poster: v.id })), 400, 'bad_request'); // a photo is no reel
    const theirs = await video(other);
    assertError(await adv.post(url(cmp), body({ reel: theirs.id })), 400, 'unknown_upload');
    const theirPet = (await other.post('/api/v1/pets', { name: 'Rex', species: 'dog' })).body;
    assertError(await adv.post(url(cmp), body({ pet_id: theirPet.id })), 403, 'forbidden');
    // Another person cannot add to the campaign (404), nobody signed out (401).
    assertError(await other.post(url(cmp), body({ reel: theirs.id })), 404, 'not_found');
    assert.equal((await anon.post(url(cmp), body())).status, 401);
    // The refusals left nothing behind; the last allowed caption passes.
    assert.equal(q(`SELECT count(*) FROM reels WHERE author_id = ${num(adv.user.id)}`), '0');
    const r = await adv.post(url(cmp), body({ caption: 'c'.repeat(CAPTION_MAX) }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const cr = r.body.creative;
    assert.equal(cr.post_id, null);
    assert.match(cr.reel_id, /^r_\d+$/);
    assert.equal(cr.review, 'pending');
    assert.equal(cr.caption.length, CAPTION_MAX);
    assert.equal(q(`SELECT campaign_id FROM reels WHERE id = ${num(cr.reel_id)}`), String(num(cmp.id)));
    // Listed with its campaign; withdrawn, its reel goes with it and its review closes.
    const listed = (await adv.get(`/api/v1/ads/campaigns/${cmp.id}`)).body.campaign.creatives;
    assert.deepEqual(listed.map((x) => x.reel_id), [cr.reel_id]);
    assertError(await other.del(`/api/v1/ads/creatives/${cr.id}`), 404, 'not_found');
    assert.equal((await adv.del(`/api/v1/ads/creatives/${cr.id}`)).status, 200);
    assert.equal(q(`SELECT count(*) FROM reels WHERE id = ${num(cr.reel_id)}`), '0');
    assert.equal(q(`SELECT count(*) FROM reports WHERE kind = 'ad' AND item_id = ${num(cr.id)} AND closed_at IS NULL`), '0');
  });

  test('in no organic listing; in the moderation queue with its poster and video; served 1 in 5 in GET /reels', async () => {
    const cr = await reelCreative(adv, cmp, p.id, 'Juguete #gatos');
    const cr2 = await reelCreative(adv, cmp, p.id, 'Otro juguete');
    // Eight organic reels of another person (rows straight in: the list is under test, not POST /reels).
    const [vid, pos] = q(`SELECT video, poster FROM reels WHERE id = ${num(cr.reel_id)}`).split('|');
    const ap = (await author.post('/api/v1/pets', { name: 'Toby', species: 'dog' })).body;
    for (let i = 0; i < 2 * (PAGE_SHARE - 1); i++) {
      q(`INSERT INTO reels (author_id, pet_id, video, poster, caption, created_at)
        VALUES (${num(author.user.id)}, ${num(ap.id)}, '${vid}', '${pos}', 'organic ${i}', ${1000 + i})`);
    }
    const ads = [cr.reel_id, cr2.reel_id];
    for (const who of [anon, viewer, adv]) {
      const got = (await reelIds(who)).map((x) => x.id);
      assert.equal(got.length, 2 * (PAGE_SHARE - 1));
      assert.ok(!got.some((id) => ads.includes(id)), 'a reel creative is no organic reel');
    }
    // The queue: kind ad, the reel in context (poster and video the moderator plays).
    const queue = (await mod.get('/api/v1/mod/queue')).body.items;
    assert.ok(queue.some((x) => x.kind === 'ad' && x.id === cr.id));
    const item = await mod.get(`/api/v1/mod/items/ad/${cr.id}`);
    assert.equal(item.status, 200, JSON.stringify(item.body));
    assert.equal(item.body.ad.reel_id, cr.reel_id);
    assert.equal(item.body.ad.post_id, null);
    assert.equal(item.body.reel.id, cr.reel_id);
    assert.match(item.body.reel.media_url, /\.mp4$/);
    assert.match(item.body.reel.poster_url, /\.(png|jpg|webp)$/);
    assert.equal(item.body.reel.caption, 'Juguete #gatos');
    for (const c of [cr, cr2]) assert.equal((await mod.post(`/api/v1/mod/ads/${c.id}/review`, { decision: 'approve' })).status, 200);
    // The advertiser is told, as for a photo creative, with no post to name.
    const told = (await adv.get('/api/v1/notifications?limit=50')).body.notifications
      .filter((n) => n.kind === 'moderation' && n.detail.item === 'ad');
    assert.deepEqual(told.map((n) => [n.detail.action, n.detail.creative, n.detail.campaign, n.post_id ?? null]).sort(),
      [['approve', cr.id, cmp.id, null], ['approve', cr2.id, cmp.id, null]].sort());
    // Not served until the campaign runs (a draft); then active with a balance.
    assert.ok((await reelIds(viewer, 10)).every((x) => x.sponsored === null));
    const t = Number.parseInt(q(`INSERT INTO ad_topups (advertiser_id, provider, idem_key, amount_minor, currency, state, fee_minor,
      created_at, updated_at) SELECT id, 'paypal', 'reel-test-topup-key', 50000, 'USD', 'paid', 0, 0, 0 FROM advertisers
      WHERE user_id = ${num(adv.user.id)} RETURNING id`), 10);
    q(`INSERT INTO ad_ledger (advertiser_id, kind, amount_milli, currency, topup_id, at)
      SELECT advertiser_id, 'topup', 50000000, 'USD', id, 0 FROM ad_topups WHERE id = ${t}`);
    const act = await adv.patch(`/api/v1/ads/campaigns/${cmp.id}`, { state: 'active' });
    assert.equal(act.status, 200, JSON.stringify(act.body));

    // A page of ten: the two ads in the fifth and tenth places, after four organic reels each.
    const page = await reelIds(viewer, 2 * PAGE_SHARE);
    assert.equal(page.length, 2 * PAGE_SHARE);
    const at = page.map((x, i) => (x.sponsored ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(at, [PAGE_SHARE - 1, 2 * PAGE_SHARE - 1]);
    assert.deepEqual(page.filter((x) => x.sponsored).map((x) => x.id).sort(), [...ads].sort());
    const s = page[PAGE_SHARE - 1].sponsored;
    assert.equal(s.campaign_id, cmp.id);
    assert.match(s.advertiser_id, /^ad_\d+$/);
    assert.equal(s.link, 'https://acme.example/reel');
    assert.deepEqual(s.why, { species: [], tags: [], languages: [], countries: [] });
    assert.match(s.token, /^[A-Za-z0-9_-]{1,256}$/);
    // Fewer than five places: none. Five: one, last.
    assert.ok((await reelIds(viewer, PAGE_SHARE - 1)).every((x) => x.sponsored === null));
    const five = await reelIds(viewer, PAGE_SHARE);
    assert.deepEqual(five.map((x) => Boolean(x.sponsored)), [false, false, false, false, true]);
    // Never to a Plus member, nor to someone signed out; never among the feed's candidates.
    q(`UPDATE users SET plus_until = 4102444800 WHERE id = ${num(plus.user.id)}`);
    await plus.login(plus.mail, PASSWORD);
    const serves = q(`SELECT count(*) FROM ad_serves WHERE viewer_id = ${num(plus.user.id)}`);
    assert.ok((await reelIds(plus, 10)).every((x) => x.sponsored === null));
    assert.ok((await reelIds(anon, 10)).every((x) => x.sponsored === null));
    assert.equal(q(`SELECT count(*) FROM ad_serves WHERE viewer_id = ${num(plus.user.id)}`), serves);
    const cand = (await viewer.get('/api/v1/feed/candidates')).body.candidates;
    assert.ok(cand.every((k) => !k.sponsored), 'a reel creative is no sponsored post');

    // Its events count once each: an impression (a replay does not), then a click.
    const ev = async (kind, token = s.token) => (await viewer.post('/api/v1/ads/events', { token, kind })).body.counted;
    assert.equal(await ev('click'), false, 'a click needs the impression');
    assert.equal(await ev('impression'), true);
    assert.equal(await ev('impression'), false);
    assert.equal(await ev('click'), true);
    assert.equal(await ev('click'), false);
    assert.equal((await other.post('/api/v1/ads/events', { token: s.token, kind: 'impression' })).body.counted, false);
    const report = (await adv.get(`/api/v1/ads/campaigns/${cmp.id}/report`)).body.totals;
    assert.equal(report.impressions, 1);
    assert.equal(report.clicks, 1);
    assert.equal(q(`SELECT count(*) FROM ad_ledger WHERE kind = 'spend' AND campaign_id = ${num(cmp.id)}`), '1');
  });
});

// The upgrade to schema 34 (reels.campaign_id, ad_creatives.reel_id).
const REEL_VERSION = (await migrationsFromSource()).findIndex((sql) => sql.includes('CREATE TABLE ad_creatives_v34')) + 1;

describe(`the upgrade to schema ${REEL_VERSION}: creatives that are reels`, () => {
  // Two photo creatives, the newest deleted: its id is never handed out again.
  const rows = `INSERT INTO users (id, handle, name, email, created_at) VALUES (1, 'ann', 'Ann', 'ann@example.test', 1);
    INSERT INTO pets (id, owner_id, name, species, created_at) VALUES (1, 1, 'Michi', 'cat', 1);
    INSERT INTO media (hash, ext, width, height, bytes, created_at) VALUES
      ('${'a'.repeat(64)}', 'mp4', 96, 64, 10, 1), ('${'b'.repeat(64)}', 'png', 96, 64, 10, 1);
    INSERT INTO advertisers (id, name, user_id, currency, created_at) VALUES (1, 'Acme', 1, 'USD', 1);
    INSERT INTO campaigns (id, advertiser_id, name, created_at, updated_at) VALUES (1, 1, 'C', 1, 1);
    INSERT INTO posts (id, author_id, pet_id, caption, created_at, campaign_id) VALUES (1, 1, 1, 'a', 1, 1), (2, 1, 1, 'b', 2, 1);
    INSERT INTO ad_creatives (campaign_id, post_id, link, created_at) VALUES (1, 1, '', 1), (1, 2, '', 2);
    DELETE FROM ad_creatives WHERE id = 2;`;
  const after = `INSERT INTO reels (id, author_id, pet_id, video, poster, caption, created_at, campaign_id)
      VALUES (5, 1, 1, '${'a'.repeat(64)}', '${'b'.repeat(64)}', 'r', 3, 1);
    INSERT INTO ad_creatives (campaign_id, reel_id, link, created_at) VALUES (1, 5, '', 3);`;
  // id:post:reel of every creative, in id order (each engine's aggregate).
  const check = `SELECT string_agg(id || ':' || COALESCE(post_id, 0) || ':' || COALESCE(reel_id, 0), ',' ORDER BY id) AS v
    FROM ad_creatives`;
  const liteCheck = `SELECT group_concat(x, ',') FROM (SELECT id || ':' || COALESCE(post_id, 0) || ':' || COALESCE(reel_id, 0) AS x
    FROM ad_creatives ORDER BY id)`;

  test('SQLite: a file one version older keeps its creatives and their ids, never reusing one', async () => {
    assert.ok(REEL_VERSION > 0, 'a migration rebuilds ad_creatives');
    const { tmp, data, sql, migrations: m } = await oldDatabase('adreels', REEL_VERSION - 1);
    sql(rows);
    const server = await startServer({ data, seed: false });
    try {
      assert.equal(sql('PRAGMA user_version'), String(m.length));
      assert.equal(sql('PRAGMA foreign_key_check; PRAGMA integrity_check;'), 'ok');
      assert.equal(sql(liteCheck), '1:1:0');
      sql(after);
      assert.equal(sql(liteCheck), '1:1:0,3:0:5', 'the deleted creative\'s id 2 is not reused');
      assert.throws(() => sql("INSERT INTO ad_creatives (campaign_id, post_id, reel_id, link, created_at) VALUES (1, 2, 5, '', 4)"));
      assert.throws(() => sql("INSERT INTO ad_creatives (campaign_id, link, created_at) VALUES (1, '', 4)"));
    } finally {
      await stopServer(server);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: a database one version older gets the same from pa_pg_migrations', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-adreels-pg-'));
    const pg = await createDatabase('pa_adreels_up');
    try {
      const { base, baseVersion, migrations } = await pgSchemaFromSource();
      await runSql(pg.url, `${base}\n${migrations.slice(0, REEL_VERSION - 1 - baseVersion).join('\n')}
        UPDATE pa_schema SET version = ${REEL_VERSION - 1};
        ${rows}`);
      const server = await startServer({ data: path.join(tmp, 'b'), seed: false, env: { PA_DATABASE_URL: pg.url } });
      try {
        assert.deepEqual(await query(pg.url, 'SELECT version FROM pa_schema'), [{ version: String(baseVersion + migrations.length) }]);
        assert.deepEqual(await query(pg.url, check), [{ v: '1:1:0' }]);
        await runSql(pg.url, after);
        assert.deepEqual(await query(pg.url, check), [{ v: '1:1:0,3:0:5' }]);
        await assert.rejects(runSql(pg.url, "INSERT INTO ad_creatives (campaign_id, post_id, reel_id, link, created_at) VALUES (1, 2, 5, '', 4)"));
        await assert.rejects(runSql(pg.url, "INSERT INTO ad_creatives (campaign_id, link, created_at) VALUES (1, '', 4)"));
      } finally {
        await stopServer(server);
      }
    } finally {
      await dropDatabase(pg.name);
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
