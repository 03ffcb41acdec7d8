// Our own small client of Janus's WebSocket API (issue 24, contract §7): one
// session over one socket (subprotocol `janus-protocol`), plugin handles on
// it, requests matched to their answers by transaction. No third-party
// client: the protocol is a handful of JSON messages (Janus's src/janus.c
// and src/transports/janus_websockets.c are the reference):
//   create → success {data: {id}}            (the session)
//   attach {plugin} → success {data: {id}}   (a handle)
//   message {body, jsep?} → ack, then event {plugindata: {data}, jsep?} with
//     the same transaction (asynchronous requests such as VideoRoom's join,
//     publish, configure), or at once success {plugindata} (synchronous ones)
//   trickle {candidate | {completed: true}} → ack
//   keepalive → ack; detach, destroy → success; error {error: {code, reason}}
//   and, unasked, on a handle (`sender`): event, webrtcup, hangup, media,
//   slowlink, detached; on the session: timeout.
// Every request carries the current token: Janus runs with token_auth and
// the server signs tokens that expire (PA_LIVE_TOKEN_S); setToken swaps in a
// fresh one. The session is kept alive every 25 s (Janus drops it after its
// session_timeout of 60 s without a request).
//
// export async function openJanus({ url, token }) → JanusSession
//   JanusSession: attach(plugin) → Promise<Handle>; setToken(token); close();
//     onclose = (reason) => {} — called once when the session ends by itself
//     (the socket closed or failed, Janus timed the session out), not after
//     close().
//   Handle: send(body, jsep?) → Promise<{data, jsep}> (rejects with a
//     JanusError {code, reason} for Janus's errors and the plugin's
//     error_code); trickle(candidate | null); on(kind, fn) with kind 'event'
//     (data, jsep) for events nobody asked for, 'webrtcup', 'hangup' (reason),
//     'media' ({type, receiving}), 'slowlink' (the message), 'trickle'
//     (Janus's candidate {candidate, sdpMid, sdpMLineIndex} or {completed:
//     true}: scripts/janus runs it with full_trickle); detach().

export const JANUS_KEEPALIVE_MS = 25000;
// How long a request may wait for its answer before it is refused: Janus
// answers in milliseconds; a socket that stopped answering must not hang the
// screens (they show reconnecting instead).
export const JANUS_REQUEST_MS = 15000;

export class JanusError extends Error {
  constructor(code, reason) {
    super(`janus ${code}: ${reason}`);
    this.name = 'JanusError';
    this.code = code;
    this.reason = reason;
  }
}

const HANDLE_KINDS = new Set(['event', 'webrtcup', 'hangup', 'media', 'slowlink', 'trickle']);

