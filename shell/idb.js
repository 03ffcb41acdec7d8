// The shell's one way into IndexedDB: promises over opening a database,
// one transaction and deleting a database, and a small
// key-value store over them. Used by drafts.js, ranking.js and chat/store.js;
// their database names, versions and stores are theirs (kept as they were, so
// what people stored before still opens).

// Opens name at version (undefined: whatever version it has); upgrade(db, tx)
// runs when it is created or older, and may tx.abort() to refuse (the open
// then fails). Rejects with the open's error.
export function openDb(name, version, upgrade = () => {}) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, version);
    req.onupgradeneeded = () => upgrade(req.result, req.transaction);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// Runs fn({name: store}) in one transaction over the stores names; resolves
// once it commits, with what fn returned: a request's result, a promise's
// value, or the value itself. A rejected promise from fn aborts it.
export function transact(db, names, mode, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode);
    const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
    let value;
    Promise.resolve(fn(stores)).then((v) => { value = v; }, (err) => { tx.abort(); reject(err); });
    tx.oncomplete = () => resolve(value instanceof IDBRequest ? value.result : value);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('aborted'));
  });
}

// Deletes the database name → true when gone, false when it failed.
export function deleteDb(name) {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve(true);
    req.onerror = () => resolve(false);
  });
}

// A database of one store with keys out of line (version 1, created on first
// use): get/put/delete return promises that reject on failure. The
// connection is opened once and closed when another tab upgrades or deletes
// the database.
export function keyValueStore(dbName, store) {
  let opening = null;
  const db = () => {
    opening ??= openDb(dbName, 1, (d) => d.createObjectStore(store)).then((d) => {
      d.onversionchange = () => { d.close(); opening = null; };
      return d;
    }, (err) => {
      opening = null; // asked again next time
      throw err;
    });
    return opening;
  };
  const run = async (mode, fn) => transact(await db(), [store], mode, (s) => fn(s[store]));
  return {
    get: (key) => run('readonly', (s) => s.get(key)),
    put: (key, value) => run('readwrite', (s) => s.put(value, key)),
    delete: (key) => run('readwrite', (s) => s.delete(key)),
  };
}
