// A thin wrapper over the petamigos-chat WASM exports (core/wasm/wasm_chat.c,
// formats in core/src/chat/chat.md, generated wrappers in seam/chat.js). Identities
// and sessions are integer handles owned by the caller (free them). Failures
// throw a ChatError carrying the core's status and, for refused peer bytes, its
// fault name ('replay', 'forged', ...). Works in the browser and in Node (tests
// pass the module).
import { bindChat, PA_ATTACH_KEY_BYTES, PA_LINK_SECRET_BYTES, PA_LINK_AIK_SK_BYTES } from '../seam/chat.js';
import { PaError } from '../seam/heap.js';

// The seam's error (status, statusName, fault), under the name the chat code knows.
export { PaError as ChatError };

// Loads the module in the browser (once).
let loading = null;
export function loadChatModule() {
  loading ??= import('/petamigos-chat.mjs').then(({ default: create }) => create());
  return loading;
}

// The chat exports of module m under the names the chat engine uses; the
// generated wrappers (seam/chat.js) copy, wipe and throw.
export function wrapChat(m) {
  const c = bindChat(m);
  return {
    identityCreate: (now, opks) => c.chatIdentityCreate(now, opks),
    identityKey: (h) => c.chatIdentityKey(h),
    spkRotateIfDue: (h, now) => c.chatSpkRotateIfDue(h, now),
    opkReplenish: (h, below, batch) => c.chatOpkReplenish(h, below, batch),
    opkNextId: (h) => c.chatOpkNextId(h),
    bundle: (h, first = 1) => c.chatBundle(h, first),
    start: (h, bundle) => c.chatStart(h, bundle),
    // A session-start message's session (a resend), 0 when it needs accept.
    owner: (msg) => c.chatOwner(msg),
    accept(h, msg) {
      const { value: session, bytes: plain } = c.chatAccept(h, msg);
      return { session, plain };
    },
    encrypt: (s, plain) => c.chatEncrypt(s, plain),
    decrypt: (s, msg) => c.chatDecrypt(s, msg),
    safety: (s, me, peer) => new TextDecoder().decode(c.chatSafety(s, me, peer)),
    seal: (h, key, gen) => c.chatSeal(h, key, gen),
    // kind: pa_vault_kind (1 identity, 2 session).
    open: (kind, key, min, blob) => c.chatOpen(kind, key, min, blob),
    attachEncrypt(bytes) {
      const b = c.chatAttachEncrypt(bytes);
      return { key: b.slice(0, PA_ATTACH_KEY_BYTES), sealed: b.slice(PA_ATTACH_KEY_BYTES) };
    },
    attachDecrypt: (key, sealed) => c.chatAttachDecrypt(key, sealed),
    free: (h) => c.chatFree(h),
    // A group payload (chat.md, "Groups") checked strictly: its canonical
    // JSON text, what is encrypted and what a receiver trusts. Throws on refusal.
    groupParse: (payload) => new TextDecoder().decode(c.chatGroupParse(payload)),
    // This device's copy of a group after control payload msg from user
    // sender: state is the copy's JSON ('' when new), the result the new JSON.
    // Throws (statusName 'schema') when msg may not change it.
    groupApply: (state, msg, sender, me) => new TextDecoder().decode(c.chatGroupApply(state, msg, sender, me)),
    // ---- the account identity key (AIK) and signed device lists (chat.md)
    aikCreate: () => c.chatAikCreate(),
    aikKey: (h) => c.chatAikKey(h),
    // The 64-byte secret linking hands a new device, and back to a handle.
    aikSecret: (h) => c.chatAikSecret(h),
    aikImport: (secret) => c.chatAikImport(secret),
    // devices: [Uint8Array(32)] → the signed list's bytes.
    devlistSign(h, account, version, at, devices) {
      const flat = new Uint8Array(devices.length * 32);
      devices.forEach((d, i) => { key32(d); flat.set(d, i * 32); });
      return c.chatDevlistSign(h, account, version, at, flat);
    },
    // The list verified for account → {aik, version, at, devices: [Uint8Array(32)]};
    // throws (status, fault 'forged' for a bad signature) otherwise.
    devlistVerify(list, account) {
      const b = c.chatDevlistVerify(list, account);
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const num = (o) => v.getUint32(o) * 2 ** 32 + v.getUint32(o + 4);
      const devices = [];
      for (let i = 0; i < b[49]; i++) devices.push(b.slice(50 + 32 * i, 82 + 32 * i));
      return { aik: b.slice(1, 33), version: num(33), at: num(41), devices };
    },
    // The safety number of two people over their AIKs (myAik: a handle or 32 bytes).
    safetyAccounts(myAik, peerAik, me, peer) {
      const own = typeof myAik === 'number' ? c.chatAikKey(myAik) : key32(myAik);
      return new TextDecoder().decode(c.chatSafetyAccounts(own, key32(peerAik), me, peer));
    },
    // Linking a device (chat.md "Linking a device"). The new device: S, the
    // ephemeral secret (both kept in memory until linkFinish) and the request.
    linkBegin(deviceIk) {
      const b = c.chatLinkBegin(deviceIk);
      const e = PA_LINK_SECRET_BYTES + 32;
      return { secret: b.slice(0, PA_LINK_SECRET_BYTES), ephSk: b.slice(PA_LINK_SECRET_BYTES, e), request: b.slice(e) };
    },
    // The code the new device shows: "lk_N ABCD-EFGH-JKMN-PQRS".
    linkCode: (id, secret) => new TextDecoder().decode(c.chatLinkCode(id, secret)),
    // A typed code: {id, secret}; throws (syntax) when it is not one.
    linkParseCode(text) {
      const b = c.chatLinkCodeParse(text);
      return { secret: b.slice(0, PA_LINK_SECRET_BYTES), id: new TextDecoder().decode(b.slice(PA_LINK_SECRET_BYTES)) };
    },
    // The existing device: the new device's identity key once the request's MAC checks with S.
    linkCheck: (request, secret) => c.chatLinkCheck(request, secret),
    // The existing device: the response carrying the AIK secret and the new signed list.
    linkApprove: (request, secret, aikSk, list) => c.chatLinkApprove(request, secret, aikSk, list),
    // The new device: {aikSk, list} from the response to its own request, checked for account.
    // An own-device copy's plaintext read by the core for the relay's peer `to`:
    // the body (the v1 payload bytes); throws when it is not exactly a copy for `to`.
    copyRead: (plain, to) => c.chatCopyRead(plain, to),
    linkFinish(response, request, secret, ephSk, account) {
      const b = c.chatLinkFinish(response, request, secret, ephSk, account);
      return { aikSk: b.slice(0, PA_LINK_AIK_SK_BYTES), list: b.slice(PA_LINK_AIK_SK_BYTES) };
    },
    // A call signalling payload (bytes from a ratchet message) checked by the
    // core (pa_callsig.h): its canonical JSON parsed, or a ChatError.
    callParse: (bytes) => JSON.parse(new TextDecoder().decode(c.chatCallParse(bytes))),
  };
}

// The core reads exactly 32 bytes from a key argument: a shorter one never reaches it.
function key32(k) {
  if (!(k instanceof Uint8Array) || k.length !== 32) throw new TypeError('chat: a key is 32 bytes');
  return k;
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
