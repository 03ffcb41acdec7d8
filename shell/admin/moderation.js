// The console's Moderation tab (issue 19; moderators and admins): the queue
// of reported items, the longest-waiting first, as a list of buttons; the
// chosen item shown in context (the post with its photos and author, the
// comment with its post, the person with their recent posts, the chat
// message's text as its reporter received it) with its reports; and a form
// with the actions that apply to it (the server's list), a note and, for a
// suspension, the days. The result is said in a live region and the queue
// reloads. The server checks every role again (F_MOD | F_ADMIN). A dispute
// (an order's, issue 20 §4) shows the order's summary, the claim's texts and
// the order's messages, and is decided with Refund or Release and a note,
// after a confirmation (POST /api/v1/mod/disputes/{order}/decision). An ad
// creative (kind `ad`, issue 21) waits here for its review: its post's
// photos and caption (or its reel's video, under its poster, to play), its link as text (the moderator reads where it leads
// before anyone follows it) and its review, approved or rejected with a
// note the advertiser reads, required for a rejection (POST
// /api/v1/mod/ads/{cr}/review); an approved ad people reported is reviewed
// the same way (approve keeps it, reject takes it down). The kind has no
// generic actions.
import { get, post } from '../api.js';
import { el } from '../compose-kit.js';
import { price } from '../market-kit.js';
import { CLAIM_STATES } from '../claim-kit.js';
import { stateName } from '../shop-kit.js';
import { problem } from './kit.js';

const QUEUE_PAGE = 50; // items per page of the queue (the API allows 1..100)
const NOTE_MAX = 200; // characters of a note (PA_MOD_BODY_NOTE_MAX)
const DAYS_MAX = 365; // PA_MOD_BODY_DAYS_MAX
const DECISION_NOTE_MAX = 300; // PA_CLAIM_NOTE_MAX (web/src/market_order.h)
const AD_NOTE_MAX = 300; // PA_ADS_NOTE_MAX (web/src/ads_rules.h): a rejection's note

const claimKey = (s) => (CLAIM_STATES.includes(s) ? `shop.claim.state.${s}` : 'shop.state.unknown');
const who = (p) => `${p.name} (@${p.handle})`;
const when = (t, iso) => el('time', { dateTime: iso, textContent: t('time.dateAndTime', { when: Date.parse(iso) }) });

// The item in context, by kind: what the moderator reads before acting.
function context(t, item) {
  const box = el('div', { className: 'mod-context' });
  if (item.ad) {
    box.append(...adContext(t, item.ad, item.post, item.reel));
  } else if (item.post) {
    const p = item.post;
    box.append(el('p', { textContent: t('mod.byPerson', { name: who(p.author) }) }),
      el('p', { className: 'social-caption', textContent: p.caption }));
    if (p.images.length) {
      box.append(el('ul', { className: 'social-photos mod-photos' },
        ...p.images.map((im) => el('li', {}, el('img', { src: im.url, alt: im.alt, decoding: 'async' })))));
    }
  } else if (item.comment) {
    const c = item.comment;
    box.append(el('p', { textContent: t('mod.byPerson', { name: who(c.author) }) }),
      el('blockquote', { textContent: c.body }),
      el('p', {}, el('a', { href: `/posts/${encodeURIComponent(c.post.id)}`, textContent: t('mod.onPost', { caption: c.post.caption }) })));
  } else if (item.person) {
    const u = item.person;
    box.append(el('p', {}, el('a', { href: `/people/${encodeURIComponent(u.id)}`, textContent: who(u) })),
      u.bio ? el('p', { textContent: u.bio }) : '',
      el('h4', { textContent: t('mod.recentPosts') }),
      el('ul', {}, ...u.recent_posts.map((p) => el('li', {},
        el('a', { href: `/posts/${encodeURIComponent(p.id)}`, textContent: p.caption || p.id }),
        ` · ${t(`mod.state.${p.state}`)}`))));
  } else if (item.message) {
    box.append(el('p', { textContent: t('mod.messageFrom', { id: item.message.from }) }));
  } else if (item.dispute) {
    box.append(...disputeContext(t, item.dispute));
  }
  return box;
}

