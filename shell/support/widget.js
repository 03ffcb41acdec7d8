// The support widget (issue 23), opened by the header's Help button on every
// screen and imported only then (account.js): a modal <dialog> — focus moves
// in, stays in while it is open (the page behind is inert), Escape closes it
// and focus goes back to what opened it. A question goes to POST
// /api/v1/help/ask; the retrieval answer and the articles it used show at
// once; when the server gives a stream (a model is configured) the model's
// tokens are appended as text as they come (EventSource), the `[n]`
// citations becoming links at the end; on `fallback`, an error or the
// widget's own timeout the retrieval answer stays. Signed-in people get
// buttons for their own account (My plan / My orders / Hidden posts: GET
// /api/v1/help/me/…) and "Talk to a person", which hands the exchange over to
// the support inbox and shows the conversation (support/conversation.js);
// signed-out people get a log-in link instead. Everything is text.
import { API, failureMessage, get, getSession, post } from '../api.js';
import { el } from '../compose-kit.js';
import { currentLocale, day, money } from '../i18n.js';
import { minorToDecimal } from '../market-kit.js';
import { answerNodes, articleHref, articleList, helpStyles } from './help-kit.js';

// PA_STORE_HELP_QUESTION_MAX (web/src/store/help.h) counts bytes; the box
// stops at as many characters and the server refuses what is still over.
export const QUESTION_MAX = 500;
// The widget's own bound on a streamed answer, beyond the server's model
// deadline (PA_LLM_TOTAL_MS): a stream still open after this is dropped and
// the retrieval answer stays.
export const STREAM_TIMEOUT_MS = 60_000;
// A hand-off carries at most this many messages (support conversations'
// transcript cap) and a subject of at most this many characters.
export const TRANSCRIPT_MAX = 20;
export const SUBJECT_MAX = 120;
// A transcript message's characters (support_messages.body ≤ 4000): a longer model answer is cut.
export const TURN_MAX = 4000;

const ACTIONS = [
  ['my_plan', 'plan', 'support.widget.myPlan'],
  ['my_orders', 'orders', 'support.widget.myOrders'],
  ['hidden_posts', 'hidden-posts', 'support.widget.hiddenPosts'],
];

let widget = null;

// open(ctx) — shows the widget (built on the first call), focus on the question box.
export async function open(ctx) {
  helpStyles();
  if (!widget) widget = build(ctx);
  await widget.show(document.activeElement);
}

