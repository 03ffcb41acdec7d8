// What the advertiser's screens share (issue 21, self-serve ads; the routes
// of /work CONTRACT21 "Ads", web/README.md "Ads"): screens/ads.js (the
// account, its balance, top-ups), ads-topup-return.js (back from the
// provider), ads-campaigns.js (the list), ads-campaign-form.js (create and
// edit) and ads-campaign.js (creatives, pause/resume, the report). Loaded only
// with those screens, so it costs nothing at start. Every figure is the
// server's, in integer minor units (market-kit.js's price()); counts and the
// click-through rate are formatted by Intl in the person's language.
import { el } from './compose-kit.js';
import { currentLocale } from './i18n.js';
import { CURRENCIES, SPECIES, LANGS, price, speciesName, langName } from './market-kit.js';
import { PROVIDERS, providerName } from './billing-kit.js';

export { CURRENCIES, SPECIES, LANGS, price, speciesName, langName, PROVIDERS, providerName };

// The words the server's enumerations have (CONTRACT21: campaign JSON).
export const OBJECTIVES = ['awareness', 'traffic'];
export const CAMPAIGN_STATES = ['draft', 'active', 'paused', 'ended'];
export const REVIEWS = ['pending', 'approved', 'rejected'];
export const TOPUP_STATES = ['pending', 'paid', 'failed'];
export const TARGET_KINDS = ['species', 'tag', 'language', 'country'];

export const stateName = (t, s) => (CAMPAIGN_STATES.includes(s) ? t(`adv.state.${s}`) : s);
export const reviewName = (t, r) => (REVIEWS.includes(r) ? t(`adv.review.${r}`) : r);
export const topupStateName = (t, s) => (TOPUP_STATES.includes(s) ? t(`adv.topupState.${s}`) : s);
export const objectiveName = (t, o) => (OBJECTIVES.includes(o) ? t(`adv.objective.${o}`) : o);

// The Intl locale for the current catalog (the pseudo-locale formats as English).
const intlLocale = () => (currentLocale() === 'en-XA' ? 'en' : currentLocale() || 'en');

// 12345 → "12,345" in the person's language.
export const count = (n) => new Intl.NumberFormat(intlLocale()).format(n);

// A click-through rate in basis points (an integer) → "2.50%": display only,
// the server's figure is the integer.
export const ctrText = (bp) => new Intl.NumberFormat(intlLocale(), { style: 'percent', minimumFractionDigits: 2,
  maximumFractionDigits: 2 }).format(bp / 10000);

// The rate of clicks over impressions in whole basis points, rounded down
// (the report's totals carry the server's own; rows are computed alike).
export const ctrBp = (clicks, impressions) => (impressions > 0 ? Math.floor((clicks * 10000) / impressions) : 0);

// "2026-12-06" → "Dec 6, 2026": a calendar day (UTC, no time zone moves it).
export function dayName(ymd) {
  const at = Date.parse(`${ymd}T00:00:00Z`);
  try {
    return new Intl.DateTimeFormat(intlLocale(), { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(at);
  } catch {
    return ymd;
  }
}

// A region's name in the person's language, or its code.
export function regionName(cc) {
  try {
    return new Intl.DisplayNames([intlLocale()], { type: 'region' }).of(cc) ?? cc;
  } catch {
    return cc;
  }
}

// A target of the report ({kind, value}) in words: "Species: cat", "Language: Spanish".
export function targetText(t, kind, value) {
  const what = { species: () => speciesName(t, value), language: () => langName(value), country: () => regionName(value),
    tag: () => `#${value}` }[kind];
  return t('adv.target', { kind: t(`adv.targetKind.${TARGET_KINDS.includes(kind) ? kind : 'tag'}`), value: what ? what() : value });
}

// A campaign's targeting in one line: "Species: Cat · Language: Spanish", or "Everyone".
export function targetingText(t, targeting) {
  const parts = [];
  for (const s of targeting.species ?? []) parts.push(targetText(t, 'species', s));
  for (const s of targeting.tags ?? []) parts.push(targetText(t, 'tag', s));
  for (const s of targeting.languages ?? []) parts.push(targetText(t, 'language', s));
  for (const s of targeting.countries ?? []) parts.push(targetText(t, 'country', s));
  return parts.length ? parts.join(' · ') : t('adv.everyone');
}

// The account's answer (GET /api/v1/ads/account) for screens that need the currency.
export const ACCOUNT = '/api/v1/ads/account';
export const campaignPath = (id) => `/api/v1/ads/campaigns/${encodeURIComponent(id)}`;

// The console's own links, under each screen's heading.
export function adsNav(t, here) {
  const link = (href, key) => el('a', { href, className: 'kit-secondary', textContent: t(key),
    'aria-current': href === here ? 'page' : undefined });
  return el('nav', { className: 'mkt-actions', 'aria-label': t('adv.navLabel') },
    link('/ads', 'adv.accountTitle'), link('/ads/campaigns', 'adv.campaignsTitle'), link('/ads/campaigns/new', 'adv.newCampaign'));
}
