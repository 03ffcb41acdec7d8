// llmsim's "model": what it answers to a chat request, deterministically
// (main.mjs streams it). Pure functions of the request.

// Words that make a question about the asker's own account, per language
// it knows. A question matching one, with the tool offered, gets a tool call.
const ASKS = {
  order: {
    en: ['order', 'orders', 'package', 'parcel', 'delivery', 'delivered', 'shipped', 'shipping', 'purchase', 'bought'],
    es: ['pedido', 'pedidos', 'compra', 'compré', 'paquete', 'envío', 'envio', 'orden', 'entrega', 'llega'],
  },
  plan: {
    en: ['plan', 'plus', 'subscription', 'renewal', 'renew', 'renews', 'billing', 'membership'],
    es: ['plan', 'plus', 'suscripción', 'suscripcion', 'renovación', 'renovacion', 'renueva', 'membresía'],
  },
  hidden: {
    en: ['hidden', 'hide', 'removed', 'moderation', 'moderated', 'taken'],
    es: ['oculta', 'oculto', 'ocultaron', 'ocultada', 'eliminada', 'eliminaron', 'moderación', 'moderacion', 'borraron'],
  },
};
const SPANISH = ['¿', '¡', 'ñ', ' el ', ' la ', ' mi ', ' mis ', ' cómo ', ' como ', ' dónde ', ' donde ', ' qué ', ' que ', ' por ', ' está ', ' pedido'];
const SAY = {
  en: {
    unknown: "I don't know; a person from support can help.",
    notFound: 'I could not find that order among yours.',
    orders: 'Your latest orders:',
    order: 'Your order',
    plan: 'Your plan:',
    hidden: 'Your hidden posts:',
    none: 'none',
    result: 'Here is what I found:',
  },
  es: {
    unknown: 'No lo sé; una persona del equipo de ayuda puede ayudarte.',
    notFound: 'No encontré ese pedido entre los tuyos.',
    orders: 'Tus últimos pedidos:',
    order: 'Tu pedido',
    plan: 'Tu plan:',
    hidden: 'Tus publicaciones ocultas:',
    none: 'ninguna',
    result: 'Esto es lo que encontré:',
  },
};

/** Lower-case words (letters and digits of any script); CJK and Thai runs as overlapping pairs. */
export function words(text) {
  const out = [];
  for (const m of String(text).toLowerCase().matchAll(/[\p{L}\p{M}\p{N}_]+/gu)) {
    const w = m[0];
    if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u.test(w)) {
      const cs = [...w];
      for (let i = 0; i + 1 < cs.length; i++) out.push(cs[i] + cs[i + 1]);
      if (cs.length === 1) out.push(w);
    } else if (w.length >= 2) {
      out.push(w);
    }
  }
  return out;
}

function language(question) {
  const q = ` ${String(question).toLowerCase()} `;
  return SPANISH.some((w) => q.includes(w)) ? 'es' : 'en';
}

