// An order's side branches in Chromium (issue 20 §4; shell/claim-kit.js, the
// Moderation tab's disputes), against the real server and the payment
// simulator: an order paid, shipped and delivered through the API; the buyer,
// on a phone in Spanish, asks for a refund from the order (an empty reason
// said beside its field first) and is told when a dispute becomes possible;
// the seller, on a desktop in English, follows the notice to the order and
// declines with a reason; the buyer opens a dispute; the seller answers it
// once; they exchange messages (the screen says they are not end-to-end
// encrypted and who reads them; the seller's notice of the buyer's message
// leads to the order); a moderator opens the dispute in the console's
// Moderation tab (the order, the claim's texts and the messages), picks
// Refund with a note, confirms, and the buyer's notice leads to the order,
// now cancelled and refunded with the decision. axe at phone and desktop
// sizes at each step. One server and one simulator for the file; waits are
// for conditions (hang guards only), never for time. Runs on SQLite and on
// PostgreSQL (PA_TEST_DATABASE=postgresql). Then a second order accepted by
// the seller from the keyboard behind its question, its thread paged (21
// messages: 20, then the older one), and a block between them
// refusing the seller's message in words beside the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DESKTOP, PHONE, plain } from '../lib/app.mjs';
import { SERVER } from '../lib/paths.mjs';
import { databaseUrl } from '../lib/pg.mjs';
import { Client, png } from '../server/helpers.mjs';
import { axe, enter, mail, said, shopWorld, words } from './shop-world.mjs';

const w = shopWorld({ database: 'pa_claims' });
const { open, visit, person } = w;
// The claim's fact list as [term, value] pairs.
const facts = (page) => page.$$eval('.shop-claim-facts dt', (dts) => dts.map((dt) =>
  [dt.textContent, dt.nextElementSibling.textContent].map((s) => s.replace(/[\u2066-\u2069]/g, ''))));

