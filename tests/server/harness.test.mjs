// The harnesses' end-of-server check can fail: tests/lib/exit.mjs's verdicts
// on made-up endings, then the real server, through both harnesses
// (tests/lib/server.mjs for browser tests and benchmarks, helpers.mjs for
// server tests), stopped cleanly (passes), killed with SIGKILL (fails), and
// made to leak by a preloaded library (fails on LeakSanitizer's real report).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SANITIZER_MARKERS, exitProblems } from '../lib/exit.mjs';
import { ROOT, SERVER } from '../lib/paths.mjs';
import { startServer as startLibServer } from '../lib/server.mjs';
import { BIN, startServer, stopServer } from './helpers.mjs';

const CORPUS = path.join(ROOT, 'tests/corpus'); // any folder will do as the site

// What each sanitizer prints (abridged from real reports).
const REPORTS = {
  asan: '==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000015\n',
  lsan: '==1==ERROR: LeakSanitizer: detected memory leaks\n\nDirect leak of 4096 byte(s) in 1 object(s)\n',
  ubsan: 'web/src/http.c:12:5: runtime error: signed integer overflow: 2147483647 + 1\n',
};

describe('tests/lib/exit.mjs: how a server must end', () => {
  const clean = { code: 0, signal: null };
  test('exit 0 after SIGTERM with a quiet stderr is clean', () => {
    const log = '{"time":"2026-12-06T09:00:00.000Z","level":"info","msg":"request","id":"1-1","method":"GET","route":"static","status":200,"us":100,"bytes":5,"db_us":0}\n';
    assert.deepEqual(exitProblems({ exit: clean, stderr: `${log}{"time":"2026-12-06T09:00:01.000Z","level":"info","component":"server","msg":"SIGTERM received, stopping"}\n` }), []);
  });
  test('a non-zero status, any signal, an exit before the stop and a hang each fail', () => {
    assert.match(exitProblems({ exit: { code: 1, signal: null }, stderr: '' }).join(), /status 1/);
    assert.match(exitProblems({ exit: { code: null, signal: 'SIGKILL' }, stderr: '' }).join(), /SIGKILL/);
    assert.match(exitProblems({ exit: { code: null, signal: 'SIGTERM' }, stderr: '' }).join(), /did not handle it/);
    assert.match(exitProblems({ exit: { code: null, signal: 'SIGSEGV' }, stderr: '', stopped: false }).join(), /by itself.*SIGSEGV/);
    assert.match(exitProblems({ exit: clean, stderr: '', stopped: false }).join(), /by itself/);
    assert.match(exitProblems({ exit: { code: null, signal: 'SIGKILL' }, stderr: '', killed: true }).join(), /did not exit within/);
  });
  for (const [name, report] of Object.entries(REPORTS)) {
    test(`a ${name} report on stderr fails even after exit 0`, () => {
      assert.match(exitProblems({ exit: clean, stderr: `{"msg":"request","route":"static","status":200}\n${report}` }).join(), /sanitizer report/);
    });
  }
  test('the markers are the ones the brief names', () => {
    for (const m of ['AddressSanitizer', 'runtime error:', 'LeakSanitizer']) assert.ok(SANITIZER_MARKERS.includes(m), m);
  });
});

// A shared library that leaks 4 KB when loaded, preloaded after ASan's
// runtime (which must come first): the server then ends with LeakSanitizer's
// real report, as it would with a leak of its own.
let leakEnv, tmp;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-harness-'));
  const libasan = /libasan\.so\.\d+ => (\S+)/.exec(execFileSync('ldd', [SERVER], { encoding: 'utf8' }))?.[1];
  assert.ok(libasan, `${SERVER} is not linked with ASan: the sanitizer checks need the native-debug build (scripts/build native-debug)`);
  assert.equal(BIN, SERVER, 'both harnesses run the same binary (PA_SERVER_BIN)');
  const src = path.join(tmp, 'leak.c'), lib = path.join(tmp, 'leak.so');
  writeFileSync(src, '#include <stdlib.h>\nvoid *volatile pa_leak_slot;\n'
    + '__attribute__((constructor)) static void leak(void) { pa_leak_slot = malloc(4096); pa_leak_slot = 0; }\n');
  execFileSync('cc', ['-shared', '-fPIC', '-O0', '-o', lib, src]);
  leakEnv = { LD_PRELOAD: `${libasan}:${lib}` };
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('tests/lib/server.mjs (browser tests, benchmarks): stop() checks the end', () => {
  test('a server stopped with SIGTERM ends cleanly', async () => {
    const server = await startLibServer({ root: CORPUS, seed: false });
    await server.stop();
  });
  test('a server killed with SIGKILL fails stop()', async () => {
    const server = await startLibServer({ root: CORPUS, seed: false });
    process.kill(server.pid, 'SIGKILL');
    await server.exited;
    await assert.rejects(server.stop(), /exited by itself while the tests ran \(SIGKILL\)/);
  });
  test('a server that leaks fails stop() with the LeakSanitizer report', async () => {
    const server = await startLibServer({ root: CORPUS, seed: false, env: leakEnv });
    await assert.rejects(server.stop(), (e) => {
      assert.match(e.message, /exited with status [1-9]/);
      assert.match(e.message, /sanitizer report \("LeakSanitizer"\)/);
      assert.match(e.message, /Direct leak of 4096 byte/);
      return true;
    });
  });
  test('a crash between down() and up() fails up()', async () => {
    const server = await startLibServer({ root: CORPUS, seed: false });
    process.kill(server.pid, 'SIGKILL');
    await assert.rejects(server.up(), /SIGKILL/);
    await server.stop(); // the checked life is gone: nothing left to fail
  });
});

describe('tests/server/helpers.mjs: stopServer checks the end', () => {
  test('a server stopped with SIGTERM ends cleanly', async () => {
    const server = await startServer({ seed: false });
    await stopServer(server, { keepData: false });
  });
  test('a server killed with SIGKILL fails stopServer', async () => {
    const server = await startServer({ seed: false });
    server.child.kill('SIGKILL');
    await server.exited;
    await assert.rejects(stopServer(server, { keepData: false }), /exited by itself while the tests ran \(SIGKILL\)/);
  });
  test('a server that leaks fails stopServer with the LeakSanitizer report', async () => {
    const server = await startServer({ seed: false, env: leakEnv });
    await assert.rejects(stopServer(server, { keepData: false }), /LeakSanitizer[\s\S]*Direct leak of 4096 byte/);
  });
});
