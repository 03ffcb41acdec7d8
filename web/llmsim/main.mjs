#!/usr/bin/env node
// llmsim: a local stand-in for an OpenAI-compatible chat server (llama.cpp's
// server, Ollama, vLLM), streaming like llama.cpp does (README.md).
//   node web/llmsim/main.mjs --port 0
// Prints "llmsim listening on <port>" once it serves; ends cleanly (status 0)
// on SIGTERM or SIGINT.
//
// It is a deterministic program, not canned answers: it reads the system
// message's numbered articles ("[1] title\nsummary…") and the question,
// answers from the best-overlapping article's summary a few words per chunk
// and cites it "[n]"; offered tools and a question about an order, a plan or
// a hidden post (word lists for en and es) get tool_calls first, and the
// answer after the tool message is made of the tool result's fields.
import http from 'node:http';
import { parseArgs } from 'node:util';
import { answerFor } from './answer.mjs';

const BODY_MAX = 1 << 20; // bytes of a request; the server's requests are far smaller
const MODES = ['normal', 'hang', 'error', 'slow', 'stall', 'bad', 'nodone'];
const STALL_AFTER = 3; // stall: the role chunk and two pieces of content, then nothing
// Milliseconds between chunks per mode: normal still sends each chunk on
// its own so a reader sees tokens one by one; slow is slow enough for a
// deadline to fall in the middle of an answer.
const CHUNK_MS = { normal: 5, slow: 250 };
const MODEL = 'llama-3.1-8b-instruct';
const CREATED = 1765065600; // fixed: the same request streams the same bytes

const state = { mode: 'normal', chunkMs: null, requests: [] };
let nextId = 1;

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Control: POST /__llm/mode {"mode", "chunk_ms"?}, GET /__llm/requests, POST /__llm/reset. */
function control(req, res, json) {
  const p = new URL(req.url, 'http://llmsim').pathname;
  if (req.method === 'POST' && p === '/__llm/mode') {
    if (!json || !MODES.includes(json.mode)) return sendJson(res, 400, { error: `mode is one of ${MODES.join(', ')}` });
    if (json.chunk_ms !== undefined && !(Number.isInteger(json.chunk_ms) && json.chunk_ms >= 0)) return sendJson(res, 400, { error: 'chunk_ms is a whole number' });
    state.mode = json.mode;
    state.chunkMs = json.chunk_ms ?? null;
    return sendJson(res, 200, { mode: state.mode });
  }
  if (req.method === 'GET' && p === '/__llm/requests') return sendJson(res, 200, { requests: state.requests });
  if (req.method === 'POST' && p === '/__llm/reset') {
    state.mode = 'normal';
    state.chunkMs = null;
    state.requests = [];
    return sendJson(res, 200, { mode: state.mode });
  }
  return sendJson(res, 404, { error: `nothing at ${p}` });
}

function chunkOf(id, model, delta, finish = null) {
  return { id, object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, finish_reason: finish }] };
}

/** The answer's chunks (objects, then the "[DONE]" line), as llama.cpp's server sends them. */
function chunksFor(body, answer) {
  const id = `chatcmpl-sim-${nextId++}`;
  const model = typeof body.model === 'string' ? body.model : MODEL;
  const out = [chunkOf(id, model, { role: 'assistant', content: null })];
  if (answer.toolCall) {
    const { name, args } = answer.toolCall;
    const callId = `call_${nextId++}`;
    out.push(chunkOf(id, model, { tool_calls: [{ index: 0, id: callId, type: 'function', function: { name, arguments: '' } }] }));
    // The arguments in pieces of 4 bytes, as a model emits them token by token.
    for (let i = 0; i < args.length; i += 4) out.push(chunkOf(id, model, { tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + 4) } }] }));
    out.push(chunkOf(id, model, {}, 'tool_calls'));
    return out;
  }
  let pieces = answer.pieces;
  let finish = 'stop';
  if (Number.isInteger(body.max_tokens) && body.max_tokens >= 0 && pieces.length > body.max_tokens) {
    pieces = pieces.slice(0, body.max_tokens);
    finish = 'length';
  }
  for (const p of pieces) out.push(chunkOf(id, model, { content: p }));
  out.push(chunkOf(id, model, {}, finish));
  return out;
}

