// The server's public origins (web/README.md, "Origins"): a request whose
// Host names none of them is refused (421) on the API and on pages, which is
// what stops DNS rebinding; signup, login and the chat socket take only an
// Origin that is one of them; oEmbed and the post page's discovery link are
// built from the first origin whatever Host said. Default: the listening
// address (plus localhost on 127.0.0.1); PA_PUBLIC_ORIGINS configures them.
// Node's fetch cannot set Host: node:http (the Client), ws and raw sockets can.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { validateResponse } from '../lib/openapi.mjs';
import { Client, assertError, email, startServer, stopServer } from './helpers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ORIGIN_MAX = 8; // PA_ORIGIN_MAX (web/src/origin.h)
const HOST_MAX = 253; // PA_ORIGIN_HOST_MAX

// The app's page and catalogs, so screens, post pages and embeds are served.
async function siteRoot() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'pa-origins-root-'));
  await cp(path.join(repo, 'locales'), path.join(root, 'locales'), { recursive: true });
  await cp(path.join(repo, 'shell/index.html'), path.join(root, 'index.html'));
  return root;
}

// A page (not /api/) with the given Host: status, type, body as text; held
// to the contract where the contract lists the page.
async function page(client, target, host) {
  const r = await client.get(target, { headers: host ? { host } : {} });
  if (target.startsWith('/embed/')) validateResponse('GET', target, r.status, undefined, r.headers['content-type']);
  return { status: r.status, type: r.headers['content-type'], text: r.buf.toString('utf8') };
}

