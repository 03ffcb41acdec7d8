// Service health (issue 19, item 6): GET /metrics in Prometheus' text format
// behind the operator's bearer token (PA_METRICS_TOKEN), the JSON request
// log on stderr, and a real Prometheus (Debian's `prometheus`, installed by
// scripts/setup) scraping the server. Waits are for conditions (bounded
// polling as a hang guard), never for time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startPaysim, until } from '../lib/paysim.mjs';
import { Client, assertError, chatBundle, email, startServer, stopServer } from './helpers.mjs';

const PROMETHEUS = process.env.PA_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
// PA_API_OPS_TOKEN_MIN / _MAX (web/src/api/api.h).
const TOKEN_MIN = 32;
const TOKEN_MAX = 256;
// The servers run with the shortest token allowed (an edge): 4 + 7 × 4 bytes.
const token = `tok-${'Zq7x'.repeat(7)}`;
const bearer = (t) => ({ authorization: `Bearer ${t}` });

/** The exposition as {name, labels, value} samples, plus the HELP/TYPE lines. */
function parseExposition(text) {
  const samples = [];
  const types = new Map();
  const helps = new Set();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m;
    if ((m = /^# TYPE (\S+) (counter|gauge|histogram)$/.exec(line))) { types.set(m[1], m[2]); continue; }
    if ((m = /^# HELP (\S+) .+$/.exec(line))) { helps.add(m[1]); continue; }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
    const labels = {};
    if (m[2]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/g;
      let l, used = 0;
      while ((l = re.exec(m[2]))) { labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c)); used = re.lastIndex; }
      assert.equal(used, m[2].length, `labels not understood: ${m[2]}`);
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { samples, types, helps };
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const key = (l) => `${l.method} ${l.route}`;

/** A TCP port nobody listens on now (for Prometheus' own web address). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

describe('GET /metrics: only with the operator\'s token', () => {
  let server, off, person;
  before(async () => {
    server = await startServer({ env: { PA_METRICS_TOKEN: token } });
    off = await startServer({ env: { PA_METRICS_TOKEN: '' } });
    person = new Client(server);
    await person.signup(email('metrics'), 'correct horse battery', 'Metrics Person');
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await stopServer(off, { keepData: false });
  });

  test('without PA_METRICS_TOKEN the route does not exist: 404, whatever is sent', async () => {
    const c = new Client(off);
    for (const headers of [{}, bearer(token), bearer('')]) {
      const r = await c.get('/metrics', { headers });
      assert.equal(r.status, 404);
      assert.equal(r.buf.toString(), '404 Not Found\n');
      assert.equal(r.headers['www-authenticate'], undefined);
    }
  });

  test('no token, a wrong one, another scheme or a person\'s session: 401 and nothing else', async () => {
    const anon = new Client(server);
    const wrong = token.slice(0, -1) + (token.at(-1) === 'a' ? 'b' : 'a'); // same length, last byte differs
    const cases = [
      ['no Authorization', anon, {}],
      ['a wrong token of the same length', anon, bearer(wrong)],
      ['the token with a byte more', anon, bearer(token + 'a')],
      ['the token cut short', anon, bearer(token.slice(0, -1))],
      ['Basic with the token', anon, { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` }],
      ['the token without a scheme', anon, { authorization: token }],
      ['two tokens', anon, { authorization: `Bearer ${token} ${token}` }],
      ['a signed-in person\'s cookie', person, {}],
      ['a person\'s cookie and a wrong token', person, bearer(wrong)],
    ];
    for (const [what, c, headers] of cases) {
      const r = await c.get('/metrics', { headers });
      assert.equal(r.status, 401, what);
      assert.equal(r.headers['www-authenticate'], 'Bearer realm="petamigos-ops"', what);
      assert.ok(!r.buf.toString().includes('pa_http'), what);
    }
    // The person is really signed in (the cookie above was a live session).
    assert.equal((await person.get('/api/v1/auth/session')).body.user.id, person.user.id);
  });

  test('the token opens it: text format 0.0.4, any case of the scheme; other methods find nothing', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const r = await new Client(server).get('/metrics', { headers: { authorization: `${scheme} ${token}` } });
      assert.equal(r.status, 200, scheme);
      assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.match(r.buf.toString(), /^# HELP pa_http_requests_total /);
    }
    const head = await new Client(server).request('HEAD', '/metrics', { headers: bearer(token) });
    assert.equal(head.status, 200);
    const post = await new Client(server).post('/metrics', {}, { headers: bearer(token) });
    assert.notEqual(post.status, 200);
    assert.ok(!post.buf.toString().includes('pa_http'));
  });

  test('PA_METRICS_TOKEN at its edges: 32 and 256 bytes start, 31 and 257 (or a space) do not', async () => {
    for (const bad of ['a'.repeat(TOKEN_MIN - 1), 'a'.repeat(TOKEN_MAX + 1), `${'a'.repeat(TOKEN_MIN)} b`]) {
      await assert.rejects(startServer({ seed: false, env: { PA_METRICS_TOKEN: bad } }), /PA_METRICS_TOKEN must be|PA_METRICS_TOKEN may hold only/);
    }
    const long = 'L'.repeat(TOKEN_MAX);
    const s = await startServer({ seed: false, env: { PA_METRICS_TOKEN: long } });
    try {
      assert.equal((await new Client(s).get('/metrics', { headers: bearer(long) })).status, 200);
      assert.equal((await new Client(s).get('/metrics', { headers: bearer(long.slice(1)) })).status, 401);
    } finally {
      await stopServer(s, { keepData: false });
    }
    // The main server runs with the shortest allowed token (it opened /metrics above).
    assert.equal(token.length, TOKEN_MIN);
  });

  test('the exposition: HELP and TYPE for every family, route patterns (no ids), a consistent histogram', async () => {
    const anon = new Client(server);
    // Requests with ids in their paths, answered 200 and 404, and a static file.
    const u = person.user.id;
    assert.equal((await anon.get(`/api/v1/users/${u}`)).status, 200);
    assertError(await anon.get('/api/v1/users/u_987654'), 404, 'not_found');
    assertError(await anon.get('/api/v1/no-such-thing/u_5'), 404, 'not_found');
    const { samples, types, helps } = parseExposition((await anon.get('/metrics', { headers: bearer(token) })).buf.toString());
    for (const [name, type] of Object.entries({
      pa_http_requests_total: 'counter', pa_http_request_duration_seconds: 'histogram',
      pa_http_request_errors_total: 'counter', pa_http_response_bytes_total: 'counter',
      pa_net_transport_errors_total: 'counter', pa_net_connections: 'gauge', pa_net_websockets: 'gauge',
      pa_pool_queue_depth: 'gauge', pa_pool_rejected_total: 'counter', pa_store_seconds_total: 'counter',
      pa_store_steps_total: 'counter', process_resident_memory_bytes: 'gauge',
      process_start_time_seconds: 'gauge', pa_uptime_seconds: 'gauge',
    })) {
      assert.equal(types.get(name), type, name);
      assert.ok(helps.has(name), name);
      const base = (s) => s.name.replace(/_(bucket|sum|count)$/, '');
      assert.ok(samples.some((s) => s.name === name || (type === 'histogram' && base(s) === name)), `no sample of ${name}`);
    }
    // Route labels are the table's templates: no id of any request made.
    const routes = new Set(samples.filter((s) => s.labels.route).map((s) => s.labels.route));
    assert.ok(routes.has('/api/v1/users/{u}'), [...routes].join(' '));
    assert.ok(routes.has('unmatched'));
    for (const r of routes) assert.doesNotMatch(r, /u_\d|987654|\/u_5/, r);
    const users = (name) => samples.filter((s) => s.name === name && s.labels.route === '/api/v1/users/{u}' && s.labels.method === 'GET');
    assert.equal(users('pa_http_requests_total').find((s) => s.labels.status === '2xx').value, 1);
    assert.equal(users('pa_http_requests_total').find((s) => s.labels.status === '4xx').value, 1);
    assert.equal(users('pa_http_request_duration_seconds_count')[0].value, 2);
    // The database was used, the process is alive and the connection counted.
    const one = (name) => samples.find((s) => s.name === name).value;
    assert.ok(one('pa_store_steps_total') > 0);
    assert.ok(one('pa_store_seconds_total') > 0);
    assert.ok(one('process_resident_memory_bytes') > 1e6);
    assert.ok(one('pa_net_connections') >= 1);
    assert.ok(one('process_start_time_seconds') > 1.7e9);
    checkHistograms(samples, { skip: '/metrics' });
  });
});

/**
 * Every route's histogram is cumulative and ends in _count, and _count equals
 * the sum of its status counters (kept apart in the server). The route that
 * is being scraped while the exposition is written (skip) may be a request apart.
 */
function checkHistograms(samples, { skip }) {
  const byRoute = new Map();
  for (const s of samples) {
    if (!s.labels.route || s.labels.route === skip) continue;
    const k = key(s.labels);
    if (!byRoute.has(k)) byRoute.set(k, { buckets: [], statuses: [], count: null });
    const e = byRoute.get(k);
    if (s.name === 'pa_http_request_duration_seconds_bucket') e.buckets.push([s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), s.value]);
    if (s.name === 'pa_http_request_duration_seconds_count') e.count = s.value;
    if (s.name === 'pa_http_requests_total') e.statuses.push(s.value);
  }
  assert.ok(byRoute.size >= 2, 'too few routes to check');
  for (const [k, e] of byRoute) {
    assert.equal(e.buckets.length, 14, `${k}: 13 bounds and +Inf`);
    for (let i = 1; i < e.buckets.length; i++) {
      assert.ok(e.buckets[i][0] > e.buckets[i - 1][0], `${k}: bounds in order`);
      assert.ok(e.buckets[i][1] >= e.buckets[i - 1][1], `${k}: cumulative`);
    }
    assert.equal(e.buckets.at(-1)[1], e.count, `${k}: +Inf is _count`);
    assert.equal(sum(e.statuses), e.count, `${k}: _count is the sum of the status counters`);
    assert.ok(e.count > 0, k);
  }
}

describe('the request log: one JSON line per request, no secrets', () => {
  let sim, server;
  before(async () => {
    sim = await startPaysim();
    server = await startServer({ env: { ...sim.serverEnv(), PA_METRICS_TOKEN: token } });
  });
  after(async () => {
    try {
      await stopServer(server, { keepData: false });
    } finally {
      await sim.stop();
    }
  });

  test('a login, a chat message, a checkout, a search and a scrape leave their lines and none of their secrets', async () => {
    const password = `pw-${process.pid}-Sekrit-Passphrase`;
    const mail = email('logcheck');
    const secretWord = `zebrafinch${process.pid}`;
    const messageText = `MessageTextNeverLogged${process.pid}`;
    const envelopeBody = Buffer.from(messageText).toString('base64');

    const alice = new Client(server);
    await alice.signup(mail, password, 'Log Alice');
    assert.equal((await alice.post('/api/v1/auth/logout', {})).status, 200);
    await alice.login(mail, password);
    const bob = new Client(server);
    await bob.signup(email('logbob'), `${password}-bob`, 'Log Bob');

    // A chat message from alice's device to bob's, over the socket.
    const devA = (await alice.post('/api/v1/chat/devices', { bundle: chatBundle() })).body.id;
    const devB = (await bob.post('/api/v1/chat/devices', { bundle: chatBundle() })).body.id;
    assert.ok(devA && devB);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/chat/socket?device=${devA}`, {
      headers: { cookie: `pa_session=${alice.cookie}` }, origin: `http://127.0.0.1:${server.port}`,
    });
    const frames = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    await until('hello', () => frames.some((f) => f.type === 'hello'));
    ws.send(JSON.stringify({ type: 'send', id: 'log-1', to: bob.user.id, envelopes: [{ device: devB, body: envelopeBody }] }));
    await until('sent', () => frames.some((f) => f.type === 'sent'));
    await new Promise((r) => { ws.once('close', r); ws.close(); });

    // A checkout at the (simulated) provider.
    const co = await alice.post('/api/v1/billing/checkout', { plan: 'plus_yearly', provider: 'paypal', country: 'US' });
    assert.equal(co.status, 201, JSON.stringify(co.body));

    // A search (its words are in the query string) and a scrape with the token.
    assert.equal((await alice.get(`/api/v1/search?q=${secretWord}&type=people`)).status, 200);
    assert.equal((await alice.get('/metrics', { headers: bearer(token) })).status, 200);

    // Every line the server wrote is one JSON object (it writes nothing else).
    await until('the scrape logged', () => server.stderr.includes('"route":"/metrics"'));
    const lines = server.stderr.split('\n').filter((l) => l !== '');
    const parsed = lines.map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        assert.fail(`a log line that is not JSON: ${l}`);
      }
    });
    // Nothing secret, personal or private anywhere in the log.
    const secrets = {
      password, email: mail, 'email local part': mail.split('@')[0], 'session cookie': alice.cookie,
      'csrf token': alice.csrf, 'metrics token': token, 'message body': envelopeBody, 'message text': messageText,
      'search word': secretWord, 'device query': `device=${devA}`, 'PayPal secret': sim.serverEnv().PA_PAYPAL_SECRET,
      'approve url': co.body.checkout.approve_url,
    };
    for (const [what, s] of Object.entries(secrets)) {
      assert.ok(s && s.length >= 8, `${what} is a real value`);
      assert.ok(!server.stderr.includes(s), `the log holds the ${what}`);
    }
    const requests = parsed.filter((o) => o.msg === 'request');
    for (const r of requests) {
      assert.deepEqual(Object.keys(r), ['time', 'level', 'msg', 'id', 'method', 'route', 'status', 'us', 'bytes', 'db_us']);
      assert.match(r.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.match(r.id, /^[0-9a-f]{8}-[0-9a-f]+$/);
      for (const f of ['status', 'us', 'bytes', 'db_us']) assert.ok(Number.isInteger(r[f]) && r[f] >= 0, `${f}: ${r[f]}`);
      assert.ok(r.db_us <= r.us, JSON.stringify(r));
    }
    assert.equal(new Set(requests.map((r) => r.id)).size, requests.length, 'request ids are unique');
    const seen = (method, route, status) => requests.some((r) => r.method === method && r.route === route && r.status === status);
    assert.ok(seen('POST', '/api/v1/auth/login', 200));
    assert.ok(seen('GET', '/api/v1/chat/socket', 101));
    assert.ok(seen('POST', '/api/v1/billing/checkout', 201));
    assert.ok(seen('GET', '/api/v1/search', 200));
    assert.ok(seen('GET', '/metrics', 200));
    assert.ok(requests.some((r) => r.db_us > 0), 'database time is logged');

    // And no raw path with an id: routes are patterns.
    assert.ok(!requests.some((r) => /\/(u|co|d)_\d/.test(r.route)), 'a route with an id');
    // The answer names its request: X-Request-Id is the log's id.
    const x = await alice.get('/api/v1/auth/session');
    await until('its line', () => server.stderr.includes(`"id":"${x.headers['x-request-id']}"`));
  });
});

