#!/usr/bin/env node
// paysim: a local stand-in for PayPal and Mercado Pago (README.md).
//   node web/paysim/main.mjs --port 0 [--state FILE] [--public-url URL]
// Prints "paysim listening on http://127.0.0.1:<port>/" once it serves; ends
// cleanly (status 0) on SIGTERM or SIGINT.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { book } from './book.mjs';
import { control } from './control.mjs';
import { takeFault } from './faults.mjs';
import * as paypal from './paypal.mjs';
import * as mercadopago from './mercadopago.mjs';
import { renderAuthorization, submitAuthorization } from './mp-oauth.mjs';
import { PAGES, renderPage, submitPage } from './pages.mjs';
import { CERT_PATH, resume, stopDeliveries } from './webhooks.mjs';

// A request body larger than this is refused (the APIs take small JSON).
const BODY_MAX = 1 << 20;
const CERT_DAYS = 3650;
const PROVIDERS = { paypal, mercadopago };
const HANG = Symbol('hang'); // an answer that never comes (the timeout faults)

/** A new RSA-2048 key and self-signed certificate from openssl, in a temp dir removed at once. */
function makeSigning() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paysim-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', String(CERT_DAYS),
      '-subj', '/C=US/O=paysim/CN=paysim webhook signing', '-keyout', key, '-out', cert,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The body as the handlers take it: {} when empty, null when not a JSON object. */
function parseJson(raw) {
  if (raw === '') return {};
  try {
    const v = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** A provider's API call, through the injected faults. */
function apiCall(name, ctx) {
  const provider = PROVIDERS[name];
  const action = takeFault(ctx.method, ctx.path);
  if (action === '500') return name === 'paypal' ? paypal.ppError(500) : mercadopago.mpError(500, 'internal error');
  if (action === 'timeout') return HANG;
  const answer = provider.handle(ctx);
  return action === 'after-timeout' ? HANG : answer;
}

function route(method, url, headers, raw) {
  const p = url.pathname;
  if (method === 'GET' && p === `/${CERT_PATH}`) return { status: 200, type: 'application/x-pem-file', body: book.state.signing.cert };
  if (p === '/mercadopago/authorization' && method === 'GET') return renderAuthorization(url.searchParams);
  if (p === '/mercadopago/authorization' && method === 'POST') return submitAuthorization(new URLSearchParams(raw));
  const spec = PAGES[p];
  if (spec && method === 'GET') return renderPage(spec, url.searchParams);
  if (spec && method === 'POST') return submitPage(spec, new URLSearchParams(raw));
  if (p.startsWith('/__sim/')) return control(method, p, parseJson(raw));
  const m = /^\/(paypal|mercadopago)(\/.*)$/.exec(p);
  if (m) return apiCall(m[1], { method, path: m[2], query: url.searchParams, headers, raw, json: parseJson(raw) });
  return { status: 404, body: { error: `nothing at ${p}` } };
}

function send(res, answer) {
  const headers = { ...answer.headers };
  let body = answer.body;
  if (body === null || body === undefined || body === '') body = '';
  else if (answer.type) headers['content-type'] = `${answer.type}; charset=utf-8`;
  else {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(body);
  }
  res.writeHead(answer.status, headers);
  res.end(body);
}

function handle(req, res) {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size <= BODY_MAX) chunks.push(c);
  });
  req.on('end', () => {
    if (size > BODY_MAX) return send(res, { status: 413, body: { error: `body over ${BODY_MAX} bytes` } });
    let answer;
    book.instant = book.now();
    try {
      answer = route(req.method, new URL(req.url, 'http://paysim'), req.headers, Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      console.error(`paysim: ${req.method} ${req.url}: ${e.stack}`);
      answer = { status: 500, body: { error: 'paysim failed; see its stderr' } };
    } finally {
      book.instant = null;
    }
    if (req.method !== 'GET') book.save();
    if (answer !== HANG) send(res, answer);
  });
}

function main() {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '0' }, state: { type: 'string' }, 'public-url': { type: 'string' } },
  });
  book.open(values.state);
  book.state.signing ??= makeSigning();
  const server = http.createServer(handle);
  server.listen(Number(values.port), '127.0.0.1', () => {
    const url = `http://127.0.0.1:${server.address().port}/`;
    book.base = values['public-url'] ? values['public-url'].replace(/\/?$/, '/') : url;
    book.save();
    resume();
    console.log(`paysim listening on ${url}`);
  });
  const stop = () => {
    stopDeliveries();
    server.close();
    server.closeAllConnections(); // also ends the calls a timeout fault left hanging
    book.save();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
