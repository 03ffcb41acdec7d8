// The local stand-in push service (RFC 8030) for the embedded default and
// the tests, and the "browser" side of Web Push in Node (RFC 8291).
//
// As a push service it accepts POST /push/<id> the way FCM or Mozilla's
// autopush do: the body must be aes128gcm (RFC 8188), TTL must be given, and
// the Authorization header must be a VAPID JWT (RFC 8292) signed ES256 by the
// key in its k= parameter, for this service's origin (aud), expiring within
// 24 hours, with a mailto: or https: sub. A push it accepts is kept (201);
// one it refuses gets the status a real service sends (400, 401, 403). A
// test can make an id answer with given statuses first (503, 429, 410).
//
//   const sim = await startPushService();           // in the test's process
//   const ua = browserKeys();                        // p256dh + auth, node:crypto
//   const sub = ua.subscription(sim.endpoint('x'));  // {endpoint, keys}
//   … const [m] = await sim.waitFor('x', 1);  ua.decrypt(m.body) → JSON text
//   await sim.stop();
//
// Run alone (scripts/run): node tests/lib/pushsim.mjs --port N; it prints
// "pushsim listening on http://127.0.0.1:N/" and answers GET /messages/<id>
// with what it kept, so the demo works on one machine.
import crypto from 'node:crypto';
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const WAIT_BOUND_MS = 60000; // hang guard only
export const PUSH_BODY_MAX = 4096; // RFC 8030 §7.2: services must take at least this much
const VAPID_MAX_SECONDS = 24 * 3600; // RFC 8292 §2

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const unb64u = (s) => Buffer.from(s, 'base64url');

/** Verifies a VAPID Authorization header; returns its claims or throws with the reason. */
export function verifyVapid(header, { audience, now = Date.now() / 1000 }) {
  const m = /^vapid t=([A-Za-z0-9_.-]+), ?k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) throw Object.assign(new Error('no vapid authorization'), { status: 401 });
  const [, jwt, k] = m;
  const parts = jwt.split('.');
  if (parts.length !== 3) throw Object.assign(new Error('malformed jwt'), { status: 401 });
  const head = JSON.parse(unb64u(parts[0]).toString());
  const claims = JSON.parse(unb64u(parts[1]).toString());
  if (head.alg !== 'ES256') throw Object.assign(new Error('alg is not ES256'), { status: 401 });
  const point = unb64u(k);
  if (point.length !== 65 || point[0] !== 4) throw Object.assign(new Error('k is not a P-256 point'), { status: 401 });
  const key = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(point.subarray(1, 33)), y: b64u(point.subarray(33)) }, format: 'jwk' });
  const ok = crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key, dsaEncoding: 'ieee-p1363' }, unb64u(parts[2]));
  if (!ok) throw Object.assign(new Error('bad signature'), { status: 401 });
  if (claims.aud !== audience) throw Object.assign(new Error(`aud ${claims.aud} is not ${audience}`), { status: 403 });
  if (!(claims.exp > now) || claims.exp > now + VAPID_MAX_SECONDS) throw Object.assign(new Error('exp out of range'), { status: 403 });
  if (!/^(mailto:|https:)/.test(claims.sub ?? '')) throw Object.assign(new Error('sub is not mailto: or https:'), { status: 403 });
  return { claims, key: k };
}

/** A browser's push keys (P-256 + 16-byte auth secret) and RFC 8291 decryption. */
export function browserKeys() {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = crypto.randomBytes(16);
  const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
  return {
    p256dh: b64u(ecdh.getPublicKey()),
    auth: b64u(auth),
    privateKey: ecdh.getPrivateKey(),
    subscription(endpoint, extra = {}) {
      return { endpoint, expirationTime: null, keys: { p256dh: this.p256dh, auth: this.auth }, ...extra };
    },
    /** RFC 8291 §3.4 + RFC 8188, one record: the plaintext as a string. */
    decrypt(body) {
      const salt = body.subarray(0, 16);
      const rs = body.readUInt32BE(16);
      const idlen = body[20];
      const asPublic = body.subarray(21, 21 + idlen);
      const record = body.subarray(21 + idlen);
      if (record.length > rs) throw new Error('more than one record');
      const secret = ecdh.computeSecret(asPublic);
      const prkKey = hmac(auth, secret);
      const info = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), asPublic, Buffer.from([1])]);
      const ikm = hmac(prkKey, info);
      const prk = hmac(salt, ikm);
      const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
      const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
      const d = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
      d.setAuthTag(record.subarray(record.length - 16));
      const padded = Buffer.concat([d.update(record.subarray(0, record.length - 16)), d.final()]);
      let end = padded.length;
      while (end > 0 && padded[end - 1] === 0) end--;
      if (padded[end - 1] !== 2) throw new Error('no last-record delimiter');
      return padded.subarray(0, end - 1).toString('utf8');
    },
  };
}

