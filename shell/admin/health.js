// The console's Health tab (GET /api/v1/admin/health): the server's own
// figures, as /metrics exports them, one table per metric: the server now,
// and per route its requests, rate, errors and latency quantiles with a
// small bar (drawn from the p99, its figure always beside it in words).
import { get } from '../api.js';
import { el } from '../compose-kit.js';
import { problem } from './kit.js';

const SVG = 'http://www.w3.org/2000/svg';
const BAR_WIDTH = 80; // px of the longest latency bar

const count = (t, n) => t('ops.count', { count: n });
const ms = (t, v) => t('ops.ms', { count: Math.round(v * 10) / 10 });

// A bar as long as value is of max: decoration only (its figure is in the cell's text).
function bar(value, max) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(BAR_WIDTH));
  svg.setAttribute('height', '10');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'ops-bar');
  const r = document.createElementNS(SVG, 'rect');
  r.setAttribute('width', String(max > 0 ? Math.max(1, Math.round((value / max) * BAR_WIDTH)) : 0));
  r.setAttribute('height', '10');
  svg.append(r);
  return svg;
}

function table(t, caption, head, rows) {
  return el('table', { className: 'admin-table' },
    el('caption', { textContent: t(caption) }),
    el('thead', {}, el('tr', {}, ...head.map((k) => el('th', { scope: 'col', textContent: t(k) })))),
    el('tbody', {}, ...rows));
}

function render(t, out, h) {
  const figure = (key, value) => el('tr', {}, el('th', { scope: 'row', textContent: t(key) }), el('td', { textContent: value }));
  const now = table(t, 'ops.nowCaption', ['ops.colFigure', 'ops.colValue'], [
    figure('ops.uptime', t('ops.seconds', { count: Math.round(h.uptime_seconds) })),
    figure('ops.connections', count(t, h.connections)),
    figure('ops.websockets', count(t, h.websockets)),
    figure('ops.queueFast', count(t, h.queues.fast)),
    figure('ops.queueSlow', count(t, h.queues.slow)),
    figure('ops.queueBilling', count(t, h.queues.billing)),
    figure('ops.rejected', count(t, h.queues.rejected_fast + h.queues.rejected_slow)),
    figure('ops.dbTime', ms(t, h.database.seconds * 1000)),
    figure('ops.dbSteps', count(t, h.database.steps)),
  ]);
  const routes = [...h.routes].sort((a, b) => b.requests - a.requests);
  const slowest = Math.max(0, ...routes.map((r) => r.p99_ms));
  const traffic = table(t, 'ops.routesCaption',
    ['ops.colRoute', 'ops.colRequests', 'ops.colRate', 'ops.colClientErrors', 'ops.colServerErrors', 'ops.colErrorRate'],
    routes.map((r) => el('tr', {},
      el('th', { scope: 'row', textContent: `${r.method} ${r.route}` }),
      el('td', { textContent: count(t, r.requests) }),
      el('td', { textContent: t('ops.perMinute', { count: Math.round(r.per_minute * 10) / 10 }) }),
      el('td', { textContent: count(t, r.client_errors) }),
      el('td', { textContent: count(t, r.server_errors) }),
      el('td', { textContent: t('ops.percent', { progress: r.error_rate }) }))));
  const latency = table(t, 'ops.latencyCaption',
    ['ops.colRoute', 'ops.colMean', 'ops.colP50', 'ops.colP90', 'ops.colP99'],
    routes.map((r) => el('tr', {},
      el('th', { scope: 'row', textContent: `${r.method} ${r.route}` }),
      el('td', { textContent: ms(t, r.mean_ms) }),
      el('td', { textContent: ms(t, r.p50_ms) }),
      el('td', { textContent: ms(t, r.p90_ms) }),
      el('td', {}, bar(r.p99_ms, slowest), ' ', ms(t, r.p99_ms)))));
  out.replaceChildren(now, ...(routes.length ? [traffic, latency] : [el('p', { textContent: t('ops.empty') })]));
}

// The Health tab: the figures when shown, and a Refresh button.
export function mount(t, panel) {
  const status = el('p', { role: 'status', className: 'admin-status' });
  const refresh = el('button', { type: 'button', className: 'secondary', textContent: t('ops.refresh') });
  const out = el('div', { className: 'ops-view' });
  panel.append(refresh, status, out);
  const load = async () => {
    refresh.disabled = true;
    const r = await get('/api/v1/admin/health');
    refresh.disabled = false;
    if (!r.ok) {
      status.textContent = problem(t, r.error);
      return;
    }
    status.textContent = '';
    render(t, out, r.data);
  };
  refresh.addEventListener('click', load);
  return load;
}
