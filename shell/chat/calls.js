// 1:1 voice and video calls over WebRTC (web/README.md "Calls"; the payloads
// in core/src/chat/chat.md "Call signalling"). The offer, answer and ICE
// candidates travel as end-to-end encrypted chat messages of kind "call"
// (engine.sendCall), so the server cannot swap the DTLS fingerprints the
// browsers check: it only records who called whom (POST /chat/calls), hands
// out TURN credentials (POST /chat/turn) and relays ciphertext.
//
// One call at a time per engine. The caller sends the offer to every device
// of the callee; the first device to answer wins, and the caller tells the
// others `accepted_elsewhere` (a later answer gets `end`). Glare — both
// calling each other at once — keeps the call with the lower id on both
// sides: the side whose own call has the higher id drops it and accepts the
// other. Received payloads come from the engine (never the message list),
// already checked by the core (callParse). The screen is screens/call.js.
import { post } from '../api.js';

export const RING_MS = 45_000; // the caller gives up (missed) after this
const GATHER_MS = 3_000; // the longest an offer/answer waits for ICE gathering
const RELAY_KEY = 'pa-calls-relay'; // "always relay calls": media only through TURN

const managers = new WeakMap();
let latest = null; // the manager of the running engine

// The call in progress on this page (its RTCPeerConnection as .pc), or null:
// what the browser tests read getStats from.
export const currentCall = () => latest?.call ?? null;

// The call manager of an engine (made once, when the engine starts).
export function callsFor(engine) {
  let m = managers.get(engine);
  if (!m) {
    m = new Calls(engine);
    managers.set(engine, m);
  }
  latest = m;
  return m;
}

// Always relay calls through the TURN server (hides this device's addresses
// from the peer; the relay sees them instead). Kept on this device.
export function setRelayOnly(on) {
  if (on) localStorage.setItem(RELAY_KEY, '1');
  else localStorage.removeItem(RELAY_KEY);
}
const relayOnly = () => localStorage.getItem(RELAY_KEY) === '1';

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const payload = (call, op, extra = {}) => ({ v: 2, kind: 'call', call: call.id, op, ...extra });

// Resolves once pc has gathered its candidates (or GATHER_MS passed: the
// rest go as "ice" payloads).
function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, GATHER_MS);
    function done() {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    }
    function check() { if (pc.iceGatheringState === 'complete') done(); }
    pc.addEventListener('icegatheringstatechange', check);
  });
}

class Calls extends EventTarget {
  constructor(engine) {
    super();
    this.engine = engine;
    engine.addEventListener('stop', () => this.hangUp());
    this.call = null; // {id, peer, name, role, video, state, device, devices, pc, local, remote, ...}
  }

  emit() {
    this.dispatchEvent(new CustomEvent('update', { detail: this.call }));
  }

  // ---- the caller's side

  // Calls peer (an id; name for the screen). Rejects when a call is on.
  async start(peer, { video = false, name = peer } = {}) {
    if (this.call) throw new Error('busy');
    const call = this.call = {
      id: hex(crypto.getRandomValues(new Uint8Array(16))), peer, name, role: 'caller', video,
      state: 'calling', device: null, devices: [], pendingIce: [], muted: false, cameraOff: false,
    };
    this.show();
    this.emit();
    try {
      const r = await post('/api/v1/chat/calls', { to: peer, video });
      if (!r.ok) throw new Error(r.error.message || r.error.kind);
      call.record = r.data.id;
      await this.media(call);
      const pc = await this.connection(call);
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      await gathered(pc);
      if (this.call !== call) return;
      call.devices = await this.engine.sendCall(peer, payload(call, 'offer', { sdp: pc.localDescription.sdp, video }));
      call.signalled = true;
      this.flushIce(call);
      call.ringTimer = setTimeout(() => { if (this.call === call && call.state === 'calling') this.hangUp('missed'); }, RING_MS);
    } catch (err) {
      if (this.call === call) this.finish(call, 'failed', err.message);
      throw err;
    }
  }

  // ---- the callee's side

  async accept() {
    const call = this.call;
    if (!call || call.role !== 'callee' || call.state !== 'ringing') return;
    call.state = 'connecting';
    clearTimeout(call.ringTimer);
    this.emit();
    try {
      await this.media(call);
      const pc = await this.connection(call);
      await pc.setRemoteDescription({ type: 'offer', sdp: call.offer });
      await this.addIce(call);
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      if (this.call !== call) return;
      await this.engine.sendCall(call.peer, payload(call, 'answer', { sdp: pc.localDescription.sdp, video: call.video }), [call.device]);
      call.signalled = true;
      this.flushIce(call);
    } catch (err) {
      if (this.call === call) {
        this.engine.sendCall(call.peer, payload(call, 'end'), [call.device]).catch(() => {});
        this.finish(call, 'failed', err.message);
      }
    }
  }