function completions(req, res, body) {
  if (!body || !Array.isArray(body.messages)) return sendJson(res, 400, { error: { message: 'messages must be an array', type: 'invalid_request_error' } });
  if (state.mode === 'error') return sendJson(res, 500, { error: { message: 'llmsim is in error mode', type: 'server_error' } });
  const answer = answerFor(body);
  const chunks = chunksFor(body, answer);
  if (body.stream !== true) {
    // Not streamed: one chat.completion made of the same chunks.
    const content = chunks.map((c) => c.choices[0].delta.content ?? '').join('');
    const last = chunks[chunks.length - 1].choices[0].finish_reason;
    const message = { role: 'assistant', content: answer.toolCall ? null : content };
    if (answer.toolCall) message.tool_calls = [{ id: 'call_0', type: 'function', function: { name: answer.toolCall.name, arguments: answer.toolCall.args } }];
    return sendJson(res, 200, { id: chunks[0].id, object: 'chat.completion', created: CREATED, model: chunks[0].model, choices: [{ index: 0, message, finish_reason: last }] });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  if (state.mode === 'hang') return; // headers, then nothing until the client gives up
  const lines = chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`);
  if (state.mode === 'bad') lines.splice(1, 0, 'data: {"choices":[{"delta":{"content":\n\n');
  if (state.mode !== 'nodone') lines.push('data: [DONE]\n\n');
  if (state.mode === 'stall') lines.length = Math.min(lines.length, STALL_AFTER);
  const gap = state.chunkMs ?? CHUNK_MS[state.mode] ?? 0;
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    if (i === lines.length) return state.mode === 'stall' ? undefined : res.end();
    res.write(lines[i++]);
    setTimeout(next, gap);
  };
  next();
}

function handle(req, res) {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size <= BODY_MAX) chunks.push(c);
  });
  req.on('end', () => {
    if (size > BODY_MAX) return sendJson(res, 413, { error: `body over ${BODY_MAX} bytes` });
    const raw = Buffer.concat(chunks).toString('utf8');
    let json = null;
    try {
      json = raw ? JSON.parse(raw) : {};
    } catch {
      json = null;
    }
    const p = new URL(req.url, 'http://llmsim').pathname;
    try {
      if (p.startsWith('/__llm/')) return control(req, res, json);
      if (req.method === 'GET' && p === '/v1/models') return sendJson(res, 200, { object: 'list', data: [{ id: MODEL, object: 'model', owned_by: 'llmsim' }] });
      if (req.method === 'POST' && p === '/v1/chat/completions') {
        // Recorded as received, for the tests that check what reached the model.
        state.requests.push({ path: p, authorization: req.headers.authorization ?? null, body: json ?? raw });
        return completions(req, res, json && typeof json === 'object' && !Array.isArray(json) ? json : null);
      }
      return sendJson(res, 404, { error: { message: `nothing at ${p}`, type: 'not_found' } });
    } catch (e) {
      console.error(`llmsim: ${req.method} ${req.url}: ${e.stack}`);
      if (!res.headersSent) sendJson(res, 500, { error: { message: 'llmsim failed; see its stderr', type: 'server_error' } });
      else res.destroy();
    }
  });
}

function main() {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
  const server = http.createServer(handle);
  server.listen(Number(values.port), '127.0.0.1', () => {
    console.log(`llmsim listening on ${server.address().port}`);
  });
  const stop = () => {
    server.close();
    server.closeAllConnections(); // also ends the answers hang mode holds open
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
