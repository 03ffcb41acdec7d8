// /live/:id — watching a live (issue 24, contract §7): GET the live, POST
// watch for a JanusJoin, subscribe (live/watch.js) and join it over the
// page's signed-in socket (support/socket.js, `live.*` frames) for the
// viewers count, hearts and comments. Every state is said in words over the
// video: connecting, reconnecting (the broadcaster's feed left or ICE failed,
// until `live.feed` names a new feed or `live.ended` comes), ended (with the
// replay's player once it is ready), blocked (the broadcaster removed this
// person), not found, not started, and a browser without RTCPeerConnection.
// The Janus token is asked again every half of its life (PA_LIVE_TOKEN_S / 2).
import { get, post } from '../api.js';
import { el, failureText } from '../compose-kit.js';
import { listen, send } from '../support/socket.js';
import { liveCss, liveBadge, commentsLog, heartButton, viewersText, heartsText, whoText, endReasonText, replayStateText,
  COMMENT_MAX, nonce } from '../live/kit.js';

const RETRY_MS = 3000; // after a failed subscription, before asking the server again
const RETRIES = 5; // failed subscriptions in a row before the screen stops and offers "Try again"
const TOKEN_MIN_MS = 10_000; // never refresh a token more often than this
// While a replay is pending or processing the live is read again this often
// (the `live.replay` frame reaches only sockets still joined), at most
// REPLAY_POLLS times (the worker's steps are bounded: PA_REPLAY_STEP_S).
const REPLAY_POLL_MS = 5000;
const REPLAY_POLLS = 240;

