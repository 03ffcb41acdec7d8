// /cart: the buyer's cart and checkout (issue 20 §3). The lines grouped by
// seller with their quantities (PUT /api/v1/cart/items), Remove, sold-out and
// unavailable lines marked in words, each seller's subtotal and the total in
// the server's figures (unit prices the server read now, one currency); then
// the delivery address (the address book, GET/POST /api/v1/me/addresses,
// the server's refusals beside the field they name) and "Place orders":
// POST /api/v1/checkout makes one order per seller, and each is paid in turn
// on its provider's page (approve_url), which comes back to
// /orders/{id}/return (order-return.js). Sellers refused at checkout
// (refused[]: sold_out …) are said in words, kept for the return screen.
// Once an address is chosen, the quote for it (GET /api/v1/cart?address=):
// per seller what reaching it costs, a choice ship / pick up where the
// seller offers pickup (sent as checkout's delivery), a seller that cannot
// reach it said in words before ordering, and the total with shipping (the
// server's figures, added up per seller as the orders will be).
import { get, post, put, del } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { price } from '../market-kit.js';
import { ADDRESS_FIELDS, addressLines, sellerNames } from '../shop-kit.js';

const QUANTITY_MAX = 99; // PA_CART_QUANTITY_MAX (web/src/market_order.h)
export const REFUSALS = ['sold_out', 'seller_not_connected', 'payment_unavailable', 'currency_unsupported', 'no_shipping'];
export const METHODS = ['ship', 'pickup', 'service'];
// What checkout refused, by checkout id, for the return screen (this tab only).
export const refusedKey = (chk) => `pa:checkout:${chk}`;

