// /live/new: going live (issue 24, contract §7). Before: the active pet, a
// title, the camera and microphone preview, "Go live". Going live: POST
// /lives (the room and our feed id on one Janus instance) → publish into the
// room (live/publish.js) → POST /lives/{lv}/on-air once Janus has the feed
// (409 not_publishing is retried: the server asks Janus, which may not have
// seen the first packets yet). On air: the preview, the elapsed time, the
// viewers, the hearts and the comments (each with Remove and "Block from
// this live"), over the page's one socket (support/socket.js, frames
// live.*), which joins the live as its broadcaster. End asks Keep the
// replay / Discard / Cancel, then the summary shows the length, the peak of
// viewers, the hearts and the replay's state (then a link). A dropped
// connection (the Janus socket closed, ICE failed) shows "Reconnecting…"
// and publishes again under a new feed id (POST /lives/{lv}/reconnect) with
// the same camera; the Janus token is refreshed at half its life (POST
// /lives/{lv}/watch answers a fresh one for the room).
import { get, post, del } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { myPets, mountPetSwitcher, activePetId } from '../pets.js';
import { listen, send } from '../support/socket.js';
import { publish } from '../live/publish.js';
import { liveCss, commentsLog, viewersText, heartsText, elapsedText, replayStateText, liveBadge } from '../live/kit.js';

export const LIVE_TITLE_MAX = 80; // PA_LIVE_TITLE_MAX
const ON_AIR_TRIES = 40; // 409 not_publishing answers before giving up (20 s: a loaded server)
const ON_AIR_RETRY_MS = 500;
const RECONNECT_MAX_MS = 8000; // the longest pause between reconnect attempts
const REPLAY_POLL_MS = 4000; // the summary asks for the replay's state this often
const TOKEN_REFRESH_DEFAULT_S = 300; // PA_LIVE_TOKEN_S / 2, when expires_at cannot be read

const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const expiresMs = (v) => (typeof v === 'number' ? v * 1000 : Date.parse(v));

