// Drafts that survive a reload: the composers keep what the person made
// (caption, prepared photo bytes, alt texts, chosen pet, uploads already done)
// in IndexedDB under a key per composer, and clear it after posting.
// Failures to store are reported, never thrown: the draft still lives on screen.
const DB = 'petamigos-drafts';
const STORE = 'drafts';
let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  }).catch((err) => {
    opening = null;
    throw err;
  });
  return opening;
}

async function run(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export async function loadDraft(key) {
  try {
    return (await run('readonly', (s) => s.get(key))) ?? null;
  } catch (err) {
    console.info('draft not readable:', err?.message);
    return null;
  }
}

// → true when stored.
export async function saveDraft(key, value) {
  try {
    await run('readwrite', (s) => s.put(value, key));
    return true;
  } catch (err) {
    console.info('draft not stored:', err?.message);
    return false;
  }
}

export async function clearDraft(key) {
  try {
    await run('readwrite', (s) => s.delete(key));
  } catch (err) {
    console.info('draft not cleared:', err?.message);
  }
}
