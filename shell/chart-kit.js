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
