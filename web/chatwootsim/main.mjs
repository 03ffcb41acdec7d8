#!/usr/bin/env node
// chatwootsim: a local stand-in for a Chatwoot instance's Application API
// and its webhooks (web/README.md "Chatwoot"), for the support mirror's tests.
//   node web/chatwootsim/main.mjs --port 0 [--token T] [--account 1] [--inbox 1]
//        [--hook URL] [--secret S]
// Prints "chatwootsim listening on http://127.0.0.1:<port>/" once it serves;
// ends cleanly (status 0) on SIGTERM or SIGINT.
//
// Follows the documented endpoints under /api/v1/accounts/{account_id}/ with
// the api_access_token header (401 without the right one, 404 for another
// account or an unknown record, 422 for a taken identifier or a bad body):
//   GET  contacts/search?q=          {meta, payload: [contact]}
//   POST contacts                    {payload: {contact, contact_inbox}}
//   POST contacts/{id}/contact_inboxes {source_id, inbox}
//   GET  contacts/{id}/conversations {payload: [conversation]}
//   POST conversations               conversation
//   GET  conversations/{id}/messages {meta, payload: [message]}
//   POST conversations/{id}/messages message
//   POST conversations/{id}/toggle_status {meta, payload: {success, current_status, conversation_id}}
// Control (no token): GET /__cw/state, POST /__cw/fail {method, path, status,
// times, after} (or {clear: true}) (after: the call is carried out, then answered status: an
// answer lost after the work was done), POST /__cw/reply {conversation,
// content, private?} and POST /__cw/status {conversation, status} (an agent
// acts: the record changes and the webhook is sent; answers the webhook's
// status and body), POST /__cw/replay (sends the last webhook again),
// POST /__cw/config {hook?, secret?}.
import crypto from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';

const BODY_MAX = 1 << 20; // bytes of a request body
const STATUSES = ['open', 'pending', 'snoozed', 'resolved'];
const MESSAGE_TYPES = ['incoming', 'outgoing', 'activity', 'template'];

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    token: { type: 'string', default: 'cw-sim-token' },
    account: { type: 'string', default: '1' },
    inbox: { type: 'string', default: '1' },
    hook: { type: 'string', default: '' },
    secret: { type: 'string', default: '' },
  },
});

const account = Number(opts.account);
const inbox = { id: Number(opts.inbox), name: 'PetAmigos', channel_type: 'Channel::Api' };
let hookUrl = opts.hook;
let secret = opts.secret;
let clock = Math.floor(Date.now() / 1000);
const tick = () => (clock = Math.max(clock + 1, Math.floor(Date.now() / 1000)));

const contacts = []; // {id, name, identifier, email, contact_inboxes: [{source_id, inbox}]}
const conversations = []; // {id, contact_id, inbox_id, status, custom_attributes, source_id, messages: []}
const requests = []; // {method, path} of every API call, in order
const faults = []; // {method, path, status, times, after}
let nextId = { contact: 1, conversation: 1, message: 1 };
let lastHook = null;

function conversationJson(c) {
  const contact = contacts.find((k) => k.id === c.contact_id);
  return {
    id: c.id, account_id: account, inbox_id: c.inbox_id, status: c.status,
    custom_attributes: c.custom_attributes, timestamp: c.timestamp, created_at: c.created_at,
    contact_inbox: { contact_id: c.contact_id, inbox_id: c.inbox_id, source_id: c.source_id },
    meta: { sender: contact ? { id: contact.id, name: contact.name, type: 'contact' } : null, assignee: null },
  };
}

function messageJson(c, m) {
  return {
    id: m.id, content: m.content, message_type: m.message_type, private: m.private, source_id: m.source_id,
    content_type: 'text', content_attributes: {}, created_at: m.created_at, conversation_id: c.id,
    account_id: account, inbox_id: c.inbox_id, sender: m.sender,
  };
}

const err = (status, body) => ({ status, body });
const ok = (body) => ({ status: 200, body });

