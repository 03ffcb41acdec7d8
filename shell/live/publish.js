// Publishing a live into its Janus VideoRoom (issue 24, contract §7): one
// Janus session (janus.js) with one VideoRoom handle that joins the room as
// the publisher the server named (JanusJoin: url, room, feed, token,
// ice_servers) and sends the camera and microphone through one
// RTCPeerConnection (VP8 + Opus: the room allows nothing else). Janus checks
// two signed tokens: the core, on every request, one of realm `janus` naming
// the plugin ("<exp>,janus,janus.plugin.videoroom:<sig>", JanusJoin.token);
// the room (signed_tokens), on join, one whose realm is the plugin itself
// ("<exp>,janus.plugin.videoroom,room=<room>:<sig>": Janus's auth.c compares
// the realm with the plugin's package), JanusJoin.join_token: no one token
// passes both checks.
//
// publish({ janus, stream, onState }) → { stop(), setToken(token), pc }
// onState(state): 'connecting' → 'publishing' (Janus says WebRTC is up) →
// 'lost' when the connection drops (the Janus socket closed, the session
// timed out, ICE failed, Janus hung up): the screen then asks the server for
// a new feed (POST /lives/{lv}/reconnect) and publishes again with the same
// stream; 'failed' when it could not start at all (error: the JanusError or
// the browser's; VideoRoom's 432 "maximum number of publishers" while the
// previous publisher of a reconnect is still in the room is one: the screen
// tries again after a pause). Nothing is reported after stop().
import { openJanus, JanusError } from './janus.js';

export function publish({ janus, stream, onState = () => {} }) {
  let stopped = false;
  let ended = false;
  let session = null;
  let handle = null;
  const pc = new RTCPeerConnection({ iceServers: janus.ice_servers ?? [] });
  const report = (state, error) => {
    if (stopped || ended) return;
    if (state === 'lost' || state === 'failed') ended = true;
    onState(state, error);
  };

  pc.addEventListener('iceconnectionstatechange', () => {
    if (pc.iceConnectionState === 'failed') report('lost');
  });
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'failed') report('lost');
  });
  pc.addEventListener('icecandidate', (e) => handle?.trickle(e.candidate ?? null));

  const start = async () => {
    report('connecting');
    session = await openJanus({ url: janus.url, token: janus.token });
    if (stopped) return session.close();
    session.onclose = () => report('lost');
    handle = await session.attach('janus.plugin.videoroom');
    handle.on('webrtcup', () => report('publishing'));
    handle.on('hangup', () => report('lost'));
    // Janus's own candidates, trickled (scripts/janus runs it with
    // full_trickle): added once its answer is set, the early ones queued.
    const early = [];
    let answered = false;
    const addRemote = (c) => pc.addIceCandidate(c && !c.completed ? c : undefined).catch(() => {});
    handle.on('trickle', (c) => (answered ? addRemote(c) : early.push(c)));
    await handle.send({ request: 'join', ptype: 'publisher', room: janus.room, id: janus.feed, token: janus.join_token });
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const { jsep } = await handle.send({ request: 'publish', audio: true, video: true }, pc.localDescription);
    if (!jsep) throw new JanusError(0, 'no answer');
    await pc.setRemoteDescription(jsep);
    answered = true;
    for (const c of early.splice(0)) addRemote(c);
  };
  start().catch((e) => report(ended ? 'lost' : 'failed', e));

  return {
    pc,
    setToken(token) {
      session?.setToken(token);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      // The tracks are the screen's (the preview keeps them): only the sending stops.
      for (const s of pc.getSenders()) s.replaceTrack?.(null).catch(() => {});
      pc.close();
      handle?.send({ request: 'unpublish' }).catch(() => {});
      handle?.detach().finally(() => session?.close());
      if (!handle) session?.close();
    },
  };
}
