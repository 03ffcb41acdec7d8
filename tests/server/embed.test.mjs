// Embeds for partner sites: the oEmbed endpoint, the embed page /embed/p/:id
// (escaping, words per language, the unavailable page), the headers that let
// only the embed page be framed elsewhere, and the oEmbed discovery link in
// the app's page for /posts/:id. Real server, real SQLite file; the site root
// holds the real catalogs and the real index.html.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateResponse } from '../lib/openapi.mjs';
import { Client, assertError, email, png, startServer, stopServer } from './helpers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// What a hostile owner can type: markup, an attribute break-out, quotes,
// ampersands, Arabic, emoji and a right-to-left override.
const HOSTILE = {
  caption: '<script>alert(1)</script> "onmouseover=alert(2) x=\'y\' & <b>bold</b> مرحبا 🐶 \u202Eevil',
  pet: '<img src=x onerror=alert(4)>"Rex"',
  owner: 'Eve </title><script>alert(5)</script>',
  alt: '"><script>alert(3)</script>',
};

describe('embeds', () => {
  let server, root, anon, origin, demo, hostile, deleted;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'pa-embed-root-'));
    await cp(path.join(repo, 'locales'), path.join(root, 'locales'), { recursive: true });
    await cp(path.join(repo, 'shell/index.html'), path.join(root, 'index.html'));
    server = await startServer({ root });
    origin = server.url.replace(/\/$/, '');
    anon = new Client(server);
    demo = (await anon.get('/api/v1/feed?limit=1')).body.posts[0];
    const eve = new Client(server);
    await eve.signup(email('eve'), 'correct horse battery', HOSTILE.owner);
    const pet = (await eve.post('/api/v1/pets', { name: HOSTILE.pet, species: 'dog' })).body;
    const media = await eve.upload(png(40, 30), 'image/png');
    hostile = (await eve.post('/api/v1/posts', {
      caption: HOSTILE.caption, media_ids: [media.id], pet_ids: [pet.id], alt: [HOSTILE.alt],
    })).body;
    const gone = (await eve.post('/api/v1/posts', { caption: 'soon gone', media_ids: [media.id], pet_ids: [pet.id] })).body;
    assert.equal((await eve.del(`/api/v1/posts/${gone.id}`)).status, 200);
    deleted = gone.id;
  });
  after(async () => {
    await stopServer(server, { keepData: false });
    await rm(root, { recursive: true, force: true });
  });

  const oembed = (query, opts) => anon.get(`/api/v1/oembed?${new URLSearchParams(query)}`, opts);
  // The embed page is HTML: checked against the contract here (the client checks /api/ only).
  async function page(target, headers = {}) {
    const r = await anon.get(target, { headers });
    validateResponse('GET', target, r.status, undefined, r.headers['content-type']);
    return { ...r, html: r.buf.toString('utf8') };
  }
  const csp = (r) => r.headers['content-security-policy'];

  test('oEmbed for a demo post: rich, 325 wide by default, absolute links, a blockquote and the script', async () => {
    const r = await oembed({ url: `${origin}/posts/${demo.id}`, format: 'json' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const o = r.body;
    assert.equal(o.type, 'rich');
    assert.equal(o.version, '1.0');
    assert.equal(o.provider_name, 'PetAmigos');
    assert.equal(o.provider_url, `${origin}/`);
    assert.equal(o.author_name, demo.pet.name);
    assert.equal(o.author_url, `${origin}/pets/${demo.pet.id}`);
    assert.equal(o.width, 325);
    assert.equal(o.thumbnail_url, `${origin}${demo.images[0].url}`);
    assert.equal(o.thumbnail_width, demo.images[0].width);
    assert.equal(o.thumbnail_height, demo.images[0].height);
    assert.ok(o.height > 325 * demo.images[0].height / demo.images[0].width, `height ${o.height}`);
    assert.ok(demo.caption.startsWith(o.title.replace(/…$/, '')), o.title);
    assert.match(o.html, new RegExp(`^<blockquote class="petamigos-embed" data-post-id="${demo.id}" data-width="325"`));
    assert.ok(o.html.includes(`<a href="${origin}/posts/${demo.id}">View on PetAmigos</a>`), o.html);
    assert.ok(o.html.endsWith(`<script async src="${origin}/embed.js" charset="utf-8"></script>`), o.html);
    // The thumbnail is there to fetch.
    const thumb = await anon.get(new URL(o.thumbnail_url).pathname);
    assert.equal(thumb.status, 200);
    // The format defaults to JSON; /embed/p/ URLs name the same post.
    const again = await oembed({ url: `${origin}/embed/p/${demo.id}?utm=x#top` });
    assert.equal(again.status, 200);
    assert.equal(again.body.html, o.html);
  });

  test('oEmbed maxwidth is clamped to 220..550; junk is 400', async () => {
    const url = `${origin}/posts/${demo.id}`;
    for (const [asked, got] of [['1', 220], ['219', 220], ['220', 220], ['400', 400], ['550', 550], ['551', 550], ['99999999999', 550]]) {
      const r = await oembed({ url, maxwidth: asked });
      assert.equal(r.status, 200, asked);
      assert.equal(r.body.width, got, `maxwidth=${asked}`);
      assert.ok(r.body.html.includes(`data-width="${got}"`), asked);
    }
    for (const bad of ['0', '-5', 'abc', '12px', ''])
      assertError(await oembed({ url, maxwidth: bad }), 400, 'bad_request');
  });

  test('oEmbed refuses bad urls (400), unknown or deleted posts (404) and formats other than json (501)', async () => {
    const host = new URL(origin).host;
    for (const url of ['', 'posts/p_1', `ftp://${host}/posts/p_1`, `http://evil.example/posts/${demo.id}`,
      `http://${host}.evil.example/posts/${demo.id}`, `${origin}/pets/${demo.pet.id}`, `${origin}/posts/1`,
      `${origin}/posts/p_01`, `${origin}/posts/p_1/comments`, `javascript:alert(1)//${host}/posts/p_1`])
      assertError(await oembed({ url }), 400, 'bad_request');
    assertError(await anon.get('/api/v1/oembed'), 400, 'bad_request');
    assertError(await oembed({ url: `${origin}/posts/p_999999` }), 404, 'not_found');
    assertError(await oembed({ url: `${origin}/posts/${deleted}` }), 404, 'not_found');
    assertError(await oembed({ url: `${origin}/posts/${demo.id}`, format: 'xml' }), 501, 'not_implemented');
  });

  test('the embed page escapes a hostile caption, pet, owner and alt text', async () => {
    const r = await page(`/embed/p/${hostile.id}`);
    assert.equal(r.status, 200);
    const h = r.html;
    // Only our own script tag; no raw markup or attribute from the user.
    assert.deepEqual(h.match(/<script\b[^>]*>/g), ['<script src="/embed-frame.js" defer>']);
    for (const raw of ['<b>bold', '<img src=x', '"onmouseover', '"><script', '</title><script']) assert.ok(!h.includes(raw), raw);
    assert.ok(h.includes('&lt;script&gt;alert(1)&lt;/script&gt; &quot;onmouseover=alert(2) x=&#39;y&#39; &amp; &lt;b&gt;bold&lt;/b&gt; مرحبا 🐶 \u202Eevil'), h);
    assert.ok(h.includes('<bdi>&lt;img src=x onerror=alert(4)&gt;&quot;Rex&quot;</bdi>'), h);
    assert.ok(h.includes('<bdi>Eve &lt;/title&gt;&lt;script&gt;alert(5)&lt;/script&gt;</bdi>'), h);
    assert.ok(h.includes('alt="&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"'), h);
    assert.ok(h.includes('<p class="caption" dir="auto">'), 'user text gets its own direction');
    // The oEmbed snippet escapes the same way.
    const o = (await oembed({ url: `${origin}/posts/${hostile.id}` })).body;
    assert.equal(o.html.match(/<script\b/g).length, 1, o.html);
    assert.ok(!o.html.includes('<b>bold') && !o.html.includes('<img src=x') && !o.html.includes('"onmouseover'), o.html);
    assert.ok(o.html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &quot;onmouseover=alert(2)'), o.html);
    assert.equal(o.author_name, HOSTILE.pet, 'JSON carries the text as it is');
  });

  test('the embed page: photo, caption, count, date and a new-tab link to the post', async () => {
    const r = await page(`/embed/p/${demo.id}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers.vary, 'Accept-Language');
    const h = r.html;
    assert.match(h, /<html lang="en" dir="ltr">/);
    assert.ok(h.includes(`<img class="photo" src="${demo.images[0].url}" width="${demo.images[0].width}" height="${demo.images[0].height}" alt="`), h);
    assert.ok(h.includes(`<data class="num" value="${demo.like_count}">`), h);
    assert.ok(h.includes(`<time datetime="${demo.created_at}">${demo.created_at.slice(0, 10)}</time>`), h);
    assert.ok(h.includes(`<a class="view" href="/posts/${demo.id}" target="_blank" rel="noopener">View on PetAmigos<span class="visually-hidden"> (opens in a new tab)</span></a>`), h);
    assert.ok(!/\sstyle=|<style/.test(h), 'no inline style');
    const head = await anon.request('HEAD', `/embed/p/${demo.id}`);
    assert.equal(head.status, 200);
    assert.equal(head.buf.length, 0);
  });

  test('words follow ?lang= and Accept-Language (rtl for Arabic), English otherwise', async () => {
    const target = `/embed/p/${demo.id}`;
    const cases = [
      [`${target}?lang=es`, {}, 'es', 'Ver en PetAmigos'],
      [target, { 'accept-language': 'xx, ar;q=0.9, fr;q=0.8' }, 'ar', 'عرض على PetAmigos'],
      [target, { 'accept-language': 'fr;q=0.5, de;q=0.9' }, 'de', 'Auf PetAmigos ansehen'],
      [target, { 'accept-language': 'pt-BR' }, 'pt', 'Ver no PetAmigos'],
      [target, { 'accept-language': 'zh-CN' }, 'zh-Hans', '在 PetAmigos 上查看'],
      [target, { 'accept-language': 'zh-TW' }, 'en', 'View on PetAmigos'],
      [`${target}?lang=ja`, { 'accept-language': 'de' }, 'ja', 'PetAmigos で見る'],
      [`${target}?lang=../../etc/passwd`, {}, 'en', 'View on PetAmigos'],
      [`${target}?lang=klingon`, { 'accept-language': '*' }, 'en', 'View on PetAmigos'],
    ];
    for (const [t, headers, lang, words] of cases) {
      const { html } = await page(t, headers);
      assert.ok(html.includes(`<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">`), `${t} ${JSON.stringify(headers)}: ${html.slice(0, 80)}`);
      assert.ok(html.includes(words), `${lang}: ${words}`);
    }
    const o = await oembed({ url: `${origin}/posts/${demo.id}`, lang: 'fr' });
    assert.ok(o.body.html.includes('>Voir sur PetAmigos</a>'), o.body.html);
  });

  test('unknown, deleted or malformed posts get a 404 page saying the post is not available', async () => {
    for (const t of ['/embed/p/p_999999', `/embed/p/${deleted}`, '/embed/p/nonsense', `/embed/p/${demo.id}/more`, '/embed/x']) {
      const r = await anon.get(t);
      assert.equal(r.status, 404, t);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8', t);
      assert.ok(r.buf.toString().includes('<h1>This post is not available</h1>'), t);
      assert.match(csp(r), /frame-ancestors \*$/, t);
    }
    validateResponse('GET', '/embed/p/p_999999', 404, undefined, 'text/html; charset=utf-8');
    const de = await page('/embed/p/p_999999?lang=de');
    assert.ok(de.html.includes('Dieser Beitrag ist nicht verfügbar'), de.html);
  });

  test("only the embed page may be framed elsewhere: frame-ancestors * there, 'self' on everything else", async () => {
    const r = await anon.get(`/embed/p/${demo.id}`);
    assert.equal(csp(r), "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors *");
    for (const t of ['/', `/posts/${demo.id}`, '/api/v1/feed', `/api/v1/oembed?url=${encodeURIComponent(`${origin}/posts/${demo.id}`)}`,
      demo.images[0].url, '/nope.js']) {
      const other = await anon.get(t);
      assert.match(csp(other), /frame-ancestors 'self'$/, t);
      assert.ok(!/frame-ancestors \*/.test(csp(other)), t);
    }
  });

  test("the app's page for /posts/:id names its oEmbed; other screens do not", async () => {
    const r = await anon.get(`/posts/${demo.id}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    const html = r.buf.toString();
    const m = html.match(/  <link rel="alternate" type="application\/json\+oembed" href="([^"]+)">\n<\/head>/);
    assert.ok(m, html.slice(0, 800));
    const href = m[1].replaceAll('&amp;', '&');
    assert.equal(href, `${origin}/api/v1/oembed?format=json&url=${encodeURIComponent(`${origin}/posts/${demo.id}`)}`);
    const o = await anon.get(new URL(href).pathname + new URL(href).search);
    assert.equal(o.status, 200);
    assert.ok(o.body.html.includes(`data-post-id="${demo.id}"`));
    // The rest of the page is the app's page as it is.
    const plain = (await anon.get('/')).buf.toString();
    assert.equal(html.replace(m[0], '</head>'), plain);
    for (const t of ['/', `/pets/${demo.pet.id}`, '/posts/nonsense', `/posts/${demo.id}/edit`])
      assert.ok(!(await anon.get(t)).buf.toString().includes('json+oembed'), t);
  });
});
