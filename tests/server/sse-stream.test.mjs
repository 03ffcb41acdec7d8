// Streamed answers out of our transport (web/src/net/net_uv.c,
// pa_net_resp_stream): the C test web/tests/test_stream.c starts the real
// transport with a handler on a loopback port and talks raw sockets (no
// test-only route in the product), run here as ctest runs it, so the node
// suite shows it too: events in order whatever their sizes and before the
// head, keep-alive after the end, PA_NET_STREAM_QUEUE_MAX at its edge (the
// last byte allowed, the next refused and the stream dropped), a client that
// stops reading dropped, a client that leaves noticed (send returns -1),
// PA_NET_STREAM_MAX_S (lowered to 1 s) ending a stream nobody ends, HTTP/1.0
// and HEAD, eight senders at once. The assistant's stream route (GET /api/v1/help/asks/{ha}/stream,
// hask) adds its end-to-end test through the server here. Needs no database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { BIN, assertNoSanitizerReports } from './helpers.mjs';

const STREAM_TEST_BIN = process.env.PA_STREAM_TEST_BIN ?? path.join(path.dirname(BIN), 'test_stream');

test('the transport streams, bounds and ends answers (web/tests/test_stream.c)', async () => {
  const r = await new Promise((resolve) => {
    execFile(STREAM_TEST_BIN, [], { timeout: 120_000 }, (e, stdout, stderr) => resolve({ code: e ? e.code : 0, stdout, stderr }));
  });
  assertNoSanitizerReports(r.stderr);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  for (const name of ['events_in_order_and_keep_alive', 'ended_before_the_head', 'unknown_streams_refused',
    'client_leaving_is_noticed', 'queue_edge', 'a_client_that_stops_reading_is_dropped', 'http10_and_head', 'parallel_senders',
    'max_life'])
    assert.match(r.stdout, new RegExp(`^ok +${name}$`, 'm'));
  assert.match(r.stdout, /web\.stream: \d+ checks, 0 failed/);
});
