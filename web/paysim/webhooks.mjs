// Webhooks: signing (PayPal's RSA transmission signature, Mercado Pago's
// x-signature HMAC), the delivery queue and the network's misbehaviour
// (hold and release in any order, drop, duplicate), with retries.
import { createHmac, createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { book, isoTime, withQuery } from './book.mjs';

export const DELIVERY_MODES = ['deliver', 'hold', 'drop', 'duplicate'];
// PayPal retries a failed delivery up to 25 times (its webhooks overview).
const MAX_ATTEMPTS = 25;
// How long one delivery may take before it counts as failed.
const DELIVERY_TIMEOUT_MS = 10000;
export const CERT_PATH = 'paypal/certs/paysim.pem';
const AUTH_ALGO = 'SHA256withRSA';

const timers = new Set();
const inFlight = new Set();
// First attempts and retries go out one at a time, in queue order, so
// "release reverse" reaches the receiver in reverse order.
let lane = Promise.resolve();
let stopped = false;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (zlib's polynomial) of bytes, unsigned: what PayPal signs in place of the body. */
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function certUrl() {
  return book.base + CERT_PATH;
}

function paypalSigned(transmissionId, time, webhookId, body) {
  return `${transmissionId}|${time}|${webhookId}|${crc32(Buffer.from(body))}`;
}

/** The headers of one PayPal delivery attempt (each attempt is a new transmission). */
function paypalHeaders(body) {
  const id = randomUUID();
  const time = isoTime(book.now());
  const signed = paypalSigned(id, time, book.config.paypal_webhook_id, body);
  const sig = sign('sha256', Buffer.from(signed), createPrivateKey(book.state.signing.key));
  return {
    'paypal-transmission-id': id,
    'paypal-transmission-time': time,
    'paypal-transmission-sig': sig.toString('base64'),
    'paypal-cert-url': certUrl(),
    'paypal-auth-algo': AUTH_ALGO,
  };
}

/** The x-signature manifest Mercado Pago documents: "id:<data.id>;request-id:<x-request-id>;ts:<ts>;". */
function mpManifest(dataId, requestId, ts) {
  return `id:${dataId};request-id:${requestId};ts:${ts};`;
}

function mpHeaders(dataId) {
  const requestId = randomUUID();
  const ts = Math.floor(book.now() / 1000);
  const v1 = createHmac('sha256', book.config.mp_webhook_secret).update(mpManifest(dataId, requestId, ts)).digest('hex');
  return { 'x-request-id': requestId, 'x-signature': `ts=${ts},v1=${v1}` };
}

/** POST /v1/notifications/verify-webhook-signature: checks a transmission as PayPal would. */
export function verifyPaypal({ transmission_id, transmission_time, cert_url, auth_algo, transmission_sig, webhook_id, webhook_event }) {
  if (webhook_id !== book.config.paypal_webhook_id || cert_url !== certUrl() || auth_algo !== AUTH_ALGO) return false;
  if (typeof transmission_sig !== 'string' || !webhook_event || typeof webhook_event !== 'object') return false;
  // The signature covers the bytes sent; the event comes back parsed, so use
  // the body as sent when it is ours, else its JSON text.
  const sent = book.state.deliveries.find((d) => d.provider === 'paypal' && d.event_id === webhook_event.id);
  const body = sent ? sent.body : JSON.stringify(webhook_event);
  const signed = paypalSigned(transmission_id, transmission_time, webhook_id, body);
  return verify('sha256', Buffer.from(signed), createPublicKey(book.state.signing.cert), Buffer.from(transmission_sig, 'base64'));
}

/**
 * Queues one event for delivery. provider 'paypal': event is the webhook
 * body; 'mercadopago': event is the notification body, dataId and topic go
 * in the URL. Never waits for the delivery.
 */
export function enqueue(provider, event, { dataId, topic } = {}) {
  const d = {
    provider,
    event_id: String(event.id),
    type: topic ?? event.event_type,
    data_id: dataId ?? null,
    topic: topic ?? null,
    body: JSON.stringify(event),
    attempts: 0,
    last_status: null,
    delivered: false,
    held: false,
    dropped: false,
  };
  const mode = book.state.delivery_mode;
  book.state.deliveries.push(d);
  if (mode === 'drop') d.dropped = true;
  else if (mode === 'hold') d.held = true;
  else {
    send(d);
    if (mode === 'duplicate') {
      const copy = { ...d };
      book.state.deliveries.push(copy);
      send(copy);
    }
  }
}

/** Sends the held deliveries, oldest first or newest first. Returns how many. */
export function release(order) {
  const held = book.state.deliveries.filter((d) => d.held);
  if (order === 'reverse') held.reverse();
  for (const d of held) {
    d.held = false;
    send(d);
  }
  return held.length;
}

/** GET /__sim/deliveries. */
export function listDeliveries() {
  return book.state.deliveries.map(({ provider, event_id, type, attempts, last_status, delivered, held, dropped }) => ({
    provider, event_id, type, attempts, last_status, delivered, held, dropped,
  }));
}

/** After a restart: what was on its way goes out again. */
export function resume() {
  for (const d of book.state.deliveries) if (!d.delivered && !d.held && !d.dropped && d.attempts < MAX_ATTEMPTS) send(d);
}

/** Stops every timer and connection (shutdown). */
export function stopDeliveries() {
  stopped = true;
  for (const t of timers) clearTimeout(t);
  for (const r of inFlight) r.destroy();
}

function send(d) {
  // A failure here must not stop the lane for every later delivery.
  lane = lane.then(() => attempt(d)).catch((e) => console.error(`paysim: delivery ${d.event_id}: ${e.stack}`));
}

async function attempt(d) {
  if (stopped) return;
  d.attempts++;
  let status;
  try {
    status = await post(d);
  } catch (e) {
    status = e.code ?? 'error';
  }
  d.last_status = status;
  d.delivered = typeof status === 'number' && status >= 200 && status < 300;
  if (!d.delivered && d.attempts < MAX_ATTEMPTS && !stopped) {
    const t = setTimeout(() => {
      timers.delete(t);
      send(d);
    }, book.config.retry_ms * 2 ** (d.attempts - 1));
    timers.add(t);
  }
  book.save();
}

/** One HTTP POST of a delivery; resolves with the status, rejects on a network error. */
function post(d) {
  const paypal = d.provider === 'paypal';
  const base = paypal ? book.config.paypal_webhook_url : book.config.mp_webhook_url;
  if (!base) return Promise.resolve('no-url');
  const url = paypal ? base : withQuery(base, { 'data.id': d.data_id, type: d.topic });
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(d.body),
    'user-agent': paypal ? 'PayPal/AUHD-214.0-58395451' : 'MercadoPago WebHook v1.0 payment',
    ...(paypal ? paypalHeaders(d.body) : mpHeaders(d.data_id)),
  };
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.request(url, { method: 'POST', headers, timeout: DELIVERY_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', reject);
    });
    inFlight.add(req);
    req.on('close', () => inFlight.delete(req));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', reject);
    req.end(d.body);
  });
}
