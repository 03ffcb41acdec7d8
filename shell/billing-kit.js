// What the three billing screens share (screens/plans.js, billing.js,
// billing-return.js): the providers' names (brands, never translated), the
// country a person pays from, the checkout calls, and the words for a price.
import { get, post } from './api.js';
import { currentLocale, money } from './i18n.js';

export const PROVIDERS = { paypal: 'PayPal', mercadopago: 'Mercado Pago' };
export const providerName = (id) => PROVIDERS[id] ?? id;

// The countries the plans screen offers: Mercado Pago's five, the US, and a
// eurozone one (PayPal in EUR). The server's catalog decides the offers.
export const COUNTRIES = ['AR', 'BR', 'CL', 'CO', 'MX', 'US', 'DE'];
const COUNTRY_KEY = 'petamigos.billingCountry';

// The remembered choice, else the region of the browser's first language
// that matches the UI's (pt-BR → BR), else the likely one for the UI's
// language, else US.
export function preferredCountry() {
  try {
    const saved = localStorage.getItem(COUNTRY_KEY);
    if (COUNTRIES.includes(saved)) return saved;
  } catch {
    // storage off: guess again below
  }
  const lang = currentLocale().split('-')[0];
  for (const tag of navigator.languages ?? [navigator.language]) {
    try {
      const loc = new Intl.Locale(tag);
      if (loc.language === lang && COUNTRIES.includes(loc.region)) return loc.region;
    } catch {
      // a malformed tag: skip it
    }
  }
  try {
    const region = new Intl.Locale(lang).maximize().region;
    if (COUNTRIES.includes(region)) return region;
  } catch {
    // no likely region: the default below
  }
  return 'US';
}

export function rememberCountry(cc) {
  try {
    localStorage.setItem(COUNTRY_KEY, cc);
  } catch {
    // not remembered; the screen still switches
  }
}

// A region's name in the UI's language ("Brasil" in pt).
export function countryName(cc) {
  try {
    return new Intl.DisplayNames([currentLocale()], { type: 'region' }).of(cc) ?? cc;
  } catch {
    return cc;
  }
}

// An API money object ({amount, currency}) as the locale writes it.
export const price = (m) => money(m.amount, m.currency);

export const getPlans = (cc) => get(`/api/v1/billing/plans?country=${encodeURIComponent(cc)}`);
export const getBilling = () => get('/api/v1/billing');
// payment: the payment Mercado Pago's return URL named (a pass), which the
// server reads back to complete the checkout.
export const getCheckout = (co, payment = '') =>
  get(`/api/v1/billing/checkouts/${encodeURIComponent(co)}${payment ? `?payment=${encodeURIComponent(payment)}` : ''}`);
export const startCheckout = (plan, provider, country) => post('/api/v1/billing/checkout', { plan, provider, country });
export const abandonCheckout = (co) => post(`/api/v1/billing/checkouts/${encodeURIComponent(co)}/abandon`, {});
export const retryCheckout = (co) => post(`/api/v1/billing/checkouts/${encodeURIComponent(co)}/retry`, {});

// The checkout an answer names, when the provider could not be reached
// (502 provider_unreachable carries it so the client can retry), else null.
export function unreachableCheckout(r) {
  if (r.ok || r.error.code !== 'provider_unreachable') return null;
  return r.error.body?.checkout ?? null;
}
