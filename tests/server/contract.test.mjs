// The contract itself: web/openapi.yaml is well-formed and complete enough
// for the validator the other server tests use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contract, matchPath, operations, validateResponse } from '../lib/openapi.mjs';

test('OpenAPI 3.1 with JSON Schema 2020-12, everything under /api/v1 (and /media, /embed, /r, /metrics)', () => {
  assert.equal(contract.openapi, '3.1.0');
  assert.equal(contract.jsonSchemaDialect, 'https://json-schema.org/draft/2020-12/schema');
  for (const p of Object.keys(contract.paths)) assert.match(p, /^\/(api\/v1\/|media\/|embed\/[pl]\/|r\/\{code\}$|metrics$)/, p);
  assert.ok(operations().length >= 39);
});

test('every operation has a success answer and the error shape for failures', () => {
  for (const op of operations()) {
    const [method, template] = op.split(' ');
    const responses = contract.paths[template][method.toLowerCase()].responses;
    const codes = Object.keys(responses);
    // Success is a 2xx, or a 303 for a browser's redirect back from a provider
    // (the Mercado Pago connection's callback answers nothing else), or the
    // 302 of an affiliate's link (/r/{code}), which is nothing but a redirect.
    assert.ok(codes.some((c) => /^(2\d\d|303)$/.test(c)) || (template === '/r/{code}' && codes.includes('302')),
      `${op}: no 2xx or 303`);
    if (template.startsWith('/api/')) {
      assert.ok(responses.default, `${op}: no default error`);
      // Every documented failure validates as the error shape.
      for (const c of codes.filter((x) => /^[45]\d\d$/.test(x))) {
        validateResponse(method, template, Number(c), { error: { code: 'bad_request', message: 'x' } });
      }
    }
  }
});

test('every response schema compiles (all $refs resolve) and refuses junk', () => {
  for (const op of operations()) {
    const [method, template] = op.split(' ');
    const responses = contract.paths[template][method.toLowerCase()].responses;
    for (const c of Object.keys(responses).filter((x) => /^2\d\d$/.test(x))) {
      if (!template.startsWith('/api/')) continue;
      // A download (the media export's tar) has no JSON to refuse.
      if (responses[c].content && !responses[c].content['application/json']) continue;
      assert.throws(() => validateResponse(method, template, Number(c), { junk: true }), /breaks the contract/, `${op} ${c}`);
    }
  }
});

test('URLs map to their templates; unknown statuses and paths are refused', () => {
  assert.equal(matchPath('/api/v1/posts/p_12/comments?limit=3'), '/api/v1/posts/{post_id}/comments');
  assert.equal(matchPath('http://127.0.0.1:8080/api/v1/feed/following'), '/api/v1/feed/following');
  assert.equal(matchPath('/api/v1/nope'), null);
  assert.throws(() => validateResponse('GET', '/api/v1/feed', 201, { posts: [], next_cursor: null }), /no 201/);
  assert.throws(() => validateResponse('GET', '/api/v1/nope', 200, {}), /not in the contract/);
  validateResponse('GET', '/api/v1/nope', 404, { error: { code: 'not_found', message: 'No route' } });
  assert.throws(() => validateResponse('GET', '/api/v1/nope', 404, { error: { code: 'nope', message: 'x' } }));
  assert.throws(() => validateResponse('GET', '/api/v1/feed', 400, { error: { code: 'bad_request', message: 'x', extra: 1 } }));
});