export async function mount(root, _params, ctx) {
  const { t } = ctx;
  const nameOf = sellerNames();
  const status = el('p', { className: 'mkt-status', role: 'status' });
  const lines = el('div', { className: 'shop-cart' });
  const total = el('p', { className: 'mkt-price shop-total' });
  const checkout = el('section', { className: 'shop-checkout', 'aria-labelledby': 'shop-address-title' });
  const result = el('section', { className: 'shop-result', 'aria-labelledby': 'shop-result-title', tabIndex: -1, hidden: true });
  root.append(el('h1', { textContent: t('shop.cart') }), status, lines, total, checkout, result);

  let cart = null;
  async function show(answer) {
    if (!answer.ok) {
      status.textContent = failureText(t, answer.error);
      return;
    }
    cart = answer.data;
    const groups = new Map();
    for (const line of cart.items) {
      const key = line.seller ?? '';
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(line);
    }
    const sections = [];
    for (const [seller, group] of groups) {
      // Unavailable lines carry no seller (the server shows only their title): a group of their own.
      const heading = seller ? t('shop.fromSeller', { name: await nameOf(seller) }) : t('shop.unavailableSeller');
      const sub = group.filter((l) => l.status === 'available').reduce((n, l) => n + l.unit_minor * l.quantity, 0);
      const id = `shop-seller-${seller || 'none'}`;
      sections.push(el('section', { className: 'shop-group', 'aria-labelledby': id },
        el('h2', { id, textContent: heading }),
        el('ul', { className: 'shop-lines' }, ...group.map(lineItem)),
        cart.currency && sub ? el('p', { className: 'shop-subtotal', textContent: t('shop.subtotal', { price: price(sub, cart.currency) }) }) : null));
    }
    lines.replaceChildren(...sections);
    status.textContent = cart.items.length ? '' : t('shop.cartEmpty');
    total.textContent = cart.currency && cart.total_minor ? t('shop.total', { price: price(cart.total_minor, cart.currency) }) : '';
    checkout.hidden = !cart.items.some((l) => l.status === 'available');
    await quote();
  }

  function lineItem(line) {
    const item = el('li', { className: 'shop-line' });
    item.dataset.status = line.status;
    const title = line.status === 'unavailable' ? el('span', { className: 'shop-line-title', textContent: line.title })
      : el('a', { href: `/listings/${line.listing}`, className: 'shop-line-title', textContent: line.title });
    item.append(title);
    if (line.status !== 'available') {
      item.append(el('p', { className: 'mkt-card-status', textContent: t(`shop.line.${line.status}`) }));
    }
    if (line.unit_minor && line.currency) {
      item.append(el('p', { className: 'shop-line-price', textContent: t('shop.linePrice',
        { price: price(line.unit_minor * line.quantity, line.currency), quantity: line.quantity, unit: price(line.unit_minor, line.currency) }) }));
    }
    const qid = `shop-q-${line.listing}-${line.variant ?? 'x'}`;
    const quantity = el('select', { id: qid });
    for (let n = 1; n <= Math.max(QUANTITY_MAX, line.quantity); n++) quantity.append(el('option', { value: String(n), textContent: String(n) }));
    quantity.value = String(line.quantity);
    const error = el('p', { className: 'kit-error', id: `${qid}-error` });
    quantity.setAttribute('aria-describedby', error.id);
    quantity.addEventListener('change', async () => {
      const body = { listing: line.listing, quantity: Number(quantity.value), ...(line.variant ? { variant: line.variant } : {}) };
      const r = await put('/api/v1/cart/items', body);
      if (!r.ok) {
        error.textContent = failureText(t, r.error);
        quantity.value = String(line.quantity);
        return;
      }
      await show(r);
      document.getElementById(qid)?.focus();
      status.textContent = t('shop.updated');
    });
    const remove = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.remove'),
      'aria-label': t('shop.removeNamed', { title: line.title }) });
    remove.addEventListener('click', async () => {
      const r = await del(`/api/v1/cart/items/${line.listing}${line.variant ? `/${line.variant}` : ''}`);
      if (!r.ok) {
        error.textContent = failureText(t, r.error);
        return;
      }
      await show(r);
      status.textContent = t('shop.removed', { title: line.title });
      root.querySelector('h1').setAttribute('tabindex', '-1');
      root.querySelector('h1').focus();
    });
    if (line.status !== 'unavailable') {
      item.append(el('div', { className: 'shop-line-controls' },
        el('label', { htmlFor: qid, textContent: t('shop.quantityOf', { title: line.title }) }), quantity, remove));
    } else {
      item.append(el('div', { className: 'shop-line-controls' }, remove));
    }
    item.append(error);
    return item;
  }

  // ---- the address and the button that places the orders
  const book = el('fieldset', { className: 'mkt-fieldset shop-book' });
  const place = el('button', { type: 'button', className: 'kit-primary', textContent: t('shop.placeOrders') });
  const placeError = el('p', { className: 'kit-error shop-place-error', role: 'alert' });
  const quoteBox = el('section', { className: 'shop-quote', 'aria-labelledby': 'shop-quote-title', hidden: true });
  checkout.append(el('h2', { id: 'shop-address-title', textContent: t('shop.address') }), book, addressForm(), quoteBox, place, placeError);
  let chosen = '';
  const delivery = new Map(); // seller → the method the buyer picked, where there is a choice
  let offered = []; // the last quote's sellers
  let quotedFor = ''; // the address that quote was for
  let asked = 0; // the newest quote asked: an older answer is dropped

  // The quote for the chosen address: per seller its way(s) to reach it and
  // the total with shipping; nothing while no address is chosen.
  async function quote() {
    const mine = ++asked;
    if (!chosen || !cart?.items.some((l) => l.status === 'available')) {
      offered = [];
      quotedFor = '';
      quoteBox.hidden = true;
      quoteBox.replaceChildren();
      return;
    }
    const r = await get(`/api/v1/cart?address=${encodeURIComponent(chosen)}`);
    if (mine !== asked) return;
    quotedFor = chosen;
    const parts = [el('h3', { id: 'shop-quote-title', textContent: t('shop.shippingTitle') })];
    quoteBox.hidden = false;
    if (!r.ok) {
      offered = [];
      quoteBox.replaceChildren(...parts, el('p', { className: 'kit-error', textContent: failureText(t, r.error) }));
      return;
    }
    // A seller whose lines are all sold out has nothing to deliver: not
    // shown, though still asked for pickup where offered (checkout then
    // says sold_out, the true reason).
    offered = r.data.shipping;
    const shown = offered.filter((s) => s.items_minor > 0);
    const currency = r.data.currency;
    const total = el('p', { className: 'mkt-price shop-total-shipping', 'aria-live': 'polite' });
    const sum = () => {
      const n = shown.reduce((a, s) => a + (s.options.length ? s.items_minor + (methodOf(s).shipping_minor) : 0), 0);
      total.textContent = n && currency ? t('shop.totalShipping', { price: price(n, currency) }) : '';
    };
    for (const s of shown) {
      const name = await nameOf(s.seller);
      const id = `shop-ship-${s.seller}`;
      const box = el('fieldset', { className: 'mkt-fieldset shop-quote-seller' }, el('legend', { textContent: t('shop.deliveryFrom', { name }) }));
      box.dataset.seller = s.seller;
      parts.push(box);
      if (!s.options.length) {
        box.dataset.method = 'none';
        box.append(el('p', { className: 'kit-error shop-no-shipping', textContent: t('shop.noShipping', { name }) }));
        continue;
      }
      const withShipping = el('p', { className: 'shop-with-shipping' });
      const said = () => {
        const o = methodOf(s);
        box.dataset.method = o.method;
        withShipping.textContent = t('shop.withShipping', { price: price(s.items_minor + o.shipping_minor, currency) });
      };
      if (s.options.length === 1) {
        box.append(el('p', { className: 'shop-method', textContent: methodText(t, s.options[0], currency) }));
      } else {
        for (const o of s.options) {
          const rid = `${id}-${o.method}`;
          const radio = el('input', { type: 'radio', name: id, id: rid, value: o.method, checked: o.method === methodOf(s).method });
          radio.addEventListener('change', () => {
            delivery.set(s.seller, o.method);
            said();
            sum();
          });
          box.append(el('div', { className: 'kit-check' }, radio, el('label', { htmlFor: rid, textContent: methodText(t, o, currency) })));
        }
      }
      said();
      box.append(withShipping);
    }
    sum();
    quoteBox.replaceChildren(...parts, total);
  }
  // The option a seller's order takes: the buyer's pick, else the one that ships.
  function methodOf(s) {
    return s.options.find((o) => o.method === delivery.get(s.seller)) ?? s.options.find((o) => o.method !== 'pickup') ?? s.options[0];
  }

  async function loadBook(select) {
    const r = await get('/api/v1/me/addresses');
    book.replaceChildren(el('legend', { textContent: t('shop.chooseAddress') }));
    if (!r.ok) {
      book.append(el('p', { className: 'kit-error', textContent: failureText(t, r.error) }));
      return;
    }
    if (!r.data.addresses.length) book.append(el('p', { className: 'kit-help', textContent: t('shop.noAddresses') }));
    if (select) chosen = select;
    if (!r.data.addresses.some((a) => a.id === chosen)) chosen = r.data.addresses.at(-1)?.id ?? '';
    for (const a of r.data.addresses) {
      const id = `shop-adr-${a.id}`;
      const radio = el('input', { type: 'radio', name: 'shop-address', id, value: a.id, checked: a.id === chosen });
      radio.addEventListener('change', () => {
        chosen = a.id;
        quote();
      });
      book.append(el('div', { className: 'kit-check' }, radio, el('label', { htmlFor: id, textContent: addressLines(a).join(', ') })));
    }
    await quote();
  }

  function addressForm() {
    const form = el('form', { className: 'mkt-form shop-address-form', noValidate: true, 'aria-labelledby': 'shop-new-address' });
    const fields = {};
    const formError = el('p', { className: 'kit-error', role: 'alert' });
    form.append(el('h3', { id: 'shop-new-address', textContent: t('shop.newAddress') }));
    for (const f of ADDRESS_FIELDS) {
      const id = `shop-addr-${f.name}`;
      const input = el('input', { id, name: f.name, type: f.type ?? 'text', autocomplete: f.auto, maxLength: f.max,
        required: !!f.required });
      const message = el('p', { id: `${id}-error`, className: 'kit-error' });
      const help = f.name === 'country' ? el('p', { id: `${id}-help`, className: 'kit-help', textContent: t('market.countryHelp') }) : null;
      input.setAttribute('aria-describedby', [help?.id, message.id].filter(Boolean).join(' '));
      fields[f.name] = { input, message };
      form.append(el('div', { className: 'kit-field' }, el('label', { htmlFor: id, textContent: t(f.key) }), input, help, message));
    }
    const say = (name, text) => {
      fields[name].message.textContent = text ?? '';
      if (text) fields[name].input.setAttribute('aria-invalid', 'true');
      else fields[name].input.removeAttribute('aria-invalid');
    };
    const save = el('button', { type: 'submit', className: 'kit-secondary', textContent: t('shop.saveAddress') });
    form.append(save, formError);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formError.textContent = '';
      let first = null;
      const body = {};
      for (const f of ADDRESS_FIELDS) {
        let v = fields[f.name].input.value.trim();
        if (f.name === 'country') v = v.toUpperCase();
        say(f.name, '');
        if (f.required && !v) {
          say(f.name, t('shop.required'));
          first ??= fields[f.name].input;
        } else if (f.name === 'country' && !/^[A-Z]{2}$/.test(v)) {
          say(f.name, t('market.countryHelp'));
          first ??= fields[f.name].input;
        }
        if (v) body[f.name] = v;
      }
      if (first) {
        first.focus();
        return;
      }
      save.disabled = true;
      const r = await post('/api/v1/me/addresses', body);
      save.disabled = false;
      if (!r.ok) {
        const name = r.error.field in fields ? r.error.field : null;
        if (name && r.error.message) {
          say(name, r.error.message);
          fields[name].input.focus();
        } else {
          formError.textContent = failureText(t, r.error);
        }
        return;
      }
      form.reset();
      await loadBook(r.data.id);
      status.textContent = t('shop.addressSaved');
      document.getElementById(`shop-adr-${r.data.id}`)?.focus();
    });
    return form;
  }

  place.addEventListener('click', async () => {
    placeError.textContent = '';
    if (!chosen) {
      placeError.textContent = t('shop.needAddress');
      document.getElementById('shop-addr-name')?.focus();
      return;
    }
    place.disabled = true;
    if (quotedFor !== chosen) await quote(); // placed before the quote came: the choices it shows
    // Pickup or ship for each seller that offers pickup, as shown.
    const ways = {};
    for (const s of offered) if (s.options.some((o) => o.method === 'pickup')) ways[s.seller] = methodOf(s).method === 'pickup' ? 'pickup' : 'ship';
    const r = await post('/api/v1/checkout', { address: chosen, ...(Object.keys(ways).length ? { delivery: ways } : {}) });
    place.disabled = false;
    if (!r.ok) {
      placeError.textContent = r.error.code === 'sold_out' ? t('shop.soldOutAll') : failureText(t, r.error);
      await show(await get('/api/v1/cart'));
      return;
    }
    const refused = [];
    for (const x of r.data.refused) refused.push({ code: x.code, name: await nameOf(x.seller) });
    try {
      sessionStorage.setItem(refusedKey(r.data.checkout), JSON.stringify(refused));
    } catch { /* private mode: the return screen just won't repeat them */ }
    await show(await get('/api/v1/cart'));
    result.replaceChildren(el('h2', { id: 'shop-result-title', textContent: t('shop.placed', { count: r.data.orders.length }) }),
      refusedList(t, refused), payLinks(t, r.data.orders));
    result.hidden = false;
    result.focus();
  });

  await show(await get('/api/v1/cart'));
  await loadBook();
}

