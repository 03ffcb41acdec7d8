// The help center and the support widget in Chromium (issue 23, "Done when";
// CONTRACT23 §7–8), against the real server with the OpenAI-compatible
// stand-in (web/llmsim/) configured as its model and the payment simulator
// (orders are real): a person asks in Spanish, in words of their own, how to
// change their pet's photo and gets the Spanish pet-photo article with its
// link, while the model's answer streams in token by token (the DOM is seen
// growing step by step: a MutationObserver records every change) and cites
// the article; with the stand-in hanging, the retrieval answer stays (the
// server's model deadline set low by PA_LLM_TIMEOUT_MS); "where is my
// order?" answers with that person's own order status (the model's tool and
// the widget's My orders button), and another person's order id is refused
// with nothing of that order shown or sent to the model; the widget and the
// help pages are keyboard-usable (Help reached with Tab, focus moved in,
// kept in, Escape closes and focus returns) and axe-clean at both sizes; in
// Arabic the widget is right-to-left with nothing overlapping. One server,
// one simulator, one stand-in for the file; waits are for conditions.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DESKTOP, PHONE } from '../lib/app.mjs';
import { startLlmsim } from '../lib/llmsim.mjs';
import { ROOT } from '../lib/paths.mjs';
import { png } from '../server/helpers.mjs';
import { axe, enter, mail, shopWorld, text, words } from './shop-world.mjs';

// The widget's own limits (shell/support/widget.js).
const QUESTION_MAX = 500; // characters in the question box (PA_STORE_HELP_QUESTION_MAX bytes)
const TRANSCRIPT_MAX = 20; // messages a hand-off carries, the latest
const SUBJECT_MAX = 120; // characters of the hand-off's subject: the first question's start
const STREAM_TIMEOUT_MS = 60_000; // the widget's own bound on a stream, beyond the server's deadline

// The server's model deadline for this file (PA_LLM_TIMEOUT_MS): low, so the
// hang test ends soon; the stand-in's normal answers come well within it.
const LLM_TIMEOUT_MS = 3000;
const help = (tag) => JSON.parse(readFileSync(path.join(ROOT, 'locales', 'help', `${tag}.json`), 'utf8'));
const ES = help('es');

// The stand-in first, so the file's server starts with it as its model.
const llm = await startLlmsim();
const w = shopWorld({ database: 'pa_help', env: llm.serverEnv({ timeoutMs: LLM_TIMEOUT_MS }), quietSim: true });
after(() => llm.stop());

