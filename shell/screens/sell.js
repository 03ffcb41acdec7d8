// /sell and /sell/:id (issue 20): become a seller (a name and a payout
// account: PUT /api/v1/me/seller, the form in seller-form.js, shared with
// the seller profile /market/seller), then list something or edit a listing
// (POST /api/v1/listings, PATCH /api/v1/listings/{id}). Photos go through the
// core's upload preparation exactly as a post's do (media-prep.js:
// downsized, re-encoded, no metadata) and upload with one progress bar
// (compose-kit.js withUploads). The server reads the body strictly and names
// the member at fault, nested ones too (`variants[3].stock`,
// `shipping.zones[0].price_minor`, `location.city`): that message shows next
// to its field, or the nearest enclosing one. A listing that would sell an
// animal is refused (422 live_animals_forbidden) with the adoption policy,
// which is said in a box of its own with the way to an adoption post.
import { get, post, patch } from '../api.js';
import { el, failureText, filePicker, progressBlock, withUploads } from '../compose-kit.js';
import { connectStep, options, row, say, sellerForm } from '../seller-form.js';
import { createPreparer, refusalText, PHOTO_EDGE } from '../media-prep.js';
import { currentLocale } from '../i18n.js';
import { CATEGORIES, CONDITIONS, CURRENCIES, LANGS, SPECIES, categoryName, conditionName, decimalToMinor, langName,
  minorToDecimal, speciesName } from '../market-kit.js';

const PHOTOS_MAX = 10; // PA_MARKET_PHOTOS_MAX
const VARIANTS_MAX = 20; // PA_MARKET_VARIANTS_MAX
const ZONES_MAX = 10; // ListingShipping.zones maxItems