function build(ctx) {
  const { t } = ctx;
  const dialog = el('dialog', { id: 'support-widget', className: 'support-widget', 'aria-labelledby': 'support-title' });
  const close = el('button', { type: 'button', className: 'support-close', 'data-i18n-label': 'support.widget.close' }, '×');
  const head = el('div', { className: 'support-head' },
    el('h2', { id: 'support-title', 'data-i18n': 'support.widget.title' }), close);
  // The person's conversation with support (hdesk's support/conversation.js
  // draws it inside; the heading is the widget's).
  const convTitle = el('h3', { id: 'support-conv-title', 'data-i18n': 'support.widget.conversation' });
  const conv = el('section', { className: 'support-conv-pane', 'aria-labelledby': 'support-conv-title', hidden: true }, convTitle);
  const convBody = el('div');
  conv.append(convBody);

  const input = el('textarea', { id: 'support-q', name: 'question', rows: 2, maxLength: QUESTION_MAX, required: true,
    'aria-describedby': 'support-q-hint' });
  const ask = el('button', { type: 'submit', className: 'primary', 'data-i18n': 'support.widget.ask' });
  const form = el('form', { className: 'support-form' },
    el('label', { htmlFor: 'support-q', 'data-i18n': 'support.widget.question' }),
    el('p', { id: 'support-q-hint', className: 'field-hint', 'data-i18n': 'support.widget.hint' }),
    input, el('div', { className: 'support-row' }, ask));
  const problem = el('p', { className: 'form-message', role: 'alert', hidden: true });
  // The answer: announced once whole (aria-busy while tokens arrive).
  const answer = el('div', { className: 'support-answer', 'aria-live': 'polite', hidden: true });
  const account = el('div', { className: 'support-account', role: 'group', 'aria-labelledby': 'support-account-title', hidden: true },
    el('h3', { id: 'support-account-title', 'data-i18n': 'support.widget.yourAccount' }));
  const accountButtons = el('div', { className: 'support-row' });
  const accountOut = el('div', { className: 'support-account-out', 'aria-live': 'polite' });
  account.append(accountButtons, accountOut);
  for (const [name, path, key] of ACTIONS) {
    const b = el('button', { type: 'button', className: 'secondary', 'data-i18n': key });
    b.dataset.action = name;
    b.addEventListener('click', () => showAccount(name, path, b));
    accountButtons.append(b);
  }
  const person = el('div', { className: 'support-person' });
  dialog.append(head, conv, form, problem, answer, account, person);
  document.body.append(dialog);

  let opener = null;
  let user = null;
  let stream = null; // {source, timer} of the answer being streamed
  const history = []; // [{author, body}] of this widget's exchange, for a hand-off
  let lastAsk = '';
  let firstQuestion = '';

  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    stopStream();
    if (opener?.isConnected) opener.focus();
  });
  // A link inside (an article, a log-in link) navigates in place: the dialog closes first.
  dialog.addEventListener('click', (e) => {
    const a = e.target.closest?.('a[href]');
    if (a && !e.defaultPrevented && e.button === 0 && !(e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)) {
      opener = null;
      dialog.close();
    }
  });

  const fail = (text) => {
    problem.textContent = text;
    problem.hidden = !text;
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    stopStream();
    fail('');
    ask.disabled = true;
    answer.hidden = false;
    answer.setAttribute('aria-busy', 'true');
    delete answer.dataset.state;
    answer.replaceChildren(el('p', { className: 'support-wait', textContent: t('support.widget.thinking') }));
    const r = await post('/api/v1/help/ask', { question, locale: currentLocale() });
    ask.disabled = false;
    if (!r.ok) {
      answer.hidden = true;
      answer.removeAttribute('aria-busy');
      fail(r.error.status === 429 ? t('support.widget.tooMany') : t(...failureMessage(r.error)));
      return;
    }
    if (!firstQuestion) firstQuestion = question;
    lastAsk = r.data.ask ?? '';
    history.push({ author: 'person', body: question });
    showAnswer(r.data);
  });

  // The retrieval answer (or "I do not know"), the articles as links, and
  // the stream when there is one.
  function showAnswer(data) {
    const articles = data.articles ?? [];
    const known = data.answer?.kind === 'retrieval';
    const text = known ? data.answer.text : t('support.widget.unknown');
    const retrieval = el('p', { className: 'support-text' }, ...answerNodes(text, articles));
    retrieval.dataset.kind = known ? 'retrieval' : 'unknown';
    answer.replaceChildren(retrieval);
    answer.dataset.state = 'retrieval';
    if (articles.length) {
      answer.append(el('h3', { className: 'support-used', textContent: t('support.widget.articles') }), articleList(articles, { summaries: false }));
    }
    const turn = { author: 'assistant', body: text };
    history.push(turn);
    if (data.stream) startStream(data.stream, articles, retrieval, turn);
    else answer.removeAttribute('aria-busy');
    renderPerson(!known);
  }

  function startStream(path, articles, retrieval, turn) {
    const said = el('p', { className: 'support-text support-stream', hidden: true });
    retrieval.after(said);
    const status = el('p', { className: 'support-tool', hidden: true });
    said.after(status);
    let text = '';
    const source = new EventSource(API + path, { withCredentials: !!API });
    const end = (state) => {
      stopStream();
      answer.dataset.state = state;
      answer.removeAttribute('aria-busy');
      status.remove();
    };
    const fallback = () => {
      // The model's words go; the retrieval answer stays.
      said.remove();
      retrieval.hidden = false;
      end('fallback');
    };
    stream = { source, timer: setTimeout(fallback, STREAM_TIMEOUT_MS) };
    answer.dataset.state = 'streaming';
    source.addEventListener('token', (e) => {
      const piece = parse(e.data)?.t;
      if (typeof piece !== 'string') return;
      if (said.hidden) {
        said.hidden = false;
        retrieval.hidden = true;
      }
      status.hidden = true;
      text += piece;
      said.append(document.createTextNode(piece));
    });
    source.addEventListener('tool', (e) => {
      status.dataset.tool = parse(e.data)?.name ?? '';
      status.textContent = t('support.widget.checking');
      status.hidden = false;
    });
    source.addEventListener('done', (e) => {
      const d = parse(e.data) ?? {};
      const final = typeof d.text === 'string' && d.text ? d.text : text;
      if (!final) return fallback();
      said.replaceChildren(...answerNodes(final, articles));
      said.hidden = false;
      retrieval.hidden = true;
      turn.body = final;
      // The cited articles, when the server named some the list lacks.
      const shown = new Set(articles.map((a) => a.slug));
      const extra = (d.cited ?? []).filter((c) => c?.slug && !shown.has(c.slug));
      if (extra.length) answer.append(articleList(extra, { summaries: false }));
      end('done');
    });
    source.addEventListener('fallback', fallback);
    // The stream ended or broke before `done`: EventSource would reconnect; we do not.
    source.addEventListener('error', () => { if (stream?.source === source) fallback(); });
  }

  function stopStream() {
    if (!stream) return;
    stream.source.close();
    clearTimeout(stream.timer);
    stream = null;
  }

  // "Talk to a person" (signed in) or a log-in link; stressed when the assistant did not know.
  function renderPerson(stress = false) {
    person.replaceChildren();
    if (user) {
      const talk = el('button', { type: 'button', className: stress ? 'primary' : 'secondary', textContent: t('support.widget.talk') });
      talk.addEventListener('click', () => handOff(talk));
      person.append(talk);
    } else {
      const next = encodeURIComponent(location.pathname + location.search);
      person.append(el('p', {}, el('a', { href: `/login?next=${next}`, textContent: t('support.widget.logInToTalk') })));
    }
  }

  async function handOff(button) {
    button.disabled = true;
    const transcript = history.slice(-TRANSCRIPT_MAX).map((m) => ({ author: m.author, body: m.body.slice(0, TURN_MAX) }));
    const body = { subject: (firstQuestion || t('support.widget.title')).slice(0, SUBJECT_MAX), transcript, locale: currentLocale() };
    if (lastAsk) body.ask = lastAsk;
    const r = await post('/api/v1/support/conversations', body);
    button.disabled = false;
    if (!r.ok) {
      fail(t(...failureMessage(r.error)));
      return;
    }
    history.length = 0;
    await showConversation(r.data?.id ?? r.data?.conversation?.id, { focus: true });
  }

  // The person's conversation with support, drawn by hdesk's module (once
  // per conversation: it stays live while the widget is closed and opened).
  let shown = '';
  let unmount = null;
  async function showConversation(id, { focus = false } = {}) {
    if (!id) return;
    conv.hidden = false;
    if (shown !== id) {
      shown = id;
      if (typeof unmount === 'function') unmount();
      unmount = null;
      convBody.replaceChildren();
      try {
        const mod = await import('./conversation.js');
        unmount = await mod.mount(convBody, ctx, { conversation: id });
      } catch (err) {
        console.error(err);
        convBody.replaceChildren(el('p', { textContent: t('support.widget.handedOff') }));
      }
    }
    convTitle.textContent = t('support.widget.conversation');
    if (focus) {
      convTitle.tabIndex = -1;
      convTitle.focus();
    }
  }

  // The person's own plan, orders or hidden posts, as the server answers them.
  async function showAccount(name, path, button) {
    button.disabled = true;
    const r = await get(`/api/v1/help/me/${path}`);
    button.disabled = false;
    accountOut.replaceChildren();
    if (!r.ok) {
      accountOut.append(el('p', { className: 'form-message', textContent: t(...failureMessage(r.error)) }));
      return;
    }
    accountOut.dataset.action = name;
    accountOut.append(...accountNodes(t, name, r.data));
  }

  return {
    async show(from) {
      opener = from instanceof HTMLElement && !dialog.contains(from) ? from : opener;
      ({ user } = await getSession());
      account.hidden = !user;
      accountOut.replaceChildren();
      renderPerson();
      ctx.localize(dialog);
      if (!dialog.open) dialog.showModal();
      input.focus();
      // An unresolved conversation (or one waiting for its rating) shows above the question box.
      if (user) {
        const r = await get('/api/v1/support/conversations');
        const list = r.ok ? (r.data.conversations ?? []) : [];
        const current = list.find((c) => c.state !== 'resolved' || c.can_rate);
        if (current && dialog.open) await showConversation(current.id);
      }
    },
  };
}

