// The self-serve ads journey in Chromium (issue 21, "Done when"), against the
// real server and the payment simulator (web/paysim/): an advertiser tops up
// 50 USD from /ads through PayPal's approval page and comes back to
// /ads/topups/return, which reads the top-up until it is paid; creates a
// campaign for cat owners in Spanish (the highest CPM bid, 100 USD, so one
// impression costs 10 cents; the lowest daily and total budget, 1 USD: ten
// impressions) and a photo ad; Start is refused while the ad waits for review. A moderator
// opens the ad in the console's Moderation tab (photo, caption, link), is
// told a rejection needs a note, and approves it; the advertiser starts the
// campaign, pauses and resumes it from the keyboard. A Spanish-speaking cat owner (locale es, a cat, another browser
// context) sees it in the feed labelled "Patrocinado"; the page posts its
// impression once it has been on screen (the core's rule) and its click
// when the ad's link is followed: each counted once, the same events sent
// again are not. More cat owners' impressions (through the API, three each:
// the frequency cap) spend the total budget, and one more is offered nothing
// of it: delivery stopped. The campaign's report shows ten impressions, one
// click, 10 % and 1 USD by day and by target, in tables and charts. The server's clock is set to
// 23:30 UTC of a day (PA_TEST_CLOCK_OFFSET, simulator too) so pacing's
// allowance is the whole daily budget whatever the hour the test runs at.
// axe at phone and desktop sizes at each step. One server and one
// simulator for the file; waits are for conditions (hang guards only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DESKTOP, PHONE, plain } from '../lib/app.mjs';
import { SERVER } from '../lib/paths.mjs';
import { databaseUrl } from '../lib/pg.mjs';
import { Client, png } from '../server/helpers.mjs';
import { axe, enter, i18n, mail, said, shopWorld, text, words } from './shop-world.mjs';

const w = shopWorld({ database: 'pa_adsjourney', quietSim: true });
const { open, visit, person } = w;
const usd = (tag, minor) => i18n.number(tag, (minor / 100).toFixed(2), 'currency', 'USD');
const BID = 10000; // 100 USD per thousand impressions (PA_ADS_BID_MAX_UNITS): 10 cents an impression
const BUDGET = 100; // 1 USD daily and total (PA_ADS_DAILY_MIN_UNITS): ten impressions
const SHOWN = BUDGET / (BID / 1000);
const FREQ_CAP = 3; // PA_ADS_FREQ_CAP: counted impressions per person per campaign a day
// The rows of a table as arrays of cell texts (the row header first).
const rows = (locator) => locator.locator('tbody tr').evaluateAll((trs) =>
  trs.map((tr) => [...tr.children].map((c) => c.textContent.replace(/[\u2066-\u2069]/g, ''))));

/** A Spanish-speaking cat owner, through the API. */
async function catOwner(tag, name) {
  const c = await person(tag, name);
  const me = await c.patch('/api/v1/me', { locale: 'es' });
  assert.equal(me.status, 200, JSON.stringify(me.body));
  const pet = await c.post('/api/v1/pets', { name: `Michi ${tag}`, species: 'cat' });
  assert.equal(pet.status, 201, JSON.stringify(pet.body));
  return c;
}

/** The sponsored candidates of campaign cmp offered to client c. */
async function offered(c, cmp) {
  const r = await c.get('/api/v1/feed/candidates');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.candidates.filter((x) => x.sponsored?.campaign_id === cmp);
}

