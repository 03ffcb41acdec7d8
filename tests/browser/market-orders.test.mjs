// The marketplace's purchase journey in Chromium (issue 20, "Done when"),
// against the real server and the payment simulator (web/paysim/): a seller
// lists a dog bed with two photos (through the API: listing in the UI is
// market.test.mjs's); a buyer in Spanish on a phone finds it through the
// market's search box ("cama perro", typed), adds it to the cart (the market header's
// count follows), sees the cart's total in the server's figures, is told
// beside the field what the address form misses, saves an address, places
// the delivery quote for it (shipping 4,50 € or pickup, the total with
// shipping), picks it up instead, places the order, pays on the simulator's
// PayPal page and comes back to the return screen, which captures and says
// what was paid, without shipping; the seller, on a desktop in English,
// follows the payment's notice to the order, sees the buyer's address and
// the pickup, marks it shipped with a tracking link; the buyer confirms
// delivery; after the hold (server and simulator restarted with
// PA_TEST_CLOCK_OFFSET) the order is completed, the buyer reviews it, the
// review shows on the seller's page, and the seller replies once from the
// order. Then the edges on a desktop (options, sold-out and paused lines,
// refusals in words, a seller that cannot deliver to the address said before
// ordering and refused, an order with its shipping in its total, a payment
// left and resumed, a cancel, a tracking number kept as text, another seller
// refused), and a Mercado Pago split payment
// whose late notification the return screen waits for, on a phone in
// Brazilian Portuguese. Each screen is checked by axe at phone and desktop sizes, and the
// controls the journey needs are reached from the keyboard (Enter) where it
// matters: the notice link, Add to cart, Place orders. Words are the
// catalogs' (through the WASM core, as the page formats them), prices the
// core's. One server and one simulator for the file; waits are for
// conditions (hang guards only), never for time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, plain } from '../lib/app.mjs';
import { until } from '../lib/paysim.mjs';
import { png } from '../server/helpers.mjs';
import { axe, enter, i18n, mail, said, shopWorld, text, words } from './shop-world.mjs';

const HOLD = 7 * 86400; // PA_ORDER_HOLD_SECONDS (web/src/market_order.h)
const TITLE = 'Camas ortopédicas para perros grandes';
const KEY = 'c3'.repeat(32); // PA_SECRETS_KEY: seals a Mercado Pago seller's grant
const euros = (tag, minor) => i18n.number(tag, (minor / 100).toFixed(2), 'currency', 'EUR');

// The journey needs no demo world: an empty server (tests/browser/shop-world.mjs),
// which seals Mercado Pago grants and hears both providers' notifications.
const w = shopWorld({ database: 'pa_shop', env: { PA_SECRETS_KEY: KEY }, mercadopago: true, quietSim: true });
const { restart, open, visit, person } = w;