// The HTTP status the chat socket's upgrade gets (0: it opened). The device
// is nobody's: a request that passes the Host and Origin checks gets 404.
function socketStatus(server, client, { host, origin }) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/chat/socket?device=d_999999`, {
      headers: { cookie: `pa_session=${client.cookie}`, ...(host ? { host } : {}) },
      origin,
    });
    ws.once('open', () => { ws.close(); resolve(0); });
    ws.once('unexpected-response', (req, res) => { res.resume(); req.destroy(); resolve(res.statusCode); });
    ws.on('error', reject); // after an answer, ignored
  });
}

// Bytes as they are (no Host at all), the answer's status and body.
function raw(port, text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('connect', () => socket.write(text));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks).toString('latin1');
      const end = all.indexOf('\r\n\r\n');
      resolve({ status: Number(all.slice(0, end).split(' ')[1]), body: all.slice(end + 4) });
    });
  });
}

const signupBody = (tag) => ({ email: email(tag), password: 'correct horse battery', display_name: 'Origin Test' });

describe('origins: by default the listening address', () => {
  let server, root, anon, alice, post, base, port;
  before(async () => {
    root = await siteRoot();
    server = await startServer({ root });
    ({ port } = server);
    base = `http://127.0.0.1:${port}`;
    anon = new Client(server);
    alice = new Client(server);
    await alice.signup(email('alice'));
    post = (await anon.get('/api/v1/feed?limit=1')).body.posts[0];
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await rm(root, { recursive: true, force: true });
  });

  test('the API answers only for its own host:port (localhost too); any other Host is 421', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`])
      assert.equal((await anon.get('/api/v1/feed?limit=1', { headers: { host } })).status, 200, host);
    for (const host of [`evil.example:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`, `localhost:${port}.evil.example`,
      `evil.example`, `127.0.0.1:${port}@evil.example`, `[::1]:${port}`, `${'a'.repeat(HOST_MAX + 1)}:${port}`]) {
      const r = await anon.get('/api/v1/feed?limit=1', { headers: { host } });
      assertError(r, 421, 'misdirected');
    }
    // A signed-in person's requests too, before anything else is looked at.
    assertError(await alice.get('/api/v1/notifications', { headers: { host: `evil.example:${port}` } }), 421, 'misdirected');
    assertError(await alice.post('/api/v1/pets', { name: 'Rex', species: 'dog' }, { headers: { host: `evil.example:${port}` } }),
      421, 'misdirected');
    // HTTP/1.0 may leave Host out: that names none of ours either.
    const r = await raw(port, 'GET /api/v1/feed HTTP/1.0\r\n\r\n');
    assert.equal(r.status, 421);
    validateResponse('GET', '/api/v1/feed', 421, JSON.parse(r.body));
  });

  test('pages (screens, a post page, the embed page) answer only for our host too: 421 in plain text', async () => {
    for (const target of ['/', '/settings', `/posts/${post.id}`, `/embed/p/${post.id}`]) {
      assert.equal((await page(anon, target, `localhost:${port}`)).status, 200, target);
      const r = await page(anon, target, `evil.example:${port}`);
      assert.equal(r.status, 421, target);
      assert.equal(r.type, 'text/plain; charset=utf-8', target);
      assert.match(r.text, /^421 Misdirected Request/, target);
    }
  });

  test('signup and login take only an Origin of ours; a rebound name is refused even when Origin matches its Host', async () => {
    const ok = new Client(server);
    const body = signupBody('ok');
    assert.equal((await ok.post('/api/v1/auth/signup', body, { headers: { origin: base } })).status, 201);
    assert.equal((await new Client(server).post('/api/v1/auth/login', { email: body.email, password: body.password },
      { headers: { origin: `http://localhost:${port}`, host: `localhost:${port}` } })).status, 200);
    for (const origin of ['http://evil.example', `https://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`, 'http://127.0.0.1',
      'null', `${base}/`, `${base}.evil.example`]) {
      assertError(await new Client(server).post('/api/v1/auth/signup', signupBody('x'), { headers: { origin } }), 403, 'csrf');
      assertError(await new Client(server).post('/api/v1/auth/login', { email: body.email, password: body.password },
        { headers: { origin } }), 403, 'csrf');
    }
    // DNS rebinding: evil.example now resolves to us, and the page there is same-origin with itself.
    const evil = { origin: `http://evil.example:${port}`, host: `evil.example:${port}` };
    assertError(await new Client(server).post('/api/v1/auth/signup', signupBody('rebound'), { headers: evil }), 421, 'misdirected');
    assertError(await new Client(server).post('/api/v1/auth/login', { email: body.email, password: body.password },
      { headers: evil }), 421, 'misdirected');
  });

  test('the chat socket takes only our Host and an Origin of ours', async () => {
    assert.equal(await socketStatus(server, alice, { origin: base }), 404);
    assert.equal(await socketStatus(server, alice, { origin: `http://localhost:${port}`, host: `localhost:${port}` }), 404);
    assert.equal(await socketStatus(server, alice, { origin: 'http://evil.example' }), 403);
    // The rebound name: refused as cross-site here (421 if the transport's Host gate answers the upgrade first).
    const rebound = await socketStatus(server, alice, { origin: `http://evil.example:${port}`, host: `evil.example:${port}` });
    assert.ok(rebound === 403 || rebound === 421, `upgrade answered ${rebound}`);
  });

  test('oEmbed and the discovery link use the first origin even when asked through localhost', async () => {
    const host = `localhost:${port}`;
    const url = `http://localhost:${port}/posts/${post.id}`;
    const r = await anon.get(`/api/v1/oembed?${new URLSearchParams({ url })}`, { headers: { host } });
    assert.equal(r.status, 200);
    assert.equal(r.body.provider_url, `${base}/`);
    assert.ok(r.body.html.includes(`<a href="${base}/posts/${post.id}">`), r.body.html);
    assert.ok(!r.body.html.includes('localhost'), r.body.html);
    const p = await page(anon, `/posts/${post.id}`, host);
    const href = /type="application\/json\+oembed" href="([^"]+)"/.exec(p.text)[1].replaceAll('&amp;', '&');
    assert.equal(href, `${base}/api/v1/oembed?format=json&url=${encodeURIComponent(`${base}/posts/${post.id}`)}`);
  });
});