let txSeq = 0;
const transaction = () => `pa${Date.now().toString(36)}${(++txSeq).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

class Handle {
  constructor(session, id) {
    this.session = session;
    this.id = id;
    this.listeners = new Map(); // kind → Set(fn)
    this.detached = false;
  }

  on(kind, fn) {
    if (!HANDLE_KINDS.has(kind)) throw new TypeError(`unknown Janus handle event ${kind}`);
    if (!this.listeners.has(kind)) this.listeners.set(kind, new Set());
    this.listeners.get(kind).add(fn);
    return () => this.listeners.get(kind)?.delete(fn);
  }

  emit(kind, ...args) {
    for (const fn of [...(this.listeners.get(kind) ?? [])]) {
      try {
        fn(...args);
      } catch (e) {
        console.error(e); // one listener's fault does not stop the others
      }
    }
  }

  send(body, jsep) {
    const msg = { janus: 'message', handle_id: this.id, body };
    if (jsep) msg.jsep = { type: jsep.type, sdp: jsep.sdp };
    return this.session.request(msg, 'message');
  }

  trickle(candidate) {
    const msg = { janus: 'trickle', handle_id: this.id };
    if (!candidate) msg.candidate = { completed: true };
    else {
      const c = typeof candidate.toJSON === 'function' ? candidate.toJSON() : candidate;
      msg.candidate = { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex };
    }
    // A trickle's ack carries nothing: failures show as ICE failing.
    return this.session.request(msg, 'ack').catch(() => {});
  }

  async detach() {
    if (this.detached) return;
    this.detached = true;
    this.session.handles.delete(this.id);
    if (this.session.closed) return;
    try {
      await this.session.request({ janus: 'detach', handle_id: this.id }, 'success');
    } catch {
      // gone already (hung up, session ended): nothing to undo
    }
  }
}

class JanusSession {
  constructor(ws, token) {
    this.ws = ws;
    this.token = token;
    this.id = 0;
    this.handles = new Map(); // id → Handle
    this.pending = new Map(); // transaction → {resolve, reject, until, timer}
    this.closed = false;
    this.onclose = null;
    this.keepalive = 0;
    ws.addEventListener('message', (e) => this.receive(e.data));
    ws.addEventListener('close', () => this.end('closed'));
    ws.addEventListener('error', () => this.end('error'));
  }

  setToken(token) {
    this.token = token;
  }

  // until: which answer settles the request — 'success' (create, attach,
  // detach, destroy), 'ack' (keepalive, trickle) or 'message' (a plugin
  // request: a success with plugindata, or the event after the ack).
  request(msg, until) {
    if (this.closed) return Promise.reject(new JanusError(0, 'closed'));
    const tx = transaction();
    const full = { ...msg, transaction: tx };
    if (this.token) full.token = this.token;
    if (this.id) full.session_id = this.id;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(tx);
        reject(new JanusError(0, 'timeout'));
      }, JANUS_REQUEST_MS);
      this.pending.set(tx, { resolve, reject, until, timer });
      try {
        this.ws.send(JSON.stringify(full));
      } catch {
        clearTimeout(timer);
        this.pending.delete(tx);
        reject(new JanusError(0, 'closed'));
      }
    });
  }

  settle(tx, fn) {
    const p = this.pending.get(tx);
    if (!p) return false;
    clearTimeout(p.timer);
    this.pending.delete(tx);
    fn(p);
    return true;
  }

  receive(text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return; // not Janus's: ignored
    }
    if (!m || typeof m !== 'object') return;
    const tx = typeof m.transaction === 'string' ? m.transaction : '';
    const p = tx ? this.pending.get(tx) : null;
    const kind = m.janus;
    if (kind === 'error' && p) {
      this.settle(tx, (q) => q.reject(new JanusError(m.error?.code ?? 0, m.error?.reason ?? 'error')));
      return;
    }
    if (kind === 'ack' && p) {
      if (p.until === 'ack') this.settle(tx, (q) => q.resolve({ data: null, jsep: null }));
      return; // a plugin request: its event follows
    }
    if ((kind === 'success' || kind === 'event') && p && (p.until !== 'ack')) {
      const data = m.plugindata ? m.plugindata.data ?? {} : m.data ?? {};
      const err = m.plugindata && data && data.error_code;
      this.settle(tx, (q) => {
        if (err) q.reject(new JanusError(data.error_code, data.error ?? 'error'));
        else q.resolve({ data, jsep: m.jsep ?? null });
      });
      return;
    }
    if (kind === 'timeout') {
      this.end('timeout');
      return;
    }
    const h = this.handles.get(m.sender);
    if (!h) return;
    if (kind === 'event') h.emit('event', m.plugindata?.data ?? {}, m.jsep ?? null);
    else if (kind === 'webrtcup') h.emit('webrtcup');
    else if (kind === 'hangup') h.emit('hangup', m.reason ?? '');
    else if (kind === 'media') h.emit('media', { type: m.type, receiving: !!m.receiving, mid: m.mid });
    else if (kind === 'slowlink') h.emit('slowlink', m);
    // Janus's own candidates, one by one (full_trickle; {completed: true} last).
    else if (kind === 'trickle') h.emit('trickle', m.candidate ?? null);
    else if (kind === 'detached') {
      h.detached = true;
      this.handles.delete(h.id);
    }
  }

  async create() {
    const { data } = await this.request({ janus: 'create' }, 'success');
    this.id = data.id;
    this.keepalive = setInterval(() => {
      this.request({ janus: 'keepalive' }, 'ack').catch(() => {});
    }, JANUS_KEEPALIVE_MS);
  }

  async attach(plugin) {
    const { data } = await this.request({ janus: 'attach', plugin }, 'success');
    const h = new Handle(this, data.id);
    this.handles.set(h.id, h);
    return h;
  }

  // The session ended by itself: everything waiting fails, onclose once.
  end(reason) {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    for (const [tx] of [...this.pending]) this.settle(tx, (q) => q.reject(new JanusError(0, reason)));
    for (const h of this.handles.values()) h.emit('hangup', reason);
    this.handles.clear();
    try {
      this.ws.close();
    } catch {
      // closed already
    }
    const fn = this.onclose;
    this.onclose = null;
    fn?.(reason);
  }

  close() {
    if (this.closed) return;
    this.onclose = null; // asked for: not reported
    if (this.id && this.ws.readyState === WebSocket.OPEN) {
      // Best effort: Janus frees the session at once rather than at its timeout.
      try {
        this.ws.send(JSON.stringify({ janus: 'destroy', session_id: this.id, transaction: transaction(), token: this.token || undefined }));
      } catch {
        // the socket is going anyway
      }
    }
    this.end('closed');
  }
}

export async function openJanus({ url, token }) {
  let ws;
  try {
    ws = new WebSocket(url, 'janus-protocol');
  } catch {
    throw new JanusError(0, 'unreachable');
  }
  await new Promise((resolve, reject) => {
    const fail = () => reject(new JanusError(0, 'unreachable'));
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', fail, { once: true });
    ws.addEventListener('close', fail, { once: true });
  });
  const s = new JanusSession(ws, token);
  try {
    await s.create();
  } catch (e) {
    s.close();
    throw e;
  }
  return s;
}
