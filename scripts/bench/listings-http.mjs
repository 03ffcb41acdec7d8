// The HTTP half of scripts/bench-search: times GET /api/v1/listings?q=…
// (browse's full-text search, the first page of 20 in the query's locale)
// against GET /api/v1/listings (browse without q, the same page size) on one
// keep-alive connection, alternating so both see the same load, after a
// warm-up. Loopback only; the run is bounded by the number of queries.
// usage: node scripts/bench/listings-http.mjs URL QUERIES_FILE ENGINE
//   QUERIES_FILE: "locale<TAB>query" lines (petamigos-bench-search --listings)
// stdout: "ENGINE http-search p50 MS p99 MS max MS", the same for
// "http-browse", then "http-found F of Q".
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [url, file, engine] = process.argv.slice(2);
if (!url || !file || !engine) {
  console.error('usage: node scripts/bench/listings-http.mjs URL QUERIES_FILE ENGINE');
  process.exit(2);
}
const base = new URL(url);
if (!/^127\./.test(base.hostname)) {
  console.error(`refusing a non-loopback URL: ${url}`);
  process.exit(2);
}
const WARMUP = 50;
const REQUEST_BOUND_MS = 30_000; // hang guard only
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const queries = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));

function get(path) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.get({ host: base.hostname, port: base.port, path, agent, timeout: REQUEST_BOUND_MS }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode} ${Buffer.concat(chunks)}`));
        else resolve({ ms, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer in ${REQUEST_BOUND_MS} ms`)));
    req.on('error', reject);
  });
}

const search = [];
const browse = [];
let found = 0;
for (let i = -WARMUP; i < queries.length; i++) {
  const [locale, q] = queries[(i + queries.length) % queries.length];
  const s = await get(`/api/v1/listings?${new URLSearchParams({ q, lang: locale, limit: '20' })}`);
  const b = await get('/api/v1/listings?limit=20');
  if (i < 0) continue;
  search.push(s.ms);
  browse.push(b.ms);
  found += s.body.listings.length > 0;
}
agent.destroy();
const report = (what, v) => {
  v.sort((a, b) => a - b);
  const at = (p) => v[Math.ceil(p * v.length) - 1];
  console.log(`${engine} ${what} p50 ${v[Math.floor(v.length / 2)].toFixed(3)} p99 ${at(0.99).toFixed(3)} max ${v[v.length - 1].toFixed(3)}`);
};
report('http-search', search);
report('http-browse', browse);
console.log(`http-found ${found} of ${queries.length}`);
