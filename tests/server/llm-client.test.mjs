// The LLM client (web/src/llm/: sse.c, chunk.c, client.c) against the
// OpenAI-compatible stand-in (web/llmsim/), through the operator's
// subcommand `petamigos-server llm ask`: tokens in order, tool calls whose
// arguments arrive in pieces, the first-byte and total deadlines (a hang, a
// stalled answer), a slow answer read whole, an error status, a broken stream, no [DONE], the answer's
// length cap at its edge, the key sent and never printed. No server runs:
// the client is the binary's own code.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { sanitizerReports } from '../lib/exit.mjs';
import { startLlmsim } from '../lib/llmsim.mjs';
import { BIN as SERVER } from './helpers.mjs';

const RUN_BOUND_MS = 60_000; // hang guard only
const ANSWER_MAX = 8192; // PA_LLM_ANSWER_MAX (web/src/llm/chunk.h)
const SYSTEM = [
  'Answer only from the articles below, in the language of the question, citing them as [n].',
  '[1] Change your pet\'s photo',
  'Open your pet\'s profile, tap the photo and choose a new one from your device.',
  'More text of the body.',
  '[2] Delete your account',
  'Go to Settings, then Account, then Delete account; it cannot be undone.',
].join('\n');

let llm;
before(async () => { llm = await startLlmsim(); });
after(async () => { await llm?.stop(); });

/** Runs `petamigos-server llm ask args…`: {code, lines (parsed --json lines), stdout, stderr}. */
function ask(args, { env = {}, input } = {}) {
  return new Promise((resolve) => {
    const child = execFile(SERVER, ['llm', 'ask', ...args], { env: { ...process.env, ...llm.serverEnv(), ...env }, timeout: RUN_BOUND_MS }, (err, stdout, stderr) => {
      assert.deepEqual(sanitizerReports(stderr), [], stderr);
      const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      resolve({ code: err ? err.code : 0, lines, stdout, stderr });
    });
    child.stdin.on('error', (e) => { if (e.code !== 'EPIPE') throw e; });
    child.stdin.end(input ?? '');
  });
}

const tokens = (r) => r.lines.filter((l) => 'token' in l).map((l) => l.token);
const done = (r) => r.lines.find((l) => 'done' in l)?.done;
const toolCalls = (r) => r.lines.filter((l) => 'tool_call' in l).map((l) => l.tool_call);

test('tokens arrive one by one, in order, and end with the citation; the request is OpenAI\'s', async () => {
  await llm.reset();
  const r = await ask(['--json', '--system', SYSTEM, 'How do I change the photo of my pet?']);
  assert.equal(r.code, 0, r.stderr);
  const ts = tokens(r);
  const want = 'Open your pet\'s profile, tap the photo and choose a new one from your device. [1]';
  assert.ok(ts.length > 3, `several tokens, got ${JSON.stringify(ts)}`);
  assert.equal(ts.join(''), want);
  assert.deepEqual(done(r), { finish: 'stop', answer: want });
  const [req] = await llm.requests();
  assert.equal(req.path, '/v1/chat/completions');
  assert.equal(req.body.stream, true);
  assert.equal(req.body.model, 'llama-3.1-8b-instruct');
  assert.equal(req.authorization, null);
  assert.deepEqual(req.body.messages.map((m) => m.role), ['system', 'user']);
  assert.equal(req.body.tools, undefined);
});