// A page signed out (cookie '') or as a person, in a locale and at a size.
async function open(cookie, { locale = 'en-US', size = DESKTOP } = {}) {
  if (cookie) return w.open(cookie, { size, locale });
  const context = await w.browser.newContext({ viewport: size, locale, bypassCSP: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { context, page, problems };
}

// Opens the widget from the keyboard: Tab from the header's first link until
// Help has focus, then Enter; focus lands in the question box.
async function openWidget(page) {
  await page.locator('#help-open').waitFor();
  // The screen settles first: a DOM screen focuses its heading once mounted (app.js).
  await page.waitForFunction(() => document.getElementById('screen').hidden || document.activeElement?.matches('#screen h1'));
  await page.focus('.brand'); // the header's first control
  for (let i = 0; i < 20 && !(await page.evaluate(() => document.activeElement?.id === 'help-open')); i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'help-open', 'Help is reached with Tab');
  await page.keyboard.press('Enter');
  await page.locator('#support-widget[open]').waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'support-q');
}

// Records every state of the streamed answer's text (length, element
// children) as the DOM changes, until the answer ends.
const watchStream = (page) => page.evaluate(() => {
  window.paStream = [];
  const answer = document.querySelector('#support-widget .support-answer');
  new MutationObserver(() => {
    const s = answer.querySelector('.support-stream');
    if (s && !s.hidden && answer.dataset.state === 'streaming') window.paStream.push({ length: s.textContent.length, elements: s.childElementCount });
  }).observe(answer, { subtree: true, childList: true, characterData: true, attributes: true });
});

// Asks question and waits until the answer is in state (any end when none:
// done, fallback, or a retrieval answer without a stream).
async function ask(page, question, state) {
  await page.fill('#support-q', question);
  await enter(page.locator('#support-widget .support-form button[type="submit"]'));
  const ended = state ? `[data-state="${state}"]` : '[data-state]:not([aria-busy]):not([data-state="streaming"])';
  await page.locator(`#support-widget .support-answer${ended}`).waitFor();
}

const answerText = async (page) => text(page.locator('#support-widget .support-answer .support-text:not([hidden])'));

test('a Spanish question about a pet’s photo: the Spanish article with its link, the model’s answer token by token citing it', async () => {
  const { page, problems } = await open('', { locale: 'es-ES', size: PHONE });
  await w.visit(page, '/');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'es');
  await openWidget(page);
  assert.equal(await text(page.locator('#support-title')), words('es', 'support.widget.title'));
  // Signed out: no account buttons, a log-in link instead of "Talk to a person".
  assert.equal(await page.locator('#support-widget .support-account').isHidden(), true);
  assert.equal(await text(page.locator('#support-widget .support-person a')), words('es', 'support.widget.logInToTalk'));
  await axe(page, 'the widget, signed out');

  await watchStream(page);
  await ask(page, '¿Dónde puedo cambiar la foto que sale en el perfil de mi gata?', 'done');
  // The articles used: pet-photo first, in Spanish, linked.
  const first = page.locator('#support-widget .support-answer .help-list li').first();
  assert.equal(await first.getAttribute('data-slug'), 'pet-photo');
  assert.equal(await text(first.locator('a')), ES['help.pet-photo.title']);
  assert.equal(await first.locator('a').getAttribute('href'), '/help/pet-photo');
  // The retrieval answer (kept under the model's) starts with the article's summary.
  assert.ok((await text(page.locator('#support-widget .support-text[data-kind="retrieval"]'))).startsWith(ES['help.pet-photo.summary']));
  // The model's answer came in pieces: the text grew over several steps, as text only.
  const steps = await page.evaluate(() => window.paStream);
  const lengths = [...new Set(steps.map((s) => s.length))].filter((n) => n > 0);
  assert.ok(lengths.length >= 3, `the answer grew in ${lengths.length} steps: ${JSON.stringify(lengths)}`);
  assert.deepEqual(lengths, [...lengths].sort((a, b) => a - b), 'each step adds to the text');
  assert.ok(steps.every((s) => s.elements === 0), 'tokens are text, never elements');
  // The final answer cites the article as a link.
  const cite = page.locator('#support-widget .support-stream a.help-cite');
  assert.ok(await cite.count() >= 1, 'the answer cites an article');
  assert.equal(await cite.first().getAttribute('href'), '/help/pet-photo');
  await axe(page, 'the widget with a streamed answer');

  // The article's link: the widget closes, the article shows in Spanish.
  await enter(first.locator('a'));
  await page.waitForURL((u) => u.pathname === '/help/pet-photo');
  await page.locator('article[data-slug="pet-photo"]').waitFor();
  assert.equal(await page.locator('#support-widget[open]').count(), 0);
  assert.equal(await text(page.locator('h1')), ES['help.pet-photo.title']);
  assert.equal(await page.locator('article').getAttribute('lang'), 'es');
  assert.ok(await page.locator('article ol li').count() >= 2, 'the steps are a numbered list');
  const paras = await page.locator('article p').allTextContents();
  assert.ok(paras.length >= 2 && paras.every((p) => !/^(\d+\.|-)\s/.test(p)), 'no list left as a paragraph');
  await axe(page, 'a help article');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the model hangs: the retrieval answer stays', async () => {
  await llm.mode('hang');
  try {
    const { page, problems } = await open('', { locale: 'es-ES' });
    await w.visit(page, '/help');
    await openWidget(page);
    await ask(page, '¿Cómo cambio la foto de mi perro?', 'fallback');
    assert.equal(await page.locator('#support-widget .support-stream').count(), 0, 'the model’s words are gone');
    assert.ok((await answerText(page)).startsWith(ES['help.pet-photo.summary']), 'the retrieval answer stays');
    assert.equal(await page.locator('#support-widget .support-answer').getAttribute('aria-busy'), null);
    assert.deepEqual(problems, []);
    await page.context().close();
  } finally {
    await llm.mode('normal');
  }
});

test('a stream that never answers is dropped at the widget’s own STREAM_TIMEOUT_MS, the retrieval answer kept', async () => {
  const { page, problems } = await open('', { locale: 'en-US' });
  await page.clock.install();
  // The stream's request is held forever: only the widget's clock can end it.
  await page.route(/\/api\/v1\/help\/asks\/[^/]+\/stream/, () => {});
  await w.visit(page, '/help');
  await openWidget(page);
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);
  await page.fill('#support-q', 'How do I change the photo of my dog?');
  const streamAsked = page.waitForRequest(/\/api\/v1\/help\/asks\/[^/]+\/stream/);
  await enter(page.locator('#support-widget .support-form button[type="submit"]'));
  await page.locator('#support-widget .support-answer[data-state="streaming"]').waitFor();
  await streamAsked;
  await page.clock.runFor(STREAM_TIMEOUT_MS - 1);
  assert.equal(await page.locator('#support-widget .support-answer').getAttribute('data-state'), 'streaming', 'still waiting 1 ms before');
  await page.clock.runFor(1);
  await page.locator('#support-widget .support-answer[data-state="fallback"]').waitFor();
  assert.ok((await answerText(page)).length > 0, 'the retrieval answer shows');
  assert.equal(await page.locator('#support-widget .support-answer').getAttribute('aria-busy'), null);
  assert.deepEqual(problems, []);
  await page.context().close();
});