// A JanusJoin's expires_at (ISO time or Unix seconds) → ms from now.
function msLeft(expiresAt) {
  const at = typeof expiresAt === 'number' ? expiresAt * 1000 : Date.parse(expiresAt);
  return Number.isFinite(at) ? at - Date.now() : 0;
}

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const id = params.id;
  liveCss();
  const page = el('div', { className: 'live-screen live-viewer' });
  root.append(page);
  const { user } = await ctx.session();
  const me = user?.id ?? '';

  const r = /^live_[1-9][0-9]{0,17}$/.test(id) ? await get(`/api/v1/lives/${id}`) : { ok: false, error: { status: 404 } };
  if (!r.ok) {
    const gone = r.error.status === 404;
    page.append(el('h1', { textContent: t(gone ? 'live.view.notFoundTitle' : 'live.view.title') }),
      el('p', { className: 'live-message', textContent: gone ? t('live.view.notFound') : failureText(t, r.error) }),
      el('p', {}, el('a', { href: '/', textContent: t('app.backHome') })));
    return undefined;
  }
  let live = r.data;

  // The page: who is live, the stage (video + the state in words), counts, comments, the heart.
  const title = el('p', { className: 'live-title' });
  const heading = el('h1', {});
  const badge = liveBadge(t);
  const video = el('video', { autoplay: true, playsInline: true, muted: true, className: 'live-video' });
  video.muted = true; // autoplay is allowed muted; the person turns sound on
  const overlayText = el('p', { className: 'live-state' });
  const retry = el('button', { type: 'button', className: 'secondary', hidden: true, textContent: t('live.view.retry') });
  const overlay = el('div', { className: 'live-overlay', role: 'status' }, el('div', {}, overlayText, retry));
  const stage = el('div', { className: 'live-stage' }, video, overlay);
  const sound = el('button', { type: 'button', className: 'secondary live-sound', 'aria-pressed': 'false', textContent: t('live.view.unmute') });
  const viewers = el('span', { className: 'live-viewers' });
  const hearts = el('span', { className: 'live-hearts' });
  const stats = el('p', { className: 'live-stats' }, viewers, hearts);
  const log = commentsLog(t);
  const box = el('input', { id: 'live-comment', type: 'text', maxLength: COMMENT_MAX, autocomplete: 'off', enterKeyHint: 'send' });
  const sendBtn = el('button', { type: 'submit', className: 'primary', textContent: t('live.view.send') });
  const formMsg = el('p', { className: 'live-form-message', 'aria-live': 'polite' });
  const form = el('form', { className: 'live-form' },
    el('div', { className: 'live-form-field' }, el('label', { htmlFor: box.id, textContent: t('live.view.commentLabel') }), box), sendBtn);
  const heart = heartButton(t, () => send({ type: 'live.heart', live: id }));
  const ended = el('div', { className: 'live-ended', hidden: true });
  const main = el('div', { className: 'live-main' }, el('div', { className: 'live-head' }, badge, heading), title, stage,
    el('div', { className: 'live-actions' }, heart.node, sound), stats, ended);
  const side = el('div', { className: 'live-side' }, log.node, form, formMsg);
  page.append(main, side);

  let watch = null; // live/watch.js's, loaded when there is video to play
  let watching = null;
  let stopListening = null;
  let tokenTimer = 0;
  let retryTimer = 0;
  let failures = 0;
  let polls = 0;
  let pollTimer = 0;
  let over = false; // ended, blocked or left: nothing restarts
  let gone = false;

  const paintCounts = () => {
    viewers.textContent = viewersText(t, live.viewers ?? 0);
    hearts.textContent = heartsText(t, live.hearts ?? 0);
  };
  const paintHead = () => {
    heading.textContent = whoText(t, live);
    title.textContent = live.title ?? '';
    title.hidden = !live.title;
    badge.hidden = live.state !== 'live';
  };
  const showState = (key, { button = false } = {}) => {
    overlayText.textContent = key ? t(key) : '';
    overlay.hidden = !key;
    retry.hidden = !button;
    page.dataset.state = key ? key.split('.').pop() : 'playing';
  };
  const disableTalk = () => {
    box.disabled = true;
    sendBtn.disabled = true;
    heart.button.disabled = true;
  };

  paintHead();
  paintCounts();

  // Ended: the video goes, the reason is said, the replay plays when it is ready.
  function showEnded(reason) {
    finish();
    live = { ...live, state: 'ended', end_reason: reason ?? live.end_reason };
    paintHead();
    stage.hidden = true;
    sound.hidden = true;
    page.dataset.state = 'ended';
    disableTalk();
    paintReplay();
  }
  function paintReplay() {
    const rep = live.replay;
    const parts = [el('h2', { textContent: t('live.view.endedTitle') }), el('p', { className: 'live-ended-reason', textContent: endReasonText(t, live.end_reason) })];
    if (!rep) {
      parts.push(el('p', { textContent: t('live.view.noReplay') }));
    } else if (rep.state === 'ready' && rep.reel) {
      const player = el('video', { controls: true, playsInline: true, preload: 'metadata', className: 'live-replay-player',
        poster: rep.reel.poster?.url ?? '', 'aria-label': t('live.view.replayLabel') });
      for (const s of rep.reel.sources ?? [rep.reel.video]) if (s?.url) player.append(el('source', { src: s.url, type: s.type }));
      parts.push(el('h3', { textContent: t('live.view.replayTitle') }), player);
    } else {
      parts.push(el('p', { className: 'live-replay-state', textContent: replayStateText(t, rep.state) }));
      if (rep.state !== 'failed' && polls < REPLAY_POLLS) {
        polls += 1;
        clearTimeout(pollTimer);
        pollTimer = setTimeout(reload, REPLAY_POLL_MS);
      }
    }
    ended.replaceChildren(...parts);
    ended.hidden = false;
  }
  // Read again (the replay's state moved); keeps the ended view.
  async function reload() {
    const again = await get(`/api/v1/lives/${id}`);
    if (gone || !again.ok) return;
    live = again.data;
    if (live.state === 'ended') {
      paintHead();
      paintReplay();
    }
  }

  function showBlocked() {
    finish();
    stage.hidden = false;
    showState('live.view.blocked');
    page.dataset.state = 'blocked';
    disableTalk();
  }

  // Stops the video and the token refresh (the socket stays for the replay's frame).
  function finish() {
    over = true;
    clearTimeout(tokenTimer);
    clearTimeout(retryTimer);
    watching?.stop();
    watching = null;
  }

  function refreshLater(janus) {
    clearTimeout(tokenTimer);
    tokenTimer = setTimeout(async () => {
      const w = await post(`/api/v1/lives/${id}/watch`, {});
      if (gone || over) return;
      if (w.ok) {
        watching?.setToken(w.data.janus.token);
        refreshLater(w.data.janus);
      } else {
        refusal(w.error);
      }
    }, Math.max(TOKEN_MIN_MS, msLeft(janus.expires_at) / 2));
  }

  // What a refused watch (or join) means for the screen.
  function refusal(error) {
    const code = error.code;
    if (code === 'live_ended' || error.status === 410) showEnded();
    else if (code === 'blocked_from_live') showBlocked();
    else if (code === 'live_not_started') showState('live.view.notStarted');
    else if (error.status === 404 || code === 'not_found') {
      finish();
      showState('live.view.notFound');
      disableTalk();
    } else {
      showState('live.view.failed', { button: true });
    }
  }

  // Asks the server for a JanusJoin and subscribes (again: a new feed, a failure).
  let round = 0; // the latest subscribe(): an older one still waiting gives way
  async function subscribe() {
    if (over || gone) return;
    const mineRound = ++round;
    watching?.stop();
    watching = null;
    showState('live.view.connecting');
    if (!watch) ({ watch } = await import('../live/watch.js'));
    const w = await post(`/api/v1/lives/${id}/watch`, {});
    if (gone || over || mineRound !== round) return;
    if (!w.ok) {
      refusal(w.error);
      return;
    }
    refreshLater(w.data.janus);
    const mine = watch({
      janus: w.data.janus,
      video,
      onState: (s) => {
        if (watching !== mine || over) return;
        if (s === 'playing') {
          failures = 0;
          showState('');
        } else if (s === 'connecting') showState('live.view.connecting');
        else if (s === 'reconnecting') showState('live.view.reconnecting');
        else if (s === 'ended') reload().then(() => { if (!over) showEnded(); });
        else if (s === 'failed') {
          // Janus or ICE gave up: ask again a few times, then offer to.
          failures += 1;
          if (failures > RETRIES) {
            showState('live.view.failed', { button: true });
            return;
          }
          showState('live.view.reconnecting');
          clearTimeout(retryTimer);
          retryTimer = setTimeout(subscribe, RETRY_MS);
        }
      },
    });
    watching = mine;
  }

  function onFrame(f) {
    if (f.live !== id && f.live?.id !== id) return;
    switch (f.type) {
      case 'live.joined':
        live = { ...live, ...f.live };
        paintHead();
        paintCounts();
        log.set(f.comments ?? []);
        break;
      case 'live.viewers':
        live.viewers = f.viewers;
        paintCounts();
        break;
      case 'live.hearts':
        live.hearts = f.hearts;
        paintCounts();
        if (f.from !== me) heart.pop();
        break;
      case 'live.comment':
        log.add(f.comment);
        live.comments = (live.comments ?? 0) + 1;
        if (f.nonce) {
          box.value = '';
          formMsg.textContent = '';
        }
        break;
      case 'live.comment_removed':
        log.remove(f.comment);
        break;
      case 'live.feed':
        // The broadcaster is back on a new feed: subscribe to it.
        if (!over) subscribe();
        break;
      case 'live.state':
        live.state = f.state;
        paintHead();
        if (f.state === 'live' && !watching && !over && typeof RTCPeerConnection === 'function') subscribe();
        break;
      case 'live.ended':
        live.replay = f.replay ? (live.replay ?? { state: 'pending', reel: null }) : null;
        showEnded(f.reason);
        if (f.replay) reload();
        break;
      case 'live.replay':
        clearTimeout(pollTimer);
        reload();
        break;
      case 'live.blocked':
        showBlocked();
        break;
      case 'error':
        if (f.code === 'rate_limited') formMsg.textContent = t('live.view.rateLimited', { seconds: f.retry_after ?? 1 });
        else if (['live_ended', 'blocked_from_live', 'not_found', 'live_not_started'].includes(f.code)) refusal({ code: f.code });
        else formMsg.textContent = t('live.view.notSent');
        break;
      default:
        break;
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    formMsg.textContent = send({ type: 'live.comment', live: id, text, nonce: nonce() }) ? '' : t('live.view.notSent');
  });
  sound.addEventListener('click', () => {
    video.muted = !video.muted;
    if (!video.muted) video.play().catch(() => {});
    sound.setAttribute('aria-pressed', String(!video.muted));
    sound.textContent = t(video.muted ? 'live.view.unmute' : 'live.view.mute');
  });
  retry.addEventListener('click', () => {
    failures = 0;
    subscribe();
  });

  // The socket: joined on every (re)open (a reconnection starts clean on the server).
  stopListening = listen({ prefix: 'live.', onFrame, onOpen: () => send({ type: 'live.join', live: id }) });

  if (live.state === 'ended') {
    showEnded(live.end_reason);
  } else if (typeof RTCPeerConnection !== 'function') {
    // Comments and hearts still work; the video cannot.
    showState('live.view.unsupported');
    page.dataset.state = 'unsupported';
  } else if (live.state === 'starting') {
    showState('live.view.notStarted');
  } else {
    subscribe();
  }

  return () => {
    gone = true;
    clearTimeout(pollTimer);
    finish();
    send({ type: 'live.leave', live: id });
    stopListening?.();
  };
}