describe('origins: configured with PA_PUBLIC_ORIGINS', () => {
  // Written loosely on purpose: case, the default port and a trailing slash are normalised away.
  const ORIGINS = ' HTTPS://PetAmigos.Example:443/ , http://alias.example:8123';
  const BASE = 'https://petamigos.example';
  let server, root, anon, post, port;
  before(async () => {
    root = await siteRoot();
    server = await startServer({ root, env: { PA_PUBLIC_ORIGINS: ORIGINS } });
    ({ port } = server);
    anon = new Client(server);
    post = (await anon.get('/api/v1/feed?limit=1', { headers: { host: 'petamigos.example' } })).body.posts[0];
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await rm(root, { recursive: true, force: true });
  });

  test('the configured hosts are served, and the listening address no longer is', async () => {
    for (const host of ['petamigos.example', 'petamigos.example:443', 'PetAmigos.Example', 'alias.example:8123']) {
      assert.equal((await anon.get('/api/v1/feed?limit=1', { headers: { host } })).status, 200, host);
      assert.equal((await page(anon, '/', host)).status, 200, host);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'petamigos.example:80', 'petamigos.example:8123',
      'alias.example', 'alias.example:443', 'evil.example']) {
      assertError(await anon.get('/api/v1/feed?limit=1', { headers: { host } }), 421, 'misdirected');
      assert.equal((await page(anon, `/posts/${post.id}`, host)).status, 421, host);
    }
  });

  test('signup needs an Origin that is one of them, scheme and port included', async () => {
    const at = (host, origin) => new Client(server).post('/api/v1/auth/signup', signupBody('cfg'), { headers: { host, origin } });
    assert.equal((await at('petamigos.example', BASE)).status, 201);
    assert.equal((await at('petamigos.example', 'http://alias.example:8123')).status, 201);
    for (const origin of ['http://petamigos.example', 'https://alias.example:8123', `http://127.0.0.1:${port}`, `${BASE}:444`])
      assertError(await at('petamigos.example', origin), 403, 'csrf');
  });

  test('oEmbed and the discovery link are built from the first origin, asked through the alias', async () => {
    const host = 'alias.example:8123';
    for (const url of [`http://alias.example:8123/posts/${post.id}`, `${BASE}/embed/p/${post.id}?utm=x`]) {
      const r = await anon.get(`/api/v1/oembed?${new URLSearchParams({ url })}`, { headers: { host } });
      assert.equal(r.status, 200, url);
      const o = r.body;
      assert.equal(o.provider_url, `${BASE}/`);
      assert.equal(o.author_url, `${BASE}/pets/${post.pet.id}`);
      assert.equal(o.thumbnail_url, `${BASE}${post.images[0].url}`);
      assert.ok(o.html.includes(`cite="${BASE}/posts/${post.id}"`), o.html);
      assert.ok(o.html.includes(`<a href="${BASE}/posts/${post.id}">`), o.html);
      assert.ok(o.html.endsWith(`<script async src="${BASE}/embed.js" charset="utf-8"></script>`), o.html);
      assert.ok(!/alias|127\.0\.0\.1|localhost/.test(JSON.stringify(o)), JSON.stringify(o));
    }
    // A post on an address that is not one of ours is not a post of this site.
    for (const url of [`http://127.0.0.1:${port}/posts/${post.id}`, `http://alias.example/posts/${post.id}`,
      `http://petamigos.example/posts/${post.id}`, `${BASE}.evil.example/posts/${post.id}`, `${BASE}@evil.example/posts/${post.id}`]) {
      const r = await anon.get(`/api/v1/oembed?${new URLSearchParams({ url })}`, { headers: { host } });
      assertError(r, 400, 'bad_request');
      assert.match(r.body.error.message, /like https:\/\/petamigos\.example\/posts\/p_1/);
    }
    const p = await page(anon, `/posts/${post.id}`, host);
    const href = /type="application\/json\+oembed" href="([^"]+)"/.exec(p.text)[1].replaceAll('&amp;', '&');
    assert.equal(href, `${BASE}/api/v1/oembed?format=json&url=${encodeURIComponent(`${BASE}/posts/${post.id}`)}`);
  });
});

