// /chat — the conversation list; /chat/:id — the conversation with person :id
// (the deep link a person's page uses for "Message"). Messages are end-to-end
// encrypted by the chat engine (chat/engine.js); this screen only shows them.
// The composer's draft is kept (sealed) per conversation on every keystroke,
// so nothing typed is lost to a reload or a failure.
import { get } from '../api.js';
import { el, filePicker } from '../compose-kit.js';
import { createPreparer, refusalText } from '../media-prep.js';
import { chatEngine, ChatBusy, ChatDeviceLimit, IdentityChanged, MAX_DEVICES } from '../chat/engine.js';
import { reportButton } from '../report.js';
import { requestBar } from '../chat/requests.js';

export async function mount(root, params, ctx) {
  const me = (await ctx.session()).user;
  const engine = await openChat(root, me, ctx);
  if (!engine) return undefined;
  // A device of an account that has devices already must be linked first
  // (chat-link.js); the engine may learn that once it has connected.
  let cleanup = null;
  const linkFirst = async () => {
    cleanup?.();
    const { linkScreen } = await import('./chat-link.js');
    cleanup = linkScreen(root, engine, ctx, () => ctx.navigate(location.pathname, { replace: true }));
  };
  const onNeeds = (e) => { if (e.detail.needsLink) linkFirst(); };
  engine.addEventListener('needs-link', onNeeds);
  if (engine.needsLink) await linkFirst();
  else cleanup = params.id ? conversation(root, params.id, me, engine, ctx) : list(root, engine, ctx);
  return () => {
    engine.removeEventListener('needs-link', onNeeds);
    cleanup?.();
  };
}

// The chat engine, with a note while it starts; null (with the reason and a
// retry button shown) when it cannot. Also used by chat-verify.js.
export async function openChat(root, me, ctx) {
  const { t } = ctx;
  const status = el('p', { className: 'chat-note', role: 'status', textContent: t('chat.opening') });
  root.append(status);
  let engine;
  try {
    engine = await chatEngine(me);
  } catch (err) {
    const limit = err instanceof ChatDeviceLimit;
    if (!(err instanceof ChatBusy) && !limit) console.error(err);
    status.textContent = err instanceof ChatBusy ? t('chat.otherTab')
      : limit ? t('chat.tooManyDevices', { max: MAX_DEVICES }) : t('chat.startFailed', { reason: err.message });
    const retry = el('button', { type: 'button', className: 'chat-button', textContent: t('chat.retry') });
    retry.addEventListener('click', () => ctx.navigate(location.pathname, { replace: true }));
    root.prepend(el('h1', { textContent: t('chat.title') }));
    if (limit) root.append(el('p', {}, el('a', { href: '/settings#settings-devices', textContent: t('chat.manageDevices') })));
    root.append(retry);
    return null;
  }
  status.remove();
  // The relay counts this device's identity seals: a profile restored from
  // an older copy is behind it, and the engine stops rather than reuse keys.
  const stale = () => {
    root.replaceChildren(el('h1', { textContent: t('chat.title') }),
      el('p', { className: 'chat-note', role: 'alert', textContent: t('chat.restored') }),
      el('p', {}, el('a', { href: '/settings#settings-devices', textContent: t('chat.manageDevices') })));
  };
  if (engine.stale) {
    stale();
    return null;
  }
  engine.addEventListener('stale', stale, { once: true });
  return engine;
}

const timeOf = (at) => new Date(at).toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });

async function nameOf(engine, peer) {
  const conv = await engine.conversation(peer);
  if (conv.name) return conv.name;
  const r = await get(`/api/v1/users/${encodeURIComponent(peer)}`);
  if (!r.ok) return peer;
  await engine.updateConversation(peer, { name: r.data.name });
  return r.data.name;
}

