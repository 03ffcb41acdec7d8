// The advertiser's forms in Chromium (issue 21; shell/screens/ads.js,
// ads-campaign-form.js, ads-campaign.js), against the real server: someone
// who does not advertise reaches /ads from Settings with the keyboard, is
// told what an account is, sends the form empty and hears the name is
// required beside its field (focused, aria-invalid), creates the account
// and sees its balance; a top-up amount that is not one is refused at its
// field before anything is sent. The campaign form: empty, every required
// field says so and the first has the focus; a daily budget over the total
// and an end before the start are said at their fields; then a campaign for
// cat owners in Spanish in Spain with two tags is created from the keyboard
// (the server holds exactly what was typed, in minor units), read back on
// its page in words, and edited. Starting it with no approved ad is refused
// in the server's words. The ad form: empty, the photo it needs is said at
// its field; an http link is refused at its field; a photo is prepared and
// uploaded and the ad waits for review; a moderator rejects it with a note,
// which the advertiser reads beside it before removing it. axe at phone and desktop sizes at each step
// (shop-world.mjs). One server for the file; waits are for conditions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DESKTOP, PHONE, tabTo } from '../lib/app.mjs';
import { SERVER } from '../lib/paths.mjs';
import { databaseUrl } from '../lib/pg.mjs';
import { Client, png } from '../server/helpers.mjs';
import { axe, enter, mail, said, shopWorld, text, words } from './shop-world.mjs';

const w = shopWorld({ database: 'pa_adsform', quietSim: true });
const { open, visit, person } = w;
// The invalid field's message, its aria-invalid, and that it has the focus.
async function refusedAt(page, id, message) {
  await said(page, `#${id}-error`, message);
  assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true', `${id} marked invalid`);
  assert.equal(await page.evaluate(() => document.activeElement?.id), id, `${id} has the focus`);
}