function textOf(message) {
  if (typeof message?.content === 'string') return message.content;
  if (Array.isArray(message?.content)) return message.content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

/** The system message's numbered articles: [{n, title, summary, text}]. */
export function articles(system) {
  const out = [];
  let cur = null;
  for (const line of String(system).split(/\r?\n/)) {
    const m = /^\s*\[(\d+)\]\s*(.*)$/.exec(line);
    if (m) {
      cur = { n: Number(m[1]), title: m[2].trim(), summary: '', text: m[2] };
      out.push(cur);
    } else if (cur) {
      if (!cur.summary && line.trim()) cur.summary = line.trim();
      cur.text += `\n${line}`;
    }
  }
  return out;
}

const GRAPHEMES = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** A few words per chunk (four characters — graphemes — at a time of a long run written without spaces). */
export function pieces(text) {
  const out = [];
  let group = [];
  const flush = () => {
    if (group.length) out.push(group.join(''));
    group = [];
  };
  for (const part of String(text).split(/(?<= )/u)) {
    // Whole characters as a reader sees them (a Thai vowel mark stays on its letter).
    const cs = [...GRAPHEMES.segment(part)].map((g) => g.segment);
    if (cs.length > 12) {
      flush();
      for (let k = 0; k < cs.length; k += 4) out.push(cs.slice(k, k + 4).join(''));
      continue;
    }
    group.push(part);
    if (group.length === 3) flush();
  }
  flush();
  return out.filter((p) => p.length > 0);
}

function offered(body) {
  const names = new Set();
  for (const t of Array.isArray(body.tools) ? body.tools : []) if (typeof t?.function?.name === 'string') names.add(t.function.name);
  return names;
}

function asks(kind, question) {
  const ws = new Set(String(question).toLowerCase().split(/[^\p{L}\p{M}\p{N}_]+/u));
  return [...ASKS[kind].en, ...ASKS[kind].es].some((w) => ws.has(w));
}

/** The tool call a question asks for, when its tool is offered: {name, args} or null. */
export function toolFor(question, tools) {
  if (asks('order', question)) {
    const id = /\bord_\d+\b/.exec(question);
    if (id && tools.has('order_status')) return { name: 'order_status', args: JSON.stringify({ order_id: id[0] }) };
    if (tools.has('my_orders')) return { name: 'my_orders', args: '{}' };
  }
  if (asks('hidden', question) && tools.has('hidden_posts')) return { name: 'hidden_posts', args: '{}' };
  if (asks('plan', question) && tools.has('my_plan')) return { name: 'my_plan', args: '{}' };
  return null;
}

/** Scalars of a value, in order, as text: "ord_12, shipped, 2026-12-01". */
function scalars(v) {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap(scalars);
  if (typeof v === 'object') return Object.values(v).flatMap(scalars);
  return [String(v)];
}

/** The answer to a tool's result (a JSON text), in the asker's language. */
export function fromToolResult(name, content, lang) {
  const say = SAY[lang];
  let v;
  try {
    v = JSON.parse(content);
  } catch {
    v = content;
  }
  if (v && typeof v === 'object' && !Array.isArray(v) && 'error' in v) return say.notFound;
  const list = (items) => (items.length ? items.map((o) => scalars(o).join(', ')).join('; ') : say.none);
  if (name === 'my_orders') return `${say.orders} ${list(Array.isArray(v) ? v : Array.isArray(v?.orders) ? v.orders : [v])}.`;
  if (name === 'order_status') return `${say.order} ${scalars(v?.order ?? v).join(', ')}.`;
  if (name === 'hidden_posts') return `${say.hidden} ${list(Array.isArray(v) ? v : Array.isArray(v?.posts) ? v.posts : [v])}.`;
  if (name === 'my_plan') return `${say.plan} ${scalars(v?.plan ?? v).join(', ')}.`;
  return `${say.result} ${scalars(v).join(', ')}.`;
}

/** What the model answers: {toolCall: {name, args}} or {pieces: [text…]}. */
export function answerFor(body) {
  const messages = body.messages.filter((m) => m && typeof m === 'object');
  const system = messages.filter((m) => m.role === 'system').map(textOf).join('\n');
  const users = messages.filter((m) => m.role === 'user');
  const question = users.length ? textOf(users[users.length - 1]) : '';
  const lang = language(question);
  const last = messages[messages.length - 1];
  if (last?.role === 'tool') {
    // The tool's name: from the assistant message that called it.
    let name = typeof last.name === 'string' ? last.name : '';
    for (const m of messages) for (const c of Array.isArray(m.tool_calls) ? m.tool_calls : []) if (c?.id === last.tool_call_id && typeof c?.function?.name === 'string') name = c.function.name;
    return { pieces: pieces(fromToolResult(name, textOf(last), lang)) };
  }
  const call = toolFor(question, offered(body));
  if (call) return { toolCall: call };
  const q = new Set(words(question));
  let best = null;
  let bestScore = 0;
  for (const a of articles(system)) {
    const score = new Set(words(a.text).filter((w) => q.has(w))).size;
    if (score > bestScore) {
      best = a;
      bestScore = score;
    }
  }
  if (!best) return { pieces: pieces(SAY[lang].unknown) };
  return { pieces: pieces(`${best.summary || best.title} [${best.n}]`) };
}
