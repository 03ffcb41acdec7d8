// A thin wrapper over the petamigos-chat WASM exports (core/wasm/wasm_chat.c,
// formats in core/src/chat/chat.md). Identities and sessions are integer handles
// owned by the caller (free them). Failures throw a ChatError carrying the
// core's status and, for refused peer bytes, its fault name ('replay',
// 'forged', ...). Works in the browser and in Node (tests pass the module).
const enc = new TextEncoder();

export class ChatError extends Error {
  constructor(message, status, fault) {
    super(message);
    this.status = status;
    this.fault = fault;
  }
}

// Loads the module in the browser (once).
let loading = null;
export function loadChatModule() {
  loading ??= import('/petamigos-chat.mjs').then(({ default: create }) => create());
  return loading;
}

export function wrapChat(m) {
  const out = () => {
    const p = m._pa_wasm_chat_out();
    return m.HEAPU8.slice(p, p + m._pa_wasm_chat_out_len());
  };
  const check = (rc, what) => {
    if (rc < 0) {
      const fault = m._pa_wasm_chat_fault();
      throw new ChatError(`${what}: ${m.UTF8ToString(m._pa_wasm_chat_error())}`, -rc,
        fault ? m.UTF8ToString(m._pa_wasm_chat_fault_name(fault)) : '');
    }
    return rc;
  };
  // Output bytes copied out, then wiped in the module (they may be secret).
  const take = (rc, what) => {
    check(rc, what);
    const b = out();
    m._pa_wasm_chat_out_wipe();
    return b;
  };
  const withBytes = (bytes, fn) => {
    const p = m._malloc(bytes.length || 1);
    m.HEAPU8.set(bytes, p);
    try {
      return fn(p, bytes.length);
    } finally {
      m.HEAPU8.fill(0, p, p + bytes.length);
      m._free(p);
    }
  };
  const withString = (s, fn) => withBytes(enc.encode(`${s}\0`), (p) => fn(p));
  return {
    identityCreate: (now, opks) => check(m._pa_wasm_chat_identity_create(now, opks), 'identity'),
    identityKey: (h) => take(m._pa_wasm_chat_identity_key(h), 'identity key'),
    spkRotateIfDue: (h, now) => check(m._pa_wasm_chat_spk_rotate_if_due(h, now), 'rotate'),
    opkReplenish: (h, below, batch) => check(m._pa_wasm_chat_opk_replenish(h, below, batch), 'replenish'),
    opkNextId: (h) => m._pa_wasm_chat_opk_next_id(h),
    bundle: (h, first = 1) => take(m._pa_wasm_chat_bundle(h, first), 'bundle'),
    start: (h, bundle) => withBytes(bundle, (p, n) => check(m._pa_wasm_chat_start(h, p, n), 'start')),
    // A session-start message's session (a resend), 0 when it needs accept.
    owner: (msg) => withBytes(msg, (p, n) => check(m._pa_wasm_chat_owner(p, n), 'owner')),
    accept(h, msg) {
      const session = withBytes(msg, (p, n) => check(m._pa_wasm_chat_accept(h, p, n), 'accept'));
      const plain = out();
      m._pa_wasm_chat_out_wipe();
      return { session, plain };
    },
    encrypt: (s, plain) => withBytes(plain, (p, n) => take(m._pa_wasm_chat_encrypt(s, p, n), 'encrypt')),
    decrypt: (s, msg) => withBytes(msg, (p, n) => take(m._pa_wasm_chat_decrypt(s, p, n), 'decrypt')),
    safety: (s, me, peer) => withString(me, (a) => withString(peer, (b) =>
      new TextDecoder().decode(take(m._pa_wasm_chat_safety(s, a, b), 'safety')))),
    seal: (h, key, gen) => withBytes(key, (k) => take(m._pa_wasm_chat_seal(h, k, gen), 'seal')),
    // kind 1 identity, 2 session.
    open: (kind, key, min, blob) => withBytes(key, (k) =>
      withBytes(blob, (p, n) => check(m._pa_wasm_chat_open(kind, k, min, p, n), 'open'))),
    attachEncrypt(bytes) {
      const b = withBytes(bytes, (p, n) => take(m._pa_wasm_chat_attach_encrypt(p, n), 'attachment'));
      return { key: b.slice(0, 56), sealed: b.slice(56) };
    },
    attachDecrypt: (key, sealed) => withBytes(key, (k) =>
      withBytes(sealed, (p, n) => take(m._pa_wasm_chat_attach_decrypt(k, p, n), 'attachment'))),
    free: (h) => m._pa_wasm_chat_free(h),
  };
}

// Base64 of bytes (standard alphabet, padded), as the server's JSON carries them.
export function toB64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromB64(text) {
  const s = atob(text);
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}
