// Drafts that survive a reload: the composers keep what the person made
// (caption, prepared photo bytes, alt texts, chosen pet, uploads already done)
// in IndexedDB under a key per composer, and clear it after posting.
// Failures to store are reported, never thrown: the draft still lives on screen.
import { keyValueStore } from './idb.js';

const drafts = keyValueStore('petamigos-drafts', 'drafts');

export async function loadDraft(key) {
  try {
    return (await drafts.get(key)) ?? null;
  } catch (err) {
    console.info('draft not readable:', err?.message);
    return null;
  }
}

// → true when stored.
export async function saveDraft(key, value) {
  try {
    await drafts.put(key, value);
    return true;
  } catch (err) {
    console.info('draft not stored:', err?.message);
    return false;
  }
}

export async function clearDraft(key) {
  try {
    await drafts.delete(key);
  } catch (err) {
    console.info('draft not cleared:', err?.message);
  }
}