// "Ship to this address: €4.50", "Pick up from the seller: free".
function methodText(t, o, currency) {
  return t(`shop.method.${METHODS.includes(o.method) ? o.method : 'ship'}`, { price: price(o.shipping_minor, currency) });
}

// An order's total with how it reaches the buyer: "€54.40, including
// shipping €4.50"; just the amount for an order from before shipping.
export function orderTotal(t, o) {
  const total = price(o.total_minor, o.currency);
  if (!METHODS.includes(o.shipping_method)) return total;
  return t(`shop.orderTotal.${o.shipping_method}`, { price: total, shipping: price(o.shipping_minor, o.currency) });
}

// What checkout refused, in words: "Sold out before you could pay: nothing was charged (Sellername)".
export function refusedList(t, refused) {
  if (!refused.length) return null;
  return el('ul', { className: 'shop-refused' }, ...refused.map((x) =>
    el('li', { textContent: t(`shop.refused.${REFUSALS.includes(x.code) ? x.code : 'payment_unavailable'}`, { name: x.name }) })));
}

// "Pay order 1 of 2 (€39.90)" for each order still to pay, in order.
export function payLinks(t, orders) {
  const todo = orders.filter((o) => o.state === 'awaiting_payment' && o.approve_url);
  if (!todo.length) return null;
  return el('ul', { className: 'shop-pay' }, ...todo.map((o, i) => el('li', {},
    el('a', { href: o.approve_url, className: i ? 'kit-secondary' : 'kit-button', textContent: t('shop.payOrder',
      { n: i + 1, count: todo.length, price: price(o.total_minor, o.currency) }) }))));
}
