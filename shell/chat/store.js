// The chat's IndexedDB, one database per signed-in account
// ("petamigos-chat-u_N"), so two people sharing a browser never share keys.
// Stores (all keyed by the records' `key` field unless said otherwise):
//   keys      'vault': the non-extractable AES-GCM key and the wrapped vault key (vault.js)
//   state     'identity': {blob, gen, device, opkFrom} — the sealed identity
//   sessions  {key, peer, device, blob, gen, used}   — sealed ratchet sessions
//   messages  {key: peer|cid, peer, sealed}          — history, sealed (vault.js)
//   outbox    {key: cid, at, sealed}                 — not yet accepted by the server
//   convs     {key: peer, sealed}                    — list entries and drafts, sealed
//   contacts  {key: peer, sealed}                    — pinned identities (identity.js), sealed
// (state also holds 'aik': {blob, gen}, the sealed account identity key.)
// Everything that holds message text or keys is sealed before it is stored.
import { openDb, transact, deleteDb } from '../idb.js';

const STORES = ['keys', 'state', 'sessions', 'messages', 'outbox', 'convs', 'contacts'];

const dbName = (user) => `petamigos-chat-${user}`;

export async function openStore(user) {
  // Version 2 added contacts; a version 1 database keeps all it has.
  const db = await openDb(dbName(user), 2, (d) => {
    for (const name of STORES) {
      if (d.objectStoreNames.contains(name)) continue;
      const s = d.createObjectStore(name, { keyPath: 'key' });
      if (name === 'messages' || name === 'sessions') s.createIndex('peer', 'peer');
    }
  });
  // Another tab deleting this database (chat signed out there) must not wait for us.
  db.onversionchange = () => db.close();
  return wrap(db);
}

// This browser's chat device id for user ('d_N'), or null when chat never
// registered one here. Never creates the database: opening one that does not
// exist is aborted in its upgrade.
export async function storedDevice(user) {
  let db;
  try {
    db = await openDb(dbName(user), undefined, (_, tx) => tx.abort());
  } catch {
    return null;
  }
  try {
    return (await transact(db, ['state'], 'readonly', (s) => s.state.get('identity')))?.device ?? null;
  } catch {
    return null; // an older or foreign database without the store
  } finally {
    db.close();
  }
}

// Deletes user's chat database (keys, sessions, history, outbox) in this
// browser. Resolves when it is gone (true), or failed (false); open copies
// close themselves (onversionchange above).
export const deleteStore = (user) => deleteDb(dbName(user));

function wrap(db) {
  // Runs fn(stores) in one transaction over names; resolves when it commits.
  const tx = (names, mode, fn) => transact(db, names, mode, fn);
  return {
    get: (store, key) => tx([store], 'readonly', (s) => s[store].get(key)),
    all: (store, peer) => tx([store], 'readonly', (s) =>
      peer === undefined ? s[store].getAll() : s[store].index('peer').getAll(peer)),
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
