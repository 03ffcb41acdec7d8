// TEMPORARY local stand-in (hui, not committed): replaced by h/hstream's.
import http from 'node:http';
export async function startLlmsim() {
  let mode = 'normal';
  const reqs = [];
  const srv = http.createServer((req, res) => {
    let b = '';
    req.on('data', (c) => { b += c; });
    req.on('end', () => {
      if (req.url === '/__llm/mode') { mode = JSON.parse(b).mode; res.end('{}'); return; }
      reqs.push(b);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (mode === 'hang') return;
      res.end('data: {"choices":[{"delta":{"content":"hi [1]"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${srv.address().port}`;
  return { url, mode: async (m) => { mode = m; }, requests: async () => reqs.map((r) => JSON.parse(r)), stop: () => new Promise((r) => { srv.closeAllConnections(); srv.close(r); }) };
}