function api(method, rest, query, body) {
  let m;
  if (method === 'GET' && rest === 'contacts/search') {
    const q = query.get('q') ?? '';
    const found = contacts.filter((k) => k.identifier === q || k.name.includes(q) || (k.email && k.email === q));
    return ok({ meta: { count: found.length, current_page: 1 }, payload: found });
  }
  if (method === 'POST' && rest === 'contacts') {
    if (!body || (body.identifier !== undefined && typeof body.identifier !== 'string')) return err(422, { message: 'Invalid contact' });
    if (body.identifier && contacts.some((k) => k.identifier === body.identifier)) return err(422, { message: 'Identifier has already been taken', attributes: ['identifier'] });
    const contact = { id: nextId.contact++, name: String(body.name ?? ''), identifier: body.identifier ?? null, email: body.email ?? null, contact_inboxes: [] };
    contacts.push(contact);
    let contactInbox = null;
    if (body.inbox_id !== undefined) {
      if (body.inbox_id !== inbox.id) return err(404, { error: 'Resource could not be found' });
      contactInbox = { source_id: crypto.randomUUID(), inbox };
      contact.contact_inboxes.push(contactInbox);
    }
    return ok({ payload: { contact, contact_inbox: contactInbox } });
  }
  if ((m = rest.match(/^contacts\/(\d+)\/contact_inboxes$/)) && method === 'POST') {
    const contact = contacts.find((k) => k.id === Number(m[1]));
    if (!contact) return err(404, { error: 'Resource could not be found' });
    if (!body || body.inbox_id !== inbox.id) return err(422, { message: 'Inbox not found' });
    const source = typeof body.source_id === 'string' && body.source_id ? body.source_id : crypto.randomUUID();
    for (const k of contacts) {
      const held = k.contact_inboxes.find((ci) => ci.source_id === source);
      if (held && k !== contact) return err(422, { message: 'Source has already been taken' });
      if (held) return ok(held);
    }
    const ci = { source_id: source, inbox };
    contact.contact_inboxes.push(ci);
    return ok(ci);
  }
  if ((m = rest.match(/^contacts\/(\d+)\/conversations$/)) && method === 'GET') {
    const contact = contacts.find((k) => k.id === Number(m[1]));
    if (!contact) return err(404, { error: 'Resource could not be found' });
    return ok({ payload: conversations.filter((c) => c.contact_id === contact.id).map(conversationJson) });
  }
  if (method === 'POST' && rest === 'conversations') {
    if (!body || typeof body.source_id !== 'string') return err(422, { message: 'source_id is required' });
    const contact = contacts.find((k) => k.contact_inboxes.some((ci) => ci.source_id === body.source_id));
    if (!contact || body.inbox_id !== inbox.id) return err(404, { error: 'Resource could not be found' });
    if (body.contact_id !== undefined && body.contact_id !== contact.id) return err(422, { message: 'Contact does not match the source' });
    const status = body.status ?? 'open';
    if (!STATUSES.includes(status)) return err(422, { message: 'Invalid status' });
    const c = { id: nextId.conversation++, contact_id: contact.id, inbox_id: inbox.id, status, source_id: body.source_id,
      custom_attributes: body.custom_attributes ?? {}, created_at: tick(), timestamp: clock, messages: [] };
    conversations.push(c);
    return ok(conversationJson(c));
  }
  if ((m = rest.match(/^conversations\/(\d+)\/(messages|toggle_status)$/))) {
    const c = conversations.find((x) => x.id === Number(m[1]));
    if (!c) return err(404, { error: 'Resource could not be found' });
    if (m[2] === 'messages' && method === 'GET') {
      return ok({ meta: { contact: null, assignee: null }, payload: c.messages.slice(-20).map((x) => messageJson(c, x)) });
    }
    if (m[2] === 'messages' && method === 'POST') {
      if (!body || typeof body.content !== 'string' || !body.content) return err(422, { message: 'Content is required' });
      const type = body.message_type ?? 'outgoing';
      if (!MESSAGE_TYPES.includes(type)) return err(422, { message: 'Invalid message type' });
      const msg = { id: nextId.message++, content: body.content, message_type: type, private: body.private === true,
        source_id: typeof body.source_id === 'string' ? body.source_id : null, created_at: tick(),
        sender: type === 'incoming' ? { type: 'contact', id: c.contact_id } : { type: 'user', id: 1, name: 'Sim Agent' } };
      c.messages.push(msg);
      c.timestamp = clock;
      return ok(messageJson(c, msg));
    }
    if (m[2] === 'toggle_status' && method === 'POST') {
      if (!body || !STATUSES.includes(body.status)) return err(422, { message: 'Invalid status' });
      c.status = body.status;
      c.timestamp = tick();
      return ok({ meta: {}, payload: { success: true, current_status: c.status, conversation_id: c.id } });
    }
  }
  return err(404, { error: 'Resource could not be found' });
}

async function sendHook(payload) {
  const raw = JSON.stringify(payload);
  lastHook = raw;
  return deliver(raw);
}

