// The gates scripts/test runs (scripts/gates.mjs) fail when they should: the
// ranking gate on rank-eval tables either side of its line (and through
// scripts/eval-ranking itself, with a stand-in CLI printing the table), the
// size gate on bench-size's records either side of the budget.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../lib/paths.mjs';
import {
  RANKING_NDCG_GATE, RANKING_RECALL_GATE, SIZE_BUDGET_BYTES, parseRankEval, rankingGate, sizeGate,
} from '../../scripts/gates.mjs';

// `petamigos rank-eval --seed 7` as it printed it (native-debug build).
const TODAY = `rank-eval: seed 7, 300 users x 20 sessions, 300 candidates per page, 2000 users behind the item embeddings
  base rate 0.170 liked; factorisation held-out AUC 0.749 (true probabilities: 0.908)
  int8 scoring keeps 99.8% of the f32 list (top 50)
  method                              NDCG@10  recall@50  sessions
  chronological (newest first)         0.2192     0.2079      6000
  popularity (most liked first)        0.3014     0.2399      6000
  ranked, no learning (cold start)     0.3424     0.2824      6000
  ranked, learning on device           0.6445     0.4561      6000
  ranked, learning, second half        0.6902     0.4794      3000
  ranked, learning, int8 scoring       0.6446     0.4561      6000
  oracle (true like probability)       0.8914     0.6507      6000
`;

// TODAY with one row's figures replaced.
function withRow(start, ndcg, recall) {
  return TODAY.split('\n').map((l) => (l.trimStart().startsWith(start)
    ? l.replace(/\d+\.\d+(\s+)\d+\.\d+/, `${ndcg.toFixed(4)}$1${recall.toFixed(4)}`) : l)).join('\n');
}
const verdict = (table) => rankingGate(parseRankEval(table));

describe('ranking gate', () => {
  test('the gates are the issue\'s: NDCG@10 1.5x, recall@50 1.15x', () => {
    assert.equal(RANKING_NDCG_GATE, 1.5);
    assert.equal(RANKING_RECALL_GATE, 1.15);
  });

  test('today\'s figures meet it (NDCG@10 2.14x popularity\'s)', () => {
    const { ok, lines } = verdict(TODAY);
    assert.equal(ok, true, lines.join('\n'));
    assert.match(lines[0], /learning 0\.6445 vs best baseline \(popularity\) 0\.3014: 2\.14x, gate 1\.50x: met/);
    assert.match(lines[1], /recall@50 .* 1\.90x, gate 1\.15x: met/);
  });

  test('learning NDCG@10 just below 1.5x the best baseline fails; just above passes', () => {
    const best = 0.3014;
    assert.equal(verdict(withRow('ranked, learning on device', best * 1.49, 0.4561)).ok, false);
    assert.equal(verdict(withRow('ranked, learning on device', best * 1.51, 0.4561)).ok, true);
  });

  test('the best baseline is whichever is higher: a stronger chronological raises the bar', () => {
    const { ok, lines } = verdict(withRow('chronological', 0.45, 0.2079));
    assert.equal(ok, false);
    assert.match(lines[0], /best baseline \(chronological\) 0\.4500: 1\.43x/);
  });

  test('recall@50 below 1.15x fails even when NDCG@10 passes', () => {
    assert.equal(verdict(withRow('ranked, learning on device', 0.6445, 0.2399 * 1.1)).ok, false);
  });

  test('figures no evaluation gives fail: a baseline at 0, a learning NDCG above 1', () => {
    assert.equal(verdict(withRow('popularity', 0, 0).replace(/0\.2192(\s+)0\.2079/, '0.0000$10.0000')).ok, false);
    assert.equal(verdict(withRow('ranked, learning on device', 1.5, 0.4561)).ok, false);
  });

  test('a table without a row the gate needs is an error, not a pass', () => {
    const noLearning = TODAY.split('\n').filter((l) => !l.includes('learning on device')).join('\n');
    assert.throws(() => parseRankEval(noLearning), /no "ranked, learning on device" row/);
    assert.throws(() => parseRankEval(''), /no "ranked, learning on device" row/);
  });

  // The script as scripts/test runs it, with a stand-in CLI that prints a table.
  describe('scripts/eval-ranking', () => {
    let tmp;
    before(() => { tmp = mkdtempSync(path.join(os.tmpdir(), 'pa-gates-')); });
    after(() => rmSync(tmp, { recursive: true, force: true }));
    function evalRanking(table, status = 0, env = {}) {
      const cli = path.join(tmp, `cli-${Math.random().toString(36).slice(2)}`);
      writeFileSync(cli, `#!/bin/sh\n[ "$1" = rank-eval ] || exit 9\ncat <<'TABLE'\n${table}TABLE\nexit ${status}\n`);
      chmodSync(cli, 0o755);
      return spawnSync(path.join(ROOT, 'scripts/eval-ranking'), { env: { ...process.env, ...env, PA_CLI: cli }, encoding: 'utf8' });
    }
    test('passes on today\'s table and prints the figures', () => {
      const r = evalRanking(TODAY);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /NDCG@10 +learning 0\.6445 .* 2\.14x, gate 1\.50x: met/);
    });
    test('fails below the gate', () => {
      const r = evalRanking(withRow('ranked, learning on device', 0.4, 0.4561));
      assert.notEqual(r.status, 0);
      assert.match(r.stdout, /1\.33x, gate 1\.50x: NOT met[\s\S]*FAIL: learning ranker below the gate/);
    });
    test('fails when rank-eval fails or prints no table', () => {
      assert.notEqual(evalRanking(TODAY, 1).status, 0);
      const r = evalRanking('rank-eval: nothing\n');
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /no "ranked, learning on device" row/);
    });
    test('MARGIN (the old setting) no longer moves the gate', () => {
      const r = evalRanking(withRow('ranked, learning on device', 0.4, 0.4561), 0, { MARGIN: '0.1' });
      assert.notEqual(r.status, 0, r.stdout);
    });
  });
});

