// The platform's text service for the core: shapes, wraps and rasterises text
// with the browser's own fonts and line breaking (Intl.Segmenter), so every
// script the browser can show (Arabic, Indic, Thai, CJK) comes out right.

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif';
const canvas = new OffscreenCanvas(1, 1);
const ctx = canvas.getContext('2d', { willReadFrequently: true });
const words = new Intl.Segmenter(undefined, { granularity: 'word' });
const FIRST_STRONG_RTL = /^[^\p{L}]*[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u;

function css(color) {
  return `rgba(${color >>> 24},${(color >>> 16) & 255},${(color >>> 8) & 255},${(color & 255) / 255})`;
}

// Greedy line breaking at the segmenter's boundaries; newlines always break.
function wrap(text, maxWidth, maxLines) {
  const lines = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const { segment } of words.segment(para)) {
      const next = line + segment;
      if (line && ctx.measureText(next.trimEnd()).width > maxWidth) {
        lines.push(line.trimEnd());
        line = segment.trimStart();
      } else {
        line = next;
      }
    }
    lines.push(line.trimEnd());
  }
  if (maxLines && lines.length > maxLines) {
    let last = lines[maxLines - 1];
    while (last && ctx.measureText(last + '…').width > maxWidth) last = [...last].slice(0, -1).join('');
    lines.length = maxLines;
    lines[maxLines - 1] = last + '…';
  }
  return lines;
}

// Paragraph direction: the core says it for its own messages (the locale's);
// for user text ('auto') the first strong character outside isolates (FSI…PDI
// around names in formatted messages) decides, as UAX #9 rules P2-P3 do.
function isRtl(text, direction) {
  if (direction === 'rtl' || direction === 'ltr') return direction === 'rtl';
  return FIRST_STRONG_RTL.test(text.replace(/[\u2066-\u2068][^\u2069]*\u2069?/gu, ''));
}

export function rasterText(text, { size, bold, color, maxWidth, maxLines, direction = 'auto' }) {
  const font = `${bold ? 600 : 400} ${size}px ${FONT}`;
  ctx.font = font;
  const lines = wrap(text, maxWidth, maxLines);
  const lineHeight = Math.ceil(size * 1.3);
  const width = Math.min(maxWidth, Math.ceil(Math.max(1, ...lines.map((l) => ctx.measureText(l).width))));
  const height = lineHeight * lines.length;
  if (canvas.width < width || canvas.height < height) {
    canvas.width = Math.max(canvas.width, width);
    canvas.height = Math.max(canvas.height, height);
  }
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = font; // resizing the canvas resets its state
  ctx.fillStyle = css(color);
  ctx.textBaseline = 'alphabetic';
  const rtl = isRtl(text, direction);
  ctx.direction = rtl ? 'rtl' : 'ltr';
  ctx.textAlign = rtl ? 'right' : 'left';
  const ascent = Math.round(size * 1.0);
  lines.forEach((l, i) => ctx.fillText(l, rtl ? width : 0, i * lineHeight + ascent));
  const data = ctx.getImageData(0, 0, width, height).data;
  // Canvas pixels are premultiplied internally but read back straight: ready for the core.
  return { width, height, data };
}
