// The chat's IndexedDB, one database per signed-in account
// ("petamigos-chat-u_N"), so two people sharing a browser never share keys.
// Stores (all keyed by the records' `key` field unless said otherwise):
//   keys      'vault': the non-extractable AES-GCM key and the wrapped vault key (vault.js)
//   state     'identity': {blob, gen, device, opkFrom} — the sealed identity
//   sessions  {key, peer, device, blob, gen, used}   — sealed ratchet sessions
//   messages  {key: peer|cid, peer, sealed}          — history, sealed (vault.js)
//   outbox    {key: cid, at, sealed}                 — not yet accepted by the server
//   convs     {key: peer, sealed}                    — list entries and drafts, sealed
// Everything that holds message text or keys is sealed before it is stored.
const STORES = ['keys', 'state', 'sessions', 'messages', 'outbox', 'convs'];

const dbName = (user) => `petamigos-chat-${user}`;

export function openStore(user) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(dbName(user), 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const name of STORES) {
        const s = db.createObjectStore(name, { keyPath: 'key' });
        if (name === 'messages' || name === 'sessions') s.createIndex('peer', 'peer');
      }
    };
    req.onsuccess = () => {
      // Another tab deleting this database (chat signed out there) must not wait for us.
      req.result.onversionchange = () => req.result.close();
      resolve(wrap(req.result));
    };
    req.onerror = () => reject(req.error);
  });
}

// This browser's chat device id for user ('d_N'), or null when chat never
// registered one here. Never creates the database: opening one that does not
// exist is aborted in its upgrade.
export function storedDevice(user) {
  return new Promise((resolve) => {
    const req = indexedDB.open(dbName(user));
    req.onupgradeneeded = () => req.transaction.abort();
    req.onerror = () => resolve(null);
    req.onsuccess = () => {
      const db = req.result;
      try {
        const get = db.transaction('state', 'readonly').objectStore('state').get('identity');
        get.onsuccess = () => resolve(get.result?.device ?? null);
        get.onerror = () => resolve(null);
      } catch {
        resolve(null); // an older or foreign database without the store
      }
      db.close();
    };
  });
}

// Deletes user's chat database (keys, sessions, history, outbox) in this
// browser. Resolves when it is gone, or failed; open copies close themselves
// (onversionchange above).
export function deleteStore(user) {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(dbName(user));
    req.onsuccess = () => resolve(true);
    req.onerror = () => resolve(false);
  });
}

function wrap(db) {
  // Runs fn(stores) in one transaction over names; resolves when it commits.
  const tx = (names, mode, fn) => new Promise((resolve, reject) => {
    const t = db.transaction(names, mode);
    const stores = Object.fromEntries(names.map((n) => [n, t.objectStore(n)]));
    let result;
    Promise.resolve(fn(stores)).then((r) => { result = r; }, (e) => { t.abort(); reject(e); });
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error ?? new Error('aborted'));
  });
  const req = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  return {
    get: (store, key) => tx([store], 'readonly', (s) => req(s[store].get(key))),
    all: (store, peer) => tx([store], 'readonly', (s) =>
      req(peer === undefined ? s[store].getAll() : s[store].index('peer').getAll(peer))),
    // put('store', rec, 'store2', rec2, ...) in one transaction.
    put(...pairs) {
      const names = [...new Set(pairs.filter((_, i) => i % 2 === 0))];
      return tx(names, 'readwrite', (s) => {
        for (let i = 0; i < pairs.length; i += 2) s[pairs[i]].put(pairs[i + 1]);
      });
    },
    del: (store, key) => tx([store], 'readwrite', (s) => { s[store].delete(key); }),
    // Several puts and deletes at once: ops = [['put', store, rec] | ['del', store, key]].
    batch(ops) {
      const names = [...new Set(ops.map((o) => o[1]))];
      return tx(names, 'readwrite', (s) => {
        for (const [op, store, v] of ops) (op === 'put' ? s[store].put(v) : s[store].delete(v));
      });
    },
    close: () => db.close(),
  };
}