// A seller's listing and an order of buyer's for it (awaiting payment), through the API.
async function order(seller, buyer, title, price) {
  const photos = [(await seller.upload(png(40, 30), 'image/png')).id];
  const listing = await seller.post('/api/v1/listings', { title, lang: 'en', photos, description: 'A test item.',
    price_minor: price, currency: 'EUR', stock: 5, condition: 'new', kind: 'product', category: 'toys', species: ['dog'],
    location: { city: 'Valencia', country: 'ES' }, shipping: { pickup: true, zones: [] } });
  assert.equal(listing.status, 201, JSON.stringify(listing.body));
  assert.equal((await buyer.put('/api/v1/cart/items', { listing: listing.body.id, quantity: 1 })).status, 200);
  const adr = await buyer.post('/api/v1/me/addresses', { name: 'Test Buyer', street: 'Calle 1', city: 'Madrid', country: 'ES' });
  assert.equal(adr.status, 201);
  const made = await buyer.post('/api/v1/checkout', { address: adr.body.id, delivery: { [seller.user.id]: 'pickup' } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const [o] = (await buyer.get('/api/v1/orders?as=buyer')).body.orders;
  return o;
}

test('“where is my order?” answers with the person’s own order; another person’s order is refused', async () => {
  const seller = await w.person('seller', 'Sam Seller');
  assert.equal((await seller.put('/api/v1/me/seller', { name: 'Sam’s Toys', payout: { provider: 'paypal', email: mail('payout') } })).status, 201);
  const buyer = await w.person('buyer', 'Bea Buyer');
  const other = await w.person('other', 'Otto Other');
  const mine = await order(seller, buyer, 'Rope toy', 1290);
  const theirs = await order(seller, other, 'Squeaky duck', 4321);
  assert.notEqual(mine.id, theirs.id);

  const { page, problems } = await open(buyer.cookie);
  await w.visit(page, '/');
  await openWidget(page);
  assert.equal(await page.locator('#support-widget .support-account').isVisible(), true);
  assert.equal(await text(page.locator('#support-widget .support-person button')), words('en', 'support.widget.talk'));

  // With the model: its my_orders tool, run with this person's session.
  await ask(page, 'where is my order?', 'done');
  const said = await answerText(page);
  assert.ok(said.includes(mine.id) || said.includes(words('en', `shop.state.${mine.state}`)) || said.includes(mine.state),
    `the answer names the person's order: ${said}`);
  assert.ok(!said.includes(theirs.id), 'nothing of another person’s order');

  // The widget's own button: the same answer without a model.
  await enter(page.locator('#support-widget button[data-action="my_orders"]'));
  const line = page.locator(`#support-widget .support-account-out li[data-order="${mine.id}"]`);
  await line.waitFor();
  assert.ok((await text(line)).includes(words('en', `shop.state.${mine.state}`)));
  assert.equal(await page.locator(`#support-widget .support-account-out li[data-order="${theirs.id}"]`).count(), 0);
  await axe(page, 'the widget with My orders');

  // Another person's order by its id: refused, nothing of it shown or sent.
  const before = (await llm.requests()).length;
  await ask(page, `What is the status of order ${theirs.id}?`, 'done');
  const refused = await text(page.locator('#support-widget .support-answer'));
  for (const leak of ['Squeaky duck', 'Otto', '43.21', '43,21']) assert.ok(!refused.includes(leak), `“${leak}” is not shown`);
  const sent = JSON.stringify((await llm.requests()).slice(before));
  assert.ok(sent.includes('not_found'), 'the tool answered not_found');
  for (const leak of ['Squeaky duck', 'Otto', '4321', other.user.id]) assert.ok(!sent.includes(leak), `“${leak}” never reaches the model`);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('keyboard and axe: the help center, search, an article, the widget’s focus kept in and given back', async () => {
  const { page, problems } = await open('', { locale: 'en-US' });
  await w.visit(page, '/help');
  await page.locator('.help section[data-section="pets"] li[data-slug="pet-photo"] a').waitFor();
  assert.equal(await text(page.locator('h1')), words('en', 'help.ui.title'));
  await axe(page, 'the help center');

  // Search from the keyboard: typed, Enter, results as links.
  await page.focus('#help-q');
  await page.keyboard.type('new picture for my cat');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/help/search' && u.searchParams.get('q') === 'new picture for my cat');
  await page.locator('.help-body li[data-slug="pet-photo"] a').waitFor();
  await axe(page, 'help search results');
  // Deep link to an article that does not exist: said, with the way back.
  await w.visit(page, '/help/no-such-article');
  await page.locator('h1').waitFor();
  assert.equal(await text(page.locator('h1')), words('en', 'help.ui.notFound'));

  // The widget: focus in, kept in while Tab goes round, Escape closes, focus back on Help.
  await w.visit(page, '/help/pet-photo');
  await page.locator('article[data-slug="pet-photo"]').waitFor();
  await openWidget(page);
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    const where = await page.evaluate(() => (document.activeElement === document.body ? 'body'
      : document.getElementById('support-widget').contains(document.activeElement) ? 'widget' : document.activeElement.outerHTML.slice(0, 80)));
    assert.ok(where === 'widget' || where === 'body', `Tab ${i + 1} left the widget for ${where}`);
  }
  await page.emulateMedia({ colorScheme: 'dark' });
  await axe(page, 'the widget, dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('#support-widget[open]'));
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'help-open', 'focus is back on Help');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('in Arabic the widget is right-to-left and nothing in it overlaps', async () => {
  const { page, problems } = await open('', { locale: 'ar', size: PHONE });
  await w.visit(page, '/');
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  await openWidget(page);
  await ask(page, 'كيف أغير صورة حيواني الأليف؟');
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    const boxes = await page.evaluate(() => {
      const d = document.getElementById('support-widget');
      const pick = ['#support-title', '.support-close', 'label[for="support-q"]', '#support-q', '.support-form button[type="submit"]',
        '.support-answer', '.support-person'];
      return pick.map((sel) => {
        const r = d.querySelector(sel).getBoundingClientRect();
        return { sel, x: r.x, y: r.y, w: r.width, h: r.height };
      });
    });
    for (const b of boxes) {
      assert.ok(b.w > 0 && b.h > 0, `${b.sel} shows`);
      assert.ok(b.x >= 0 && b.x + b.w <= size.width + 0.5, `${b.sel} within the screen at ${size.width}px`);
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        const overlap = a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5;
        assert.ok(!overlap, `${a.sel} and ${b.sel} overlap at ${size.width}px`);
      }
    }
    const [title, close] = boxes;
    assert.ok(close.x < title.x, 'right to left: the close button is on the left, the title on the right');
  }
  await page.setViewportSize(PHONE);
  await axe(page, 'the widget in Arabic');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('“Talk to a person”: the latest 20 messages and the first question’s start as the subject, then the conversation in the widget', async () => {
  const pia = await w.person('pia', 'Pia Asker');
  const { page, problems } = await open(pia.cookie);
  await w.visit(page, '/settings');
  await openWidget(page);
  // The box holds QUESTION_MAX characters and no more; a question of exactly that many is asked.
  await page.fill('#support-q', 'a'.repeat(QUESTION_MAX + 1));
  assert.equal((await page.inputValue('#support-q')).length, QUESTION_MAX, 'the 501st character is refused');
  // 11 questions (22 messages): the first one, SUBJECT_MAX + 1 characters long, is the subject's source.
  const first = `How do I change my dog’s photo ${'x'.repeat(SUBJECT_MAX)}`.slice(0, SUBJECT_MAX + 1);
  const questions = [first, ...Array.from({ length: 9 }, (_, i) => `How do I change my cat’s photo, try ${i + 2}?`), 'a'.repeat(QUESTION_MAX)];
  for (const q of questions) await ask(page, q);
  assert.equal(await page.locator('#support-widget .support-person button').getAttribute('class'), 'primary', 'offered firmly after an unknown answer');
  await enter(page.locator('#support-widget .support-person button'));
  await page.waitForFunction(() => document.activeElement?.id === 'support-conv-title');
  const [conv] = (await pia.get('/api/v1/support/conversations')).body.conversations;
  const got = (await pia.get(`/api/v1/support/conversations/${conv.id}`)).body;
  assert.equal(got.subject, first.slice(0, SUBJECT_MAX), 'the subject is the first question’s first 120 characters');
  const carried = got.messages.filter((m) => m.author === 'person' || m.author === 'assistant');
  assert.equal(carried.length, TRANSCRIPT_MAX, 'the latest 20 of 22 messages');
  assert.equal(carried[0].author, 'person');
  assert.equal(carried[0].body, questions[1], 'the first question and its answer are the two left out');
  assert.equal(carried.at(-2).body, questions.at(-1), 'a question of QUESTION_MAX characters is carried whole');
  await page.locator('#support-widget .support-conv-pane .support-composer').waitFor();
  await axe(page, 'the widget after a hand-off');
  // Opened again later, the widget shows the unresolved conversation.
  await page.keyboard.press('Escape');
  await w.visit(page, '/');
  await openWidget(page);
  await page.locator('#support-widget .support-conv-pane:not([hidden]) .support-composer').waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
});
