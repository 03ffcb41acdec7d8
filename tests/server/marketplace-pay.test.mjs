// The marketplace's payment adapters (web/src/pay/: payout.c, mp_oauth.c,
// mp_seller.c, the payout webhooks in parse_payout.c) against the real
// simulator, called through `petamigos-server pay …` (web/src/pay/cli.c):
// PayPal Payouts once per batch id (a retry after a lost answer included),
// unclaimed and failed receivers, exact amounts in JPY, USD, BRL and CLP,
// signed payout webhooks verified (and a tampered one refused), Mercado
// Pago's OAuth (invalid_grant, refresh) with the seller's tokens kept out of
// every output, and split preferences with marketplace_fee.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { SERVER } from '../lib/paths.mjs';
import { startPaysim, until } from '../lib/paysim.mjs';

const REDIRECT = 'https://petamigos.test/sell/mercadopago/return';
const RUN_BOUND_MS = 60000; // hang guard only

let sim;
let dir;
let hooks; // the PayPal webhook receiver: [{headers, body}]
let hookServer;

/** Runs `petamigos-server pay args…` against the sim: {code, out (parsed JSON when it is), stdout, stderr}. */
function pay(args, { input = '', env = {} } = {}) {
  return new Promise((resolve) => {
    const child = execFile(SERVER, ['pay', ...args], { env: { ...process.env, ...sim.serverEnv(), ...env }, timeout: RUN_BOUND_MS }, (err, stdout, stderr) => {
      let out = null;
      try { out = JSON.parse(stdout); } catch { out = null; }
      resolve({ code: err ? err.code : 0, out, stdout, stderr });
    });
    // A command that reads no stdin may exit before this is written: not an error of the test.
    child.stdin.on('error', (e) => { if (e.code !== 'EPIPE') throw e; });
    child.stdin.end(input);
  });
}

async function ok(args, opts) {
  const r = await pay(args, opts);
  assert.equal(r.code, 0, `pay ${args.join(' ')}: ${r.stderr}`);
  return r.out ?? r.stdout.trim();
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mkt-pay-'));
  hooks = [];
  hookServer = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => hookServer.listen(0, '127.0.0.1', r));
  sim = await startPaysim();
  const hookUrl = `http://127.0.0.1:${hookServer.address().port}`;
  await sim.config({ paypal_webhook_url: `${hookUrl}/paypal`, mp_webhook_url: `${hookUrl}/mp` });
});

after(async () => {
  await sim?.stop();
  await new Promise((r) => { hookServer.closeAllConnections(); hookServer.close(r); });
  rmSync(dir, { recursive: true, force: true });
});

