// Injected failures of the providers' APIs (POST /__sim/faults): the next
// `times` calls whose method and path match answer 500, or never answer
// (timeout: nothing was done; after-timeout: the work was done first, the
// case an idempotency key exists for).
import { book } from './book.mjs';

const FAULT_ACTIONS = ['500', 'timeout', 'after-timeout'];

/** Adds a fault; returns an error sentence when the request is malformed. */
export function addFault({ method, path, action, times = 1 }) {
  if (typeof method !== 'string' || typeof path !== 'string') return 'method and path (a regex) are required';
  if (!FAULT_ACTIONS.includes(action)) return `action must be one of ${FAULT_ACTIONS.join(', ')}`;
  if (!Number.isInteger(times) || times < 1) return 'times must be a positive integer';
  try {
    new RegExp(path);
  } catch (e) {
    return `path is not a regex: ${e.message}`;
  }
  book.state.faults.push({ method: method.toUpperCase(), path, action, times });
  return null;
}

/** The action of the first fault matching this call (using one of its times), or null. subpath: after /paypal or /mercadopago. */
export function takeFault(method, subpath) {
  const faults = book.state.faults;
  const i = faults.findIndex((f) => f.method === method && new RegExp(f.path).test(subpath));
  if (i < 0) return null;
  const f = faults[i];
  if (--f.times === 0) faults.splice(i, 1);
  return f.action;
}