test('delivered → refund asked → declined → disputed → answered → messages → a moderator refunds → the buyer sees it; an accept; a block', async () => {
  const port = Number(new URL(w.server.url).port);
  // ---- through the API: a seller, a listing, a buyer's order paid, shipped and delivered; a moderator
  const seller = await person('seller', 'Lía Camas');
  assert.equal((await seller.put('/api/v1/me/seller', { name: 'Camas Lía', payout: { provider: 'paypal', email: mail('payout') } })).status, 201);
  const photo = (await seller.upload(png(40, 30), 'image/png')).id;
  const listing = (await seller.post('/api/v1/listings', { title: 'Cama para perro', photos: [photo], price_minor: 4990, currency: 'EUR',
    stock: 3, condition: 'new', kind: 'product', category: 'beds', species: ['dog'], location: { city: 'Valencia', country: 'ES' },
    shipping: { pickup: false, zones: [{ name: 'ES', price_minor: 450 }] } })).body;
  const buyer = await person('buyer', 'Mateo Compras');
  const adr = (await buyer.post('/api/v1/me/addresses', { name: 'Mateo Compras', street: 'Calle Mayor 5', city: 'Madrid', country: 'ES' })).body;
  assert.equal((await buyer.put('/api/v1/cart/items', { listing: listing.id, quantity: 1 })).status, 200);
  const placed = await buyer.post('/api/v1/checkout', { address: adr.id });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  const [o] = placed.body.orders;
  await w.sim.approve('paypal', new URL(o.approve_url).searchParams.get('token'));
  assert.equal((await buyer.post(`/api/v1/orders/${o.id}/capture`, {})).status, 200);
  assert.equal((await seller.post(`/api/v1/orders/${o.id}/ship`, { carrier: 'Correos', tracking: 'ES123' })).status, 200);
  assert.equal((await buyer.post(`/api/v1/orders/${o.id}/deliver`, {})).body.state, 'delivered');
  const mod = new Client({ port });
  const modMail = mail('mod');
  await mod.signup(modMail, undefined, 'Mo Moderator');
  const env = { ...process.env, ...(w.database ? { PA_DATABASE_URL: databaseUrl(w.database) } : {}) };
  const granted = spawnSync(SERVER, ['admin', '--data', w.server.dir, 'grant', modMail, 'moderator'], { env, encoding: 'utf8' });
  assert.equal(granted.status, 0, granted.stderr);

  // ---- the buyer on a phone, in Spanish: asks for a refund (an empty reason refused beside its field)
  const b = await open(buyer.cookie, { size: PHONE, locale: 'es-ES' });
  await visit(b.page, `/orders/${o.id}`);
  const es = await b.page.evaluate(() => document.documentElement.lang);
  assert.equal(es, 'es');
  await b.page.locator('.shop-order-detail[data-state="delivered"] #shop-claim-ask').waitFor();
  await b.page.locator('.shop-messages .shop-msg-privacy:not(:empty)').waitFor();
  await axe(b.page, 'the delivered order with the refund form');
  await enter(b.page.locator('#shop-claim-ask-title ~ button[type="submit"]'));
  await said(b.page, '#shop-claim-ask-error', words(es, 'shop.required'));
  assert.equal(await b.page.getAttribute('#shop-claim-ask', 'aria-invalid'), 'true');
  assert.equal(await b.page.evaluate(() => document.activeElement.id), 'shop-claim-ask');
  await b.page.fill('#shop-claim-ask', 'La cama llegó rota.');
  await enter(b.page.locator('#shop-claim-ask-title ~ button[type="submit"]'));
  await said(b.page, '.shop-said', words(es, 'shop.claim.askDone'));
  const asked = (await buyer.get(`/api/v1/orders/${o.id}`)).body.claim;
  assert.equal(asked.state, 'requested');
  assert.deepEqual(await facts(b.page), [[words(es, 'shop.claim.stateLabel'), words(es, 'shop.claim.state.requested')],
    [words(es, 'shop.claim.reason'), 'La cama llegó rota.']]);
  const when = await b.page.evaluate((iso) => import('/i18n.js').then((m) => m.day(iso)), asked.dispute_possible_at);
  await said(b.page, '.shop-claim-when', words(es, 'shop.claim.disputeFrom', { date: when }));
  assert.equal(await b.page.locator('#shop-claim-dispute').count(), 0, 'no dispute before the seller answers or the time passes');
  await axe(b.page, 'the buyer\'s requested refund');

  // ---- the seller on a desktop: the notice leads to the order; declines with a reason
  const s = await open(seller.cookie, { size: DESKTOP, locale: 'en-US' });
  await visit(s.page, '/notifications');
  const notice = s.page.locator(`#screen li a[href="/orders/${o.id}"]`, { hasText: 'refund' });
  await notice.waitFor();
  assert.equal(plain(await notice.textContent()), words('en', 'market.noticeRefundRequested', { order: o.id }));
  await axe(s.page, 'the seller\'s notices');
  await enter(notice);
  await s.page.locator('#shop-claim-decline').waitFor();
  assert.equal(await s.page.getByRole('button', { name: 'Accept and refund' }).count(), 1);
  await axe(s.page, 'the seller\'s order with the request');
  await s.page.fill('#shop-claim-decline', 'The bed left here intact; the photos show it.');
  await enter(s.page.locator('#shop-claim-decline-title ~ button[type="submit"]'));
  await said(s.page, '.shop-said', words('en', 'shop.claim.declineDone'));
  await said(s.page, '.shop-claim-facts dd', words('en', 'shop.claim.state.declined'));
  assert.equal(await s.page.locator('#shop-claim-decline').count(), 0);

  // ---- the buyer opens a dispute
  await b.page.reload();
  await b.page.locator('#shop-claim-dispute').waitFor();
  await said(b.page, '.shop-claim-facts dd', 'The bed left here intact; the photos show it.');
  await axe(b.page, 'the buyer\'s declined request with the dispute form');
  await b.page.fill('#shop-claim-dispute', 'Adjunto fotos de la rotura en los mensajes.');
  await enter(b.page.locator('#shop-claim-dispute-title ~ button[type="submit"]'));
  await said(b.page, '.shop-said', words(es, 'shop.claim.disputeDone'));
  await said(b.page, '.shop-claim-facts dd', words(es, 'shop.claim.state.disputed'));

  // ---- the seller answers once
  await s.page.reload();
  await s.page.locator('#shop-claim-answer').waitFor();
  await axe(s.page, 'the seller\'s disputed order with the answer form');
  await s.page.fill('#shop-claim-answer', 'Tracking shows it was delivered in good condition.');
  await enter(s.page.locator('#shop-claim-answer-title ~ button[type="submit"]'));
  await said(s.page, '.shop-said', words('en', 'shop.claim.answerDone'));
  await said(s.page, '.shop-claim-facts dd', 'Tracking shows it was delivered in good condition.');
  assert.equal(await s.page.locator('#shop-claim-answer').count(), 0, 'answered once');

  // ---- messages: not end-to-end encrypted, said; the buyer writes, the seller is told and replies
  assert.equal(plain(await b.page.locator('.shop-msg-privacy').textContent()),
    `${words(es, 'shop.msg.notE2E')} ${words(es, 'shop.msg.visible')}`);
  await said(b.page, '.shop-messages p', words(es, 'shop.msg.empty'));
  await b.page.fill('#shop-msg-text', 'La esquina está rota, ¿lo ve?');
  await enter(b.page.locator('.shop-msg-form button[type="submit"]'));
  await said(b.page, '.shop-msg-status', words(es, 'shop.msg.sent'));
  await said(b.page, '.shop-msg-text', 'La esquina está rota, ¿lo ve?');
  await axe(b.page, 'the buyer\'s messages');
  await visit(s.page, '/notifications');
  const told = s.page.locator(`#screen li a[href="/orders/${o.id}"]`, { hasText: 'message' });
  await told.waitFor();
  assert.equal(plain(await told.textContent()), words('en', 'market.noticeMessage', { order: o.id }));
  await enter(told);
  await said(s.page, '.shop-msg-text', 'La esquina está rota, ¿lo ve?');
  assert.equal(plain(await s.page.locator('.shop-msg-buyer .shop-msg-meta strong').textContent()), 'Buyer');
  await s.page.fill('#shop-msg-text', 'I see a scratch, not a break.');
  await enter(s.page.locator('.shop-msg-form button[type="submit"]'));
  await said(s.page, '.shop-msg-status', words('en', 'shop.msg.sent'));
  assert.deepEqual((await s.page.$$eval('.shop-msg-text', (ps) => ps.map((p) => p.textContent))),
    ['I see a scratch, not a break.', 'La esquina está rota, ¿lo ve?'], 'newest first');
  await axe(s.page, 'the seller\'s messages');

  // ---- the moderator: the dispute in the Moderation tab, Refund with a note, confirmed
  const m = await open(mod.cookie, { size: DESKTOP, locale: 'en-US' });
  await visit(m.page, '/admin');
  const item = m.page.locator('.mod-queue button', { hasText: 'Order dispute' });
  await item.waitFor();
  await enter(item);
  await m.page.getByRole('heading', { name: `Order dispute · ${words('en', 'shop.claim.state.disputed')}` }).waitFor();
  const context = plain(await m.page.locator('.mod-context').textContent());
  for (const part of [o.id, 'La cama llegó rota.', 'The bed left here intact; the photos show it.',
    'Adjunto fotos de la rotura en los mensajes.', 'Tracking shows it was delivered in good condition.',
    'La esquina está rota, ¿lo ve?', 'I see a scratch, not a break.']) assert.ok(context.includes(part), `the context shows ${part}`);
  await axe(m.page, 'the dispute in the Moderation tab');
  await m.page.getByLabel('Refund the buyer in full').check();
  await m.page.getByLabel('Note to both sides (optional)').fill('The photos show a broken corner.');
  await enter(m.page.getByRole('button', { name: 'Decide' }));
  const question = m.page.locator('#mod-decision-q');
  await question.waitFor();
  assert.ok(plain(await question.textContent()).startsWith('Refund '), 'the question names the decision');
  assert.equal((await buyer.get(`/api/v1/orders/${o.id}`)).body.claim.state, 'disputed', 'nothing decided before the confirmation');
  await axe(m.page, 'the decision\'s confirmation');
  await enter(m.page.getByRole('button', { name: 'Yes, decide' }));
  await said(m.page, '#admin-panel-moderation [role=status]', words('en', 'mod.dispute.refunded', { order: o.id }));
  await m.page.getByRole('heading', { name: `Order dispute · ${words('en', 'shop.claim.state.refunded')}` }).waitFor();
  await item.waitFor({ state: 'detached' });
  await axe(m.page, 'the decided dispute');

  // ---- the buyer: the notice leads to the order, cancelled and refunded, with the decision
  await visit(b.page, '/notifications');
  await said(b.page, `#screen li a[href="/orders/${o.id}"]`, words(es, 'market.noticeRefunded', { order: o.id }));
  await axe(b.page, 'the buyer\'s notices');
  const links = b.page.locator(`#screen li a[href="/orders/${o.id}"]`);
  const all = (await links.allTextContents()).map(plain);
  // The buyer was also told of the decline, the answer and the seller's message, each with its words.
  for (const key of ['market.noticeRefundDeclined', 'market.noticeDisputeAnswered', 'market.noticeMessage']) {
    assert.ok(all.includes(words(es, key, { order: o.id })), key);
  }
  await enter(links.nth(all.indexOf(words(es, 'market.noticeRefunded', { order: o.id }))));
  await b.page.locator('.shop-order-detail[data-state="cancelled"]').waitFor();
  await said(b.page, '.shop-claim-facts dd', words(es, 'shop.claim.state.refunded'));
  await said(b.page, '.shop-claim-facts dd', words(es, 'shop.claim.decisionRefund'));
  await said(b.page, '.shop-claim-facts dd', 'The photos show a broken corner.');
  await axe(b.page, 'the buyer\'s refunded order');

  // ---- another order: the seller accepts a request from the keyboard, after the confirmation
  assert.equal((await buyer.put('/api/v1/cart/items', { listing: listing.id, quantity: 1 })).status, 200);
  const [o2] = (await buyer.post('/api/v1/checkout', { address: adr.id })).body.orders;
  await w.sim.approve('paypal', new URL(o2.approve_url).searchParams.get('token'));
  assert.equal((await buyer.post(`/api/v1/orders/${o2.id}/capture`, {})).status, 200);
  assert.equal((await seller.post(`/api/v1/orders/${o2.id}/ship`, { carrier: 'Correos', tracking: 'ES124' })).status, 200);
  assert.equal((await buyer.post(`/api/v1/orders/${o2.id}/refund-request`, { reason: 'No llegó.' })).status, 200);
  await visit(s.page, `/orders/${o2.id}`);
  const accept = s.page.getByRole('button', { name: words('en', 'shop.claim.accept') });
  await enter(accept);
  const keep = s.page.getByRole('button', { name: words('en', 'shop.claim.acceptKeep') });
  assert.equal(await keep.evaluate((n) => n === document.activeElement), true, 'focus on "Not now"');
  await said(s.page, '.shop-claim .shop-confirm p', words('en', 'shop.claim.acceptQuestion'));
  await axe(s.page, 'the accept confirmation');
  await s.page.keyboard.press('Enter');
  assert.equal(await accept.evaluate((n) => n === document.activeElement), true, 'back on Accept');
  assert.equal((await seller.get(`/api/v1/orders/${o2.id}`)).body.claim.state, 'requested', 'nothing done before the confirmation');
  await s.page.keyboard.press('Enter');
  await enter(s.page.getByRole('button', { name: words('en', 'shop.claim.acceptYes') }));
  await said(s.page, '.shop-said', words('en', 'shop.claim.acceptDone'));
  await s.page.locator('.shop-order-detail[data-state="cancelled"]').waitFor();
  await said(s.page, '.shop-claim-facts dd', words('en', 'shop.claim.state.refunded'));

  // ---- the thread is paged: 21 messages, 20 shown, the older one on asking
  for (let i = 1; i <= 21; i++) assert.equal((await buyer.post(`/api/v1/orders/${o2.id}/messages`, { text: `Mensaje ${i}` })).status, 201);
  await s.page.reload();
  const older = s.page.getByRole('button', { name: words('en', 'shop.msg.older') });
  await older.waitFor();
  assert.equal(await s.page.locator('.shop-msg-text').count(), 20);
  assert.equal(plain(await s.page.locator('.shop-msg-text').first().textContent()), 'Mensaje 21', 'newest first');
  await enter(older);
  await said(s.page, '.shop-msg-text', 'Mensaje 1');
  assert.equal(await s.page.locator('.shop-msg-text').count(), 21);
  await older.waitFor({ state: 'hidden' });

  // ---- a block between them: the seller's message is refused in words, beside the field
  assert.equal((await buyer.put(`/api/v1/users/${(await seller.get('/api/v1/auth/session')).body.user.id}/block`, {})).status < 300, true);
  await s.page.fill('#shop-msg-text', 'Hello?');
  await enter(s.page.locator('.shop-msg-form button[type="submit"]'));
  await said(s.page, '#shop-msg-text-error', words('en', 'shop.msg.blocked'));
  assert.equal(await s.page.getAttribute('#shop-msg-text', 'aria-invalid'), 'true');
  await axe(s.page, 'the refused message');
  assert.deepEqual(b.problems, []);
  assert.deepEqual(s.problems.filter((p) => !/status of 403/.test(p)), [], 'only the block\'s refusal');
  assert.deepEqual(m.problems, []);
  await b.context.close();
  await s.context.close();
  await m.context.close();
});