test('a dog bed bought, paid in the simulator, shipped, delivered, completed after the hold and reviewed', async () => {
  // ---- the seller and the listing: two photos, in Spanish, 49,90 €
  const seller = await person('seller', 'Lía Camas');
  const sellerUser = seller.user;
  assert.equal((await seller.put('/api/v1/me/seller', { name: 'Camas Lía', payout: { provider: 'paypal', email: mail('payout') } })).status, 201);
  const photos = [(await seller.upload(png(40, 30), 'image/png')).id, (await seller.upload(png(30, 40), 'image/png')).id];
  const made = await seller.post('/api/v1/listings', { title: TITLE, lang: 'es', photos, description: 'Espuma viscoelástica.',
    price_minor: 4990, currency: 'EUR', stock: 3, condition: 'new', kind: 'product', category: 'beds', species: ['dog'],
    location: { city: 'Valencia', country: 'ES' }, shipping: { pickup: true, zones: [{ name: 'ES', price_minor: 450 }] } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const listing = made.body;
  assert.equal(listing.photos.length, 2);
  const buyer = await person('buyer', 'Mateo Compras');

  // ---- the buyer on a phone, in Spanish: found by "cama perro"
  const b = await open(buyer.cookie, { size: PHONE, locale: 'es-ES' });
  await visit(b.page, '/market');
  const es = await b.page.evaluate(() => document.documentElement.lang);
  assert.equal(es, 'es');
  // Typed into the market's search box, as a person does (the words go to the server with `lang`).
  await b.page.locator('#mkt-q').fill('cama perro');
  await b.page.locator('#mkt-q').press('Enter');
  await b.page.waitForURL((u) => u.searchParams.get('q') === 'cama perro');
  // The results are drawn by the core; its mirror holds a link per listing.
  const card = b.page.locator(`#grid-mirror a[href="/listings/${listing.id}"]`);
  await card.waitFor();
  assert.equal(await text(b.page.locator('.shop-cart-link')), words(es, 'shop.cartCount', { count: 0 }));
  await enter(card);
  await b.page.locator('form.shop-buy').waitFor();
  assert.equal(await text(b.page.locator('h1')), TITLE);
  await axe(b.page, 'listing with Add to cart');
  await b.page.selectOption('#shop-quantity', '2');
  await enter(b.page.locator('form.shop-buy button[type="submit"]'));
  await b.page.locator('.shop-added a[href="/cart"]').waitFor();
  assert.ok((await text(b.page.locator('.shop-added'))).startsWith(words(es, 'shop.added', { count: 2 })));
  await b.page.goBack();
  await said(b.page, '.shop-cart-link', words(es, 'shop.cartCount', { count: 2 }));
  await b.page.locator('.shop-cart-link').click();

  // ---- the cart: the line, the seller's subtotal and the total (the server's), one unit less
  await b.page.waitForURL((u) => u.pathname === '/cart');
  const line = b.page.locator('.shop-line[data-status="available"]');
  await line.waitFor();
  assert.equal(await text(b.page.locator('.shop-group h2')), words(es, 'shop.fromSeller', { name: 'Camas Lía' }));
  assert.equal(await text(b.page.locator('.shop-total')), words(es, 'shop.total', { price: euros(es, 9980) }));
  const qty = b.page.locator(`#shop-q-${listing.id}-x`);
  assert.equal(await qty.inputValue(), '2');
  await qty.selectOption('1');
  await said(b.page, '.shop-total', words(es, 'shop.total', { price: euros(es, 4990) }));
  assert.equal(await text(b.page.locator('.shop-subtotal')), words(es, 'shop.subtotal', { price: euros(es, 4990) }));
  assert.equal((await buyer.get('/api/v1/cart')).body.total_minor, 4990, 'the figure shown is the server\'s');
  await axe(b.page, 'cart');

  // ---- the address: what is missing said beside its field, then saved and chosen
  await enter(b.page.locator('.shop-address-form button[type="submit"]'));
  await said(b.page, '#shop-addr-name-error', words(es, 'shop.required'));
  assert.equal(await b.page.getAttribute('#shop-addr-name', 'aria-invalid'), 'true');
  assert.equal(await b.page.evaluate(() => document.activeElement.id), 'shop-addr-name');
  await axe(b.page, 'address form with errors');
  await b.page.fill('#shop-addr-name', 'Mateo Compras');
  await b.page.fill('#shop-addr-street', 'Calle Mayor 5');
  await b.page.fill('#shop-addr-city', 'Madrid');
  await b.page.fill('#shop-addr-postal_code', '28013');
  await b.page.fill('#shop-addr-country', 'es');
  await b.page.locator('.shop-address-form button[type="submit"]').click();
  await b.page.locator('.shop-book input[type="radio"]:checked').waitFor();
  assert.ok((await text(b.page.locator('.shop-book label'))).includes('Calle Mayor 5'));

  // ---- the quote for that address: ship (4,50 €) or pick up, the total with shipping; picked up
  const [adr] = (await buyer.get('/api/v1/me/addresses')).body.addresses;
  assert.deepEqual((await buyer.get(`/api/v1/cart?address=${adr.id}`)).body.shipping, [{ seller: sellerUser.id, items_minor: 4990,
    options: [{ method: 'ship', shipping_minor: 450 }, { method: 'pickup', shipping_minor: 0 }] }], 'the figures shown are the server\'s');
  const quoted = b.page.locator(`.shop-quote-seller[data-seller="${sellerUser.id}"]`);
  await quoted.waitFor();
  assert.equal(await text(quoted.locator('legend')), words(es, 'shop.deliveryFrom', { name: 'Camas Lía' }));
  assert.deepEqual((await quoted.locator('label').allTextContents()).map(plain),
    [words(es, 'shop.method.ship', { price: euros(es, 450) }), words(es, 'shop.method.pickup', { price: euros(es, 0) })]);
  assert.equal(await quoted.getAttribute('data-method'), 'ship', 'shipped unless the buyer picks it up');
  assert.equal(await text(quoted.locator('.shop-with-shipping')), words(es, 'shop.withShipping', { price: euros(es, 5440) }));
  assert.equal(await text(b.page.locator('.shop-total-shipping')), words(es, 'shop.totalShipping', { price: euros(es, 5440) }));
  await axe(b.page, 'cart with the delivery quote');
  await b.page.focus(`#shop-ship-${sellerUser.id}-ship`);
  await b.page.keyboard.press('ArrowDown'); // a radio group moves with the arrows
  await said(b.page, '.shop-total-shipping', words(es, 'shop.totalShipping', { price: euros(es, 4990) }));
  assert.equal(await quoted.getAttribute('data-method'), 'pickup');

  // ---- place the order, pay in the simulator, come back
  await enter(b.page.locator('.shop-checkout > button.kit-primary'));
  const pay = b.page.locator('.shop-result .shop-pay a');
  await pay.waitFor();
  assert.equal(await text(b.page.locator('#shop-result-title')), words(es, 'shop.placed', { count: 1 }));
  assert.equal(await text(pay), words(es, 'shop.payOrder', { n: 1, count: 1, price: euros(es, 4990) }));
  assert.equal(await b.page.evaluate(() => document.activeElement.classList.contains('shop-result')), true, 'focus on the result');
  await axe(b.page, 'checkout result');
  const orders = (await buyer.get('/api/v1/orders?as=buyer')).body.orders;
  assert.equal(orders.length, 1);
  const order = orders[0];
  assert.equal(order.state, 'awaiting_payment');
  assert.deepEqual([order.shipping_method, order.shipping_minor, order.total_minor], ['pickup', 0, 4990], 'picked up: no shipping');
  await pay.click();
  await b.page.waitForURL((u) => u.href.startsWith(w.sim.url));
  await b.page.getByRole('button', { name: 'Approve' }).click();
  await b.page.waitForURL((u) => u.href.startsWith(w.server.url) && u.pathname === `/orders/${order.id}/return`);
  await b.page.locator('.shop-return[data-state="paid"]').waitFor();
  assert.equal(await text(b.page.locator('.shop-return')), words(es, 'shop.paid', { order: order.id, price: euros(es, 4990) }));
  assert.equal(await text(b.page.locator('.shop-next .shop-order-total')), words(es, 'shop.orderTotal.pickup', { price: euros(es, 4990) }));
  await axe(b.page, 'payment return');
  assert.equal((await buyer.get(`/api/v1/orders/${order.id}`)).body.state, 'paid');
  await b.page.locator(`.shop-next a[href="/orders/${order.id}"]`).click();
  await b.page.locator('.shop-order-detail[data-state="paid"]').waitFor();
  assert.equal(await text(b.page.locator('.shop-state')), words(es, 'shop.state.paid'));
  await axe(b.page, 'the buyer\'s paid order');

  // ---- the seller on a desktop: the notice leads to the order, the address, shipped
  const s = await open(seller.cookie, { size: DESKTOP, locale: 'en-US' });
  await visit(s.page, '/notifications');
  const notice = s.page.locator(`#screen li a[href="/orders/${order.id}"]`);
  await notice.waitFor();
  assert.equal(await text(notice), words('en', 'market.noticePaid', { order: order.id }));
  await enter(notice);
  await s.page.locator('.shop-order-detail[data-state="paid"]').waitFor();
  assert.ok((await text(s.page.locator('.shop-address'))).includes('Calle Mayor 5'), 'the seller sees the address');
  assert.equal(await text(s.page.locator('.shop-order-total')), words('en', 'shop.orderTotal.pickup', { price: euros('en', 4990) }));
  await axe(s.page, 'the seller\'s paid order');
  await s.page.fill('#shop-carrier', 'Correos');
  const tracking = 'https://correos.example/track/ES123456789';
  await s.page.fill('#shop-tracking', tracking);
  await enter(s.page.locator('#shop-ship-title ~ button[type="submit"]'));
  await s.page.locator('.shop-order-detail[data-state="shipped"]').waitFor();
  await said(s.page, '.shop-said', words('en', 'shop.shippedDone'));
  assert.equal(await s.page.locator(`.shop-order-detail a[href="${tracking}"]`).count(), 1, 'tracking as a link');
  await visit(s.page, '/market/orders');
  const sale = s.page.locator(`.shop-order[data-state="shipped"] a[href="/orders/${order.id}"]`);
  await sale.waitFor();
  await axe(s.page, 'sales');

  // ---- the buyer confirms delivery
  await b.page.reload();
  await b.page.locator('.shop-order-detail[data-state="shipped"]').waitFor();
  assert.equal(await b.page.locator(`.shop-order-detail a[href="${tracking}"]`).count(), 1);
  await enter(b.page.getByRole('button', { name: words(es, 'shop.confirmDelivery') }));
  await said(b.page, '.shop-said', words(es, 'shop.deliveredDone')); // said once the order is drawn again

  // ---- after the hold: completed; the buyer reviews it from the order
  await restart(HOLD + 86400);
  await until('the order completed after the hold', async () =>
    (await buyer.get(`/api/v1/orders/${order.id}`)).body.state === 'completed');
  await b.page.reload();
  await b.page.locator('.shop-order-detail[data-state="completed"]').waitFor();
  const history = await b.page.$$eval('.shop-history li', (li) => li.length);
  assert.equal(history, (await buyer.get(`/api/v1/orders/${order.id}`)).body.history.length);
  await axe(b.page, 'the completed order with the review form');
  await b.page.selectOption('#shop-rating', '5');
  await b.page.fill('#shop-review-text', 'Muy cómoda, a mi perro le encanta.');
  await enter(b.page.locator('#shop-review-title ~ button[type="submit"]'));
  await said(b.page, '.shop-said', words(es, 'market.reviewThanks'));
  assert.equal(await b.page.locator('.mkt-review-text').count(), 1);
  assert.equal(await b.page.locator('#shop-review-title').count(), 0, 'one review per order');

  // ---- the seller's page shows it; the seller replies once from the order
  await visit(b.page, `/sellers/${sellerUser.id}`);
  await said(b.page, '.mkt-review-text', 'Muy cómoda, a mi perro le encanta.');
  await axe(b.page, 'the seller\'s page with the review');
  await visit(s.page, `/orders/${order.id}`);
  await s.page.locator('#shop-reply-text').waitFor();
  await s.page.fill('#shop-reply-text', '¡Gracias, Mateo!');
  await enter(s.page.locator('#shop-reply-title ~ button[type="submit"]'));
  await said(s.page, '.shop-said', words('en', 'shop.replyDone'));
  assert.equal(await s.page.locator('#shop-reply-text').count(), 0, 'one reply');
  await said(s.page, '.mkt-review-reply span', '¡Gracias, Mateo!');
  await axe(s.page, 'the seller\'s completed order');

  // ---- the buyer's orders list
  await visit(b.page, '/orders');
  await b.page.locator(`.shop-order[data-state="completed"] a[href="/orders/${order.id}"]`).waitFor();
  await axe(b.page, 'orders');
  // The refusals are the tests' own: nothing else went wrong on either page.
  assert.deepEqual(b.problems, []);
  assert.deepEqual(s.problems, []);
  await b.context.close();
  await s.context.close();
});

// A seller as the API makes one: PayPal or a Mercado Pago account not connected yet.
async function sellerWith(name, provider = 'paypal') {
  const c = await person('seller', name);
  const { user } = c;
  const payout = provider === 'paypal' ? { provider, email: mail('payout') } : { provider };
  assert.equal((await c.put('/api/v1/me/seller', { name, payout })).status, 201);
  const photo = (await c.upload(png(20, 20), 'image/png')).id;
  const list = async (title, extra = {}) => {
    const r = await c.post('/api/v1/listings', { title, photos: [photo], price_minor: 1000, currency: 'EUR', stock: 1,
      condition: 'new', kind: 'product', category: 'toys', species: ['dog'], location: { city: 'Lyon', country: 'FR' },
      shipping: { pickup: true }, ...extra });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  return { c, user, list };
}

test('desktop: options, a sold-out and a paused line marked, refusals in words, a payment left and resumed, a cancel, a plain tracking number', async () => {
  const a = await sellerWith('Atelier Ana');
  const bSeller = await sellerWith('Bruno Toys');
  const cSeller = await sellerWith('Casa MP', 'mercadopago');
  const dSeller = await sellerWith('Dora Pets');
  const withSizes = await a.list('Harness with sizes', { price_minor: 2000, stock: 0,
    variants: [{ size: 'S', stock: 2 }, { size: 'L', stock: 0 }] });
  const paused = await a.list('Paused chew toy');
  const lastOne = await bSeller.list('Last rope toy');
  const mp = await cSeller.list('Mercado Pago ball');
  const dBowl = await dSeller.list('Dora bowl', { price_minor: 1250, shipping: { pickup: true, zones: [{ name: 'PT', price_minor: 300 }] } });
  const eSeller = await sellerWith('Emil Ships');
  const collar = await eSeller.list('Brazil-only collar', { price_minor: 1500, shipping: { zones: [{ name: 'BR', price_minor: 500 }] } });
  const buyer = await person('buyer', 'Noa Buyer');

  // ---- an option chosen on the listing page (the sold-out size cannot be picked)
  const b = await open(buyer.cookie, { size: DESKTOP, locale: 'en-US' });
  await visit(b.page, `/listings/${withSizes.id}`);
  await b.page.locator('#shop-variant').waitFor();
  const sizeL = withSizes.variants.find((v) => v.size === 'L').id;
  const sizeS = withSizes.variants.find((v) => v.size === 'S').id;
  assert.equal(await b.page.locator(`#shop-variant option[value="${sizeL}"]`).isDisabled(), true);
  assert.equal(await b.page.inputValue('#shop-variant'), sizeS);
  assert.deepEqual(await b.page.$$eval('#shop-quantity option', (o) => o.map((x) => x.value)), ['1', '2'], 'up to the size\'s stock');
  await enter(b.page.locator('form.shop-buy button[type="submit"]'));
  await b.page.locator('.shop-added a[href="/cart"]').waitFor();
  for (const l of [paused, lastOne, mp, dBowl, collar]) assert.equal((await buyer.put('/api/v1/cart/items', { listing: l.id, quantity: 1 })).status, 200);

  // ---- someone else takes the last rope toy; the seller pauses the chew toy
  const other = await person('other', 'Quick Other');
  assert.equal((await other.put('/api/v1/cart/items', { listing: lastOne.id, quantity: 1 })).status, 200);
  const adr = await other.post('/api/v1/me/addresses', { name: 'Quick Other', street: 'Rue 1', city: 'Lyon', country: 'FR' });
  // The rope toy is picked up (its only way): without asking, checkout refuses it (no_shipping).
  assert.equal((await other.post('/api/v1/checkout', { address: adr.body.id, delivery: { [bSeller.user.id]: 'pickup' } })).status, 201);
  assert.equal((await a.c.patch(`/api/v1/listings/${paused.id}`, { status: 'paused' })).status, 200);

  await visit(b.page, '/cart');
  await b.page.locator('.shop-line[data-status="sold_out"]').waitFor();
  assert.equal(await text(b.page.locator('.shop-line[data-status="sold_out"] .mkt-card-status')), words('en', 'shop.line.sold_out'));
  assert.equal(await text(b.page.locator('.shop-line[data-status="unavailable"] .mkt-card-status')), words('en', 'shop.line.unavailable'));
  assert.equal(await text(b.page.locator('#shop-seller-none')), words('en', 'shop.unavailableSeller'), 'a group of its own');
  const cart = (await buyer.get('/api/v1/cart')).body;
  assert.equal(cart.total_minor, 2000 + 1000 + 1250 + 1500, 'the available lines (the server\'s sum)');
  assert.equal(await text(b.page.locator('.shop-total')), words('en', 'shop.total', { price: euros('en', cart.total_minor) }));
  await axe(b.page, 'cart with marked lines');

  // ---- the address, then the paused line blocks checkout until it is removed
  await b.page.fill('#shop-addr-name', 'Noa Buyer');
  await b.page.fill('#shop-addr-street', '1 Main Street');
  await b.page.fill('#shop-addr-city', 'Lisbon');
  await b.page.fill('#shop-addr-country', 'PT');
  await b.page.locator('.shop-address-form button[type="submit"]').click();
  await b.page.locator('.shop-book input[type="radio"]:checked').waitFor();
  // ---- the quote: Emil's collar cannot reach Portugal, said before ordering; Dora ships for 3 €
  const noShip = b.page.locator(`.shop-quote-seller[data-seller="${eSeller.user.id}"] .shop-no-shipping`);
  await noShip.waitFor();
  assert.equal(await text(noShip), words('en', 'shop.noShipping', { name: 'Emil Ships' }));
  const dora = b.page.locator(`.shop-quote-seller[data-seller="${dSeller.user.id}"]`);
  assert.equal(await dora.getAttribute('data-method'), 'ship');
  assert.equal(await text(dora.locator('.shop-with-shipping')), words('en', 'shop.withShipping', { price: euros('en', 1550) }));
  assert.equal(await b.page.locator(`.shop-quote-seller[data-seller="${a.user.id}"] .shop-method`).count(), 1, 'pickup only: said, no choice');
  assert.equal(await text(b.page.locator('.shop-total-shipping')), words('en', 'shop.totalShipping', { price: euros('en', 2000 + 1000 + 1550) }));
  await axe(b.page, 'cart with a seller that cannot deliver');
  await enter(b.page.locator('.shop-checkout > button.kit-primary'));
  await b.page.waitForFunction(() => document.querySelector('.shop-place-error')?.textContent.includes('Paused chew toy'));
  const remove = b.page.locator('.shop-line[data-status="unavailable"] button');
  assert.equal(plain(await remove.getAttribute('aria-label')), words('en', 'shop.removeNamed', { title: 'Paused chew toy' }));
  await enter(remove);
  await said(b.page, '.mkt-status', words('en', 'shop.removed', { title: 'Paused chew toy' }));
  await enter(b.page.locator('.shop-checkout > button.kit-primary'));
  await b.page.locator('.shop-result .shop-pay a').first().waitFor();
  assert.deepEqual(await b.page.$$eval('.shop-refused li', (li) => li.map((x) => x.textContent.replace(/[\u2066-\u2069]/g, ''))), [
    words('en', 'shop.refused.sold_out', { name: 'Bruno Toys' }),
    words('en', 'shop.refused.seller_not_connected', { name: 'Casa MP' }),
    words('en', 'shop.refused.no_shipping', { name: 'Emil Ships' }),
  ]);
  const orders = (await buyer.get('/api/v1/orders?as=buyer')).body.orders.slice().reverse();
  assert.deepEqual(orders.map((o) => [o.total_minor, o.shipping_method, o.shipping_minor]), [[2000, 'pickup', 0], [1550, 'ship', 300]]);
  const [first, second] = orders;
  assert.deepEqual(await b.page.$$eval('.shop-pay a', (as) => as.map((x) => x.textContent.replace(/[\u2066-\u2069]/g, ''))), [
    words('en', 'shop.payOrder', { n: 1, count: 2, price: euros('en', 2000) }),
    words('en', 'shop.payOrder', { n: 2, count: 2, price: euros('en', 1550) }),
  ]);
  await axe(b.page, 'checkout with refusals');

  // ---- the first payment left on the provider's page, then paid from the order
  await b.page.locator('.shop-pay a').first().click();
  await b.page.waitForURL((u) => u.href.startsWith(w.sim.url));
  await b.page.getByRole('button', { name: 'Cancel' }).click();
  await b.page.locator('.shop-return[data-state="cancelled"]').waitFor();
  assert.equal(await text(b.page.locator('.shop-return')), words('en', 'shop.leftPayment', { order: first.id }));
  assert.equal(await b.page.locator('.shop-refused li').count(), 3, 'what checkout refused, said again');
  assert.equal(await b.page.locator('.shop-next .shop-pay a').count(), 2);
  await axe(b.page, 'payment left');
  await b.page.locator(`.shop-next a[href="/orders/${first.id}"]`).click();
  await b.page.locator('.shop-order-detail[data-state="awaiting_payment"]').waitFor();
  const payNow = b.page.locator('.shop-actions a.kit-button');
  assert.equal(await text(payNow), words('en', 'shop.payNow', { price: euros('en', 2000) }));
  await payNow.click();
  await b.page.waitForURL((u) => u.href.startsWith(w.sim.url));
  await b.page.getByRole('button', { name: 'Approve' }).click();
  await b.page.locator('.shop-return[data-state="paid"]').waitFor();
  assert.deepEqual(await b.page.$$eval('.shop-next .shop-pay a', (as) => as.map((x) => x.textContent.replace(/[\u2066-\u2069]/g, ''))), [
    words('en', 'shop.payOrder', { n: 1, count: 1, price: euros('en', 1550) }),
  ], 'the order still to pay');

  // ---- the second order cancelled before paying, behind its question
  await visit(b.page, `/orders/${second.id}`);
  await b.page.locator('.shop-order-detail[data-state="awaiting_payment"]').waitFor();
  assert.equal(await text(b.page.locator('.shop-order-total')), words('en', 'shop.orderTotal.ship', { price: euros('en', 1550), shipping: euros('en', 300) }));
  await enter(b.page.getByRole('button', { name: words('en', 'shop.cancelOrder') }));
  assert.equal(await text(b.page.locator('#shop-cancel-q')), words('en', 'shop.cancelUnpaid'));
  assert.equal(await b.page.evaluate(() => document.activeElement.textContent), words('en', 'shop.cancelKeep'), 'focus on Keep');
  await axe(b.page, 'the cancel question');
  await enter(b.page.getByRole('button', { name: words('en', 'shop.cancelYes') }));
  await b.page.locator('.shop-order-detail[data-state="cancelled"]').waitFor();
  await said(b.page, '.shop-said', words('en', 'shop.cancelledDone'));

  // ---- a tracking number that is no URL stays text; another seller cannot see the order
  assert.equal((await a.c.post(`/api/v1/orders/${first.id}/ship`, { carrier: 'CTT', tracking: 'javascript:alert(1)' })).status, 200);
  await visit(b.page, `/orders/${first.id}`);
  await b.page.locator('.shop-order-detail[data-state="shipped"]').waitFor();
  assert.equal(await text(b.page.locator('.shop-tracking')), 'javascript:alert(1)');
  assert.equal(await b.page.locator('.shop-order-detail dd a[href^="javascript"]').count(), 0, 'no link made of it');
  const nosy = await open(dSeller.c.cookie, { size: DESKTOP, locale: 'en-US' });
  await visit(nosy.page, `/orders/${first.id}`);
  await said(nosy.page, '#screen [role="alert"]', words('en', 'shop.orderMissing'));
  assert.equal(await nosy.page.locator('.shop-address').count(), 0, 'no address for another seller');
  assert.deepEqual(b.problems.filter((p) => !/status of 409/.test(p)), [], 'only the paused line\'s refusal');
  assert.deepEqual(nosy.problems.filter((p) => !/status of 404/.test(p)), []);
  await b.context.close();
  await nosy.context.close();
});

test('phone, Brazilian Portuguese: a Mercado Pago split payment, applied from its late notification while the return screen asks', async () => {
  const s = await sellerWith('Loja Rex', 'mercadopago');
  // Connected through the simulator's OAuth page (tests/server/market-mercadopago.test.mjs covers it).
  const connect = await s.c.post('/api/v1/me/seller/mercadopago/connect', {});
  assert.equal(connect.status, 200, JSON.stringify(connect.body));
  const q = new URL(connect.body.url).searchParams;
  const out = await w.sim.mpAuthorize({ client_id: q.get('client_id'), redirect_uri: q.get('redirect_uri'), state: q.get('state'),
    decision: 'approve', country: 'BR' });
  const back = new URL(out.redirect);
  assert.equal((await s.c.get(back.pathname + back.search)).status, 303);
  const bed = await s.list('Cama ortopédica para cachorro', { price_minor: 8990, currency: 'BRL' });
  const buyer = await person('buyer', 'Rafa Compra');
  assert.equal((await buyer.put('/api/v1/cart/items', { listing: bed.id, quantity: 1 })).status, 200);
  assert.equal((await buyer.post('/api/v1/me/addresses', { name: 'Rafa Compra', street: 'Rua A 1', city: 'Recife', country: 'BR' })).status, 201);

  const b = await open(buyer.cookie, { size: PHONE, locale: 'pt-BR' });
  await visit(b.page, '/cart');
  const pt = await b.page.evaluate(() => document.documentElement.lang);
  assert.equal(pt, 'pt');
  await b.page.locator('.shop-book input[type="radio"]:checked').waitFor();
  await enter(b.page.locator('.shop-checkout > button.kit-primary'));
  const pay = b.page.locator('.shop-result .shop-pay a');
  await pay.waitFor();
  assert.equal(await text(pay), words(pt, 'shop.payOrder', { n: 1, count: 1, price: i18n.number(pt, '89.90', 'currency', 'BRL') }));
  const [order] = (await buyer.get('/api/v1/orders?as=buyer')).body.orders;
  assert.equal(order.provider, 'mercadopago');
  // The provider's notification held: the buyer is back before the payment is applied.
  await w.sim.delivery('hold');
  await pay.click();
  await b.page.waitForURL((u) => u.href.startsWith(w.sim.url));
  await b.page.getByRole('button', { name: 'Approve' }).click();
  await b.page.waitForURL((u) => u.href.startsWith(w.server.url) && u.pathname === `/orders/${order.id}/return`);
  await b.page.locator('.shop-return[data-state="pending"]').waitFor();
  assert.equal(await text(b.page.locator('.shop-return')), words(pt, 'shop.confirming'));
  await axe(b.page, 'payment being confirmed');
  await w.sim.delivery('deliver');
  await w.sim.release('fifo');
  await b.page.locator('.shop-return[data-state="paid"]').waitFor();
  assert.equal(await text(b.page.locator('.shop-return')), words(pt, 'shop.paid', { order: order.id, price: i18n.number(pt, '89.90', 'currency', 'BRL') }));
  assert.equal((await buyer.get(`/api/v1/orders/${order.id}`)).body.state, 'paid');
  assert.deepEqual(b.problems, []);
  await b.context.close();
});
