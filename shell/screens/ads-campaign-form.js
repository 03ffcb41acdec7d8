// /ads/campaigns/new and /ads/campaigns/:id/edit — a campaign's form (POST
// /api/v1/ads/campaigns, PATCH /api/v1/ads/campaigns/{cmp}): name,
// objective, the CPM bid and the daily and total budgets in the account's
// currency (typed as decimals, sent as integer minor units), the schedule
// (start day, optional end day, whole UTC days) and the targeting pickers:
// species (the app's), tags (words, comma-separated), languages (the app's
// catalogs) and countries (as people declare them in their settings; never
// inferred) — an empty picker means everyone. The form checks what it can
// before sending and says it beside the field; the server's refusals land
// beside the field error.field names (`targeting.tags[2]` → the tags).
import { get, patch, post } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { options, row, say } from '../seller-form.js';
import { decimalToMinor, minorToDecimal } from '../market-kit.js';
import { COUNTRIES } from './settings-profile.js';
import { ACCOUNT, LANGS, OBJECTIVES, SPECIES, adsNav, campaignPath, langName, objectiveName, regionName, speciesName } from '../ads-kit.js';

// web/src/ads_rules.h: PA_ADS_CAMPAIGN_NAME_MAX, _TARGET_TAGS_MAX, _TAG_MAX (the server has the last word on each).
const NAME_MAX = 80;
const TAGS_MAX = 20;
const TAG_RE = /^[\p{L}\p{N}_]{1,40}$/u; // a tag as captions write them (#word), without the '#'

// 'YYYY-MM-DD' of an RFC 3339 time (its UTC day), or ''.
const dayOf = (iso) => (iso ? new Date(Date.parse(iso)).toISOString().slice(0, 10) : '');
const today = () => new Date().toISOString().slice(0, 10);