/**
 * Starts the stand-in on 127.0.0.1. clockOffset: seconds the server's clock
 * runs ahead (PA_TEST_CLOCK_OFFSET), so its exp is judged by its own time.
 */
export async function startPushService({ port = 0, clockOffset = 0, log = () => {} } = {}) {
  const kept = new Map(); // id → [{body, headers, claims, key}]
  const scripted = new Map(); // id → [status, …] answered before accepting
  const refused = []; // {id, status, reason}
  const waiters = new Set();
  let origin = '';
  const wake = () => { for (const w of waiters) w(); };
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => { size += c.length; if (size <= PUSH_BODY_MAX) chunks.push(c); });
    req.on('end', () => {
      const answer = (status, text = '') => { res.writeHead(status, { 'Content-Type': 'text/plain' }); res.end(text); };
      const url = new URL(req.url, origin);
      const get = /^\/messages\/([A-Za-z0-9_-]{1,100})$/.exec(url.pathname);
      if (req.method === 'GET' && get) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify((kept.get(get[1]) ?? []).map((m) => ({ ...m, body: b64u(m.body) }))));
        return;
      }
      const m = /^\/push\/([A-Za-z0-9_-]{1,100})$/.exec(url.pathname);
      if (req.method !== 'POST' || !m) return answer(404, 'no such subscription');
      const id = m[1];
      const refuse = (status, reason) => { refused.push({ id, status, reason }); log(`refused ${id}: ${status} ${reason}`); wake(); answer(status, reason); };
      if (size > PUSH_BODY_MAX) return refuse(413, 'payload too large');
      if (req.headers['content-encoding'] !== 'aes128gcm') return refuse(400, 'content-encoding must be aes128gcm');
      if (!/^\d+$/.test(req.headers.ttl ?? '')) return refuse(400, 'TTL is required');
      if (req.headers.urgency && !['very-low', 'low', 'normal', 'high'].includes(req.headers.urgency)) return refuse(400, 'bad Urgency');
      let vapid;
      try {
        vapid = verifyVapid(req.headers.authorization, { audience: origin.replace(/\/$/, ''), now: Date.now() / 1000 + clockOffset });
      } catch (e) {
        return refuse(e.status ?? 401, e.message);
      }
      const queue = scripted.get(id);
      if (queue?.length) {
        const status = queue.shift();
        refused.push({ id, status, reason: 'scripted' });
        wake();
        return answer(status, 'scripted');
      }
      const list = kept.get(id) ?? [];
      list.push({ body: Buffer.concat(chunks), headers: { ttl: req.headers.ttl, urgency: req.headers.urgency ?? '' }, claims: vapid.claims, key: vapid.key });
      kept.set(id, list);
      log(`kept a push for ${id}`);
      wake();
      res.writeHead(201, { Location: `${origin}messages/${id}` });
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}/`;
  return {
    url: origin,
    origin: origin.replace(/\/$/, ''),
    endpoint: (id) => `${origin}push/${id}`,
    messages: (id) => kept.get(id) ?? [],
    refused: () => refused.slice(),
    /** The next pushes to id get these statuses instead of being kept. */
    answer(id, statuses) { scripted.set(id, [...statuses]); },
    /** Resolves when cond() is true (checked at each push); a bound only as a hang guard. */
    async until(cond, what = 'a push') {
      if (cond()) return;
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`pushsim: waited too long for ${what}`)); }, WAIT_BOUND_MS);
        const check = () => { if (cond()) { clearTimeout(timer); waiters.delete(check); resolve(); } };
        waiters.add(check);
      });
    },
    async waitFor(id, n) {
      await this.until(() => (kept.get(id)?.length ?? 0) >= n, `${n} pushes for ${id}`);
      return kept.get(id);
    },
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--port');
  const sim = await startPushService({ port: i > 0 ? Number(process.argv[i + 1]) : 0, log: (s) => console.log(s) });
  console.log(`pushsim listening on ${sim.url}`);
  const stop = async () => { await sim.stop(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