  decline() {
    const call = this.call;
    if (!call || call.role !== 'callee' || call.state !== 'ringing') return;
    this.engine.sendCall(call.peer, payload(call, 'decline'), [call.device]).catch(() => {});
    this.finish(call, 'declined-here');
  }

  // Ends the call from this side (a caller ringing: "ended", or reason).
  hangUp(reason = null) {
    const call = this.call;
    if (!call) return;
    if (call.role === 'callee' && call.state === 'ringing') return this.decline();
    const to = call.device ? [call.device] : call.devices;
    if (to.length) this.engine.sendCall(call.peer, payload(call, 'end'), to).catch(() => {});
    this.finish(call, reason ?? 'ended');
    return undefined;
  }

  mute(on) {
    const call = this.call;
    if (!call?.local) return;
    call.muted = on;
    for (const t of call.local.getAudioTracks()) t.enabled = !on;
    this.emit();
  }

  camera(off) {
    const call = this.call;
    if (!call?.local) return;
    call.cameraOff = off;
    for (const t of call.local.getVideoTracks()) t.enabled = !off;
    this.emit();
  }

  // ---- payloads from the engine: (peer, the sending device, the checked payload)

  // at: when the relay took it (an offer kept while this device was offline
  // is over by now: a missed call, never a ring).
  receive(peer, device, p, at = Date.now()) {
    const call = this.call;
    if (p.op === 'offer' && Date.now() - at > RING_MS) {
      return this.noteMissed({ id: p.call, peer }).catch((err) => console.warn('calls:', err));
    }
    if (p.op === 'offer') return this.offered(peer, device, p);
    if (!call || call.id !== p.call || call.peer !== peer) return undefined;
    switch (p.op) {
      case 'answer':
        if (call.role !== 'caller') return undefined;
        if (call.device && call.device !== device) {
          // First accept wins: a second device's answer is told to stop.
          this.engine.sendCall(peer, payload(call, 'end'), [device]).catch(() => {});
          return undefined;
        }
        if (call.device) return undefined;
        call.device = device;
        call.state = 'connecting';
        clearTimeout(call.ringTimer);
        this.emit();
        {
          const others = call.devices.filter((d) => d !== device);
          if (others.length) this.engine.sendCall(peer, payload(call, 'accepted_elsewhere'), others).catch(() => {});
        }
        return call.pc.setRemoteDescription({ type: 'answer', sdp: p.sdp })
          .then(() => this.addIce(call))
          .catch((err) => this.hangUp('failed', err));
      case 'ice':
        if (call.device && call.device !== device) return undefined;
        call.pendingIce.push(...p.candidates);
        return this.addIce(call);
      case 'end':
        if (call.device && call.device !== device) return undefined;
        if (call.role === 'callee' && call.state === 'ringing') return this.finish(call, 'missed');
        return this.finish(call, 'ended-there');
      case 'decline':
        if (call.role === 'caller' && !call.device) {
          const others = call.devices.filter((d) => d !== device);
          if (others.length) this.engine.sendCall(peer, payload(call, 'end'), others).catch(() => {});
          return this.finish(call, 'declined');
        }
        return undefined;
      case 'busy':
        if (call.role === 'caller' && !call.device) return this.finish(call, 'busy');
        return undefined;
      case 'accepted_elsewhere':
        if (call.role === 'callee' && call.state === 'ringing') return this.finish(call, 'elsewhere');
        return undefined;
      default:
        return undefined;
    }
  }

  offered(peer, device, p) {
    const call = this.call;
    if (call?.id === p.call) return undefined; // the same offer again
    const incoming = {
      id: p.call, peer, name: peer, role: 'callee', video: p.video, state: 'ringing', device, devices: [device],
      offer: p.sdp, pendingIce: [], muted: false, cameraOff: false, signalled: false,
    };
    if (call) {
      // Glare: both sides keep the call with the lower id.
      if (call.peer === peer && call.role === 'caller' && call.state === 'calling') {
        if (p.call > call.id) return undefined; // ours wins; they drop theirs
        this.engine.sendCall(peer, payload(call, 'end'), call.devices).catch(() => {});
        this.finish(call, 'glare');
        this.call = incoming;
        this.show();
        return this.accept();
      }
      this.engine.sendCall(peer, payload(incoming, 'busy'), [device]).catch(() => {});
      return undefined;
    }
    this.call = incoming;
    this.engine.conversation(peer).then((c) => { if (c.name) { incoming.name = c.name; this.emit(); } }).catch(() => {});
    // A ring that outlives the caller's is over: missed.
    incoming.ringTimer = setTimeout(() => { if (this.call === incoming && incoming.state === 'ringing') this.finish(incoming, 'missed'); }, RING_MS + 5000);
    this.show();
    this.emit();
    return undefined;
  }