// The groups this device is in (chat/groups.js) and a form to start one.
function groupList(engine, { t, navigate }) {
  const items = el('ul', { className: 'chat-list' });
  const name = el('input', { id: 'group-name', name: 'group-name', autocomplete: 'off', maxLength: 100, required: true });
  const error = el('p', { className: 'chat-error', role: 'alert' });
  const form = el('form', { className: 'chat-group-new', noValidate: true },
    el('label', { htmlFor: 'group-name', textContent: t('chat.groupName') }),
    el('div', { className: 'chat-compose-row' }, name,
      el('button', { type: 'submit', className: 'chat-button', textContent: t('chat.groupCreate') })), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = name.value.trim();
    if (!text) return;
    try {
      navigate(`/chat/groups/${await engine.groups.create(text)}`);
    } catch (err) {
      error.textContent = t('chat.groupFailed', { reason: err.message });
    }
  });
  const section = el('section', { className: 'chat-groups', 'aria-labelledby': 'chat-groups' },
    el('h2', { id: 'chat-groups', textContent: t('chat.groups') }), items, form);
  const paint = async () => {
    const list = await engine.groups.list();
    items.replaceChildren(...list.map((c) => {
      const link = el('a', { href: `/chat/groups/${c.peer}`, className: 'chat-row' },
        el('span', { className: 'chat-row-name', textContent: c.name || c.peer }),
        el('span', { className: 'chat-row-last', textContent: c.last }));
      if (c.unread) link.append(el('span', { className: 'chat-unread', textContent: t('chat.unread', { count: c.unread }) }));
      return el('li', {}, link);
    }));
  };
  return { section, paint };
}

function list(root, engine, ctx) {
  const { t } = ctx;
  const items = el('ul', { className: 'chat-list' });
  const empty = el('p', { className: 'chat-note', textContent: t('chat.empty') });
  const groups = groupList(engine, ctx);
  // Message requests (chat/requests.js): apart from the conversations, above them.
  const requestItems = el('ul', { className: 'chat-list chat-requests-list' });
  const requests = el('section', { className: 'chat-requests', 'aria-labelledby': 'chat-requests-title', hidden: true },
    el('h2', { id: 'chat-requests-title', textContent: t('chat.requests.heading') }),
    el('p', { className: 'chat-note', textContent: t('chat.requests.listNote') }), requestItems);
  const convTitle = el('h2', { id: 'chat-convs-title', textContent: t('chat.requests.conversations'), hidden: true });
  root.append(el('h1', { textContent: t('chat.title') }), el('p', { className: 'chat-intro', textContent: t('chat.intro') }), requests, convTitle, items, empty,
    groups.section);
  const paint = async () => {
    const all = (await engine.conversations()).filter((c) => !c.group);
    const convs = all.filter((c) => !c.request), asks = all.filter((c) => c.request);
    empty.hidden = convs.length > 0;
    requests.hidden = asks.length === 0;
    convTitle.hidden = asks.length === 0;
    await groups.paint();
    const row = async (c) => {
      const name = await nameOf(engine, c.peer);
      const link = el('a', { href: `/chat/${encodeURIComponent(c.peer)}`, className: 'chat-row' },
        el('span', { className: 'chat-row-name', textContent: name }),
        el('span', { className: 'chat-row-last', textContent: c.last }),
        el('time', { className: 'chat-row-time', dateTime: new Date(c.lastAt).toISOString(), textContent: timeOf(c.lastAt) }));
      if (c.unread) link.append(el('span', { className: 'chat-unread', textContent: t('chat.unread', { count: c.unread }) }));
      return el('li', {}, link);
    };
    const [rows, askRows] = await Promise.all([Promise.all(convs.map(row)), Promise.all(asks.map(row))]);
    items.replaceChildren(...rows);
    requestItems.replaceChildren(...askRows);
  };
  const onChange = () => paint().catch((err) => console.error(err));
  engine.addEventListener('change', onChange);
  paint().catch((err) => console.error(err));
  return () => engine.removeEventListener('change', onChange);
}

