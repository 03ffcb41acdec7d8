// /pets/:id/health — a pet's health record for its owner (issue 19): what is
// coming up, one section per kind of record (vaccinations, vet visits,
// medications, weight, allergies, walks and activity) with its list and a
// form to add or edit, the weight and activity charts each with its data
// table (the table is the truth; the drawing is aria-hidden), and the links
// the owner gives a vet. /vet/:token is the same record read-only, for the
// vet, without a session. Loaded on demand like every screen but the feed.
import { del, get, post, put } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { field, formMessage, setError } from '../forms.js';
import { failurePage } from '../social.js';
import { barChart, dataTable as chartTable, svg } from '../chart-kit.js';

const DAY_MS = 86400e3;
// The limits of web/src/health_rules.h, checked here first so a mistake is
// named beside its field in the person's language.
const TITLE_MAX = 120;
const DETAIL_MAX = 120;
const NOTES_MAX = 1000;
const GRAMS_MAX = 200000;
const MINUTES_MAX = 1440;
const METRES_MAX = 200000;
const EVERY_MAX = 365;
const SHARE_DAYS_MAX = 30;
const CHART_WEEKS = 12; // weeks the activity chart draws (the table lists them all)

// Each kind's form: its members in order. type: text, date, int, kg (a weight
// typed in kilograms, sent as whole grams), select (options: value → key).
const KINDS = {
  vaccinations: [
    { key: 'name', type: 'text', label: 'health.field.vaccine', required: true, max: TITLE_MAX },
    { key: 'given', type: 'date', label: 'health.field.given', required: true },
    { key: 'due', type: 'date', label: 'health.field.due' },
    { key: 'notes', type: 'text', label: 'health.field.notes', max: NOTES_MAX },
  ],
  visits: [
    { key: 'date', type: 'date', label: 'health.field.date', required: true },
    { key: 'clinic', type: 'text', label: 'health.field.clinic', required: true, max: TITLE_MAX },
    { key: 'reason', type: 'text', label: 'health.field.reason', max: DETAIL_MAX },
    { key: 'notes', type: 'text', label: 'health.field.notes', max: NOTES_MAX },
  ],
  medications: [
    { key: 'name', type: 'text', label: 'health.field.medicine', required: true, max: TITLE_MAX },
    { key: 'dose', type: 'text', label: 'health.field.dose', max: DETAIL_MAX },
    { key: 'every', type: 'int', label: 'health.field.every', required: true, min: 1, max: EVERY_MAX },
    { key: 'unit', type: 'select', label: 'health.field.unit', options: { hours: 'health.unit.hours', days: 'health.unit.days' } },
    { key: 'start', type: 'date', label: 'health.field.start', required: true },
    { key: 'end', type: 'date', label: 'health.field.end' },
  ],
  weights: [
    { key: 'date', type: 'date', label: 'health.field.date', required: true },
    { key: 'grams', type: 'kg', label: 'health.field.weight', required: true },
  ],
  allergies: [
    { key: 'name', type: 'text', label: 'health.field.allergy', required: true, max: TITLE_MAX },
    { key: 'severity', type: 'select', label: 'health.field.severity',
      options: { mild: 'health.severity.mild', moderate: 'health.severity.moderate', severe: 'health.severity.severe' } },
    { key: 'notes', type: 'text', label: 'health.field.notes', max: NOTES_MAX },
  ],
  activities: [
    { key: 'date', type: 'date', label: 'health.field.date', required: true },
    { key: 'minutes', type: 'int', label: 'health.field.minutes', required: true, min: 1, max: MINUTES_MAX },
    { key: 'metres', type: 'int', label: 'health.field.metres', min: 0, max: METRES_MAX },
  ],
};

// A calendar day ("2026-12-06") as the milliseconds the catalog's date
// formats take: its 00:00 UTC, which t() formats in UTC (no time zone moves
// a calendar day).
const dayMs = (d) => Date.parse(`${d}T00:00:00Z`);
const today = () => new Date().toISOString().slice(0, 10);