  // ---- WebRTC

  async media(call) {
    call.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: call.video });
    this.emit();
  }

  async connection(call) {
    const r = await post('/api/v1/chat/turn', {});
    // Without TURN (503) calls still work where a direct path exists.
    const iceServers = r.ok ? [{ urls: r.data.urls, username: r.data.username, credential: r.data.credential }] : [];
    const pc = call.pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: relayOnly() ? 'relay' : 'all' });
    for (const t of call.local.getTracks()) pc.addTrack(t, call.local);
    pc.addEventListener('icecandidate', (e) => {
      if (!e.candidate?.candidate) return;
      call.outIce = [...(call.outIce ?? []), e.candidate.candidate];
      if (call.signalled) this.flushIce(call);
    });
    pc.addEventListener('track', (e) => {
      call.remote = e.streams[0] ?? new MediaStream([e.track]);
      this.emit();
    });
    pc.addEventListener('connectionstatechange', () => {
      if (this.call !== call) return;
      if (pc.connectionState === 'connected' && call.state !== 'active') {
        call.state = 'active';
        call.answered = true;
        this.emit();
      } else if (pc.connectionState === 'failed') {
        this.hangUp('failed');
      }
    });
    return pc;
  }

  // Candidates found after the offer or answer went out (those before are
  // in its SDP), at most 32 a payload (PA_CALLSIG_MAX_CANDIDATES).
  flushIce(call) {
    const sdp = call.pc?.localDescription?.sdp ?? '';
    const lines = (call.outIce ?? []).filter((c) => !sdp.includes(c));
    call.outIce = [];
    const to = call.device ? [call.device] : call.devices;
    for (let i = 0; i < lines.length && to.length; i += 32) {
      this.engine.sendCall(call.peer, payload(call, 'ice', { candidates: lines.slice(i, i + 32) }), to).catch(() => {});
    }
  }

  async addIce(call) {
    if (!call.pc?.remoteDescription) return;
    const list = call.pendingIce.splice(0);
    for (const candidate of list) {
      await call.pc.addIceCandidate({ candidate, sdpMLineIndex: 0 }).catch(() => {});
    }
  }

  // ---- the end

  finish(call, reason, detail = '') {
    if (this.call !== call) return;
    clearTimeout(call.ringTimer);
    call.state = 'ended';
    call.reason = reason;
    call.detail = detail;
    call.pc?.close();
    for (const t of call.local?.getTracks() ?? []) t.stop();
    this.call = null;
    this.dispatchEvent(new CustomEvent('update', { detail: call }));
    if (call.role === 'caller' && call.record) {
      // How it ended, for the record (who called whom, when, and this).
      const state = call.answered ? 'answered' : reason === 'declined' ? 'declined'
        : reason === 'missed' || reason === 'busy' ? 'missed' : 'ended';
      post(`/api/v1/chat/calls/${call.record}/end`, { state }).catch(() => {});
    }
    if (call.role === 'callee' && reason === 'missed') this.noteMissed(call).catch((err) => console.warn('calls:', err));
  }

  // The missed-call notice in the conversation: a local record (sealed like
  // messages), never sent anywhere.
  noteMissed(call) {
    const e = this.engine;
    return e.run(async () => {
      const m = { peer: call.peer, cid: `call-${call.id}`, dir: 'in', at: Date.now(), seq: 0, status: 'received', call: 'missed' };
      const conv = await e.conversation(call.peer);
      await e.store.put(...(await e.messageRecord(m, '')),
        ...(await e.convRecord(call.peer, { last: '📞', lastAt: Math.max(conv.lastAt, m.at), unread: (conv.unread || 0) + 1 })));
      e.emit('change', { peer: call.peer });
    });
  }

  show() {
    import('../screens/call.js').then((s) => s.showCall(this)).catch((err) => console.error('calls:', err));
  }
}