describe('PayPal Payouts through the adapter', () => {
  test('one batch per batch id, a retry after a lost answer included; items end success, unclaimed or failed', async () => {
    await sim.payoutReceiver('ghost@example.test', 'unclaimed');
    await sim.payoutReceiver('locked@example.test', 'failed');
    const lines = ['seller@example.test:1000:USD:ord_1', 'ghost@example.test:1:USD:ord_2', 'locked@example.test:1234:USD:ord_3'];
    // The first call's answer is lost after PayPal made the batch.
    await sim.faults({ method: 'POST', path: '^/v1/payments/payouts$', action: 'after-timeout' });
    const lost = await pay(['payout-create', 'po_t1', ...lines], { env: { PA_PAY_TIMEOUT_MS: '1000' } });
    assert.equal(lost.code, 1);
    assert.match(lost.stderr, /error 1:/, 'unreachable: the outcome is unknown');
    const first = await ok(['payout-create', 'po_t1', ...lines]);
    assert.equal(first.sender_batch_id, 'po_t1');
    assert.equal(first.status, 'pending');
    const again = await ok(['payout-create', 'po_t1', ...lines]);
    assert.equal(again.id, first.id);
    assert.equal((await sim.record()).creates.paypal_payouts, 1, 'one batch at PayPal');

    const pending = await ok(['payout-get', first.id]);
    assert.deepEqual(pending.items.map((i) => i.status), ['pending', 'pending', 'pending']);
    await sim.processPayouts();
    const done = await ok(['payout-get', first.id]);
    assert.equal(done.status, 'success');
    assert.deepEqual(done.items.map((i) => [i.sender_item_id, i.status, i.amount_minor, i.currency, i.fee_minor, i.error]), [
      ['ord_1', 'success', 1000, 'USD', 20, ''],
      ['ord_2', 'unclaimed', 1, 'USD', 1, 'RECEIVER_UNREGISTERED'],
      ['ord_3', 'failed', 1234, 'USD', 0, 'RECEIVER_ACCOUNT_LOCKED'],
    ]);
    const item = await ok(['payout-item', done.items[0].item_id]);
    assert.equal(item.status, 'success');
    assert.ok(item.transaction_id);
    const paid = (await sim.record()).money.filter((m) => m.parent_id === first.id);
    assert.deepEqual(paid.map((m) => [m.kind, m.gross_minor]), [['payout', 1000], ['payout', 1]], 'one payout per paid item, none for the failed one');
    const missing = await pay(['payout-item', 'NOSUCHITEM']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /error 2: HTTP 404/);
  });

  test('exact amounts: JPY without decimals, USD one cent; a verified payout webhook and a tampered one', async () => {
    const jpy = await ok(['payout-create', 'po_jpy', 'seller@example.test:1000:JPY:ord_j']);
    await sim.processPayouts();
    const got = await ok(['payout-get', jpy.id]);
    assert.deepEqual([got.items[0].amount_minor, got.items[0].currency, got.items[0].fee_minor], [1000, 'JPY', 20]);
    // PayPal takes "1000" for JPY and refuses "1000.00" (DECIMAL_PRECISION): the sim accepting it proves the text.
    const hit = await until('the SUCCEEDED webhook of the JPY item', () => hooks.find((h) => {
      const j = JSON.parse(h.body);
      return j.event_type === 'PAYMENT.PAYOUTS-ITEM.SUCCEEDED' && j.resource.payout_item_id === got.items[0].item_id && h;
    }));
    assert.deepEqual(JSON.parse(hit.body).resource.payout_item.amount, { value: '1000', currency: 'JPY' });
    const headerArgs = Object.entries(hit.headers).filter(([k]) => k.startsWith('paypal-')).flatMap(([k, v]) => ['--header', `${k}: ${v}`]);
    const ev = await ok(['webhook', 'paypal', ...headerArgs], { input: hit.body });
    assert.deepEqual([ev.kind, ev.type, ev.payout.status, ev.payout.amount_minor, ev.payout.currency], ['payout', 'PAYMENT.PAYOUTS-ITEM.SUCCEEDED', 'success', 1000, 'JPY']);
    const tampered = await pay(['webhook', 'paypal', ...headerArgs], { input: hit.body.replace('"value":"1000"', '"value":"9000"') });
    assert.equal(tampered.code, 1);
    assert.match(tampered.stderr, /error 6:/, 'PA_PAY_EVERIFY');
    const batchHit = await until('the batch webhook', () => hooks.find((h) => JSON.parse(h.body).event_type === 'PAYMENT.PAYOUTSBATCH.SUCCESS' && JSON.parse(h.body).resource.batch_header.payout_batch_id === jpy.id && h));
    const batchArgs = Object.entries(batchHit.headers).filter(([k]) => k.startsWith('paypal-')).flatMap(([k, v]) => ['--header', `${k}: ${v}`]);
    const bev = await ok(['webhook', 'paypal', ...batchArgs], { input: batchHit.body });
    assert.deepEqual([bev.kind, bev.payout.batch_id, bev.payout.status], ['payout', jpy.id, 'success']);

    const cent = await ok(['payout-create', 'po_cent', 'seller@example.test:1:USD:ord_c']);
    const c = await ok(['payout-get', cent.id]);
    assert.deepEqual([c.items[0].amount_minor, c.items[0].currency], [1, 'USD']);
    // A currency we do not trade, a second currency in the batch: refused before any call.
    assert.equal((await pay(['payout-create', 'po_gbp', 'seller@example.test:100:GBP:x'])).code, 1);
    assert.equal((await pay(['payout-create', 'po_mix', 'a@example.test:100:USD:x', 'b@example.test:100:EUR:y'])).code, 1);
  });
});

