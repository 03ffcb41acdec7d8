// Self-serve ads' money over random histories (issue 21): top-ups with
// non-zero provider fees, top-ups refunded at the provider (a refund row, once
// per top-up, as ads_pay.c books it — which may take the balance below
// zero), serves, impressions, clicks, replays and forgeries, bid edits,
// pauses and resumes. After every step, against a model kept here: each
// answer of POST /ads/events is the model's; every advertiser's balance =
// paid top-ups − refunds − spend (the fee is the provider's, not taken from
// the balance); each campaign's spend = its counted impressions × the bid
// when counted; the report's totals = the ledger's; the balance never below
// −(one impression's cost) but by refunds; the account's balance_minor and
// owed_minor the ledger's, rounded toward zero; nothing served or counted
// that the model says cannot be paid. Each campaign has a photo creative and
// a reel creative (schema 34): a serve asks the feed's candidates or GET
// /reels, one serving path and one model for both, at most one ad in five
// of either answer. Seeded (printed; PA_TEST_SEED replays one). Top-ups, edits and
// pauses are written straight into the database (the ads-buy lane's routes
// make them in the product); serving and events go through the API. SQLite
// and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, dbQuery, email, png, startServer, stopServer } from './helpers.mjs';

const FREQ_CAP = 3; // PA_ADSERVE_FREQ_CAP (web/src/ads_serving.h)
const PAGE_SHARE = 5; // PA_ADSERVE_PAGE_SHARE: at most one ad in five
const ORGANIC_REELS = 40; // enough for a page of 50 to place every reel ad it is offered
const STEPS = 300;
const SEED = Number(process.env.PA_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: a small seeded PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VIDEO = 'e'.repeat(64);
const POSTER = 'f'.repeat(64);

const nowReal = Math.floor(Date.now() / 1000);
// Late in the next UTC day: pacing has opened all but the last slot, so daily budgets bite too.
const OFFSET = (Math.floor(nowReal / 86400) + 1) * 86400 + 22 * 3600 + 600 - nowReal;

let server;
let n = 0;
const q = (sql) => dbQuery(server, sql);
const first = (out) => Number.parseInt(out, 10);
const num = (id) => Number(id.split('_')[1]);

describe('ads money over random histories', () => {
  const rnd = prng(SEED);
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const advertisers = [];
  const campaigns = [];
  const viewers = [];
  const tokens = []; // {token, viewer, campaign, impressed, clicked}

  before(async () => {
    console.log(`ads-property seed ${SEED} (PA_TEST_SEED=${SEED} replays it)`);
    server = await startServer({ env: { PA_TEST_CLOCK_OFFSET: String(OFFSET) } });
    // The seed's campaigns stay out of the way.
    q("UPDATE campaigns SET state = 'paused'");
    // A clip and its poster for the reels (rows only: no file is read).
    q(`INSERT INTO media (hash, ext, width, height, bytes, created_at) VALUES ('${VIDEO}', 'mp4', 96, 64, 10, 0),
      ('${POSTER}', 'png', 96, 64, 10, 0)`);
    for (let i = 0; i < 3; i++) {
      const c = new Client(server);
      await c.signup(email(`adv${i}`));
      const pet = (await c.post('/api/v1/pets', { name: 'Brand', species: 'cat' })).body;
      const media = (await c.upload(png(8, 8), 'image/png')).id;
      const adv = first(q(`INSERT INTO advertisers (name, user_id, currency, created_at)
        VALUES ('adv ${i}', ${num(c.user.id)}, 'USD', 0) RETURNING id`));
      const a = { c, adv, topups: 0, fees: 0, refunds: 0, paid: [] };
      advertisers.push(a);
      for (let k = 0; k < 2; k++) {
        const bid = int(1, 3000);
        const daily = pick([0, int(5, 60)]);
        const total = pick([0, int(5, 80)]);
        const id = first(q(`INSERT INTO campaigns (advertiser_id, name, state, bid_cpm_minor, daily_budget_minor,
          total_budget_minor, currency, starts_at, created_at, updated_at)
          VALUES (${adv}, 'c ${i}.${k}', 'active', ${bid}, ${daily}, ${total}, 'USD', 0, 0, 0) RETURNING id`));
        const post = (await c.post('/api/v1/posts', { caption: `ad ${i}.${k}`, media_ids: [media], pet_ids: [pet.id] })).body;
        q(`UPDATE posts SET campaign_id = ${id} WHERE id = ${num(post.id)}`);
        q(`INSERT INTO ad_creatives (campaign_id, post_id, link, review, reviewed_at, created_at)
          VALUES (${id}, ${num(post.id)}, '', 'approved', 1, 1)`);
        // Its reel creative: a reel of the advertiser's with the campaign set.
        const reel = first(q(`INSERT INTO reels (author_id, pet_id, video, poster, caption, created_at, campaign_id)
          VALUES (${num(c.user.id)}, ${num(pet.id)}, '${VIDEO}', '${POSTER}', 'reel ad ${i}.${k}', ${k}, ${id}) RETURNING id`));
        q(`INSERT INTO ad_creatives (campaign_id, reel_id, link, review, reviewed_at, created_at)
          VALUES (${id}, ${reel}, '', 'approved', 1, 1)`);
        campaigns.push({ id, cid: `c_${id}`, a, bid, daily, total, active: true, spent: 0, impressions: 0, clicks: 0, seen: new Map() });
      }
    }
    for (let i = 0; i < 6; i++) {
      const c = new Client(server);
      await c.signup(email(`viewer${i}`));
      viewers.push(c);
    }
    // Organic reels, so that GET /reels has a place for every ad it is offered.
    const author = advertisers[0].c;
    const pet = first(q(`SELECT id FROM pets WHERE owner_id = ${num(author.user.id)} LIMIT 1`));
    for (let i = 0; i < ORGANIC_REELS; i++) {
      q(`INSERT INTO reels (author_id, pet_id, video, poster, caption, created_at)
        VALUES (${num(author.user.id)}, ${pet}, '${VIDEO}', '${POSTER}', 'organic ${i}', ${100 + i})`);
    }
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  const balanceOf = (a) => (a.topups - a.refunds) * 1000 - campaigns.filter((c) => c.a === a).reduce((s, c) => s + c.spent, 0);

  function topup(a) {
    const amount = int(1, 400);
    const fee = int(1, 40); // the provider's: never zero here
    const t = first(q(`INSERT INTO ad_topups (advertiser_id, provider, idem_key, amount_minor, currency, state,
      fee_minor, created_at, updated_at) VALUES (${a.adv}, '${pick(['paypal', 'mercadopago'])}',
      'prop-${SEED}-${++n}-topup-key', ${amount}, 'USD', 'paid', ${fee}, 0, 0) RETURNING id`));
    q(`INSERT INTO ad_ledger (advertiser_id, kind, amount_milli, currency, topup_id, at)
      VALUES (${a.adv}, 'topup', ${amount * 1000}, 'USD', ${t}, 0)`);
    a.topups += amount;
    a.fees += fee;
    a.paid.push({ t, amount });
  }

  // A top-up refunded (in part or whole) at its provider: the refund row
  // ads_pay.c writes (tests/server/ads-account.test.mjs books it through the
  // simulators), once per top-up.
  function refund(a) {
    const open = a.paid.filter((x) => !x.refunded);
    if (!open.length) return false;
    const x = pick(open);
    const amount = int(1, x.amount);
    q(`INSERT INTO ad_ledger (advertiser_id, kind, amount_milli, currency, refund_of, at)
      VALUES (${a.adv}, 'refund', ${-amount * 1000}, 'USD', ${x.t}, 0)`);
    x.refunded = true;
    a.refunds += amount;
    return true;
  }

  async function serve(v, reels) {
    const r = await v.get(reels ? '/api/v1/reels?limit=50' : '/api/v1/feed/candidates?limit=50');
    assert.equal(r.status, 200);
    const items = reels ? r.body.reels : r.body.candidates;
    const ads = items.filter((k) => k.sponsored);
    assert.ok(ads.length * PAGE_SHARE <= items.length, 'at most 1 in 5');
    for (const k of ads) {
      const c = campaigns.find((x) => x.cid === k.sponsored.campaign_id);
      assert.ok(c, `a campaign of this test: ${k.sponsored.campaign_id}`);
      // Served only what the model says can still be paid, under the caps.
      assert.ok(c.active, `${c.cid} served while paused`);
      assert.ok(balanceOf(c.a) >= c.bid, `${c.cid} served with ${balanceOf(c.a)} left for a bid of ${c.bid}`);
      assert.ok(c.total === 0 || c.spent + c.bid <= c.total * 1000, `${c.cid} served past its lifetime budget`);
      assert.ok(c.daily === 0 || c.spent + c.bid <= c.daily * 1000, `${c.cid} served past its daily budget`);
      assert.ok((c.seen.get(v) ?? 0) < FREQ_CAP, `${c.cid} served past the frequency cap`);
      tokens.push({ token: k.sponsored.token, viewer: v, campaign: c, impressed: false, clicked: false });
    }
  }

  async function event(v, token, kind) {
    const r = await v.post('/api/v1/ads/events', { token, kind });
    assert.equal(r.status, 200);
    return r.body.counted;
  }

  async function impression(t) {
    const c = t.campaign;
    const expect = !t.impressed && (c.seen.get(t.viewer) ?? 0) < FREQ_CAP && balanceOf(c.a) > 0 &&
      (c.total === 0 || c.spent < c.total * 1000) && (c.daily === 0 || c.spent < c.daily * 1000);
    assert.equal(await event(t.viewer, t.token, 'impression'), expect, `impression of ${c.cid}`);
    if (expect) {
      t.impressed = true;
      c.spent += c.bid;
      c.impressions++;
      c.seen.set(t.viewer, (c.seen.get(t.viewer) ?? 0) + 1);
    }
  }

  async function click(t) {
    const expect = t.impressed && !t.clicked;
    assert.equal(await event(t.viewer, t.token, 'click'), expect, `click of ${t.campaign.cid}`);
    if (expect) {
      t.clicked = true;
      t.campaign.clicks++;
    }
  }

  async function forge(t) {
    const b = Buffer.from(t.token, 'base64url');
    const bit = int(0, b.length * 8 - 1);
    b[bit >> 3] ^= 1 << (bit & 7);
    assert.equal(await event(t.viewer, b.toString('base64url'), pick(['impression', 'click'])), false, 'a flipped bit');
    const other = pick(viewers.filter((v) => v !== t.viewer));
    assert.equal(await event(other, t.token, pick(['impression', 'click'])), false, 'another viewer\'s token');
  }

  function check() {
    const rows = q(`SELECT advertiser_id, kind, COALESCE(campaign_id, 0), SUM(amount_milli), count(*) FROM ad_ledger
      WHERE advertiser_id IN (${advertisers.map((a) => a.adv).join(',')}) GROUP BY advertiser_id, kind, campaign_id`);
    const ledger = rows ? rows.split('\n').map((r) => r.split('|').map((x, i) => (i === 1 ? x : Number(x)))) : [];
    const maxBid = Math.max(...campaigns.map((c) => c.bid));
    for (const a of advertisers) {
      const sum = ledger.filter((r) => r[0] === a.adv).reduce((s, r) => s + r[3], 0);
      const paid = ledger.filter((r) => r[0] === a.adv && r[1] === 'topup').reduce((s, r) => s + r[3], 0);
      const refunded = ledger.filter((r) => r[0] === a.adv && r[1] === 'refund').reduce((s, r) => s - r[3], 0);
      assert.equal(paid, a.topups * 1000, 'the ledger holds each paid top-up whole (fees apart)');
      assert.equal(refunded, a.refunds * 1000, 'and each refund');
      assert.equal(sum, balanceOf(a), `balance of advertiser ${a.adv} = paid top-ups − refunds − spend`);
      // Counting needs a positive balance, so spend overshoots by less than one impression; only a refund goes further.
      assert.ok(sum + refunded >= -maxBid, `balance ${sum} (refunds ${refunded}) never below one impression's cost but by refunds`);
    }
    for (const c of campaigns) {
      const r = ledger.find((x) => x[2] === c.id && x[1] === 'spend');
      assert.equal(r ? -r[3] : 0, c.spent, `${c.cid}: spend = counted impressions × bid`);
      assert.equal(r ? r[4] : 0, c.impressions, `${c.cid}: one spend row per counted impression`);
    }
  }

  async function account(a) {
    const acc = (await a.c.get('/api/v1/ads/account')).body.advertiser;
    const b = balanceOf(a);
    assert.deepEqual([acc.balance_minor, acc.owed_minor], [b > 0 ? Math.floor(b / 1000) : 0, b < 0 ? Math.floor(-b / 1000) : 0],
      `account of advertiser ${a.adv} at ${b}`);
  }

  async function report(c) {
    const r = await c.a.c.get(`/api/v1/ads/campaigns/${c.cid}/report`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.totals, {
      impressions: c.impressions,
      clicks: c.clicks,
      ctr_bp: c.impressions ? Math.floor((c.clicks * 10000) / c.impressions) : 0,
      spend_minor: Math.floor(c.spent / 1000),
    }, `${c.cid} report`);
    const days = r.body.days.reduce((s, d) => s + d.impressions, 0);
    assert.equal(days, c.impressions);
  }

  test(`${STEPS} random steps (seed ${SEED})`, async () => {
    for (const a of advertisers) topup(a);
    const counts = {};
    for (let step = 0; step < STEPS; step++) {
      const r = rnd();
      const unused = tokens.filter((t) => !t.impressed);
      const used = tokens.filter((t) => t.impressed);
      let kind;
      if (r < 0.08) {
        kind = 'topup';
        topup(pick(advertisers));
      } else if (r < 0.11 && refund(pick(advertisers))) {
        kind = 'refund';
      } else if (r < 0.3 || tokens.length === 0) {
        const reels = rnd() < 0.5;
        kind = reels ? 'serve-reels' : 'serve';
        await serve(pick(viewers), reels);
      } else if (r < 0.55 && unused.length) {
        kind = 'impression';
        await impression(pick(unused));
      } else if (r < 0.7) {
        kind = 'click';
        await click(pick(tokens));
      } else if (r < 0.8 && used.length) {
        kind = 'replay';
        const t = pick(used);
        await impression(t); // the model expects false: impressed already
        if (t.clicked) await click(t);
      } else if (r < 0.88) {
        kind = 'forgery';
        await forge(pick(tokens));
      } else if (r < 0.94) {
        kind = 'edit';
        const c = pick(campaigns);
        c.bid = int(1, 3000);
        q(`UPDATE campaigns SET bid_cpm_minor = ${c.bid} WHERE id = ${c.id}`);
      } else {
        kind = 'pause';
        const c = pick(campaigns);
        c.active = !c.active;
        q(`UPDATE campaigns SET state = '${c.active ? 'active' : 'paused'}' WHERE id = ${c.id}`);
      }
      counts[kind] = (counts[kind] ?? 0) + 1;
      check();
      if (step % 10 === 0) await report(pick(campaigns));
      if (step % 10 === 5) await account(pick(advertisers));
    }
    for (const c of campaigns) await report(c);
    console.log('ads-property steps', JSON.stringify(counts), 'fees', advertisers.map((a) => a.fees).join(','));
    // Not vacuous: money moved, events were refused, and some were counted.
    assert.ok(campaigns.some((c) => c.impressions > 0));
    assert.ok(campaigns.some((c) => c.clicks > 0));
    assert.ok(counts.forgery > 0 && counts.replay > 0 && counts.topup > 0 && counts.refund > 0);
    assert.ok(counts.serve > 0 && counts['serve-reels'] > 0);
    assert.ok(Number(q(`SELECT count(*) FROM ad_serves s JOIN ad_creatives k ON k.id = s.creative_id
      WHERE k.reel_id IS NOT NULL AND s.impressed_at IS NOT NULL`)) > 0, 'reel ads were counted too');
  });
});