// "12.5" or "12,5" kilograms → 12500 grams, exactly (no float arithmetic); null when not a weight.
export function kgToGrams(text) {
  const m = /^\s*(\d{1,3})(?:[.,](\d{1,3}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
}
const gramsToKgText = (g) => `${Math.floor(g / 1000)}${g % 1000 ? `.${String(g % 1000).padStart(3, '0').replace(/0+$/, '')}` : ''}`;

// One line about a record, in the person's language.
function describe(t, kind, r) {
  switch (kind) {
    case 'vaccinations':
      return [t('health.row.given', { name: r.name, date: dayMs(r.given) }), r.due ? t('health.row.due', { date: dayMs(r.due) }) : '', r.notes];
    case 'visits':
      return [t('health.row.visit', { name: r.clinic, date: dayMs(r.date) }), r.reason, r.notes];
    case 'medications':
      return [r.dose ? `${r.name} · ${r.dose}` : r.name,
        t(r.unit === 'hours' ? 'health.row.everyHours' : 'health.row.everyDays', { count: r.every }),
        r.end ? t('health.row.period', { date: dayMs(r.start), until: dayMs(r.end) }) : t('health.row.from', { date: dayMs(r.start) })];
    case 'weights':
      return [t('health.row.weight', { kg: r.grams / 1000, date: dayMs(r.date) })];
    case 'allergies':
      return [r.name, t(`health.severity.${r.severity}`), r.notes];
    default:
      return [t('health.row.activity', { minutes: t('health.minutes', { count: r.minutes }), date: dayMs(r.date) }), r.metres ? t('health.km', { km: r.metres / 1000 }) : ''];
  }
}

// The record's name for the Edit/Delete buttons' labels.
function recordName(t, kind, r) {
  if (kind === 'visits') return r.clinic;
  if (r.name) return r.name;
  return t('health.row.on', { date: dayMs(r.date) });
}

// A select field shaped like forms.js's field(): label, control, message.
function selectField(form, { id, label, options }) {
  const row = el('div', { className: 'field' });
  const select = el('select', { id, name: id, 'aria-describedby': `${id}-message` });
  for (const [value, key] of Object.entries(options)) select.append(el('option', { value, 'data-i18n': key }));
  const message = el('p', { id: `${id}-message`, className: 'field-message', hidden: true });
  row.append(el('label', { htmlFor: id, 'data-i18n': label }), select, message);
  form.append(row);
  return { input: select, message };
}

// The chart kit's table, styled as this screen's.
const dataTable = (caption, heads, rows, className) => chartTable(caption, heads, rows, `health-table ${className}`);

// Weight over time: a line through the logged weights, oldest first.
function weightChart(t, weights) {
  const points = [...weights].sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
  const figure = el('figure', { className: 'health-chart' });
  if (points.length) {
    const w = 320, h = 140, pad = 12;
    const xs = points.map((p) => dayMs(p.date)), ys = points.map((p) => p.grams);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    const x = (v) => (x1 === x0 ? w / 2 : pad + ((v - x0) / (x1 - x0)) * (w - 2 * pad));
    const y = (v) => (y1 === y0 ? h / 2 : h - pad - ((v - y0) / (y1 - y0)) * (h - 2 * pad));
    const drawing = svg('svg', { viewBox: `0 0 ${w} ${h}`, 'aria-hidden': 'true', focusable: 'false', class: 'health-svg' });
    drawing.append(svg('polyline', { points: points.map((p) => `${x(dayMs(p.date))},${y(p.grams)}`).join(' '), class: 'health-line' }));
    for (const p of points) drawing.append(svg('circle', { cx: x(dayMs(p.date)), cy: y(p.grams), r: 4, class: 'health-dot' }));
    figure.append(drawing);
  }
  figure.append(dataTable(t('health.chart.weight'), [t('health.col.date'), t('health.col.weight')],
    points.map((p) => [t('health.row.on', { date: dayMs(p.date) }), t('health.kg', { kg: p.grams / 1000 })]), 'health-weight-table'));
  if (!points.length) figure.append(el('p', { className: 'health-empty', textContent: t('health.empty') }));
  return figure;
}

// Activity per week (weeks start on Monday, UTC days): minutes as bars.
function activityChart(t, activities) {
  const weeks = new Map();
  for (const a of activities) {
    const d = new Date(dayMs(a.date));
    const monday = dayMs(a.date) - ((d.getUTCDay() + 6) % 7) * DAY_MS;
    const wk = weeks.get(monday) ?? { minutes: 0, metres: 0 };
    wk.minutes += a.minutes;
    wk.metres += a.metres ?? 0;
    weeks.set(monday, wk);
  }
  const rows = [...weeks.entries()].sort((a, b) => a[0] - b[0]);
  const figure = el('figure', { className: 'health-chart' });
  const drawn = rows.slice(-CHART_WEEKS);
  if (drawn.length) figure.append(barChart(drawn.map(([, v]) => v.minutes), { svgClass: 'health-svg', barClass: 'health-bar' }));
  figure.append(dataTable(t('health.chart.activity'), [t('health.col.week'), t('health.col.minutes'), t('health.col.distance')],
    rows.map(([monday, v]) => [t('health.row.on', { date: monday }), t('health.minutes', { count: v.minutes }), t('health.km', { km: v.metres / 1000 })]),
    'health-activity-table'));
  if (!rows.length) figure.append(el('p', { className: 'health-empty', textContent: t('health.empty') }));
  return figure;
}

// What comes due: vaccinations' due days and medications' next doses.
function upcoming(t, data) {
  const items = [];
  for (const v of data.vaccinations ?? []) if (v.due) items.push([dayMs(v.due), t('health.upcoming.vaccination', { name: v.name, date: dayMs(v.due) })]);
  for (const m of data.medications ?? []) if (m.remind_at) items.push([Date.parse(m.remind_at), t('health.upcoming.dose', { name: m.name, date: Date.parse(m.remind_at) })]);
  items.sort((a, b) => a[0] - b[0]);
  const soon = items.filter(([at]) => at >= dayMs(today()) - 30 * DAY_MS).slice(0, 8);
  return soon.length ? el('ul', { className: 'health-upcoming' }, ...soon.map(([, text]) => el('li', { textContent: text })))
    : el('p', { className: 'health-empty', textContent: t('health.upcomingEmpty') });
}

export async function mount(root, params, ctx) {
  const { t, navigate } = ctx;
  const vet = !!params.token;
  const page = el('div', { className: 'health' });
  root.append(page);
  const load = () => get(vet ? `/api/v1/health/shared/${encodeURIComponent(params.token)}` : `/api/v1/pets/${encodeURIComponent(params.id)}/health`);
  const [first, petAnswer] = await Promise.all([load(), vet ? null : get(`/api/v1/pets/${encodeURIComponent(params.id)}`)]);
  if (!first.ok || (petAnswer && !petAnswer.ok)) {
    const error = first.ok ? petAnswer.error : first.error;
    if (vet && (error.status === 404 || error.status === 410)) {
      page.append(el('h1', { textContent: t('health.vet.goneTitle') }), el('p', { role: 'alert', textContent: t('health.vet.gone') }));
      return undefined;
    }
    failurePage(page, t, 'health.titlePlain', error, () => navigate(location.pathname, { replace: true }));
    return undefined;
  }
  let data = first.data;
  const pet = vet ? data.pet : petAnswer.data;
  const status = el('p', { className: 'health-status', role: 'status' });
  page.append(el('h1', { textContent: t(vet ? 'health.vet.title' : 'health.title', { pet: pet.name }) }));
  if (vet) page.append(el('p', { className: 'social-note', textContent: t('health.vet.note', { date: Date.parse(data.expires_at) }) }));
  else page.append(el('p', {}, el('a', { href: `/pets/${encodeURIComponent(pet.id)}`, textContent: t('health.back', { pet: pet.name }) })));
  page.append(status);

  const upcomingBox = el('div');
  page.append(el('section', { className: 'health-section', 'aria-labelledby': 'health-upcoming' },
    el('h2', { id: 'health-upcoming', 'data-i18n': 'health.upcomingTitle' }), upcomingBox));

  const lists = {};
  const charts = { weights: el('div'), activities: el('div') };
  const redraw = () => {
    upcomingBox.replaceChildren(upcoming(t, data));
    for (const kind of Object.keys(KINDS)) lists[kind]?.();
    charts.weights.replaceChildren(weightChart(t, data.weights ?? []));
    charts.activities.replaceChildren(activityChart(t, data.activities ?? []));
  };
  const reload = async () => {
    const r = await load();
    if (r.ok) data = r.data;
    redraw();
    return r;
  };

  for (const [kind, spec] of Object.entries(KINDS)) {
    const headingId = `health-h-${kind}`;
    const section = el('section', { className: 'health-section', 'aria-labelledby': headingId },
      el('h2', { id: headingId, 'data-i18n': `health.kind.${kind}` }));
    const list = el('ul', { className: 'health-list' });
    section.append(list);
    page.append(section);
    if (kind === 'weights') section.append(charts.weights);
    if (kind === 'activities') section.append(charts.activities);
    if (vet) {
      lists[kind] = () => {
        const records = data[kind] ?? [];
        list.replaceChildren(...records.map((r) => el('li', {}, ...describe(t, kind, r).filter(Boolean).map((s) => el('span', { textContent: s })))));
        if (!records.length) list.replaceChildren(el('li', { className: 'health-empty', textContent: t('health.empty') }));
      };
      continue;
    }

    // The form: adds, or edits the record `editing` names.
    const form = el('form', { className: 'health-form', noValidate: true });
    const fields = {};
    for (const f of spec) {
      const id = `health-${kind}-${f.key}`;
      fields[f.key] = f.type === 'select' ? selectField(form, { id, label: f.label, options: f.options })
        : field(form, { id, label: f.label, type: f.type === 'date' ? 'date' : 'text', required: !!f.required,
          inputmode: f.type === 'int' ? 'numeric' : f.type === 'kg' ? 'decimal' : undefined,
          maxlength: f.max && f.type === 'text' ? f.max : undefined, autocomplete: 'off' });
    }
    const message = formMessage(form);
    const buttons = el('div', { className: 'health-buttons' });
    const submit = el('button', { type: 'submit', className: 'primary', 'data-i18n': 'health.add' });
    const cancel = el('button', { type: 'button', className: 'secondary', hidden: true, 'data-i18n': 'health.cancel' });
    buttons.append(submit, cancel);
    form.append(buttons);
    section.append(form);
    let editing = null;
    const firstInput = () => fields[spec[0].key].input;
    const reset = () => {
      editing = null;
      form.reset();
      for (const f of Object.values(fields)) setError(f, '');
      message.show('');
      submit.textContent = t('health.add');
      cancel.hidden = true;
    };
    cancel.addEventListener('click', () => { reset(); firstInput().focus(); });

    const edit = (r) => {
      reset();
      editing = r.id;
      for (const f of spec) {
        const v = r[f.key];
        fields[f.key].input.value = v === null || v === undefined ? '' : f.type === 'kg' ? gramsToKgText(v) : String(v);
      }
      submit.textContent = t('health.save');
      cancel.hidden = false;
      firstInput().focus();
    };

    lists[kind] = () => {
      const records = data[kind] ?? [];
      list.replaceChildren(...records.map((r) => {
        const name = recordName(t, kind, r);
        const editButton = el('button', { type: 'button', className: 'social-link-button', textContent: t('health.edit'), 'aria-label': t('health.editLabel', { name }) });
        const deleteButton = el('button', { type: 'button', className: 'social-link-button social-danger', textContent: t('health.delete'), 'aria-label': t('health.deleteLabel', { name }) });
        editButton.addEventListener('click', () => edit(r));
        deleteButton.addEventListener('click', async () => {
          deleteButton.disabled = true;
          const d = await del(`/api/v1/pets/${encodeURIComponent(pet.id)}/health/${kind}/${encodeURIComponent(r.id)}`);
          if (!d.ok) {
            deleteButton.disabled = false;
            status.textContent = failureText(t, d.error);
            return;
          }
          if (editing === r.id) reset();
          await reload();
          status.textContent = t('health.deleted');
          firstInput().focus();
        });
        return el('li', { className: 'health-item' },
          el('div', { className: 'health-what' }, ...describe(t, kind, r).filter(Boolean).map((s) => el('span', { textContent: s }))),
          el('div', { className: 'health-item-actions' }, editButton, deleteButton));
      }));
      if (!records.length) list.replaceChildren(el('li', { className: 'health-empty', textContent: t('health.empty') }));
    };

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      message.show('');
      const body = {};
      let bad = null;
      for (const f of spec) {
        const fld = fields[f.key];
        const raw = fld.input.value.trim();
        let err = '';
        if (!raw) {
          if (f.required) err = t('health.error.required');
        } else if (f.type === 'int') {
          const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
          if (!(n >= f.min && n <= f.max)) err = t('health.error.range', { min: f.min, max: f.max });
          else body[f.key] = n;
        } else if (f.type === 'kg') {
          const g = kgToGrams(raw);
          if (g === null || g < 1 || g > GRAMS_MAX) err = t('health.error.weight');
          else body[f.key] = g;
        } else if (f.type === 'date') {
          if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(dayMs(raw))) err = t('health.error.date');
          else body[f.key] = raw;
        } else {
          body[f.key] = f.type === 'select' ? fld.input.value : raw;
        }
        setError(fld, err);
        if (err && !bad) bad = fld;
      }
      if (bad) {
        bad.input.focus();
        return;
      }
      submit.disabled = true;
      const path = `/api/v1/pets/${encodeURIComponent(pet.id)}/health/${kind}`;
      const r = editing ? await put(`${path}/${encodeURIComponent(editing)}`, body) : await post(path, body);
      submit.disabled = false;
      if (!r.ok) {
        const fld = fields[r.error.field];
        if (fld) {
          setError(fld, failureText(t, r.error));
          fld.input.focus();
        } else {
          message.show(failureText(t, r.error));
        }
        return;
      }
      reset();
      await reload();
      status.textContent = t('health.saved');
      firstInput().focus();
    });
  }

  if (!vet) page.append(shareSection(t, pet, status));
  redraw();
  ctx.localize(page);
  return undefined;
}