test('top up 50 USD → a campaign for Spanish cat owners → approved → seen, counted once, stopped at its budget → the report', async () => {
  // Put the server and the simulator at 23:30 UTC: pacing then allows the whole daily budget.
  const now = Date.now();
  const target = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate(), 23, 30);
  await w.restart(Math.floor((target - now) / 1000) + 86400);
  const port = Number(new URL(w.server.url).port);

  // ---- people, through the API: the advertiser (with a pet: an ad is a pet's post), a moderator, organic posts
  const adv = await person('adv', 'Tienda Gatuna');
  assert.equal((await adv.post('/api/v1/pets', { name: 'Mascota', species: 'cat' })).status, 201);
  const modMail = mail('mod');
  const mod = new Client({ port });
  await mod.signup(modMail, undefined, 'Mo Moderator');
  const env = { ...process.env, ...(w.database ? { PA_DATABASE_URL: databaseUrl(w.database) } : {}) };
  const granted = spawnSync(SERVER, ['admin', '--data', w.server.dir, 'grant', modMail, 'moderator'], { env, encoding: 'utf8' });
  assert.equal(granted.status, 0, granted.stderr);
  const poster = await person('poster', 'Lucía Posts');
  const rex = (await poster.post('/api/v1/pets', { name: 'Rex', species: 'dog' })).body;
  for (let i = 0; i < 8; i++) {
    const m = await poster.upload(png(40 + i, 30), 'image/png');
    assert.equal((await poster.post('/api/v1/posts', { caption: `Paseo ${i}`, media_ids: [m.id], pet_ids: [rex.id] })).status, 201);
  }

  // ---- the advertiser on a desktop: the account, then 50 USD through PayPal's page, and back
  const a = await open(adv.cookie, { size: DESKTOP, locale: 'en-US' });
  await visit(a.page, '/ads');
  await a.page.locator('#adv-name').fill('Tienda Gatuna');
  await enter(a.page.locator('#adv-name'));
  await a.page.locator('#adv-topup-amount').waitFor();
  await a.page.locator('#adv-topup-amount').fill('50');
  assert.equal(await a.page.locator('#adv-topup-provider').inputValue(), 'paypal');
  await enter(a.page.locator('#adv-topup-amount'));
  await a.page.waitForURL((u) => u.href.startsWith(w.sim.url));
  await a.page.getByRole('button', { name: 'Approve' }).click();
  await a.page.waitForURL((u) => u.href.startsWith(w.server.url) && u.pathname === '/ads/topups/return');
  await a.page.locator('.adv-return[data-state="paid"]').waitFor();
  assert.equal(await text(a.page.locator('.adv-return')), words('en', 'adv.topupPaid', { price: usd('en', 5000) }));
  await axe(a.page, 'the top-up\'s return');
  const account = (await adv.get('/api/v1/ads/account')).body.advertiser;
  assert.deepEqual([account.balance_minor, account.spent_minor, account.currency], [5000, 0, 'USD']);
  await enter(a.page.locator('#screen a[href="/ads"]'));
  await a.page.locator('.adv-topups li[data-state="paid"]').waitFor();
  assert.deepEqual(await rows(a.page.locator('.adv-balance')), [[words('en', 'adv.balance'), usd('en', 5000)],
    [words('en', 'adv.spent'), usd('en', 0)]]);
  await axe(a.page, 'the account with its paid top-up');

  // ---- the campaign: cat owners in Spanish, two impressions' budget
  await enter(a.page.locator('#screen nav a[href="/ads/campaigns/new"]'));
  await a.page.locator('#cmp-name').fill('Gatos en español');
  await a.page.locator('#cmp-objective').selectOption('traffic');
  await a.page.locator('#cmp-bid').fill('100');
  await a.page.locator('#cmp-daily').fill('1');
  await a.page.locator('#cmp-total').fill('1.00');
  await a.page.locator('#cmp-species input[value="cat"]').check();
  await a.page.locator('#cmp-languages input[value="es"]').check();
  await enter(a.page.locator('#screen form button[type=submit]'));
  await a.page.waitForURL((u) => /^\/ads\/campaigns\/c_[0-9]+$/.test(u.pathname));
  const cmp = a.page.url().split('/').pop();
  const made = (await adv.get(`/api/v1/ads/campaigns/${cmp}`)).body.campaign;
  assert.deepEqual([made.bid_cpm_minor, made.daily_budget_minor, made.total_budget_minor, made.objective],
    [BID, BUDGET, BUDGET, 'traffic']);
  assert.deepEqual(made.targeting, { species: ['cat'], tags: [], languages: ['es'], countries: [] });

  // ---- its ad: a photo, a caption, a link; Start refused while it waits for review
  await a.page.locator('#cr-media').setInputFiles({ name: 'raton.png', mimeType: 'image/png', buffer: png(120, 90) });
  await a.page.locator('.adv-creative-form .mkt-photo-item img').waitFor();
  await a.page.locator('#cr-caption').fill('Ratones de juguete para tu gato');
  await a.page.locator('#cr-link').fill('https://tienda.example/ratones');
  await enter(a.page.locator('.adv-creative-form button[type=submit]'));
  await a.page.locator('.adv-creative[data-review="pending"]').waitFor();
  await enter(a.page.locator('.adv-state-button'));
  await a.page.locator('#adv-h-facts ~ .kit-error:not(:empty)').waitFor();
  assert.equal((await adv.get(`/api/v1/ads/campaigns/${cmp}`)).body.campaign.state, 'draft', 'not started before approval');

  // ---- the moderator: the ad in the queue, in context; a rejection needs a note; approved
  const m = await open(mod.cookie, { size: DESKTOP, locale: 'en-US' });
  await visit(m.page, '/admin');
  const item = m.page.locator('.mod-queue button', { hasText: words('en', 'mod.kind.ad') });
  await item.waitFor();
  await enter(item);
  await m.page.locator('.mod-ad-caption').waitFor();
  assert.equal(await text(m.page.locator('.mod-ad-caption')), 'Ratones de juguete para tu gato');
  assert.equal(await text(m.page.locator('.mod-ad-link')), words('en', 'mod.ad.link', { link: 'https://tienda.example/ratones' }));
  assert.equal(await m.page.locator('.mod-ad-media img').count(), 1, 'the ad\'s photo');
  await axe(m.page, 'the ad in the Moderation tab');
  const reject = m.page.locator('.mod-review input[value="reject"]');
  await reject.focus();
  await m.page.keyboard.press('Space');
  await enter(m.page.locator('.mod-review button[type=submit]'));
  await said(m.page, '#mod-review-note-error', words('en', 'mod.ad.noteRequired'));
  assert.equal(await m.page.evaluate(() => document.activeElement?.id), 'mod-review-note');
  assert.equal((await adv.get(`/api/v1/ads/campaigns/${cmp}`)).body.campaign.creatives[0].review, 'pending', 'nothing sent');
  await axe(m.page, 'a rejection without its note');
  await m.page.locator('.mod-review input[value="approve"]').check();
  await enter(m.page.locator('.mod-review button[type=submit]'));
  await said(m.page, '#admin-panel-moderation [role=status]', words('en', 'mod.done',
    { action: words('en', 'mod.action.approve'), state: words('en', 'mod.state.approved') }));
  await item.waitFor({ state: 'detached' });
  await m.context.close();

  // ---- the advertiser reads the approval and starts the campaign
  await a.page.reload();
  await a.page.locator('.adv-creative[data-review="approved"]').waitFor();
  await enter(a.page.locator('.adv-state-button'));
  await said(a.page, '.adv-state-said', words('en', 'adv.stateNow', { state: words('en', 'adv.state.active') }));
  assert.equal((await adv.get(`/api/v1/ads/campaigns/${cmp}`)).body.campaign.state, 'active');
  await axe(a.page, 'the running campaign');
  // Pause and resume from the keyboard: the button keeps the focus and says the new state.
  assert.equal(await text(a.page.locator('.adv-state-button')), words('en', 'adv.pause'));
  await enter(a.page.locator('.adv-state-button'));
  await said(a.page, '.adv-state-said', words('en', 'adv.stateNow', { state: words('en', 'adv.state.paused') }));
  assert.equal((await adv.get(`/api/v1/ads/campaigns/${cmp}`)).body.campaign.state, 'paused');
  assert.equal(await a.page.evaluate(() => document.activeElement?.textContent), words('en', 'adv.resume'));
  await a.page.keyboard.press('Enter');
  await said(a.page, '.adv-state-said', words('en', 'adv.stateNow', { state: words('en', 'adv.state.active') }));
  assert.equal((await adv.get(`/api/v1/ads/campaigns/${cmp}`)).body.campaign.state, 'active');

  // ---- a Spanish-speaking cat owner on a phone: the ad in the feed, labelled; its impression and click once each
  const viewer = await catOwner('viewer', 'Carmen Gata');
  const v = await open(viewer.cookie, { size: PHONE, locale: 'es-ES' });
  // The advertiser's site, answered here (the test has no internet).
  await v.context.route('https://tienda.example/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>Tienda</title>' }));
  const isEvent = (kind) => (r) => new URL(r.url()).pathname === '/api/v1/ads/events' && r.request().postDataJSON()?.kind === kind;
  await visit(v.page, '/');
  const ad = v.page.locator('#mirror > article[data-sponsored]:has(a[data-control="ad-link"])').first();
  for (let i = 0; i < 40 && !(await ad.count()); i++) {
    await v.page.mouse.move(180, 400);
    await v.page.mouse.wheel(0, 300);
    await v.page.waitForTimeout(100); // a pause between scrolls, never an assertion
  }
  assert.equal(await ad.count(), 1, 'the campaign\'s ad is in the Spanish cat owner\'s feed');
  assert.ok(plain(await ad.locator('h2').textContent()).startsWith(`${words('es', 'rank.sponsored')}: `), 'labelled in Spanish');
  const link = ad.locator('a[data-control="ad-link"]');
  assert.equal(await link.getAttribute('href'), 'https://tienda.example/ratones');
  assert.equal(plain(await link.textContent()), words('es', 'sponsored.linkLabel', { host: 'tienda.example' }));
  // On screen (focus brings the core's card into view): a second of the page's clock later the impression is posted.
  const impressionAnswer = v.page.waitForResponse(isEvent('impression'));
  await ad.focus();
  const impressed = await impressionAnswer;
  assert.deepEqual(await impressed.json(), { counted: true });
  const token = impressed.request().postDataJSON().token;
  // Its link from the keyboard: the site in a new tab, the click posted and counted.
  const clickAnswer = v.page.waitForResponse(isEvent('click'));
  const popup = v.context.waitForEvent('page');
  await link.focus();
  await v.page.keyboard.press('Enter');
  await (await popup).close();
  assert.deepEqual(await (await clickAnswer).json(), { counted: true });
  await axe(v.page, 'the feed with the ad');
  // The client repeats both: nothing more is counted.
  assert.deepEqual((await viewer.post('/api/v1/ads/events', { token, kind: 'impression' })).body, { counted: false });
  assert.deepEqual((await viewer.post('/api/v1/ads/events', { token, kind: 'click' })).body, { counted: false });
  const counted = (await adv.get(`/api/v1/ads/campaigns/${cmp}/report`)).body.totals;
  assert.deepEqual([counted.impressions, counted.clicks, counted.spend_minor], [1, 1, BID / 1000]);
  await v.context.close();

  // ---- more cat owners' impressions (three each at most) spend the budget; one more is offered nothing of it
  let shown = 1;
  for (let i = 0; shown < SHOWN && i < SHOWN; i++) {
    const c = await catOwner(`more${i}`, `Gata ${i}`);
    for (let k = 0; k < FREQ_CAP && shown < SHOWN; k++) {
      const [served] = await offered(c, cmp);
      assert.ok(served, `offered while budget is left (${shown} of ${SHOWN} shown)`);
      assert.deepEqual(served.sponsored.why.species, ['cat']);
      assert.deepEqual(served.sponsored.why.languages, ['es']);
      assert.deepEqual((await c.post('/api/v1/ads/events', { token: served.sponsored.token, kind: 'impression' })).body, { counted: true });
      shown++;
    }
  }
  assert.equal(shown, SHOWN);
  const last = await catOwner('last', 'Elena Gata');
  assert.deepEqual(await offered(last, cmp), [], 'the total budget is spent: delivery stopped');
  const spent = (await adv.get(`/api/v1/ads/campaigns/${cmp}`)).body.campaign.spent_minor;
  assert.equal(spent, BUDGET);

  // ---- the report on the campaign's page: totals, by day, by target
  await a.page.reload();
  await a.page.locator('.adv-days-table').waitFor();
  const pct = await a.page.evaluate((x) => new Intl.NumberFormat('en', { style: 'percent', minimumFractionDigits: 2 }).format(x), 1 / SHOWN);
  const figures = [String(SHOWN), '1', pct, usd('en', BUDGET)];
  assert.deepEqual(await rows(a.page.locator('.adv-totals')), [[words('en', 'adv.totals'), ...figures]]);
  const days = await rows(a.page.locator('.adv-days-table'));
  assert.equal(days.length, 1);
  assert.deepEqual(days[0].slice(1), figures);
  const targets = await rows(a.page.locator('.adv-targets-table'));
  const species = words('en', 'adv.target', { kind: words('en', 'adv.targetKind.species'), value: words('en', 'petedit.species.cat') });
  const language = words('en', 'adv.target', { kind: words('en', 'adv.targetKind.language'), value: 'Spanish' });
  assert.deepEqual(targets.find((r) => r[0] === species)?.slice(1), figures, 'by species');
  assert.deepEqual(targets.find((r) => r[0] === language)?.slice(1), figures, 'by language');
  assert.equal(await a.page.locator('.adv-days svg').first().getAttribute('aria-hidden'), 'true');
  assert.equal(await a.page.locator('.adv-days svg').first().locator('rect').count(), days.length, 'a bar per day of the table');
  await axe(a.page, 'the campaign\'s report');
  assert.deepEqual(a.problems.filter((p) => !/Failed to load resource.*409/.test(p)), [], 'only the refused start');
  await a.context.close();
});
