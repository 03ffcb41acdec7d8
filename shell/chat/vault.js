// Keys at rest (core/src/chat/chat.md, "Saved state and the vault"): a random
// 32-byte vault key seals identities and sessions in the core; it is stored
// only wrapped by a non-extractable AES-GCM CryptoKey that IndexedDB keeps
// (structured clone keeps it non-extractable: script can use it, never read
// it). Message text, drafts and the conversation list are sealed with the
// same CryptoKey (AES-GCM, the record's key as associated data, so records
// cannot be swapped). The unwrapped vault key lives in memory while chat
// runs and is zeroed by wipe().
const enc = new TextEncoder();
const dec = new TextDecoder();

export async function openVault(store) {
  let rec = await store.get('keys', 'vault');
  if (!rec) {
    const aes = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const wrapped = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: enc.encode('vault') }, aes, raw));
    raw.fill(0);
    rec = { key: 'vault', aes, iv, wrapped };
    await store.put('keys', rec);
  }
  const { aes } = rec;
  const raw = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: rec.iv, additionalData: enc.encode('vault') }, aes, rec.wrapped));
  return {
    raw,
    // JSON-able value → {iv, ct} bound to name.
    async seal(name, value) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: enc.encode(name) }, aes,
        enc.encode(JSON.stringify(value))));
      return { iv, ct };
    },
    async open(name, sealed) {
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv, additionalData: enc.encode(name) }, aes, sealed.ct);
      return JSON.parse(dec.decode(plain));
    },
    wipe() { raw.fill(0); },
  };
}