export async function mount(root, params, ctx) {
  const { t, navigate } = ctx;
  const me = (await ctx.session()).user;
  const preparer = createPreparer();
  const urls = new Set();
  const cleanup = () => {
    preparer.close();
    for (const u of urls) URL.revokeObjectURL(u);
  };
  const editing = !!params.id;
  let listing = null;
  if (editing) {
    const r = await get(`/api/v1/listings/${encodeURIComponent(params.id)}`);
    if (!r.ok || r.data.seller.id !== me.id) {
      root.append(el('h1', { textContent: t('market.editTitle') }), el('p', { role: 'alert',
        textContent: r.ok ? t('market.notYours') : r.error.status === 404 ? t('market.notFound') : failureText(t, r.error) }));
      return cleanup;
    }
    listing = r.data;
  }
  const sellerAnswer = await get('/api/v1/me/seller');
  if (!sellerAnswer.ok && sellerAnswer.error.status !== 404) {
    root.append(el('h1', { textContent: t('market.sellTitle') }), el('p', { role: 'alert', textContent: failureText(t, sellerAnswer.error) }));
    return cleanup;
  }
  root.append(el('h1', { textContent: t(editing ? 'market.editTitle' : 'market.sellTitle') }));
  const listingSlot = el('div');
  if (sellerAnswer.ok) {
    root.append(el('p', { className: 'kit-help', textContent: t('market.sellingAs', { name: sellerAnswer.data.name }) }));
    const payout = sellerAnswer.data.payout;
    if (payout.provider === 'mercadopago' && !payout.connected) root.append(connectStep(t));
    root.append(listingSlot);
    listingSlot.append(listingForm());
  } else {
    root.append(firstSetup(), listingSlot);
  }
  return cleanup;

  // ---- becoming a seller (seller-form.js); Mercado Pago then asks to connect the account
  function firstSetup() {
    const form = sellerForm(t, {
      onSaved(seller) {
        const done = el('p', { className: 'kit-help', role: 'status', textContent: t('market.sellingAs', { name: seller.name }) });
        form.replaceWith(done);
        if (seller.payout.provider === 'mercadopago' && !seller.payout.connected) done.after(connectStep(t));
        listingSlot.append(listingForm());
        listingSlot.querySelector('h2')?.focus();
      },
    });
    return form;
  }

  // ---- the listing
  function listingForm() {
    const l = listing;
    const form = el('form', { className: 'mkt-form', noValidate: true, 'aria-labelledby': 'mkt-listing-title' });
    const heading = el('h2', { id: 'mkt-listing-title', tabIndex: -1, textContent: t(editing ? 'market.editTitle' : 'market.newListing') });
    const title = row('lst-title', t('market.titleLabel'), el('input', { type: 'text', maxLength: 120, autocomplete: 'off', value: l?.title ?? '' }));
    const description = row('lst-description', t('market.description'), el('textarea', { rows: 5, maxLength: 5000 }));
    description.input.value = l?.description ?? '';
    const own = LANGS.includes(currentLocale()) ? currentLocale() : 'en';
    const lang = row('lst-lang', t('settings.language'), options(el('select', {}), LANGS.map((c) => [c, langName(c)]), l?.lang ?? own));

    // Photos: prepared by the core, then uploaded on saving (kept ones keep their media id).
    const photos = (l?.photos ?? []).map((p) => ({ mediaId: p.id, url: p.url, blob: null }));
    const photoList = el('ul', { className: 'mkt-photo-list', 'aria-label': t('market.photos') });
    const photoStatus = el('p', { className: 'kit-help', 'aria-live': 'polite' });
    const photoError = el('p', { id: 'lst-photos-error', className: 'kit-error' });
    const picker = filePicker({ id: 'lst-photos', label: t('market.addPhotos'), accept: 'image/*', multiple: true, onFiles: addPhotos });
    picker.input.setAttribute('aria-describedby', 'lst-photos-help lst-photos-error');
    const photoField = { input: picker.input, message: photoError };
    function renderPhotos() {
      photoList.replaceChildren(...photos.map((p, i) => {
        const remove = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.remove'),
          'aria-label': t('market.removePhotoN', { n: i + 1 }) });
        remove.addEventListener('click', () => {
          photos.splice(i, 1);
          renderPhotos();
          (photoList.querySelector('button') ?? picker.input).focus();
        });
        return el('li', { className: 'mkt-photo-item' }, el('img', { src: p.url, alt: t('market.photoN', { n: i + 1 }), width: 96, height: 96 }), remove);
      }));
    }
    async function addPhotos(files) {
      say(photoField, '');
      for (const file of files) {
        if (photos.length >= PHOTOS_MAX) {
          say(photoField, t('market.error.tooManyPhotos', { max: PHOTOS_MAX }));
          break;
        }
        photoStatus.textContent = t('compose.preparing', { name: file.name });
        const r = await preparer.prepare(file, { maxEdge: PHOTO_EDGE });
        if (!r.ok) {
          say(photoField, `${refusalText(t, file.name, r)} ${r.message}`);
          continue;
        }
        const url = URL.createObjectURL(r.blob);
        urls.add(url);
        photos.push({ blob: r.blob, mediaId: null, url });
        renderPhotos();
      }
      photoStatus.textContent = '';
    }
    renderPhotos();

    const kind = row('lst-kind', t('market.kindLabel'), options(el('select', {}), [['product', t('market.kind.product')], ['service', t('market.kind.service')]], l?.kind ?? 'product'));
    const priceF = row('lst-price', t('market.price'), el('input', { type: 'text', inputMode: 'decimal', autocomplete: 'off',
      value: l ? minorToDecimal(l.price_minor, l.currency) : '' }));
    const currency = row('lst-currency', t('market.currency'), options(el('select', {}), CURRENCIES.map((c) => [c, c]), l?.currency ?? 'USD'));
    const stock = row('lst-stock', t('market.stock'), el('input', { type: 'number', min: 0, max: 100000, step: 1, inputMode: 'numeric',
      value: String(l && !l.variants.length ? l.stock : 1) }));

    // Variants: rows of size, colour, stock and an optional own price.
    const variants = [];
    const variantList = el('ol', { className: 'mkt-rows' });
    const addVariant = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.addVariant') });
    let serial = 0;
    function variantRow(v) {
      const k = ++serial;
      const r = {
        size: row(`lst-v${k}-size`, t('market.size'), el('input', { type: 'text', maxLength: 40, value: v?.size ?? '' })),
        colour: row(`lst-v${k}-colour`, t('market.colour'), el('input', { type: 'text', maxLength: 40, value: v?.colour ?? '' })),
        stock: row(`lst-v${k}-stock`, t('market.stock'), el('input', { type: 'number', min: 0, max: 100000, step: 1, value: String(v?.stock ?? 1) })),
        price: row(`lst-v${k}-price`, t('market.variantPrice'), el('input', { type: 'text', inputMode: 'decimal',
          value: v?.price_minor != null ? minorToDecimal(v.price_minor, l.currency) : '' })),
      };
      const remove = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.remove') });
      r.li = el('li', { className: 'mkt-row' }, r.size.wrap, r.colour.wrap, r.stock.wrap, r.price.wrap, remove);
      remove.addEventListener('click', () => {
        variants.splice(variants.indexOf(r), 1);
        r.li.remove();
        syncVariants();
        addVariant.focus();
      });
      variants.push(r);
      variantList.append(r.li);
      syncVariants();
      return r;
    }
    function syncVariants() {
      variants.forEach((r, i) => r.li.querySelector('.kit-secondary').setAttribute('aria-label', t('market.removeVariantN', { n: i + 1 })));
      stock.wrap.hidden = variants.length > 0;
      addVariant.hidden = variants.length >= VARIANTS_MAX;
    }
    addVariant.addEventListener('click', () => variantRow().size.input.focus());
    for (const v of l?.variants ?? []) variantRow(v);

    const condition = row('lst-condition', t('market.conditionLabel'), options(el('select', {}), CONDITIONS.map((c) => [c, conditionName(t, c)]), l?.condition ?? 'new'));
    // "Live animals" is offered so that someone who came to sell one hears why not (the server refuses it).
    const category = row('lst-category', t('market.categoryLabel'), options(el('select', {}),
      [...CATEGORIES.map((c) => [c, categoryName(t, c)]), ['animals', t('market.category.animals')]], l?.category ?? 'food'));
    const speciesBoxes = SPECIES.map((s, i) => el('input', { type: 'checkbox', id: `lst-species-${i}`, value: s, checked: !!l?.species.includes(s) }));
    const speciesSet = el('fieldset', { className: 'mkt-fieldset mkt-checks' }, el('legend', { textContent: t('market.species') }),
      ...speciesBoxes.map((b, i) => el('span', { className: 'kit-check' }, b, el('label', { htmlFor: b.id, textContent: speciesName(t, SPECIES[i]) }))));
    const speciesField = { input: speciesBoxes[0], message: el('p', { id: 'lst-species-error', className: 'kit-error' }) };
    speciesSet.setAttribute('aria-describedby', 'lst-species-error');
    speciesSet.append(speciesField.message);
    const city = row('lst-city', t('market.city'), el('input', { type: 'text', maxLength: 120, autocomplete: 'address-level2', value: l?.location.city ?? '' }));
    const country = row('lst-country', t('market.country'), el('input', { type: 'text', maxLength: 2, autocomplete: 'country',
      autocapitalize: 'characters', value: l?.location.country ?? '' }), { help: t('market.countryHelp') });

    // Shipping: flat rates by zone, local pickup, or the cities a service covers.
    const zones = [];
    const zoneList = el('ol', { className: 'mkt-rows' });
    const addZone = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.addZone') });
    function zoneRow(z) {
      const k = ++serial;
      const r = {
        name: row(`lst-z${k}-name`, t('market.zone'), el('input', { type: 'text', maxLength: 40, value: z?.name ?? '' })),
        price: row(`lst-z${k}-price`, t('market.zonePrice'), el('input', { type: 'text', inputMode: 'decimal',
          value: z ? minorToDecimal(z.price_minor, l.currency) : '' })),
      };
      const remove = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.remove') });
      r.li = el('li', { className: 'mkt-row' }, r.name.wrap, r.price.wrap, remove);
      remove.addEventListener('click', () => {
        zones.splice(zones.indexOf(r), 1);
        r.li.remove();
        syncZones();
        addZone.focus();
      });
      zones.push(r);
      zoneList.append(r.li);
      syncZones();
      return r;
    }
    function syncZones() {
      zones.forEach((r, i) => r.li.querySelector('.kit-secondary').setAttribute('aria-label', t('market.removeZoneN', { n: i + 1 })));
      addZone.hidden = zones.length >= ZONES_MAX;
    }
    addZone.addEventListener('click', () => zoneRow().name.input.focus());
    for (const z of l?.shipping.zones ?? []) zoneRow(z);
    const pickup = el('input', { type: 'checkbox', id: 'lst-pickup', checked: !!l?.shipping.pickup });
    const area = row('lst-area', t('market.serviceArea'), el('textarea', { rows: 3 }), { help: t('market.serviceAreaHelp') });
    area.input.value = (l?.shipping.area ?? []).join('\n');
    const shippingSet = el('fieldset', { className: 'mkt-fieldset' }, el('legend', { textContent: t('market.shipping') }),
      zoneList, addZone, el('div', { className: 'kit-check' }, pickup, el('label', { htmlFor: 'lst-pickup', textContent: t('market.pickup') })),
      area.wrap);
    const shippingField = { input: pickup, message: el('p', { id: 'lst-shipping-error', className: 'kit-error' }) };
    shippingSet.setAttribute('aria-describedby', 'lst-shipping-error');
    shippingSet.append(shippingField.message);

    const animals = el('div', { className: 'mkt-refusal', role: 'alert', hidden: true });
    const error = el('p', { className: 'kit-error', role: 'alert' });
    const progress = progressBlock(t, 'lst-progress');
    const save = el('button', { type: 'submit', className: 'kit-primary', textContent: t(editing ? 'market.save' : 'market.publish') });
    form.append(heading, title.wrap, description.wrap, lang.wrap,
      el('div', { className: 'kit-field' }, el('p', { className: 'kit-title', textContent: t('market.photos') }),
        el('p', { id: 'lst-photos-help', className: 'kit-help', textContent: t('market.photosHelp', { max: PHOTOS_MAX }) }),
        photoList, el('div', { className: 'kit-pickers' }, picker.wrap), photoStatus, photoError),
      kind.wrap, el('div', { className: 'mkt-pair' }, priceF.wrap, currency.wrap), stock.wrap,
      el('fieldset', { className: 'mkt-fieldset' }, el('legend', { textContent: t('market.variants') }),
        el('p', { className: 'kit-help', textContent: t('market.variantsHelp') }), variantList, addVariant),
      condition.wrap, category.wrap, speciesSet, el('div', { className: 'mkt-pair' }, city.wrap, country.wrap), shippingSet,
      animals, error, progress.wrap, el('div', { className: 'kit-actions' }, save));

    // The server's `field` → the field it names, or the nearest enclosing one.
    function fieldFor(path) {
      const fixed = { title, description, lang, photos: photoField, price_minor: priceF, currency, stock, kind, condition, category,
        species: speciesField, location: city, 'location.city': city, 'location.country': country, shipping: shippingField,
        'shipping.pickup': shippingField, 'shipping.area': area, 'shipping.zones': shippingField, variants: stock };
      variants.forEach((r, i) => Object.assign(fixed, { [`variants[${i}]`]: r.stock, [`variants[${i}].size`]: r.size,
        [`variants[${i}].colour`]: r.colour, [`variants[${i}].stock`]: r.stock, [`variants[${i}].price_minor`]: r.price }));
      zones.forEach((r, i) => Object.assign(fixed, { [`shipping.zones[${i}]`]: r.name, [`shipping.zones[${i}].name`]: r.name,
        [`shipping.zones[${i}].price_minor`]: r.price }));
      if (variants.length) fixed.variants = variants[0].stock;
      for (let p = path; p; p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
        if (fixed[p]) return fixed[p];
        if (!/(\.[^.[\]]+|\[\d+\])$/.test(p)) break;
      }
      return null;
    }
    const allFields = () => [title, description, lang, photoField, priceF, currency, stock, kind, condition, category, speciesField, city,
      country, shippingField, area, ...variants.flatMap((r) => [r.size, r.colour, r.stock, r.price]),
      ...zones.flatMap((r) => [r.name, r.price])];

    // The body from the form; null after saying what is wrong (first problem focused).
    function body() {
      const problems = [];
      const bad = (f, text) => {
        say(f, text);
        problems.push(f);
      };
      const cur = currency.input.value;
      const amount = (f, optional) => {
        if (optional && !f.input.value.trim()) return null;
        const v = decimalToMinor(f.input.value, cur);
        if (v === null) bad(f, t('market.error.amount'));
        return v;
      };
      const count = (f) => {
        const v = Number(f.input.value);
        if (!Number.isInteger(v) || v < 0 || v > 100000) bad(f, t('market.error.stock'));
        return v;
      };
      if (!title.input.value.trim()) bad(title, t('auth.error.required'));
      if (!photos.length) bad(photoField, t('market.error.noPhotos'));
      const priceMinor = amount(priceF);
      if (priceMinor === 0) bad(priceF, t('market.error.amount'));
      if (!city.input.value.trim()) bad(city, t('auth.error.required'));
      if (!/^[A-Za-z]{2}$/.test(country.input.value.trim())) bad(country, t('market.countryHelp'));
      const b = {
        title: title.input.value.trim(),
        description: description.input.value.trim(),
        lang: lang.input.value,
        price_minor: priceMinor,
        currency: cur,
        kind: kind.input.value,
        condition: condition.input.value,
        category: category.input.value,
        species: speciesBoxes.filter((x) => x.checked).map((x) => x.value),
        location: { city: city.input.value.trim(), country: country.input.value.trim().toUpperCase() },
        shipping: { zones: zones.map((r) => ({ name: r.name.input.value.trim(), price_minor: amount(r.price) })), pickup: pickup.checked },
      };
      const cities = area.input.value.split('\n').map((s) => s.trim()).filter(Boolean);
      if (cities.length) b.shipping.area = cities;
      if (variants.length) {
        b.variants = variants.map((r) => ({ size: r.size.input.value.trim(), colour: r.colour.input.value.trim(), stock: count(r.stock),
          price_minor: amount(r.price, true) }));
      } else b.stock = count(stock);
      if (problems.length) {
        problems[0].input.focus();
        return null;
      }
      return b;
    }

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      for (const f of allFields()) say(f, '');
      error.textContent = '';
      animals.hidden = true;
      const b = body();
      if (!b) return;
      save.disabled = true;
      // Only new photos upload (a retry after a forgotten upload sends them again); kept ones keep their id.
      const fresh = photos.filter((p) => p.blob);
      const r = await withUploads(fresh, { onProgress: (f) => progress.set(f) }, () => {
        b.photos = photos.map((p) => p.mediaId);
        return editing ? patch(`/api/v1/listings/${l.id}`, b) : post('/api/v1/listings', b);
      });
      save.disabled = false;
      progress.hide();
      if (r.ok) {
        navigate(`/listings/${r.data.id}`);
        return;
      }
      if (r.error.code === 'live_animals_forbidden') return refuseAnimals(r.error);
      const f = r.error.field ? fieldFor(r.error.field) : null;
      if (f && r.error.message) {
        say(f, r.error.message);
        f.input.focus();
        return;
      }
      if (r.error.code === 'not_a_seller') {
        error.textContent = t('market.error.notSeller');
        return;
      }
      error.textContent = failureText(t, r.error);
    });

    // The refusal: what happened, the policy in the person's language, the
    // server's own words when they are not in it, and the way to adoption.
    function refuseAnimals(err) {
      const english = currentLocale() === 'en';
      animals.replaceChildren(el('h3', { textContent: t('market.animals.title') }),
        el('p', { className: 'mkt-policy', textContent: t('market.animals.policy') }),
        !english && err.message ? el('p', { lang: 'en', textContent: err.message }) : null,
        el('p', {}, el('a', { href: '/compose', textContent: t('market.animals.adopt') })));
      animals.hidden = false;
      say(category, t('market.animals.title'));
      category.input.focus();
    }
    return form;
  }
}