const TICKS = { pending: '○', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

function conversation(root, peer, me, engine, ctx) {
  const { t } = ctx;
  if (peer === me.id) {
    root.append(el('h1', { textContent: t('chat.title') }), el('p', { className: 'chat-note', textContent: t('chat.self') }));
    return undefined;
  }
  const heading = el('h1', { className: 'chat-name', textContent: peer });
  const verify = el('a', { className: 'chat-verify', href: `/chat/${encodeURIComponent(peer)}/verify`, textContent: t('chat.verify') });
  const net = el('p', { className: 'chat-note', role: 'status' });
  const note = el('p', { className: 'chat-note', hidden: true });
  const held = el('p', { className: 'chat-note', role: 'status', hidden: true });
  // A change of the person's identity or devices (chat/identity.js): shown
  // until they confirm sending or verify, whatever else happens meanwhile.
  const idText = el('p', { id: 'chat-identity-text' });
  const idNotice = el('div', { className: 'chat-identity', hidden: true }, idText,
    el('a', { href: `/chat/${encodeURIComponent(peer)}/verify`, textContent: t('chat.verify') }));
  // The scrolling region is the live log; the list inside keeps its list semantics.
  const items = el('ol', { className: 'chat-items' });
  const log = el('div', { className: 'chat-log', role: 'log', tabIndex: 0 }, items);
  const typing = el('p', { className: 'chat-typing', 'aria-live': 'polite' });
  const input = el('textarea', { id: 'chat-input', name: 'message', rows: 2, autocomplete: 'off', maxLength: 4000,
    'aria-describedby': 'chat-error' });
  const error = el('p', { id: 'chat-error', className: 'chat-error', role: 'alert' });
  let preparer = null;
  const picker = filePicker({
    id: 'chat-photo',
    label: t('chat.addPhoto'),
    accept: 'image/*',
    onFiles: async (files) => {
      preparer ??= createPreparer();
      for (const file of files) {
        const r = await preparer.prepare(file, { maxEdge: 1600 });
        if (!r.ok) {
          error.textContent = refusalText(t, file.name, r);
          continue;
        }
        try {
          const bytes = new Uint8Array(await r.blob.arrayBuffer());
          await asking(() => engine.sendPhoto(peer, bytes, { type: r.blob.type, w: r.width, h: r.height }, name === peer ? '' : name));
        } catch (err) {
          error.textContent = t('chat.sendFailed', { reason: err.message });
        }
      }
    },
  });
  const form = el('form', { className: 'chat-composer', noValidate: true },
    el('label', { htmlFor: 'chat-input', className: 'chat-label', textContent: t('chat.label') }),
    el('div', { className: 'chat-compose-row' }, input,
      el('button', { type: 'submit', className: 'chat-button chat-send', textContent: t('chat.send') })),
    picker.wrap, error);
  // Calls (chat/calls.js, screens/call.js): loaded when a call starts.
  const callButton = (video) => {
    const b = el('button', { type: 'button', className: 'chat-button chat-call-button', textContent: t(video ? 'call.video' : 'call.voice') });
    b.addEventListener('click', async () => {
      error.textContent = '';
      try {
        // The offer is encrypted to the person's devices like a message: after
        // a change of their identity or devices, ask first (as for a message),
        // before anything rings or is recorded.
        if (!(await asking(() => engine.run(() => engine.guard(peer))))) return;
        const m = await import('../chat/calls.js');
        await m.callsFor(engine).start(peer, { video, name });
      } catch (err) {
        error.textContent = t('call.failed', { reason: err.message });
      }
    });
    return b;
  };
  root.append(el('header', { className: 'chat-head' },
    el('a', { href: '/chat', className: 'chat-back', textContent: t('chat.back') }), heading, verify,
    callButton(false), callButton(true)), net, note, held, idNotice, log, typing, form);
  let name = peer;
  let alive = true;

  // Photos: decrypted once, shown from object URLs (revoked on leaving).
  const urls = new Map();
  const photoOf = (m) => {
    const img = el('img', { className: 'chat-photo', alt: t('chat.photo'), width: m.image.w, height: m.image.h });
    const known = urls.get(m.cid);
    if (known) img.src = known;
    else {
      engine.photo(m).then((blob) => {
        if (!blob || !alive) return;
        const url = urls.get(m.cid) ?? URL.createObjectURL(blob);
        urls.set(m.cid, url);
        img.src = url;
      }).catch(() => { img.alt = t('chat.photoFailed'); });
    }
    return img;
  };

  // A Report button for each message received with text (by its relay id): kept
  // across repaints, so one with its dialog open (or focused) survives a new message.
  const reports = new Map();
  const reportOf = (m) => {
    let b = reports.get(m.cid);
    if (!b) {
      b = reportButton(t, 'message', `cm_${m.rid}`, 'chat-report', { from: peer, message: m.text });
      b.setAttribute('aria-describedby', `chat-text-${m.cid}`);
      reports.set(m.cid, b);
    }
    return b;
  };

  // A message request: Accept / Block / Report above the composer, until
  // accepted (replying accepts too, as at the relay).
  let bar = null;
  const showRequest = (isRequest) => {
    if (isRequest && !bar) {
      bar = requestBar(t, { engine, peer, name: () => name, messages: () => engine.messages(peer),
        done: (what) => {
          if (what === 'blocked') return ctx.navigate('/chat');
          showRequest(false);
          return input.focus();
        } });
      form.before(bar);
    }
    if (bar) {
      bar.hidden = !isRequest;
      bar.rename();
    }
  };

  const paint = async () => {
    const [msgs, conv] = await Promise.all([engine.messages(peer), engine.conversation(peer)]);
    if (!alive) return;
    showRequest(!!conv.request);
    note.hidden = !conv.noDevice;
    note.textContent = t('chat.noDevice', { name });
    held.hidden = !(conv.startsLimited > Date.now());
    held.textContent = held.hidden ? '' : t('chat.startsLimited', { name });
    const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    items.replaceChildren(...msgs.map((m) => {
      const meta = el('span', { className: 'chat-meta' },
        el('time', { dateTime: new Date(m.at).toISOString(), textContent: timeOf(m.at) }));
      if (m.dir === 'out') {
        meta.append(el('span', { className: `chat-tick chat-${m.status}`, 'aria-hidden': 'true', textContent: TICKS[m.status] }),
          el('span', { className: 'chat-status', textContent: t(`chat.status.${m.status}`) }));
      }
      if (m.call) {
        // A missed call (calls.js): a notice in the conversation, not a message.
        return el('li', { className: 'chat-msg chat-call', 'data-cid': m.cid },
          el('p', { className: 'chat-text', textContent: t('call.missed', { name }) }), meta);
      }
      const li = el('li', { className: `chat-msg chat-${m.dir}`, 'data-cid': m.cid });
      if (m.image) li.append(photoOf(m));
      if (m.failed || m.text) li.append(el('p', { id: `chat-text-${m.cid}`, className: m.failed ? 'chat-text chat-failed' : 'chat-text', textContent: m.failed ? t('chat.undecryptable') : m.text }));
      if (m.dir === 'in' && m.rid && !m.failed && m.text) meta.append(reportOf(m));
      li.append(meta);
      return li;
    }));
    if (atEnd) log.scrollTop = log.scrollHeight;
  };
  const showNet = () => { net.textContent = engine.online ? '' : t(navigator.onLine === false ? 'chat.offline' : 'chat.connecting'); };
  let typingTimer = 0;
  const onChange = (e) => {
    if (e.detail.peer !== peer) return;
    typing.textContent = ''; // a message came (or went): any typing shown is over
    paint().catch((err) => console.error(err));
    if (document.visibilityState === 'visible') engine.markRead(peer).catch(() => {});
  };
  const onTyping = (e) => {
    if (e.detail.peer !== peer) return;
    typing.textContent = t('chat.typing', { name });
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typing.textContent = ''; }, 5000);
  };
  const onVisible = () => { if (document.visibilityState === 'visible') engine.markRead(peer).catch(() => {}); };
  engine.addEventListener('change', onChange);
  engine.addEventListener('typing', onTyping);
  engine.addEventListener('state', showNet);
  addEventListener('offline', showNet);
  document.addEventListener('visibilitychange', onVisible);
  engine.visible = peer;
  showNet();

  // The draft: restored, then kept on every change.
  let saving = Promise.resolve();
  const keepDraft = () => { saving = engine.updateConversation(peer, { draft: input.value }); return saving; };
  engine.conversation(peer).then((c) => { if (!input.value && c.draft) input.value = c.draft; }).catch(() => {});
  input.addEventListener('input', () => {
    error.textContent = '';
    keepDraft().catch((err) => { error.textContent = t('chat.sendFailed', { reason: err.message }); });
    if (input.value) engine.typing(peer);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  const showIdentity = (notice) => {
    idNotice.hidden = !notice;
    idText.textContent = notice ? t(notice.kind === 'identity' ? 'chat.identityChanged' : 'chat.devicesChanged', { name }) : '';
  };
  const refreshIdentity = () => engine.checkIdentity(peer).then((r) => { if (alive) showIdentity(r.notice); }, () => {});
  const onIdentity = (e) => { if (e.detail.peer === peer) showIdentity(e.detail.notice); };
  engine.addEventListener('identity', onIdentity);
  refreshIdentity();

  // Sending after a change asks first: "Send anyway" (the change is
  // acknowledged, then the message goes) or "Verify first" (the verify screen).
  let dialog = null;
  const confirmSend = () => new Promise((resolve) => {
    dialog?.remove();
    const send = el('button', { type: 'button', className: 'social-button social-primary', textContent: t('chat.sendAnyway') });
    const first = el('button', { type: 'button', className: 'social-link-button', textContent: t('chat.verifyFirst') });
    dialog = el('dialog', { className: 'confirm-dialog chat-confirm', 'aria-labelledby': 'chat-confirm-title', 'aria-describedby': 'chat-confirm-body' },
      el('h2', { id: 'chat-confirm-title', textContent: t('chat.confirmTitle', { name }) }),
      el('p', { id: 'chat-confirm-body', textContent: t('chat.confirmBody', { name }) }),
      el('div', { className: 'row' }, send, first));
    let answer = 'cancel';
    send.addEventListener('click', () => { answer = 'send'; dialog.close(); });
    first.addEventListener('click', () => { answer = 'verify'; dialog.close(); });
    dialog.addEventListener('close', () => resolve(answer));
    document.body.append(dialog);
    dialog.showModal();
    send.focus();
  });
  // Runs send(); after a change of the person's identity or devices it asks
  // first, and sends once they say "Send anyway". Resolves true when sent.
  async function asking(send) {
    try {
      await send();
      return true;
    } catch (err) {
      if (!(err instanceof IdentityChanged)) throw err;
      showIdentity({ kind: err.kind });
      const answer = await confirmSend();
      if (answer === 'verify') ctx.navigate(`/chat/${encodeURIComponent(peer)}/verify`);
      if (answer !== 'send') return false;
      await engine.acceptIdentity(peer);
      showIdentity(null);
      await send();
      return true;
    }
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    try {
      if (!(await asking(() => engine.send(peer, text, name === peer ? '' : name)))) return input.focus();
      if (input.value.trim() === text) input.value = '';
      error.textContent = '';
    } catch (err) {
      error.textContent = t('chat.sendFailed', { reason: err.message }); // the text stays in the box
    }
    input.focus();
  });

  nameOf(engine, peer).then((n) => {
    name = n;
    heading.textContent = n;
    if (!idNotice.hidden) refreshIdentity();
    log.setAttribute('aria-label', t('chat.log', { name: n }));
    paint().catch(() => {});
  }).catch(() => {});
  log.setAttribute('aria-label', t('chat.log', { name: peer }));
  paint().then(() => { log.scrollTop = log.scrollHeight; }).catch((err) => console.error(err));
  engine.markRead(peer).catch(() => {});

  return () => {
    alive = false;
    preparer?.close();
    for (const url of urls.values()) URL.revokeObjectURL(url);
    if (engine.visible === peer) engine.visible = null;
    engine.removeEventListener('change', onChange);
    engine.removeEventListener('typing', onTyping);
    engine.removeEventListener('identity', onIdentity);
    dialog?.remove();
    engine.removeEventListener('state', showNet);
    removeEventListener('offline', showNet);
    document.removeEventListener('visibilitychange', onVisible);
    clearTimeout(typingTimer);
  };
}