async function deliver(raw) {
  if (!hookUrl) return { status: 0, body: 'no hook configured' };
  const headers = { 'content-type': 'application/json' };
  if (secret) {
    const ts = String(Math.floor(Date.now() / 1000));
    headers['x-chatwoot-timestamp'] = ts;
    headers['x-chatwoot-signature'] = 'sha256=' + crypto.createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex');
  }
  const res = await fetch(hookUrl, { method: 'POST', headers, body: raw });
  return { status: res.status, body: await res.text() };
}

async function control(method, name, body) {
  if (method === 'GET' && name === 'state') {
    return ok({ contacts, conversations: conversations.map((c) => ({ ...conversationJson(c), messages: c.messages })), requests });
  }
  if (method !== 'POST') return err(404, { error: 'no such control' });
  if (name === 'config') {
    if (typeof body.hook === 'string') hookUrl = body.hook;
    if (typeof body.secret === 'string') secret = body.secret;
    return ok({ hook: hookUrl });
  }
  if (name === 'fail') {
    if (body.clear) { faults.length = 0; return ok({ faults: 0 }); }
    faults.push({ method: body.method ?? 'POST', path: body.path, status: body.status ?? 500, times: body.times ?? 1, after: !!body.after });
    return ok({ faults: faults.length });
  }
  const c = conversations.find((x) => x.id === body.conversation);
  if (name === 'replay') {
    if (!lastHook) return err(409, { error: 'no webhook sent yet' });
    return ok(await deliver(lastHook));
  }
  if (!c) return err(404, { error: 'no such conversation' });
  if (name === 'reply') {
    const msg = { id: nextId.message++, content: body.content, message_type: 'outgoing', private: body.private === true,
      source_id: null, created_at: tick(), sender: { type: 'user', id: 1, name: 'Sim Agent' } };
    c.messages.push(msg);
    c.timestamp = clock;
    return ok(await sendHook({ event: 'message_created', ...messageJson(c, msg), conversation: conversationJson(c),
      account: { id: account, name: 'Sim' }, inbox: { id: inbox.id, name: inbox.name } }));
  }
  if (name === 'status') {
    if (!STATUSES.includes(body.status)) return err(422, { error: 'bad status' });
    c.status = body.status;
    c.timestamp = tick();
    return ok(await sendHook({ event: 'conversation_status_changed', ...conversationJson(c),
      changed_attributes: [{ status: { current_value: c.status } }] }));
  }
  return err(404, { error: 'no such control' });
}

function takeFault(method, path) {
  const i = faults.findIndex((f) => f.method === method && path.includes(f.path) && f.times > 0);
  if (i < 0) return null;
  const f = faults[i];
  if (--f.times === 0) faults.splice(i, 1);
  return f;
}

const server = http.createServer((req, res) => {
  let raw = '';
  let size = 0;
  req.setEncoding('utf8');
  req.on('data', (d) => { size += Buffer.byteLength(d); if (size <= BODY_MAX) raw += d; });
  req.on('end', async () => {
    const send = (status, body) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      if (size > BODY_MAX) return send(413, { error: 'too large' });
      const url = new URL(req.url, 'http://sim');
      let body = {};
      if (raw) {
        try { body = JSON.parse(raw); } catch { return send(422, { message: 'Invalid JSON' }); }
      }
      const ctl = url.pathname.match(/^\/__cw\/(\w+)$/);
      if (ctl) {
        const r = await control(req.method, ctl[1], body ?? {});
        return send(r.status, r.body);
      }
      const m = url.pathname.match(/^\/api\/v1\/accounts\/(\d+)\/(.+)$/);
      if (!m) return send(404, { error: 'Not found' });
      if (req.headers.api_access_token !== opts.token) return send(401, { errors: ['You need to sign in or sign up before continuing.'] });
      if (Number(m[1]) !== account) return send(404, { error: 'Resource could not be found' });
      requests.push({ method: req.method, path: url.pathname.slice(m[0].length - m[2].length - 1) + url.search });
      const fault = takeFault(req.method, m[2]);
      if (fault && !fault.after) return send(fault.status, { error: 'simulated failure' });
      const r = api(req.method, m[2], url.searchParams, body);
      if (fault) return send(fault.status, { error: 'simulated failure after the work' });
      return send(r.status, r.body);
    } catch (e) {
      send(500, { error: String(e && e.message) });
    }
  });
});

server.listen(Number(opts.port), '127.0.0.1', () => {
  process.stdout.write(`chatwootsim listening on http://127.0.0.1:${server.address().port}/\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