test('the account, a top-up amount, the campaign form and the ad form: errors at the field, by keyboard', async () => {
  const adv = await person('adv', 'Nora Anuncios');
  const pet = await adv.post('/api/v1/pets', { name: 'Luna', species: 'cat' });
  assert.equal(pet.status, 201, JSON.stringify(pet.body));

  // ---- Settings → /ads by keyboard; no account yet: the form, refused empty
  const s = await open(adv.cookie, { size: DESKTOP, locale: 'en-US' });
  const { page } = s;
  await visit(page, '/settings');
  const link = page.locator('#screen a[href="/ads"]');
  await link.waitFor();
  assert.equal(await text(link), words('en', 'adv.settingsLink'));
  await tabTo(page, () => document.activeElement?.getAttribute('href') === '/ads', 'the advertising link');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/ads');
  await said(page, '#screen .mkt-status', words('en', 'adv.notAdvertiser'));
  await axe(page, 'the advertiser account form');
  await enter(page.locator('#adv-name'));
  await refusedAt(page, 'adv-name', words('en', 'auth.error.required'));
  assert.deepEqual((await adv.get('/api/v1/ads/account')).body, { advertiser: null }, 'nothing sent');
  await page.keyboard.type('Gatos & Co');
  assert.equal(await page.locator('#adv-currency').inputValue(), 'USD');
  await page.keyboard.press('Enter');
  await page.locator('.adv-balance').waitFor();
  const account = (await adv.get('/api/v1/ads/account')).body.advertiser;
  assert.equal(account.name, 'Gatos & Co');
  assert.equal(account.currency, 'USD');
  assert.equal(await text(page.locator('.adv-balance caption')), words('en', 'adv.balanceCaption', { name: 'Gatos & Co' }));
  await said(page, '#screen [role=status]', words('en', 'adv.topupsEmpty'));
  await axe(page, 'the advertiser account');

  // ---- a top-up amount that is not one: said at the field, nothing sent
  await page.locator('#adv-topup-amount').fill('12,345');
  await enter(page.locator('#adv-topup-amount'));
  await refusedAt(page, 'adv-topup-amount', words('en', 'adv.error.amount'));
  assert.deepEqual((await adv.get('/api/v1/ads/topups')).body.topups, [], 'no top-up started');
  await axe(page, 'the refused top-up amount');

  // ---- the campaign form, from the console's links: empty, then each rule at its field
  await enter(page.locator('#screen nav a[href="/ads/campaigns/new"]'));
  await page.locator('#cmp-name').waitFor();
  assert.equal(await text(page.locator('h1')), words('en', 'adv.newCampaign'));
  await axe(page, 'the new campaign form');
  await enter(page.locator('#screen form button[type=submit]'));
  await refusedAt(page, 'cmp-name', words('en', 'auth.error.required'));
  for (const id of ['cmp-bid', 'cmp-daily', 'cmp-total']) await said(page, `#${id}-error`, words('en', 'auth.error.required'));
  await page.locator('#cmp-name').fill('Juguetes para gatos');
  await page.locator('#cmp-bid').fill('12.50');
  await page.locator('#cmp-daily').fill('20');
  await page.locator('#cmp-total').fill('10');
  await enter(page.locator('#screen form button[type=submit]'));
  await refusedAt(page, 'cmp-daily', words('en', 'adv.error.dailyOverTotal'));
  await page.locator('#cmp-total').fill('100');
  const start = await page.locator('#cmp-starts').inputValue();
  const before = new Date(Date.parse(`${start}T00:00:00Z`) - 86400000).toISOString().slice(0, 10);
  await page.locator('#cmp-ends').fill(before);
  await enter(page.locator('#screen form button[type=submit]'));
  await refusedAt(page, 'cmp-ends', words('en', 'adv.error.endsBeforeStart'));
  await page.locator('#cmp-ends').fill('');
  await page.locator('#cmp-tags').fill('toys, #Grooming, no spaces!');
  await enter(page.locator('#screen form button[type=submit]'));
  await refusedAt(page, 'cmp-tags', words('en', 'adv.error.tag'));
  assert.deepEqual((await adv.get('/api/v1/ads/campaigns')).body.campaigns, [], 'nothing sent while refused');
  await axe(page, 'the campaign form with its errors');

  // ---- the targeting by keyboard: a cat (Space), Spanish (Space), Spain in the list, two tags
  await page.locator('#cmp-tags').fill('toys, #Grooming');
  const cat = page.locator('#cmp-species input[value="cat"]');
  await cat.focus();
  await page.keyboard.press('Space');
  const es = page.locator('#cmp-languages input[value="es"]');
  await es.focus();
  await page.keyboard.press('Space');
  await page.locator('#cmp-countries').selectOption(['ES']);
  await enter(page.locator('#screen form button[type=submit]'));
  await page.waitForURL((u) => /^\/ads\/campaigns\/c_[0-9]+$/.test(u.pathname));
  const [made] = (await adv.get('/api/v1/ads/campaigns')).body.campaigns;
  assert.equal(made.name, 'Juguetes para gatos');
  assert.equal(made.state, 'draft');
  assert.deepEqual([made.bid_cpm_minor, made.daily_budget_minor, made.total_budget_minor, made.currency], [1250, 2000, 10000, 'USD']);
  assert.deepEqual(made.targeting, { species: ['cat'], tags: ['grooming', 'toys'], languages: ['es'], countries: ['ES'] }); // the server's order
  assert.equal(made.ends_at, null);
  await page.locator('.adv-facts').waitFor();
  assert.equal(await text(page.locator('h1')), 'Juguetes para gatos');
  const targeting = await text(page.locator('.adv-facts dd[data-targeting]'));
  for (const part of [words('en', 'adv.target', { kind: words('en', 'adv.targetKind.species'), value: words('en', 'petedit.species.cat') }),
    words('en', 'adv.target', { kind: words('en', 'adv.targetKind.tag'), value: '#toys' }),
    words('en', 'adv.target', { kind: words('en', 'adv.targetKind.language'), value: 'Spanish' }),
    words('en', 'adv.target', { kind: words('en', 'adv.targetKind.country'), value: 'Spain' })]) assert.ok(targeting.includes(part), `${part} in ${targeting}`);
  await said(page, '.adv-report .kit-help', words('en', 'adv.reportEmpty'));
  await axe(page, 'the campaign page, a draft');

  // ---- Start with no approved ad: refused in the server's words, still a draft
  await enter(page.locator('.adv-state-button'));
  await page.locator('#adv-h-facts ~ .kit-error:not(:empty)').waitFor();
  assert.equal((await adv.get(`/api/v1/ads/campaigns/${made.id}`)).body.campaign.state, 'draft');

  // ---- edit: prefilled, a new name and a total
  await enter(page.locator(`#screen a[href="/ads/campaigns/${made.id}/edit"]`));
  await page.locator('#cmp-name').waitFor();
  assert.equal(await page.locator('#cmp-name').inputValue(), 'Juguetes para gatos');
  assert.equal(await page.locator('#cmp-bid').inputValue(), '12.50');
  assert.equal(await page.locator('#cmp-tags').inputValue(), 'grooming, toys');
  assert.ok(await page.locator('#cmp-species input[value="cat"]').isChecked());
  await page.locator('#cmp-name').fill('Juguetes felinos');
  await page.locator('#cmp-total').fill('150.00');
  await enter(page.locator('#screen form button[type=submit]'));
  await page.waitForURL((u) => u.pathname === `/ads/campaigns/${made.id}`);
  await said(page, 'h1', 'Juguetes felinos');
  const edited = (await adv.get(`/api/v1/ads/campaigns/${made.id}`)).body.campaign;
  assert.deepEqual([edited.name, edited.total_budget_minor, edited.bid_cpm_minor], ['Juguetes felinos', 15000, 1250]);

  // ---- the ad form: each field says what it needs; an http link refused; then a photo ad waits for review
  await page.locator('#cr-caption').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#cr-pet option').length === 1);
  await enter(page.locator('.adv-creative-form button[type=submit]'));
  await said(page, '#cr-media-error', words('en', 'adv.error.needPhoto'));
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'cr-media', 'the field in error has the focus');
  assert.equal(await text(page.locator('#cr-link-error')), '', 'an awareness campaign\'s ad needs no link');
  await page.locator('#cr-media').setInputFiles({ name: 'toy.png', mimeType: 'image/png', buffer: png(64, 48) });
  await page.locator('.adv-creative-form .mkt-photo-item img').waitFor();
  await page.locator('#cr-caption').fill('Ratones de juguete para tu gato');
  await page.locator('#cr-link').fill('http://gatos.example/ratones');
  await enter(page.locator('.adv-creative-form button[type=submit]'));
  await refusedAt(page, 'cr-link', words('en', 'adv.error.link'));
  await axe(page, 'the ad form with its errors');
  await page.locator('#cr-link').fill('https://gatos.example/ratones');
  await enter(page.locator('.adv-creative-form button[type=submit]'));
  const item = page.locator('.adv-creative[data-review="pending"]');
  await item.waitFor();
  assert.equal(await text(item.locator('.adv-caption')), 'Ratones de juguete para tu gato');
  assert.equal(await text(item.locator('.adv-review')), words('en', 'adv.review.pending'));
  await said(page, '#screen > .mkt-status', words('en', 'adv.creativeAdded'));
  const [cr] = (await adv.get(`/api/v1/ads/campaigns/${made.id}`)).body.campaign.creatives;
  assert.deepEqual([cr.review, cr.caption, cr.link], ['pending', 'Ratones de juguete para tu gato', 'https://gatos.example/ratones']);
  await axe(page, 'the campaign with an ad waiting for review');

  // ---- a moderator rejects it with a note (through the API): the advertiser reads why, and removes it
  const modMail = mail('mod');
  const mod = new Client({ port: Number(new URL(w.server.url).port) });
  await mod.signup(modMail, undefined, 'Mo Moderator');
  const env = { ...process.env, ...(w.database ? { PA_DATABASE_URL: databaseUrl(w.database) } : {}) };
  const granted = spawnSync(SERVER, ['admin', '--data', w.server.dir, 'grant', modMail, 'moderator'], { env, encoding: 'utf8' });
  assert.equal(granted.status, 0, granted.stderr);
  const note = 'La foto no muestra el producto.';
  assert.equal((await mod.post(`/api/v1/mod/ads/${cr.id}/review`, { decision: 'reject', note })).status, 200);
  await page.reload();
  const rejected = page.locator(`.adv-creative[data-id="${cr.id}"][data-review="rejected"]`);
  await rejected.waitFor();
  assert.equal(await text(rejected.locator('.adv-review')), words('en', 'adv.review.rejected'));
  assert.equal(await text(rejected.locator('.adv-review-note')), words('en', 'adv.rejectedWhy', { note }));
  await axe(page, 'a rejected ad with its note');
  const remove = rejected.locator('button');
  assert.equal((await remove.getAttribute('aria-label')).replace(/[\u2066-\u2069]/g, ''),
    words('en', 'adv.removeCreativeNamed', { caption: 'Ratones de juguete para tu gato' }), 'the button names the ad');
  await enter(remove);
  await said(page, '#screen > .mkt-status', words('en', 'adv.creativeRemoved'));
  await said(page, '.adv-creatives-wrap', words('en', 'adv.creativesEmpty'));
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'adv-h-creatives', 'the focus on the list\'s heading');
  assert.deepEqual((await adv.get(`/api/v1/ads/campaigns/${made.id}`)).body.campaign.creatives, []);

  // ---- the campaigns list on a phone: the campaign by name, its state and spend in words
  await page.setViewportSize(PHONE);
  await visit(page, '/ads/campaigns');
  const card = page.locator(`.adv-campaign[data-id="${made.id}"]`);
  await card.waitFor();
  assert.equal(await text(card.locator('a')), 'Juguetes felinos');
  assert.ok((await text(card.locator('.mkt-card-status'))).startsWith(words('en', 'adv.state.draft')));
  await axe(page, 'the campaigns list');
  assert.deepEqual(s.problems.filter((m) => !/Failed to load resource.*409/.test(m)), [], 'only the refused start');
  await s.context.close();
});