// An ad creative: its post (author, photos, caption) or its reel (author,
// the video under its poster, which the moderator plays with the browser's
// controls, and caption), its link as text and its review.
function adContext(t, ad, post, reel) {
  const parts = [];
  if (reel) {
    parts.push(el('p', { textContent: t('mod.byPerson', { name: who(reel.owner) }) }),
      el('video', { className: 'mod-ad-media mod-ad-video', src: reel.media_url, poster: reel.poster_url, controls: true,
        preload: 'none', playsInline: true, width: 270, height: 480 }),
      el('p', { className: 'social-caption mod-ad-caption', textContent: reel.caption }));
  }
  if (post) {
    parts.push(el('p', { textContent: t('mod.byPerson', { name: who(post.author) }) }));
    if (post.images.length) {
      parts.push(el('ul', { className: 'social-photos mod-photos mod-ad-media' },
        ...post.images.map((im) => el('li', {}, el('img', { src: im.url, alt: im.alt, decoding: 'async' })))));
    }
    parts.push(el('p', { className: 'social-caption mod-ad-caption', textContent: post.caption }));
  }
  parts.push(el('p', { className: 'mod-ad-link', textContent: t('mod.ad.link', { link: ad.link || '—' }) }));
  if (ad.review === 'rejected' && ad.review_note) parts.push(el('p', { className: 'mod-ad-note', textContent: ad.review_note }));
  return parts;
}

// A dispute: the order's summary, what each side wrote, and the order's latest messages.
function disputeContext(t, d) {
  const o = d.order;
  const c = d.claim;
  const facts = el('dl', { className: 'mkt-facts mod-dispute' });
  const fact = (key, value) => facts.append(el('dt', { textContent: t(key) }), el('dd', {}, value));
  fact('mod.dispute.order', o.id);
  fact('shop.stateLabel', stateName(t, o.state));
  fact('shop.totalLabel', price(o.total_minor, o.currency));
  fact('mod.dispute.buyer', o.buyer ?? '—');
  fact('mod.dispute.seller', o.seller ?? '—');
  if (o.carrier) fact('shop.carrier', o.carrier);
  if (o.tracking) fact('shop.tracking', o.tracking);
  fact('shop.ordered', when(t, o.created_at));
  if (o.shipped_at) fact('shop.state.shipped', when(t, o.shipped_at));
  if (o.delivered_at) fact('shop.state.delivered', when(t, o.delivered_at));
  fact('shop.claim.stateLabel', t(claimKey(c.state)));
  const texts = el('dl', { className: 'mkt-facts mod-dispute-texts' });
  const said = (key, value) => { if (value) texts.append(el('dt', { textContent: t(key) }), el('dd', { textContent: value })); };
  said('shop.claim.reason', c.reason);
  said('shop.claim.declineReason', c.decline_reason);
  said('shop.claim.disputeText', c.dispute_text);
  said('shop.claim.sellerAnswer', c.seller_answer);
  if (c.decision) said('shop.claim.decision', t(c.decision === 'refund' ? 'shop.claim.decisionRefund' : 'shop.claim.decisionRelease'));
  said('shop.claim.decisionNote', c.decision_note);
  const messages = d.messages.length
    ? el('ol', { className: 'mod-dispute-messages' }, ...d.messages.map((m) => el('li', {},
      el('p', {}, el('strong', { textContent: t(m.role === 'buyer' ? 'shop.msg.buyer' : 'shop.msg.seller') }), ' · ', when(t, m.created_at)),
      el('blockquote', { textContent: m.text }))))
    : el('p', { textContent: t('shop.msg.empty') });
  return [facts, texts, el('h4', { textContent: t('shop.msg.title') }), messages];
}

function reports(t, item) {
  return el('ul', { className: 'mod-reports' }, ...item.reports.map((r) => el('li', {},
    el('p', {}, `${t('mod.reportBy', { name: who(r.reporter), reason: t(`report.reason.${r.reason}`) })} · `, when(t, r.created_at)),
    r.text ? el('p', { textContent: r.text }) : '',
    r.messages?.length ? selected(t, r.messages)
      : r.message !== null ? el('blockquote', { className: 'mod-message', textContent: r.message }) : '')));
}

// The chat messages a reporter ticked (schema 36), each with its sender and
// time, in the order they were sent: the reporter's word, as the device decrypted them.
function selected(t, messages) {
  return el('section', { className: 'mod-selected' },
    el('h4', { textContent: t('mod.selected', { count: messages.length }) }),
    el('ol', { className: 'mod-selected-list' }, ...messages.map((m) => el('li', {},
      el('p', {}, `${t('mod.messageFrom', { id: m.from })} · `, when(t, m.at)),
      el('blockquote', { className: 'mod-message', textContent: m.text })))));
}