export async function mount(root, params, ctx) {
  const { t } = ctx;
  liveCss();
  const section = el('section', { className: 'live-host', 'data-state': 'setup' });
  root.append(section);
  const heading = el('h1', { textContent: t('live.new.title'), tabIndex: -1 });
  section.append(heading);

  let stream = null; // the camera and microphone, kept across reconnects
  let live = null; // the Live, once created
  let janus = null; // the current JanusJoin
  let publisher = null;
  let stopSocket = null;
  let closed = false;
  let onAirAt = 0;
  let timers = [];
  let peakViewers = 0;
  let refreshTimer = 0;
  const cleanup = () => {
    closed = true;
    clearTimeout(refreshTimer);
    for (const id of timers) clearInterval(id);
    timers = [];
    publisher?.stop();
    stopSocket?.();
    for (const track of stream?.getTracks() ?? []) track.stop();
  };
  const setState = (s) => { section.dataset.state = s; };

  const petsAnswer = await myPets();
  if (!petsAnswer.ok) {
    section.append(el('p', { role: 'alert', textContent: failureText(t, petsAnswer.error) }));
    return cleanup;
  }
  const pets = petsAnswer.pets;
  if (!pets.length) {
    section.append(el('p', { textContent: t('live.new.needPet') }),
      el('p', {}, el('a', { href: '/pets/new', className: 'kit-button', textContent: t('live.new.addPet') })));
    return cleanup;
  }

  // ---- before going live
  const form = el('form', { className: 'live-setup', noValidate: true });
  const petBox = el('div', { className: 'live-field' });
  const petSelect = mountPetSwitcher(petBox, pets, { t, id: 'live-pet', selected: activePetId(pets) });
  const titleInput = el('input', { id: 'live-title', name: 'title', type: 'text', maxLength: LIVE_TITLE_MAX, autocomplete: 'off' });
  const titleBox = el('div', { className: 'live-field' },
    el('label', { htmlFor: 'live-title', textContent: t('live.new.titleLabel') }), titleInput);
  const preview = el('video', { className: 'live-preview', muted: true, autoplay: true, playsInline: true });
  preview.setAttribute('aria-label', t('live.new.preview'));
  preview.muted = true;
  const previewBox = el('div', { className: 'live-preview-box' }, preview);
  const cameraMsg = el('p', { className: 'live-camera-msg', role: 'alert', hidden: true });
  const retryCamera = el('button', { type: 'button', className: 'kit-button', textContent: t('live.new.cameraRetry'), hidden: true });
  const goLive = el('button', { type: 'submit', className: 'kit-button live-go', textContent: t('live.new.go'), disabled: true });
  const formMsg = el('p', { className: 'live-form-msg', role: 'alert' });
  form.append(petBox, titleBox, previewBox, cameraMsg, retryCamera, el('p', {}, goLive), formMsg);
  section.append(form);

  const openCamera = async () => {
    cameraMsg.hidden = true;
    retryCamera.hidden = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    } catch (e) {
      if (closed) return;
      cameraMsg.textContent = t(e?.name === 'NotAllowedError' || e?.name === 'SecurityError' ? 'live.new.cameraRefused'
        : e?.name === 'NotFoundError' ? 'live.new.cameraMissing' : 'live.new.cameraFailed');
      cameraMsg.hidden = false;
      retryCamera.hidden = false;
      goLive.disabled = true;
      return;
    }
    if (closed) return void stream.getTracks().forEach((tr) => tr.stop());
    preview.srcObject = stream;
    goLive.disabled = false;
  };
  retryCamera.addEventListener('click', openCamera);
  if (!navigator.mediaDevices?.getUserMedia || typeof RTCPeerConnection === 'undefined') {
    cameraMsg.textContent = t('live.new.unsupported');
    cameraMsg.hidden = false;
  } else {
    openCamera();
  }

  // ---- on air
  const view = el('div', { className: 'live-on', hidden: true });
  const status = el('span', { className: 'live-status', role: 'status' });
  const elapsed = el('span', { className: 'live-elapsed' });
  const viewersEl = el('span', { className: 'live-viewers' });
  const heartsEl = el('span', { className: 'live-hearts' });
  const stats = el('p', { className: 'live-stats' }, elapsed, ' · ', viewersEl, ' · ', heartsEl);
  const log = commentsLog(t, {
    label: t('live.host.comments'),
    item: (li, c) => {
      li.dataset.author = c.author?.id ?? '';
      li.querySelector('.live-comment-author').id = `live-c-${c.id}-a`;
      li.querySelector('.live-comment-text').id = `live-c-${c.id}-t`;
      li.append(commentActions(c));
    },
  });
  const actionMsg = el('p', { className: 'live-action-msg', role: 'alert' });
  const endButton = el('button', { type: 'button', className: 'kit-button live-end', textContent: t('live.host.end') });
  const heading2 = el('h2', { className: 'live-comments-title', textContent: t('live.host.comments') });
  view.append(el('div', { className: 'live-head' }, liveBadge(t), status), stats, heading2, log.node, actionMsg, el('p', {}, endButton));
  section.append(view);
  let viewers = 0;
  let hearts = 0;
  const renderCounts = () => {
    viewersEl.textContent = viewersText(t, viewers);
    heartsEl.textContent = heartsText(t, hearts);
  };
  const renderElapsed = () => {
    elapsed.textContent = t('live.host.elapsed', { time: elapsedText(onAirAt ? Date.now() - onAirAt : 0) });
  };

  // Remove and "Block from this live" beside each comment.
  function commentActions(c) {
    const name = c.author?.name ?? '';
    // Named by their words, described by the comment's author and text
    // (aria-describedby): the visible words stay the accessible name.
    const described = `live-c-${c.id}-a live-c-${c.id}-t`;
    const remove = el('button', { type: 'button', className: 'kit-link live-remove', textContent: t('live.host.remove'),
      'aria-describedby': described });
    const block = el('button', { type: 'button', className: 'kit-link live-block', textContent: t('live.host.block'),
      'aria-describedby': described });
    remove.addEventListener('click', async () => {
      remove.disabled = true;
      const r = await del(`/api/v1/lives/${live.id}/comments/${c.id}`);
      if (!r.ok && r.error.status !== 404) {
        remove.disabled = false;
        actionMsg.textContent = failureText(t, r.error);
        return;
      }
      dropComment(c.id);
    });
    block.addEventListener('click', async () => {
      block.disabled = true;
      const r = await post(`/api/v1/lives/${live.id}/blocks`, { person: c.author?.id });
      if (!r.ok) {
        block.disabled = false;
        actionMsg.textContent = failureText(t, r.error);
        return;
      }
      actionMsg.textContent = t('live.host.blocked', { name });
      for (const li of log.node.querySelectorAll('.live-comment')) {
        if (li.dataset.author === c.author?.id) li.querySelector('.live-block').disabled = true;
      }
    });
    return el('span', { className: 'live-comment-actions' }, remove, block);
  }
  const addComment = (c) => log.add(c);
  function dropComment(id) {
    const item = [...log.node.querySelectorAll('.live-comment')].find((li) => li.dataset.id === id);
    const focused = item?.contains(document.activeElement);
    const next = item?.nextElementSibling ?? item?.previousElementSibling;
    log.remove(id);
    if (focused) (next?.querySelector('button') ?? endButton).focus();
  }

  const onFrame = (f) => {
    if (!live || f.live !== live.id) return;
    if (f.type === 'live.joined') {
      hearts = f.live?.hearts ?? hearts;
      for (const c of f.comments ?? []) addComment(c);
      renderCounts();
    } else if (f.type === 'live.viewers') {
      viewers = f.viewers;
      peakViewers = Math.max(peakViewers, viewers);
      renderCounts();
    } else if (f.type === 'live.hearts') {
      hearts = f.hearts;
      renderCounts();
    } else if (f.type === 'live.comment') {
      addComment(f.comment);
    } else if (f.type === 'live.comment_removed') {
      dropComment(f.comment);
    } else if (f.type === 'live.replay') {
      onReplay?.();
    } else if (f.type === 'live.ended' && section.dataset.state !== 'ended') {
      // Ended elsewhere (a moderator, the server's watchdog).
      finish(f.replay ? { state: 'pending', reel: null } : null, f.reason);
    }
  };

  // ---- going live, and again after a drop
  const startPublishing = () => {
    publisher?.stop();
    publisher = publish({
      janus,
      stream,
      onState: (s) => {
        if (closed) return;
        if (s === 'publishing') onAir();
        else if (s === 'lost') reconnect();
        else if (s === 'failed') {
          if (section.dataset.state === 'starting') failStart();
          else reconnect();
        }
      },
    });
  };

  const onAir = async () => {
    const feed = janus.feed;
    for (let i = 0; i < ON_AIR_TRIES && !closed && janus.feed === feed; i++) {
      const r = await post(`/api/v1/lives/${live.id}/on-air`, { feed });
      if (r.ok) {
        live = r.data;
        failures = 0;
        if (!onAirAt) onAirAt = live.started_at ? Date.parse(live.started_at) || Date.now() : Date.now();
        setState('live');
        status.textContent = t('live.host.onAir');
        renderElapsed();
        return;
      }
      if (r.error.code !== 'not_publishing') break;
      await wait(ON_AIR_RETRY_MS);
    }
    if (!closed && janus.feed === feed) reconnect();
  };

  let reconnecting = false;
  let failures = 0; // reconnects in a row that did not get back on air
  const reconnect = async () => {
    if (reconnecting || closed || section.dataset.state === 'ended') return;
    reconnecting = true;
    setState('reconnecting');
    status.textContent = t('live.host.reconnecting');
    publisher?.stop();
    publisher = null;
    // Again at once the first time; then with a growing pause (Janus down, the
    // old publisher not yet gone from the room).
    if (failures) await wait(Math.min(500 * 2 ** (failures - 1), RECONNECT_MAX_MS));
    failures++;
    for (let delay = 500; !closed; delay = Math.min(delay * 2, RECONNECT_MAX_MS)) {
      const r = await post(`/api/v1/lives/${live.id}/reconnect`, {});
      if (r.ok) {
        janus = r.data.janus;
        break;
      }
      if (r.error.code === 'live_ended' || r.error.status === 404 || r.error.status === 410) {
        reconnecting = false;
        const g = await get(`/api/v1/lives/${live.id}`);
        if (g.ok) live = g.data;
        finish(live.replay, live.end_reason);
        return;
      }
      await wait(delay);
    }
    reconnecting = false;
    if (closed) return;
    startPublishing();
  };

  const failStart = async () => {
    // Nobody saw it: the live is ended at once, nothing kept.
    await post(`/api/v1/lives/${live.id}/end`, { keep: false });
    live = null;
    publisher?.stop();
    publisher = null;
    stopSocket?.();
    stopSocket = null;
    view.hidden = true;
    form.hidden = false;
    setState('setup');
    goLive.disabled = false;
    formMsg.textContent = t('live.new.startFailed');
    goLive.focus();
  };

  const refreshToken = async () => {
    if (!live || section.dataset.state === 'ended') return;
    const r = await post(`/api/v1/lives/${live.id}/watch`, {});
    if (r.ok && r.data.janus?.token) {
      janus = { ...janus, token: r.data.janus.token, room_token: r.data.janus.room_token ?? janus.room_token, expires_at: r.data.janus.expires_at };
      publisher?.setToken(janus.token);
    }
    scheduleRefresh();
  };
  const scheduleRefresh = () => {
    clearTimeout(refreshTimer);
    if (closed) return;
    const left = expiresMs(janus?.expires_at) - Date.now();
    const ms = Number.isFinite(left) && left > 0 ? left / 2 : TOKEN_REFRESH_DEFAULT_S * 1000;
    refreshTimer = setTimeout(refreshToken, Math.max(ms, 1000));
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!stream || goLive.disabled) return;
    goLive.disabled = true;
    formMsg.textContent = '';
    const r = await post('/api/v1/lives', { pet_id: petSelect.value, title: titleInput.value.trim() });
    if (closed) return;
    if (!r.ok) {
      goLive.disabled = false;
      formMsg.textContent = r.error.code === 'live_active' ? t('live.new.alreadyLive')
        : r.error.code === 'live_unavailable' ? t('live.new.unavailable') : failureText(t, r.error);
      return;
    }
    live = r.data.live;
    janus = r.data.janus;
    section.dataset.live = live.id;
    setState('starting');
    form.hidden = true;
    view.hidden = false;
    view.prepend(previewBox);
    status.textContent = t('live.host.starting');
    renderCounts();
    renderElapsed();
    timers.push(setInterval(renderElapsed, 1000));
    stopSocket = listen({ prefix: 'live.', onFrame, onOpen: () => send({ type: 'live.join', live: live.id }) });
    scheduleRefresh();
    startPublishing();
    endButton.focus();
  });

  // ---- ending
  const dialog = el('dialog', { className: 'live-end-dialog', 'aria-labelledby': 'live-end-title' });
  const keep = el('button', { type: 'button', className: 'kit-button', textContent: t('live.host.keep') });
  const discard = el('button', { type: 'button', className: 'kit-button', textContent: t('live.host.discard') });
  const cancel = el('button', { type: 'button', className: 'kit-button', textContent: t('live.host.cancel') });
  const endMsg = el('p', { role: 'alert' });
  dialog.append(el('h2', { id: 'live-end-title', textContent: t('live.host.endTitle') }),
    el('p', { textContent: t('live.host.endBody') }), el('p', { className: 'live-end-actions' }, keep, discard, cancel), endMsg);
  section.append(dialog);
  endButton.addEventListener('click', () => {
    endMsg.textContent = '';
    dialog.showModal();
    keep.focus();
  });
  cancel.addEventListener('click', () => {
    dialog.close();
    endButton.focus();
  });
  const end = async (keepIt) => {
    keep.disabled = discard.disabled = true;
    const r = await post(`/api/v1/lives/${live.id}/end`, { keep: keepIt });
    keep.disabled = discard.disabled = false;
    if (!r.ok && r.error.code !== 'live_ended') {
      endMsg.textContent = failureText(t, r.error);
      return;
    }
    if (r.ok) live = r.data;
    else {
      const g = await get(`/api/v1/lives/${live.id}`);
      if (g.ok) live = g.data;
    }
    dialog.close();
    finish(live.replay, live.end_reason);
  };
  keep.addEventListener('click', () => end(true));
  discard.addEventListener('click', () => end(false));

  // ---- the summary
  let onReplay = null; // the summary's: the replay is ready (frame live.replay)
  const summary = el('div', { className: 'live-summary', hidden: true });
  section.append(summary);
  function finish(replay, reason) {
    if (section.dataset.state === 'ended') return;
    const length = onAirAt ? Date.now() - onAirAt : 0;
    setState('ended');
    clearTimeout(refreshTimer);
    for (const id of timers) clearInterval(id);
    timers = [];
    publisher?.stop();
    publisher = null;
    for (const track of stream?.getTracks() ?? []) track.stop();
    if (dialog.open) dialog.close();
    view.hidden = true;
    form.hidden = true;
    summary.hidden = false;
    const h = el('h2', { textContent: t('live.host.summaryTitle'), tabIndex: -1 });
    const replayLine = el('p', { className: 'live-replay', role: 'status' });
    summary.replaceChildren(h,
      reason === 'moderator' ? el('p', { textContent: t('live.host.endedByModerator') }) : '',
      el('ul', { className: 'live-summary-stats' },
        el('li', { textContent: t('live.host.summaryLength', { time: elapsedText(length) }) }),
        el('li', { textContent: t('live.host.summaryViewers', { count: peakViewers }) }),
        el('li', { textContent: t('live.host.summaryHearts', { count: hearts }) })),
      replayLine,
      el('p', {}, el('a', { href: '/', textContent: t('live.host.backHome') })));
    const showReplay = (rp) => {
      if (!rp) replayLine.textContent = t('live.host.replayNone');
      else if (rp.state === 'ready') {
        replayLine.replaceChildren(el('a', { href: `/live/${live.id}`, textContent: t('live.host.replayReady') }));
        return true;
      } else if (rp.state === 'failed') replayLine.textContent = replayStateText(t, 'failed');
      else replayLine.textContent = replayStateText(t, rp.state);
      return !rp || rp.state === 'failed';
    };
    const done = showReplay(replay);
    if (!done && live) {
      const ask = async () => {
        const g = await get(`/api/v1/lives/${live.id}`);
        if (closed || !g.ok) return;
        if (showReplay(g.data.replay)) {
          clearInterval(poll);
          stopSocket?.();
          stopSocket = null;
        }
      };
      const poll = setInterval(ask, REPLAY_POLL_MS);
      onReplay = ask;
      timers.push(poll);
    } else {
      stopSocket?.();
      stopSocket = null;
    }
    h.focus();
  }

  return cleanup;
}