test('the other article for another question; no article that fits: it says it does not know', async () => {
  const r = await ask(['--json', '--system', SYSTEM, 'I want to delete my account forever']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(done(r).answer, /Settings.*\[2\]$/);
  const none = await ask(['--json', '--system', SYSTEM, 'zebra quantum']);
  assert.equal(none.code, 0, none.stderr);
  assert.match(done(none).answer, /don't know/);
  assert.doesNotMatch(done(none).answer, /\[\d\]/);
});

test('tool calls: arguments in pieces are joined into one object, per question (en and es)', async () => {
  const cases = [
    ['where is my order ord_12?', 'order_status', { order_id: 'ord_12' }],
    ['Where are my orders?', 'my_orders', {}],
    ['¿Dónde está mi pedido ord_7?', 'order_status', { order_id: 'ord_7' }],
    ['¿Cuándo se renueva mi suscripción?', 'my_plan', {}],
    ['Why was my post hidden?', 'hidden_posts', {}],
  ];
  for (const [q, name, args] of cases) {
    const r = await ask(['--json', '--tools', q]);
    assert.equal(r.code, 0, `${q}: ${r.stderr}`);
    const calls = toolCalls(r);
    assert.equal(calls.length, 1, q);
    assert.equal(calls[0].name, name, q);
    assert.deepEqual(calls[0].arguments, args, q);
    assert.match(calls[0].id, /^call_\d+$/);
    assert.equal(done(r).finish, 'tool_calls', q);
    assert.equal(tokens(r).length, 0, q);
  }
  // Without tools offered, the same question is answered from the articles.
  const plain = await ask(['--json', '--system', SYSTEM, 'where is my order ord_12?']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(toolCalls(plain).length, 0);
  assert.equal(done(plain).finish, 'stop');
});

test('after the tool message the answer is made of the tool result (a whole request on stdin)', async () => {
  const request = {
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: '¿Dónde está mi pedido ord_12?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'order_status', arguments: '{"order_id":"ord_12"}' } }] },
      { role: 'tool', tool_call_id: 'call_9', content: JSON.stringify({ id: 'ord_12', state: 'shipped', updated_at: '2026-12-01' }) },
    ],
  };
  const r = await ask(['--json', '--request', '-'], { input: JSON.stringify(request) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(done(r).answer, 'Tu pedido ord_12, shipped, 2026-12-01.');
  request.messages[3].content = '{"error":"not_found"}';
  const missing = await ask(['--json', '--request', '-'], { input: JSON.stringify(request) });
  assert.equal(done(missing).answer, 'No encontré ese pedido entre los tuyos.');
  // max_tokens cut: finish_reason "length" is reported as such.
  const cut = await ask(['--json', '--request', '-'], { input: JSON.stringify({ messages: request.messages.slice(0, 2), max_tokens: 2 }) });
  assert.equal(cut.code, 0, cut.stderr);
  assert.equal(done(cut).finish, 'length');
  assert.equal(tokens(cut).length, 2);
});

test('hang: the first-byte deadline stops it (exit 3), from --timeout-ms and from PA_LLM_TIMEOUT_MS', async () => {
  await llm.mode('hang');
  try {
    const r = await ask(['--json', '--timeout-ms', '300', '--system', SYSTEM, 'pet photo']);
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(r.lines, [{ error: 'timeout' }]);
    const e = await ask(['--json', 'pet photo'], { env: { PA_LLM_TIMEOUT_MS: '300' } });
    assert.equal(e.code, 3, e.stderr);
  } finally {
    await llm.mode('normal');
  }
});

test('stall: the total deadline falls mid-answer; the two pieces that came before it were streamed', async () => {
  await llm.mode('stall');
  try {
    const r = await ask(['--json', '--timeout-ms', '600', '--system', SYSTEM, 'pet photo']);
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(tokens(r), ['Open your pet\'s ', 'profile, tap the ']);
    assert.deepEqual(r.lines.at(-1), { error: 'timeout' });
  } finally {
    await llm.mode('normal');
  }
});

test('slow: an answer trickling in is read whole', async () => {
  await llm.mode('slow', { chunkMs: 30 });
  try {
    const r = await ask(['--json', '--system', SYSTEM, 'pet photo']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(done(r).answer, /device\. \[1\]$/);
  } finally {
    await llm.mode('normal');
  }
});

test('an error status, a broken chunk, a stream without [DONE], nobody listening: errors (exit 1)', async () => {
  await llm.mode('error');
  try {
    const r = await ask(['--json', 'pet photo']);
    assert.equal(r.code, 1);
    assert.deepEqual(r.lines, [{ error: 'http' }]);
    assert.doesNotMatch(r.stderr, /error mode/); // the error answer's body is not read out
    await llm.mode('bad');
    const bad = await ask(['--json', '--system', SYSTEM, 'pet photo']);
    assert.equal(bad.code, 1);
    assert.deepEqual(bad.lines.at(-1), { error: 'bad_stream' });
    await llm.mode('nodone');
    const nodone = await ask(['--json', '--system', SYSTEM, 'pet photo']);
    assert.equal(nodone.code, 1);
    assert.deepEqual(nodone.lines.at(-1), { error: 'bad_stream' });
  } finally {
    await llm.mode('normal');
  }
  const closed = await ask(['--json', 'pet photo'], { env: { PA_LLM_URL: 'http://127.0.0.1:9' } });
  assert.equal(closed.code, 1);
  assert.deepEqual(closed.lines, [{ error: 'http' }]);
});

test(`the answer's cap PA_LLM_ANSWER_MAX (${ANSWER_MAX} bytes): the last byte allowed, the first refused`, async () => {
  // The answer is the summary and " [1]": a summary of ANSWER_MAX - 4 bytes fills it exactly.
  const summary = (n) => `${'abcdefg '.repeat(Math.floor(n / 8))}${'x'.repeat(n % 8)}`.trimEnd().padEnd(n, 'y');
  const system = (n) => `Articles:\n[1] Long\n${summary(n)}`;
  await llm.mode('normal', { chunkMs: 0 }); // some 550 chunks: no gap between them
  const full = await ask(['--json', '--system', system(ANSWER_MAX - 4), 'abcdefg']);
  assert.equal(full.code, 0, full.stderr);
  assert.equal(Buffer.byteLength(done(full).answer), ANSWER_MAX);
  const over = await ask(['--json', '--system', system(ANSWER_MAX - 3), 'abcdefg']);
  assert.equal(over.code, 1);
  assert.deepEqual(over.lines.at(-1), { error: 'too_big' });
  const streamed = tokens(over).join('');
  assert.ok(Buffer.byteLength(streamed) <= ANSWER_MAX);
  await llm.mode('normal');
});

test('the key goes in the Authorization header and nowhere else; a bad configuration is refused', async () => {
  await llm.reset();
  const key = 'sk-llmsim-secret-key';
  const r = await ask(['--json', '--system', SYSTEM, 'pet photo'], { env: { PA_LLM_KEY: key, PA_LLM_MODEL: 'tiny' } });
  assert.equal(r.code, 0, r.stderr);
  const [req] = await llm.requests();
  assert.equal(req.authorization, `Bearer ${key}`);
  assert.equal(req.body.model, 'tiny');
  assert.ok(!r.stdout.includes(key) && !r.stderr.includes(key));
  const base = await ask(['--json', 'pet photo'], { env: { PA_LLM_URL: `${llm.url}/v1/` } });
  assert.equal(base.code, 0, base.stderr); // written as Ollama's documentation does
  const none = await ask(['pet photo'], { env: { PA_LLM_URL: '' } });
  assert.equal(none.code, 4);
  const ftp = await ask(['pet photo'], { env: { PA_LLM_URL: 'ftp://127.0.0.1/' } });
  assert.equal(ftp.code, 2);
  const nl = await ask(['pet photo'], { env: { PA_LLM_KEY: 'a\nb' } });
  assert.equal(nl.code, 2);
  assert.ok(!nl.stderr.includes('a\nb'));
  const t = await ask(['pet photo'], { env: { PA_LLM_TIMEOUT_MS: 'soon' } });
  assert.equal(t.code, 2);
  const usage = await ask([]);
  assert.equal(usage.code, 2);
});

test('llmsim answers GET /v1/models like llama.cpp\'s server', async () => {
  const res = await fetch(`${llm.url}/v1/models`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.data[0].id, 'llama-3.1-8b-instruct');
});