describe('origins: the limits of a configuration', () => {
  // A bad list serves nothing and says why, exiting 2: read at the first
  // request for now, at startup once main.c reads --origin/PA_PUBLIC_ORIGINS.
  async function assertRefused(list, why) {
    await assert.rejects(startServer({ seed: false, env: { PA_PUBLIC_ORIGINS: list } }), (e) => {
      assert.match(e.message, /server exited \(2\)/);
      assert.match(e.message, why);
      return true;
    });
  }

  const many = (n) => Array.from({ length: n }, (_, i) => `https://site${i + 1}.example`).join(',');
  // A host of n bytes: labels of at most 63, dot-separated.
  const hostOf = (n) => {
    let h = 'h'.repeat(Math.min(63, n));
    while (h.length < n) h += `.${'h'.repeat(Math.min(63, n - h.length - 1))}`;
    return h;
  };

  test(`${ORIGIN_MAX} origins are served, the last one too; ${ORIGIN_MAX + 1} are refused`, async () => {
    const server = await startServer({ seed: false, env: { PA_PUBLIC_ORIGINS: many(ORIGIN_MAX) } });
    const c = new Client(server);
    assert.equal((await c.get('/api/v1/feed', { headers: { host: `site${ORIGIN_MAX}.example` } })).status, 200);
    assertError(await c.get('/api/v1/feed', { headers: { host: `site${ORIGIN_MAX + 1}.example` } }), 421, 'misdirected');
    await stopServer(server, { keepData: false });
    // The same origin twice is one.
    const twice = await startServer({ seed: false, env: { PA_PUBLIC_ORIGINS: `${many(ORIGIN_MAX)},https://SITE1.example/` } });
    assert.equal((await new Client(twice).get('/api/v1/feed', { headers: { host: 'site1.example' } })).status, 200);
    await stopServer(twice, { keepData: false });
    await assertRefused(many(ORIGIN_MAX + 1), new RegExp(`at most ${ORIGIN_MAX} origins`));
  });

  test(`a host of ${HOST_MAX} bytes is served; ${HOST_MAX + 1} bytes is refused`, async () => {
    const longest = hostOf(HOST_MAX);
    assert.equal(longest.length, HOST_MAX);
    const server = await startServer({ seed: false, env: { PA_PUBLIC_ORIGINS: `https://${longest}` } });
    const c = new Client(server);
    assert.equal((await c.get('/api/v1/feed', { headers: { host: longest } })).status, 200);
    assert.equal((await c.post('/api/v1/auth/signup', signupBody('long'), { headers: { host: longest, origin: `https://${longest}` } })).status, 201);
    await stopServer(server, { keepData: false });
    await assertRefused(`https://${hostOf(HOST_MAX + 1)}`, new RegExp(`the host must be 1\\.\\.${HOST_MAX} bytes`));
  });

  test('only http(s)://host[:port]: no path, user, query, other scheme or bad port', async () => {
    for (const [list, why] of [
      ['ftp://petamigos.example', /must start with http:\/\/ or https:\/\//],
      ['petamigos.example', /must start with http:\/\/ or https:\/\//],
      ['https://petamigos.example/app', /letters, digits/],
      ['https://petamigos.example?x=1', /letters, digits/],
      ['https://user@petamigos.example', /letters, digits/],
      ['https://', /the host must be/],
      ['https://petamigos.example:0', /port must be 1\.\.65535/],
      ['https://petamigos.example:65536', /port must be 1\.\.65535/],
      ['https://petamigos.example:', /port must be 1\.\.65535/],
      ['https://[::1', /IPv6/],
    ])
      await assertRefused(list, why);
    // The edges that are fine: port 65535 and 1, an IPv6 literal.
    const server = await startServer({ seed: false, env: { PA_PUBLIC_ORIGINS: 'http://a.example:65535,http://b.example:1,http://[::1]:8080' } });
    const c = new Client(server);
    for (const host of ['a.example:65535', 'b.example:1', '[::1]:8080'])
      assert.equal((await c.get('/api/v1/feed', { headers: { host } })).status, 200, host);
    await stopServer(server, { keepData: false });
  });
});

describe('origins: from the command line', () => {
  test('--origin wins over PA_PUBLIC_ORIGINS; a host not named is 421, even the address listened on', async () => {
    const server = await startServer({
      seed: false,
      args: ['--origin', 'https://petamigos.example', '--origin', 'http://localhost:8080'],
      env: { PA_PUBLIC_ORIGINS: 'https://env.example' },
    });
    const c = new Client(server);
    for (const host of ['petamigos.example', 'localhost:8080'])
      assert.equal((await c.get('/api/v1/feed', { headers: { host } })).status, 200, host);
    for (const host of ['env.example', `127.0.0.1:${server.port}`]) {
      const r = await c.get('/api/v1/feed', { headers: { host } });
      assert.equal(r.status, 421, host);
      assert.equal(r.body.error.code, 'misdirected');
    }
    // Pages, static files and media are behind the same gate.
    for (const target of ['/', '/index.html', '/media/0000000000000000000000000000000000000000000000000000000000000000.jpg']) {
      const r = await c.get(target, { headers: { host: 'env.example' } });
      assert.equal(r.status, 421, target);
    }
    await stopServer(server, { keepData: false });
  });

  test('a bad --origin, or listening on every address with none named, stops the server at start', async () => {
    await assert.rejects(startServer({ seed: false, args: ['--origin', 'ftp://x'] }), /exited \(2\)[\s\S]*must start with http/);
    await assert.rejects(startServer({ seed: false, args: ['--host', '0.0.0.0'] }), /listens on every address/);
  });
});