describe('Mercado Pago marketplace through the adapter', () => {
  /** The seller approves on the page the adapter's URL names: the code it brings back. */
  async function authorize(country) {
    const url = await ok(['mp-oauth-url', 'st-42', REDIRECT]);
    assert.ok(url.startsWith(`${sim.url}mercadopago/authorization?client_id=1234567890123456&response_type=code&platform_id=mp&state=st-42&redirect_uri=`), url);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    const form = new URLSearchParams(new URL(url).searchParams);
    form.set('decision', 'approve');
    form.set('country', country);
    const back = await sim.call('POST', 'mercadopago/authorization', form.toString(), { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(back.status, 303);
    const to = new URL(back.headers.get('location'));
    assert.equal(to.searchParams.get('state'), 'st-42');
    return to.searchParams.get('code');
  }

  const grant = (name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8'));

  test('OAuth: the code once (invalid_grant after), refresh once; tokens only in the 0600 grant file', async () => {
    const code = await authorize('BR');
    const file = path.join(dir, 'seller-br.json');
    const r = await pay(['mp-oauth-exchange', code, REDIRECT, file]);
    assert.equal(r.code, 0, r.stderr);
    const g = grant('seller-br.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(r.out.user_id, g.user_id);
    assert.ok(r.out.expires_at > Date.now() / 1000 + 15552000 - 3600);
    for (const secret of [g.access_token, g.refresh_token]) {
      assert.ok(secret.length > 10);
      assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), 'no token in the output');
    }
    const reused = await pay(['mp-oauth-exchange', code, REDIRECT, path.join(dir, 'x.json')]);
    assert.equal(reused.code, 1);
    assert.match(reused.stderr, /error 2: invalid_grant$/m);
    const wrong = await pay(['mp-oauth-exchange', 'TG-forged-1', REDIRECT, path.join(dir, 'x.json')]);
    assert.match(wrong.stderr, /invalid_grant/);

    const old = readFileSync(file, 'utf8');
    writeFileSync(path.join(dir, 'old.json'), old, { mode: 0o600 });
    const refreshed = await pay(['mp-oauth-refresh', file]);
    assert.equal(refreshed.code, 0, refreshed.stderr);
    const g2 = grant('seller-br.json');
    assert.notEqual(g2.access_token, g.access_token);
    assert.equal(g2.user_id, g.user_id);
    assert.ok(!refreshed.stdout.includes(g2.access_token) && !refreshed.stdout.includes(g2.refresh_token));
    const stale = await pay(['mp-oauth-refresh', path.join(dir, 'old.json')]);
    assert.match(stale.stderr, /error 2: invalid_grant/, 'a refresh token is good once');
  });

  test('a split order: the seller collects, our fee rides along, released after the delay, refunded in proportion', async () => {
    const code = await authorize('BR');
    const file = path.join(dir, 'seller-br2.json');
    await ok(['mp-oauth-exchange', code, REDIRECT, file]);
    const g = grant('seller-br2.json');
    const order = await ok(['mp-seller-order', file, 'BR', '20000', 'BRL', '2050', 'ord_9', 'key-ord-9']);
    const same = await ok(['mp-seller-order', file, 'BR', '20000', 'BRL', '2050', 'ord_9', 'key-ord-9']);
    assert.equal(same.id, order.id, 'the same key, the same preference');
    const pref = await sim.call('GET', `mercadopago/checkout/preferences/${order.id}`, undefined, { headers: { authorization: `Bearer ${g.access_token}` } });
    assert.deepEqual([pref.body.items[0].unit_price, pref.body.marketplace_fee, pref.body.collector_id], [200, 20.5, Number(g.user_id)]);
    // The fee over the amount is refused before any call.
    const over = await pay(['mp-seller-order', file, 'BR', '20000', 'BRL', '20001', 'ord_x', 'key-x']);
    assert.equal(over.code, 1);
    assert.match(over.stderr, /error 2:/);

    const { redirect } = await sim.approve('mercadopago', order.id);
    const paymentId = new URL(redirect).searchParams.get('payment_id');
    // Its notification names the seller (user_id): the worker reads the payment with their token.
    const note = await until('the payment notification', () => hooks.find((h) => h.url.startsWith('/mp?') && new URL(h.url, 'http://x').searchParams.get('data.id') === paymentId && h));
    const noteEv = await ok(['webhook', 'mercadopago', '--query', note.url.slice(4), '--header', `x-signature: ${note.headers['x-signature']}`,
      '--header', `x-request-id: ${note.headers['x-request-id']}`], { input: note.body });
    assert.deepEqual([noteEv.kind, noteEv.txn_id, noteEv.user_id], ['txn', paymentId, g.user_id]);
    const split = await ok(['mp-seller-payment', file, 'BR', paymentId]);
    assert.equal(split.collector_id, g.user_id);
    assert.equal(split.marketplace_fee_minor, 2050);
    assert.equal(split.status, 'approved');
    assert.equal(split.released, false);
    assert.deepEqual([split.charge.kind, split.charge.gross_minor, split.charge.currency, split.charge.reference], [1, 20000, 'BRL', 'ord_9']);
    assert.ok(split.release_at > Date.now() / 1000);
    await sim.clock(14 * 86400 + 60);
    assert.equal((await ok(['mp-seller-payment', file, 'BR', paymentId])).released, true);
    await sim.clock(0);

    const refund = await ok(['mp-seller-refund', file, 'BR', paymentId, 'ref-1', '5000', 'BRL']);
    assert.deepEqual([refund.kind, refund.gross_minor, refund.parent_id], [2, 5000, paymentId]);
    const after1 = await ok(['mp-seller-payment', file, 'BR', paymentId]);
    assert.equal(after1.refunded_minor, 5000);
    const fees = (await sim.record()).money.filter((m) => m.parent_id === paymentId).map((m) => m.marketplace_fee_minor);
    assert.deepEqual(fees, [513], 'a quarter refunded gives back a quarter of 20.50, half up');
    // Our platform account does not see the seller's payment.
    const platform = await sim.call('GET', `mercadopago/v1/payments/${paymentId}`, undefined, { headers: { authorization: 'Bearer SIM-MP-BR' } });
    assert.equal(platform.status, 404);
  });

  test('CLP: whole pesos go out as integers, exactly', async () => {
    const code = await authorize('CL');
    const file = path.join(dir, 'seller-cl.json');
    await ok(['mp-oauth-exchange', code, REDIRECT, file]);
    const order = await ok(['mp-seller-order', file, 'CL', '15990', 'CLP', '1599', 'ord_cl', 'key-cl']);
    const pref = await sim.call('GET', `mercadopago/checkout/preferences/${order.id}`, undefined, { headers: { authorization: `Bearer ${grant('seller-cl.json').access_token}` } });
    assert.deepEqual([pref.body.items[0].unit_price, pref.body.items[0].currency_id, pref.body.marketplace_fee], [15990, 'CLP', 1599]);
    assert.equal((await pay(['mp-seller-order', file, 'CL', '15990', 'BRL', '1599', 'ord_cl2', 'key-cl2'])).code, 1, 'another site\'s currency');
  });
});
