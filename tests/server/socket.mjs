// A WebSocket to /api/v1/chat/socket whose frames a server test can wait for, shared by
// the support tests (issue 23). The socket is open and its hello read when it resolves.
import WebSocket from 'ws';

// Frames are taken one at a time, by type; query '' opens a
// support-only socket, `?device=d_N` a chat one.
export async function connect(server, client, q = '') {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/chat/socket${q}`, {
    headers: { cookie: `pa_session=${client.cookie}` }, origin: `http://127.0.0.1:${server.port}`,
  });
  const frames = [];
  const all = [];
  let wake = null;
  ws.on('message', (d) => { const f = JSON.parse(d.toString()); frames.push(f); all.push(f); wake?.(); });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  // A guard, not a timing assertion: a frame that never comes fails the test instead of hanging it.
  ws.next = async (type, pred = () => true) => {
    const end = Date.now() + 20_000;
    for (;;) {
      const i = frames.findIndex((f) => f.type === type && pred(f));
      if (i >= 0) return frames.splice(i, 1)[0];
      if (Date.now() > end) throw new Error(`no ${type} frame; have ${JSON.stringify(frames)}`);
      await new Promise((r) => { wake = r; setTimeout(r, 200); });
    }
  };
  // Every frame before a pong: the server sends a socket's frames in order, so what was sent to it
  // before the ping is in `all` once the pong is.
  ws.settle = async () => {
    ws.send(JSON.stringify({ type: 'ping' }));
    await ws.next('pong');
    return all.filter((f) => f.type !== 'pong');
  };
  ws.all = all;
  ws.hello = await ws.next('hello');
  return ws;
}

export async function closeAll(...sockets) {
  await Promise.all(sockets.filter(Boolean).map((ws) => new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve();
    else { ws.once('close', resolve); ws.close(); }
  })));
}