export async function mount(root, params, ctx) {
  const { t, navigate } = ctx;
  const editing = !!params.id;
  const title = t(editing ? 'adv.editCampaign' : 'adv.newCampaign');
  root.append(el('h1', { textContent: title }), adsNav(t, editing ? '' : '/ads/campaigns/new'));
  const status = el('p', { className: 'mkt-status', role: 'status' });
  root.append(status);
  const [account, current] = await Promise.all([get(ACCOUNT), editing ? get(campaignPath(params.id)) : null]);
  if (!account.ok || (current && !current.ok)) {
    const e = !account.ok ? account.error : current.error;
    status.textContent = e.status === 404 ? t('adv.campaignMissing') : failureText(t, e);
    return;
  }
  if (!account.data.advertiser) {
    status.textContent = t('adv.notAdvertiser');
    root.append(el('p', {}, el('a', { href: '/ads', className: 'kit-button', textContent: t('adv.createTitle') })));
    return;
  }
  const c = current?.data.campaign ?? null;
  const currency = c?.currency ?? account.data.advertiser.currency;
  const money = (minor) => (minor === undefined || minor === null ? '' : minorToDecimal(minor, currency));

  const form = el('form', { className: 'mkt-form adv-form', noValidate: true, 'aria-label': title });
  const name = row('cmp-name', t('adv.campaignName'), el('input', { type: 'text', maxLength: NAME_MAX, autocomplete: 'off',
    required: true, value: c?.name ?? '' }));
  const objective = row('cmp-objective', t('adv.objective'), options(el('select', {}), OBJECTIVES.map((o) => [o, objectiveName(t, o)]),
    c?.objective ?? 'awareness'), { help: t('adv.objectiveHelp') });
  const amount = (id, key, minor, help) => row(id, t(key, { currency }), el('input', { type: 'text', inputMode: 'decimal',
    autocomplete: 'off', required: true, value: money(minor) }), { help });
  const bid = amount('cmp-bid', 'adv.bid', c?.bid_cpm_minor, t('adv.bidHelp'));
  const daily = amount('cmp-daily', 'adv.daily', c?.daily_budget_minor);
  const total = amount('cmp-total', 'adv.total', c?.total_budget_minor);
  const starts = row('cmp-starts', t('adv.starts'), el('input', { type: 'date', required: true, value: dayOf(c?.starts_at) || today() }));
  const ends = row('cmp-ends', t('adv.ends'), el('input', { type: 'date', value: dayOf(c?.ends_at) }), { help: t('adv.endsHelp') });

  // The targeting: checkboxes for species and languages, a list for countries, words for tags.
  const tg = c?.targeting ?? { species: [], tags: [], languages: [], countries: [] };
  const checks = (id, legend, values, label, chosen) => {
    const boxes = values.map((v, i) => el('input', { type: 'checkbox', id: `${id}-${i}`, value: v, checked: chosen.includes(v) }));
    const message = el('p', { id: `${id}-error`, className: 'kit-error' });
    const set = el('fieldset', { className: 'mkt-fieldset mkt-checks', id, 'aria-describedby': `${id}-help ${id}-error` },
      el('legend', { textContent: legend }),
      el('p', { id: `${id}-help`, className: 'kit-help', textContent: t('adv.emptyIsEveryone') }),
      ...boxes.map((b, i) => el('span', { className: 'kit-check' }, b, el('label', { htmlFor: b.id, textContent: label(values[i]) }))),
      message);
    return { wrap: set, boxes, input: boxes[0], message, values: () => boxes.filter((b) => b.checked).map((b) => b.value) };
  };
  const species = checks('cmp-species', t('adv.targetSpecies'), SPECIES, (s) => speciesName(t, s), tg.species ?? []);
  const languages = checks('cmp-languages', t('adv.targetLanguages'), LANGS, (l) => langName(l), tg.languages ?? []);
  const tags = row('cmp-tags', t('adv.targetTags'), el('input', { type: 'text', autocomplete: 'off',
    value: (tg.tags ?? []).join(', ') }), { help: t('adv.tagsHelp') });
  const collator = new Intl.Collator(document.documentElement.lang || undefined);
  const countrySelect = el('select', { multiple: true, size: 8 });
  for (const [code, label] of COUNTRIES.map((cc) => [cc, regionName(cc)]).sort((a, b) => collator.compare(a[1], b[1]))) {
    countrySelect.append(el('option', { value: code, textContent: label, selected: (tg.countries ?? []).includes(code) }));
  }
  const countries = row('cmp-countries', t('adv.targetCountries'), countrySelect, { help: t('adv.countriesHelp') });

  const error = el('p', { className: 'kit-error', role: 'alert' });
  const save = el('button', { type: 'submit', className: 'kit-primary', textContent: t(editing ? 'market.save' : 'adv.createCampaign') });
  form.append(name.wrap, objective.wrap, bid.wrap, daily.wrap, total.wrap, starts.wrap, ends.wrap,
    el('h2', { textContent: t('adv.targeting') }), species.wrap, tags.wrap, languages.wrap, countries.wrap,
    error, el('div', { className: 'kit-actions' }, save));
  root.append(form);
  const all = [name, objective, bid, daily, total, starts, ends, species, tags, languages, countries];

  function body() {
    const problems = [];
    const bad = (f, text) => { say(f, text); problems.push(f); };
    if (!name.input.value.trim()) bad(name, t('auth.error.required'));
    const minor = (f) => {
      const v = f.input.value.trim();
      if (!v) {
        bad(f, t('auth.error.required'));
        return 0;
      }
      const m = decimalToMinor(v, currency);
      if (!m) bad(f, t('adv.error.amount'));
      return m ?? 0;
    };
    const b = {
      name: name.input.value.trim(),
      objective: objective.input.value,
      bid_cpm_minor: minor(bid),
      daily_budget_minor: minor(daily),
      total_budget_minor: minor(total),
    };
    if (b.daily_budget_minor && b.total_budget_minor && b.daily_budget_minor > b.total_budget_minor) bad(daily, t('adv.error.dailyOverTotal'));
    const start = starts.input.value;
    const end = ends.input.value;
    if (!start) bad(starts, t('auth.error.required'));
    if (end && start && end < start) bad(ends, t('adv.error.endsBeforeStart'));
    // A start today is the server's now (its default: a day's midnight has passed, and only its clock says
    // when now is); another day starts at its midnight, UTC. An edit sends the start only when it changed.
    if (editing ? start !== dayOf(c.starts_at) : start !== today()) b.starts_at = `${start}T00:00:00Z`;
    b.ends_at = end ? `${end}T23:59:59Z` : null;
    const words = tags.input.value.split(/[,\s]+/).map((s) => s.replace(/^#/, '').toLowerCase()).filter(Boolean);
    if (words.some((w) => !TAG_RE.test(w))) bad(tags, t('adv.error.tag'));
    else if (words.length > TAGS_MAX) bad(tags, t('adv.error.tooManyTags', { max: TAGS_MAX }));
    b.targeting = { species: species.values(), tags: [...new Set(words)], languages: languages.values(),
      countries: [...countrySelect.selectedOptions].map((o) => o.value) };
    if (problems.length) {
      problems[0].input.focus();
      return null;
    }
    return b;
  }

  // The field the server's error.field names: `bid_cpm_minor`, `targeting.tags[2]`…
  function fieldFor(path) {
    const top = path.replace(/\[\d+\]$/, '');
    return { name, objective, bid_cpm_minor: bid, daily_budget_minor: daily, total_budget_minor: total, starts_at: starts,
      ends_at: ends, 'targeting.species': species, 'targeting.tags': tags, 'targeting.languages': languages,
      'targeting.countries': countries, targeting: species }[top] ?? null;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const f of all) say(f, '');
    error.textContent = '';
    const b = body();
    if (!b) return;
    save.disabled = true;
    const r = editing ? await patch(campaignPath(c.id), b) : await post('/api/v1/ads/campaigns', b);
    save.disabled = false;
    if (r.ok) {
      navigate(`/ads/campaigns/${encodeURIComponent(r.data.campaign.id)}`);
      return;
    }
    const f = r.error.field ? fieldFor(r.error.field) : null;
    if (f && r.error.message) {
      say(f, r.error.message);
      f.input.focus();
      return;
    }
    error.textContent = failureText(t, r.error);
  });
}