export function mount(t, panel) {
  const list = el('ul', { className: 'mod-queue', 'aria-labelledby': 'mod-queue-title' });
  const empty = el('p', { hidden: true, textContent: t('mod.queueEmpty') });
  const detail = el('section', { className: 'mod-item', 'aria-labelledby': 'mod-item-title', hidden: true });
  const status = el('p', { role: 'status', className: 'form-message' });
  panel.append(el('h2', { id: 'mod-queue-title', textContent: t('mod.queueTitle') }), list, empty, status, detail);

  async function show(kind, id) {
    const r = await get(`/api/v1/mod/items/${kind}/${encodeURIComponent(id)}`);
    if (!r.ok) {
      status.textContent = problem(t, r.error);
      return;
    }
    render(r.data);
  }

  function render(item) {
    const heading = el('h3', { id: 'mod-item-title', tabIndex: -1,
      textContent: `${t(`mod.kind.${item.kind}`)} · ${t(item.dispute ? claimKey(item.state) : `mod.state.${item.state}`)}` });
    const action = el('select', { id: 'mod-action' },
      ...item.actions.map((a) => el('option', { value: a, textContent: t(`mod.action.${a}`) })));
    const note = el('textarea', { id: 'mod-note', maxLength: NOTE_MAX, rows: 2 });
    const days = el('input', { id: 'mod-days', type: 'number', min: 1, max: DAYS_MAX, value: 7, required: true });
    const daysRow = el('p', { hidden: true }, el('label', { htmlFor: 'mod-days', textContent: t('mod.days') }), ' ', days);
    const apply = el('button', { type: 'submit', className: 'social-button social-primary', textContent: t('mod.apply') });
    const form = el('form', { className: 'mod-form' },
      el('p', {}, el('label', { htmlFor: 'mod-action', textContent: t('mod.actionLabel') }), ' ', action),
      daysRow,
      el('p', {}, el('label', { htmlFor: 'mod-note', textContent: t('mod.note') })), note,
      el('p', {}, apply));
    action.addEventListener('change', () => { daysRow.hidden = action.value !== 'suspend'; });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { action: action.value };
      if (note.value.trim()) body.note = note.value.trim();
      if (action.value === 'suspend') body.days = Number(days.value);
      apply.disabled = true;
      const r = await post(`/api/v1/mod/items/${item.kind}/${encodeURIComponent(item.id)}/actions`, body);
      apply.disabled = false;
      if (!r.ok) {
        status.textContent = problem(t, r.error);
        return;
      }
      status.textContent = t('mod.done', { action: t(`mod.action.${body.action}`), state: t(`mod.state.${r.data.state}`) });
      render(r.data);
      await loadQueue();
    });
    detail.replaceChildren(heading, context(t, item),
      el('h4', { textContent: t('mod.reports', { count: item.reports.length }) }), reports(t, item),
      item.ad && item.ad.review !== 'rejected' ? reviewForm(item) : null, // pending, or approved and reported: kept or taken down
      item.dispute ? decisionForm(item) : item.actions.length ? form : null);
    detail.hidden = false;
    heading.focus();
  }

  // An ad's review: Approve or Reject; a rejection's note is what the advertiser reads, so it is required.
  function reviewForm(item) {
    const choice = (value) => el('label', { className: 'mod-choice' },
      el('input', { type: 'radio', name: 'mod-review', value, checked: value === 'approve' }), ' ', t(`mod.action.${value}`));
    const note = el('textarea', { id: 'mod-review-note', maxLength: AD_NOTE_MAX, rows: 2, 'aria-describedby': 'mod-review-note-error' });
    const noteError = el('p', { id: 'mod-review-note-error', className: 'kit-error' });
    const send = el('button', { type: 'submit', className: 'social-button social-primary', textContent: t('mod.apply') });
    const form = el('form', { className: 'mod-form mod-review' },
      el('fieldset', {}, el('legend', { textContent: t('mod.actionLabel') }), choice('approve'), ' ', choice('reject')),
      el('p', {}, el('label', { htmlFor: 'mod-review-note', textContent: t('mod.note') })), note, noteError,
      el('p', {}, send));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const decision = form.querySelector('input[name=mod-review]:checked').value;
      const body = { decision };
      if (decision === 'reject') {
        if (!note.value.trim()) {
          noteError.textContent = t('mod.ad.noteRequired');
          note.setAttribute('aria-invalid', 'true');
          note.focus();
          return;
        }
        body.note = note.value.trim();
      }
      noteError.textContent = '';
      note.removeAttribute('aria-invalid');
      send.disabled = true;
      const r = await post(`/api/v1/mod/ads/${encodeURIComponent(item.id)}/review`, body);
      send.disabled = false;
      if (!r.ok) {
        status.textContent = problem(t, r.error);
        return;
      }
      const review = r.data.creative.review;
      status.textContent = t('mod.done', { action: t(`mod.action.${decision}`), state: t(`mod.state.${review}`) });
      render({ ...item, state: review, ad: { ...item.ad, review, review_note: r.data.creative.review_note } });
      await loadQueue();
    });
    return form;
  }

  // Refund or Release with a note, then a confirmation naming the decision before it is sent.
  function decisionForm(item) {
    const order = item.dispute.order;
    if (item.dispute.claim.state !== 'disputed') return el('p', { textContent: t('mod.dispute.closed') });
    const choice = (value, key) => el('label', { className: 'mod-choice' },
      el('input', { type: 'radio', name: 'mod-decision', value, checked: value === 'refund' }), ' ', t(key));
    const note = el('textarea', { id: 'mod-decision-note', maxLength: DECISION_NOTE_MAX, rows: 2 });
    const decide = el('button', { type: 'submit', className: 'social-button social-primary', textContent: t('mod.dispute.decide') });
    const question = el('p', { id: 'mod-decision-q' });
    const sure = el('button', { type: 'button', className: 'social-button social-primary', textContent: t('mod.dispute.yes') });
    const back = el('button', { type: 'button', className: 'social-button', textContent: t('mod.dispute.back') });
    const confirm = el('div', { className: 'mod-confirm', hidden: true, role: 'group', 'aria-labelledby': 'mod-decision-q' }, question, sure, ' ', back);
    const form = el('form', { className: 'mod-form' },
      el('fieldset', {}, el('legend', { textContent: t('mod.dispute.decision') }),
        choice('refund', 'mod.dispute.refund'), ' ', choice('release', 'mod.dispute.release')),
      el('p', {}, el('label', { htmlFor: 'mod-decision-note', textContent: t('mod.dispute.note') })), note,
      el('p', {}, decide), confirm);
    const picked = () => form.querySelector('input[name=mod-decision]:checked').value;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      question.textContent = t(picked() === 'refund' ? 'mod.dispute.confirmRefund' : 'mod.dispute.confirmRelease',
        { order: order.id, price: price(order.total_minor, order.currency) });
      confirm.hidden = false;
      decide.hidden = true;
      back.focus();
    });
    back.addEventListener('click', () => {
      confirm.hidden = true;
      decide.hidden = false;
      decide.focus();
    });
    sure.addEventListener('click', async () => {
      const body = { decision: picked() };
      if (note.value.trim()) body.note = note.value.trim();
      sure.disabled = true;
      const r = await post(`/api/v1/mod/disputes/${encodeURIComponent(order.id)}/decision`, body);
      sure.disabled = false;
      if (!r.ok) {
        status.textContent = problem(t, r.error);
        return;
      }
      status.textContent = t(body.decision === 'refund' ? 'mod.dispute.refunded' : 'mod.dispute.released', { order: order.id });
      render({ ...item, state: r.data.dispute.claim.state, dispute: r.data.dispute });
      await loadQueue();
    });
    return form;
  }

  async function loadQueue() {
    const r = await get(`/api/v1/mod/queue?limit=${QUEUE_PAGE}`);
    if (!r.ok) {
      status.textContent = problem(t, r.error);
      return;
    }
    list.replaceChildren(...r.data.items.map((i) => {
      const b = el('button', { type: 'button', className: 'social-link-button',
        textContent: t('mod.queueItem', { kind: t(`mod.kind.${i.kind}`), name: who(i.subject), count: i.report_count }) });
      b.addEventListener('click', () => { status.textContent = ''; show(i.kind, i.id); });
      return el('li', {}, b, ' ', when(t, i.first_reported_at));
    }));
    empty.hidden = r.data.items.length > 0;
  }
  return loadQueue;
}
