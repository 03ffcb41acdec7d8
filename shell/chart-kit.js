// Charts drawn as SVG with their data table (screens/health.js, the pet's
// weight and activity; screens/dashboard.js, a seller's sales): the table
// is the truth, with a caption and column headers; the drawing beside it
// is aria-hidden. No chart library: a few shapes are all it takes.
import { el } from './compose-kit.js';

const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

// A table with a caption and column headers (th scope=col), each row's first
// cell its header (th scope=row); rows: arrays of cell texts.
export function dataTable(caption, heads, rows, className) {
  return el('table', { className },
    el('caption', { textContent: caption }),
    el('thead', {}, el('tr', {}, ...heads.map((h) => el('th', { scope: 'col', textContent: h })))),
    el('tbody', {}, ...rows.map(([first, ...rest]) => el('tr', {},
      el('th', { scope: 'row', textContent: first }), ...rest.map((c) => el('td', { textContent: c }))))));
}

// One bar per value (≥ 0), oldest first, the largest filling the height; a
// zero is a flat stub on the baseline, so every slot shows (a month without
// sales is still a month). svgClass and barClass style them.
export function barChart(values, { svgClass, barClass, w = 320, h = 140, pad = 8, least = 2 }) {
  const drawing = svg('svg', { viewBox: `0 0 ${w} ${h}`, 'aria-hidden': 'true', focusable: 'false', class: svgClass });
  const most = Math.max(0, ...values);
  const slot = (w - 2 * pad) / Math.max(1, values.length);
  values.forEach((v, i) => {
    const bh = v > 0 ? Math.max(least, (v / most) * (h - 2 * pad)) : 1;
    drawing.append(svg('rect', { x: pad + i * slot + slot * 0.15, y: h - pad - bh, width: slot * 0.7, height: bh, class: barClass }));
  });
  return drawing;
}

// Several series side by side in each slot (screens/affiliate-dashboard.js:
// clicks, sign-ups and conversions by month), oldest first, one scale for
// all. The series are told apart by their opacity (a presentation attribute:
// the strict CSP takes no inline style, and app.css, loaded at start, gets
// nothing new); the table beside it names them.
export function groupedBars(series, { svgClass, barClass, w = 320, h = 140, pad = 8, least = 2 }) {
  const drawing = svg('svg', { viewBox: `0 0 ${w} ${h}`, 'aria-hidden': 'true', focusable: 'false', class: svgClass });
  const most = Math.max(0, ...series.flat());
  const slots = Math.max(1, ...series.map((s) => s.length));
  const slot = (w - 2 * pad) / slots;
  const bar = (slot * 0.8) / Math.max(1, series.length);
  series.forEach((values, k) => {
    const opacity = 1 - (0.6 * k) / Math.max(1, series.length - 1);
    values.forEach((v, i) => {
      const bh = v > 0 ? Math.max(least, (v / most) * (h - 2 * pad)) : 1;
      drawing.append(svg('rect', { x: pad + i * slot + slot * 0.1 + k * bar, y: h - pad - bh, width: bar, height: bh, class: barClass,
        'fill-opacity': opacity.toFixed(2) }));
    });
  });
  return drawing;
}