function parse(data) {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

const when = (v) => (v ? day(v) : '');
const amount = (o) => (Number.isInteger(o.total_minor) && o.currency ? money(minorToDecimal(o.total_minor, o.currency), o.currency) : '');

// A tool's answer in words: the same JSON the model's tools get (CONTRACT23 §5).
function accountNodes(t, name, data) {
  if (name === 'my_plan') {
    const plus = data.tier === 'plus';
    const out = [el('p', { className: 'support-fact', textContent: t('support.widget.planTier', { tier: t(plus ? 'billing.tierPlus' : 'billing.tierFree') }) })];
    if (data.renews && data.renews_at) out.push(el('p', { className: 'support-fact', textContent: t('support.widget.planRenews', { date: when(data.renews_at) }) }));
    else if (plus && data.plus_until) out.push(el('p', { className: 'support-fact', textContent: t('support.widget.planEnds', { date: when(data.plus_until) }) }));
    out.push(el('p', {}, el('a', { href: '/billing', textContent: t('support.widget.openBilling') })));
    return out;
  }
  if (name === 'my_orders') {
    const orders = data.orders ?? [];
    if (!orders.length) return [el('p', { textContent: t('support.widget.noOrders') })];
    const ul = el('ul', { className: 'support-orders' });
    for (const o of orders) {
      const state = t(`shop.state.${o.state}`) === `shop.state.${o.state}` ? t('shop.state.unknown') : t(`shop.state.${o.state}`);
      const li = el('li', {}, el('a', { href: `/orders/${encodeURIComponent(o.id)}`, textContent: o.id }),
        el('span', { textContent: t('support.widget.orderLine', { state, total: amount(o) || '—', date: when(o.updated_at) }) }));
      li.dataset.order = o.id;
      li.dataset.state = o.state;
      ul.append(li);
    }
    return [ul];
  }
  const posts = data.posts ?? [];
  if (!posts.length) return [el('p', { textContent: t('support.widget.noHidden') })];
  const ul = el('ul', { className: 'support-hidden' });
  for (const p of posts) {
    const reason = p.reason && t(`report.reason.${p.reason}`) !== `report.reason.${p.reason}` ? t(`report.reason.${p.reason}`) : t('report.reason.other');
    const li = el('li', {}, el('span', { textContent: t('support.widget.hiddenLine', { date: when(p.at), reason }) }),
      el('a', { href: articleHref('hidden-post'), textContent: t('support.widget.hiddenHow') }));
    li.dataset.post = p.id;
    ul.append(li);
  }
  return [ul];
}