// bench-size's records as it measured them (issue 26, 2026-12-07: 296.0 KB at start).
const START = [
  { kind: 'html', gz: 2_600 }, { kind: 'css', gz: 8_100 }, { kind: 'js', gz: 77_200 }, { kind: 'wasm', gz: 207_800 },
  { kind: 'other', gz: 300 },
  { kind: 'catalog', gz: 26_200 }, { kind: 'font', gz: 90_000 }, { kind: 'screen', gz: 19_000 }, { kind: 'data', gz: 500_000 },
];
const TODAY_GZ = 296_000;

describe('size gate', () => {
  test('the budget is 300 KB (1000-byte KB)', () => assert.equal(SIZE_BUDGET_BYTES, 300_000));

  test('today\'s start meets it; catalogs, fonts, screens and data do not count', () => {
    const { ok, counted, lines } = sizeGate(START);
    assert.equal(counted, TODAY_GZ);
    assert.equal(ok, true);
    assert.match(lines[0], /296\.0 KB of 300\.0 KB: met/);
  });

  test('one byte over the budget fails; exactly at it passes', () => {
    const at = [...START, { kind: 'other', gz: SIZE_BUDGET_BYTES - TODAY_GZ }];
    assert.equal(sizeGate(at).ok, true);
    const over = [...START, { kind: 'other', gz: SIZE_BUDGET_BYTES - TODAY_GZ + 1 }];
    const { ok, lines } = sizeGate(over);
    assert.equal(ok, false);
    assert.match(lines[0], /NOT met/);
  });

  test('a start that measured no HTML, JS or WASM fails (nothing loaded is not small)', () => {
    assert.equal(sizeGate([]).ok, false);
    assert.equal(sizeGate(START.filter((r) => r.kind !== 'wasm')).ok, false);
  });
});
