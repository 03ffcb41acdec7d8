// /admin — the team's console (issue 19): one tab per duty, each in its own
// module under shell/admin/ (mount(t, panel) builds it and returns the
// function that reloads it when the tab is shown). A person sees the tabs
// their roles open (TABS); someone whose roles open none, or who holds no
// role, gets the refusal. The server decides what each person may do — a
// tab's routes check the same roles — so this list only keeps the console
// from offering what would answer 403. Tabs follow the ARIA tabs pattern
// (arrow keys, Home/End move between them).
import { el } from '../compose-kit.js';
import * as roles from '../admin/roles.js';
import * as audit from '../admin/audit.js';
import * as outbox from '../admin/outbox.js';
import * as security from '../admin/security.js';
import * as health from '../admin/health.js';
import * as moderation from '../admin/moderation.js';
import * as support from '../admin/support.js';
import * as lives from '../admin/lives.js';

// name: its label is admin.tab.<name> unless label names another key; roles: who sees it (any of them).
const TABS = [
  { name: 'roles', roles: ['admin'], module: roles },
  { name: 'audit', roles: ['admin'], module: audit },
  { name: 'security', roles: ['admin'], module: security },
  { name: 'health', roles: ['admin'], module: health },
  { name: 'moderation', roles: ['moderator', 'admin'], module: moderation },
  { name: 'support', roles: ['support', 'admin'], module: support, label: 'support.desk.tab' },
  { name: 'outbox', roles: ['admin', 'support'], module: outbox, label: 'mail.outboxTab' },
  { name: 'lives', roles: ['moderator', 'admin'], module: lives, label: 'live.admin.tab' }, // issue 24
];

// The refusal, for people whose roles open no tab (or who hold none).
function refusal(root) {
  root.append(el('div', { className: 'settings admin' },
    el('h1', { 'data-i18n': 'admin.refusedTitle' }),
    el('p', { 'data-i18n': 'admin.refused' }),
    el('p', {}, el('a', { href: '/', 'data-i18n': 'app.backHome' }))));
}

function tabs(t, names, labels) {
  const list = el('div', { role: 'tablist', className: 'admin-tabs', 'data-i18n-label': 'admin.sections' });
  const panels = [];
  const buttons = names.map((name, i) => {
    const b = el('button', {
      type: 'button', role: 'tab', id: `admin-tab-${name}`, 'aria-controls': `admin-panel-${name}`,
      'aria-selected': String(i === 0), tabIndex: i === 0 ? 0 : -1, className: 'admin-tab',
      'data-i18n': labels[i] ?? `admin.tab.${name}`,
    });
    panels.push(el('div', { role: 'tabpanel', id: `admin-panel-${name}`, 'aria-labelledby': b.id, tabIndex: 0, hidden: i !== 0 }));
    return b;
  });
  const select = (i, focus) => {
    buttons.forEach((b, k) => {
      b.setAttribute('aria-selected', String(k === i));
      b.tabIndex = k === i ? 0 : -1;
      panels[k].hidden = k !== i;
    });
    if (focus) buttons[i].focus();
    list.dispatchEvent(new CustomEvent('select', { detail: names[i] }));
  };
  buttons.forEach((b, i) => b.addEventListener('click', () => select(i, false)));
  list.addEventListener('keydown', (e) => {
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    const rtl = getComputedStyle(list).direction === 'rtl';
    const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1 }[e.key];
    let to = null;
    if (step) to = (at + step + buttons.length) % buttons.length;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = buttons.length - 1;
    if (to === null) return;
    e.preventDefault();
    select(to, true);
  });
  list.append(...buttons);
  return { list, panels };
}

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const { user } = await ctx.session();
  const mine = TABS.filter((tab) => tab.roles.some((r) => user?.roles?.includes(r)));
  if (!mine.length) {
    refusal(root);
    return undefined;
  }
  const page = el('div', { className: 'settings admin' }, el('h1', { 'data-i18n': 'admin.title' }));
  const { list, panels } = tabs(t, mine.map((tab) => tab.name), mine.map((tab) => tab.label));
  page.append(list, ...panels);
  root.append(page);
  const loads = mine.map((tab, i) => tab.module.mount(t, panels[i]));
  // Each tab reads the server when it is shown, so the log has the latest acts.
  list.addEventListener('select', (e) => loads[mine.findIndex((tab) => tab.name === e.detail)]());
  await loads[0]();
  // A tab holding something open (the Support tab's socket) lets go when the console goes.
  return () => loads.forEach((load) => load.stop?.());
}