describe('a real Prometheus scrapes the server', () => {
  let server, prom, tmp;
  before(async () => {
    try {
      execFileSync(PROMETHEUS, ['--version'], { stdio: 'ignore' });
    } catch {
      assert.fail(`${PROMETHEUS} is missing: run scripts/setup (Debian package prometheus)`);
    }
    server = await startServer({ env: { PA_METRICS_TOKEN: token } });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'pa-prom-'));
  });
  after(async () => {
    try {
      if (prom) await prom.stop();
    } finally {
      await stopServer(server, { keepData: false });
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('the request counter of a route reaches Prometheus; up is 1; the histogram adds up', async () => {
    const port = await freePort();
    await writeFile(path.join(tmp, 'token'), token, { mode: 0o600 });
    await writeFile(path.join(tmp, 'prometheus.yml'), [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: petamigos',
      '    metrics_path: /metrics',
      '    authorization:',
      '      type: Bearer',
      `      credentials_file: ${path.join(tmp, 'token')}`,
      '    static_configs:',
      `      - targets: ['127.0.0.1:${server.port}']`,
      '',
    ].join('\n'));
    prom = startPrometheus(['--config.file', path.join(tmp, 'prometheus.yml'), '--storage.tsdb.path', path.join(tmp, 'data'),
      '--web.listen-address', `127.0.0.1:${port}`]);
    const query = async (q) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`).catch(() => null);
      if (!res || res.status !== 200) return null;
      const body = await res.json();
      assert.equal(body.status, 'success', JSON.stringify(body));
      return body.data.result;
    };
    // Prometheus up and scraping us successfully (with the token from the file).
    await until('prometheus scraping the server', async () => {
      prom.check();
      const r = await query('up{job="petamigos"}');
      return r && r.length === 1 && r[0].value[1] === '1';
    }, { tries: 2400 });

    // N requests to one route pattern with different ids and answers.
    const anon = new Client(server);
    const N = 7;
    const users = ['u_1', 'u_2', 'u_3', 'u_987654', 'u_987655', 'u_1', 'u_2'];
    for (const u of users) assert.ok([200, 404].includes((await anon.get(`/api/v1/users/${u}`)).status));
    assert.equal(users.length, N);
    assert.ok([200, 404].includes((await anon.get('/')).status)); // the "static" family (tests/corpus has no page)
    await until(`the counter of GET /api/v1/users/{u} at ${N}`, async () => {
      prom.check();
      const r = await query('sum(pa_http_requests_total{job="petamigos",method="GET",route="/api/v1/users/{u}"})');
      return r && r.length === 1 && Number(r[0].value[1]) === N;
    }, { tries: 2400 });
    // The histogram's count in Prometheus agrees.
    const count = await query('pa_http_request_duration_seconds_count{job="petamigos",route="/api/v1/users/{u}"}');
    assert.equal(Number(count[0].value[1]), N);

    // The raw exposition: every route's histogram against its status counters.
    const { samples } = parseExposition((await anon.get('/metrics', { headers: bearer(token) })).buf.toString());
    checkHistograms(samples, { skip: '/metrics' });
  });
});

/** Prometheus as its own process: check() fails when it ended; stop() ends it and waits. */
function startPrometheus(args) {
  const child = spawn(PROMETHEUS, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => { log = (log + c).slice(-20000); });
  let exit = null;
  const exited = new Promise((r) => child.once('exit', (code, signal) => { exit = { code, signal }; r(exit); }));
  return {
    check() {
      if (exit) assert.fail(`prometheus exited (${exit.code ?? exit.signal}):\n${log}`);
    },
    async stop() {
      if (exit) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000); // a hang guard
      const { code, signal } = await exited;
      clearTimeout(timer);
      assert.equal(code, 0, `prometheus did not stop cleanly (${code ?? signal}):\n${log}`);
    },
  };
}