// The owner's links for a vet: create one for some days, see them, revoke.
function shareSection(t, pet, status) {
  const base = `/api/v1/pets/${encodeURIComponent(pet.id)}/health/shares`;
  const section = el('section', { className: 'health-section', 'aria-labelledby': 'health-h-share' },
    el('h2', { id: 'health-h-share', 'data-i18n': 'health.share.title' }),
    el('p', { className: 'social-note', 'data-i18n': 'health.share.about' }));
  const form = el('form', { className: 'health-form', noValidate: true });
  const days = field(form, { id: 'health-share-days', label: 'health.share.days', type: 'text', inputmode: 'numeric', required: true, autocomplete: 'off' });
  days.input.value = '7';
  const message = formMessage(form);
  form.append(el('div', { className: 'health-buttons' }, el('button', { type: 'submit', className: 'primary', 'data-i18n': 'health.share.create' })));
  const made = el('div', { className: 'health-share-made' });
  const list = el('ul', { className: 'health-list' });
  section.append(form, made, list);

  const refresh = async () => {
    const r = await get(base);
    if (!r.ok) return;
    list.replaceChildren(...r.data.shares.map((s) => {
      const when = t('health.share.createdOn', { date: Date.parse(s.created_at) });
      const state = s.state === 'live' ? t('health.share.live', { date: Date.parse(s.expires_at) })
        : t(s.state === 'revoked' ? 'health.share.revoked' : 'health.share.expired');
      const item = el('li', { className: 'health-item' }, el('div', { className: 'health-what' }, el('span', { textContent: when }), el('span', { textContent: state })));
      if (s.state === 'live') {
        const revoke = el('button', { type: 'button', className: 'social-link-button social-danger', textContent: t('health.share.revoke'), 'aria-label': t('health.share.revokeLabel', { date: Date.parse(s.created_at) }) });
        revoke.addEventListener('click', async () => {
          revoke.disabled = true;
          const d = await del(`${base}/${encodeURIComponent(s.id)}`);
          if (!d.ok) {
            revoke.disabled = false;
            status.textContent = failureText(t, d.error);
            return;
          }
          await refresh();
          status.textContent = t('health.share.revokedNow');
          days.input.focus();
        });
        item.append(el('div', { className: 'health-item-actions' }, revoke));
      }
      return item;
    }));
    if (!r.data.shares.length) list.replaceChildren(el('li', { className: 'health-empty', textContent: t('health.share.none') }));
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.show('');
    const raw = days.input.value.trim();
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= 1 && n <= SHARE_DAYS_MAX)) {
      setError(days, t('health.error.range', { min: 1, max: SHARE_DAYS_MAX }));
      days.input.focus();
      return;
    }
    setError(days, '');
    const r = await post(base, { days: n });
    if (!r.ok) {
      message.show(failureText(t, r.error));
      return;
    }
    const link = el('input', { id: 'health-share-url', type: 'text', readOnly: true, value: r.data.url, className: 'health-share-url' });
    made.replaceChildren(el('p', { textContent: t('health.share.created', { date: Date.parse(r.data.expires_at) }) }),
      el('div', { className: 'field' }, el('label', { htmlFor: link.id, textContent: t('health.share.url') }), link));
    // Focus first: the new link is what the person came for, and a test (or a
    // screen reader) that finds it must find it focused, not after the list reloads.
    link.focus();
    link.select();
    await refresh();
  });
  refresh();
  return section;
}
