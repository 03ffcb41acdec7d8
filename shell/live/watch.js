// Watching a live through the SFU (issue 24, contract §7): a VideoRoom
// subscriber on the Janus instance the server named in a JanusJoin
// (POST /lives/{lv}/watch), with the tokens the server signed: `token` (realm
// janus) for the core on every request, `join_token` (lsfu's pa_janus_join_token; realm
// janus.plugin.videoroom, room=<room>) for the room's signed_tokens check on
// join — Janus's auth.c compares each realm, so one token cannot pass both
// (see shell/live/publish.js).
//   join {ptype: subscriber, room, streams: [{feed}], token} → attached + offer
//   answer → start {jsep}                                     → webrtcup, media
// Janus sends the subscriber an `updated` offer when the publisher's streams
// change: none left active means the broadcaster dropped (reconnecting, until
// the screen hears `live.feed` or `live.ended` over the socket and starts
// again or stops). VideoRoom tells only publishers that a room was destroyed
// (janus_videoroom.c notifies `participants`), so a viewer learns the end
// from the socket's `live.ended`; `destroyed` and a join answered "no such
// room" are taken as ended all the same. Janus trickles its own candidates
// (full_trickle): without them a viewer whose candidates are mDNS names
// (no camera permission) never connects. The least
// delay the SFU gives: each receiver's jitter buffer target is 0 (the
// browser's own minimum, nothing added).
//
// watch({janus, video, onState}) → {stop(), pc, setToken(token)}; onState(state,
// why) with state 'connecting' | 'playing' | 'reconnecting' | 'ended' | 'failed'.
// The watches running on the page are listed by activeWatches() (the tests
// read getStats from their pc: tests/lib/hooks.mjs).
import { openJanus } from './janus.js';

const VIDEOROOM = 'janus.plugin.videoroom';
const NO_SUCH_ROOM = 426; // VideoRoom's JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM
const NO_SUCH_FEED = 428; // JANUS_VIDEOROOM_ERROR_NO_SUCH_FEED: not publishing (yet, or any more)

const active = new Set();
export const activeWatches = () => [...active];

// The least delay: no jitter buffer beyond what the browser needs.
function lowLatency(receiver) {
  try {
    if ('jitterBufferTarget' in receiver) receiver.jitterBufferTarget = 0;
    else receiver.playoutDelayHint = 0;
  } catch {
    // an older browser: its default buffer
  }
}

export function watch({ janus, video, onState = () => {} }) {
  const pc = new RTCPeerConnection({ iceServers: janus.ice_servers ?? [] });
  const stream = new MediaStream();
  let session = null;
  let handle = null;
  let stopped = false;
  let state = '';
  const w = { pc, feed: janus.feed, room: janus.room, get state() { return state; }, stop, setToken };

  const say = (next, why = '') => {
    if (stopped && next !== 'ended') return;
    if (next === state) return;
    state = next;
    onState(next, why);
  };

  pc.ontrack = (e) => {
    lowLatency(e.receiver);
    if (!stream.getTracks().includes(e.track)) stream.addTrack(e.track);
    if (video.srcObject !== stream) video.srcObject = stream;
  };
  pc.onicecandidate = (e) => handle?.trickle(e.candidate ?? null);
  pc.oniceconnectionstatechange = () => {
    const ice = pc.iceConnectionState;
    if (ice === 'failed') say('failed', 'ice');
    else if (ice === 'disconnected') say('reconnecting', 'ice');
    else if ((ice === 'connected' || ice === 'completed') && state === 'reconnecting' && !video.paused) say('playing');
  };
  const onPlaying = () => { if (state === 'connecting' || state === 'reconnecting') say('playing'); };
  video.addEventListener('playing', onPlaying);

  // Janus trickles its candidates (full_trickle): kept until the offer is set.
  let early = [];
  const remoteCandidate = (c) => {
    if (!c || stopped) return;
    if (!pc.remoteDescription) {
      early.push(c);
      return;
    }
    pc.addIceCandidate(c.completed ? null : c).catch(() => {}); // a bad one is Janus's; ICE goes on with the rest
  };

  // An offer from Janus (the first, or an `updated` one): answered, then start.
  async function answer(jsep) {
    await pc.setRemoteDescription(jsep);
    const queued = early;
    early = [];
    queued.forEach(remoteCandidate);
    const local = await pc.createAnswer();
    await pc.setLocalDescription(local);
    await handle.send({ request: 'start' }, pc.localDescription);
  }

  function onEvent(data, jsep) {
    if (stopped) return;
    if (data.videoroom === 'destroyed') {
      say('ended', 'destroyed');
      stop();
      return;
    }
    if (data.videoroom === 'updated') {
      const live = (data.streams ?? []).some((s) => s.active !== false && s.type !== 'data');
      if (!live) say('reconnecting', 'unpublished');
      if (jsep) answer(jsep).catch((e) => say('failed', e.reason ?? e.message));
    }
  }

  async function start() {
    say('connecting');
    try {
      session = await openJanus({ url: janus.url, token: janus.token });
      if (stopped) return;
      session.onclose = (reason) => say('failed', reason);
      handle = await session.attach(VIDEOROOM);
      if (stopped) return;
      handle.on('event', onEvent);
      handle.on('trickle', remoteCandidate);
      handle.on('hangup', (reason) => { if (!stopped) say('reconnecting', reason); });
      handle.on('media', ({ type, receiving }) => {
        if (type === 'video' && receiving && !video.paused && state === 'reconnecting') say('playing');
      });
      const { data, jsep } = await handle.send({
        request: 'join', ptype: 'subscriber', room: janus.room, streams: [{ feed: janus.feed }], token: janus.join_token,
      });
      if (stopped) return;
      if (data.videoroom !== 'attached' || !jsep) throw Object.assign(new Error('not attached'), { reason: 'not attached' });
      await answer(jsep);
    } catch (e) {
      if (stopped) return;
      if (e.code === NO_SUCH_ROOM) say('ended', 'destroyed');
      else if (e.code === NO_SUCH_FEED) say('reconnecting', 'unpublished');
      else say('failed', e.reason ?? e.message);
    }
  }

  // A fresh token (the screen asks the server again every PA_LIVE_TOKEN_S / 2).
  function setToken(token) {
    janus.token = token;
    session?.setToken(token);
  }

  function stop() {
    if (stopped) return;
    stopped = true;
    active.delete(w);
    video.removeEventListener('playing', onPlaying);
    handle?.detach();
    session?.close();
    pc.close();
    for (const t of stream.getTracks()) t.stop();
  }

  active.add(w);
  // After returning: the caller's onState may name what watch() returned.
  queueMicrotask(start);
  return w;
}
