// A tiny SMTP receiver for tests (RFC 5321: what libcurl's SMTP client says):
// 220 greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA (dot-unstuffed until
// CRLF.CRLF), RSET, NOOP, QUIT. No STARTTLS is offered, so a client that only
// tries TLS goes on in the clear. Every accepted message is kept with its
// envelope; `next()` waits for one (bounded only as a hang guard).
import net from 'node:net';

/** Starts the receiver on a free loopback port: { port, url, messages, next(), close() }. */
export async function startSmtp() {
  const messages = [];
  const waiters = [];
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    let data = null; // the message's lines while in DATA
    let env = { from: null, to: [] };
    const say = (line) => sock.write(`${line}\r\n`);
    say('220 pa-test-smtp ready');
    sock.setEncoding('latin1');
    sock.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (data) {
          if (line === '.') {
            const msg = { from: env.from, to: env.to, raw: Buffer.from(data.join('\r\n'), 'latin1').toString('utf8') };
            messages.push(msg);
            data = null;
            env = { from: null, to: [] };
            say('250 2.0.0 queued');
            for (const w of waiters.splice(0)) w();
          } else {
            data.push(line.startsWith('.') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') say('250-pa-test-smtp\r\n250-8BITMIME\r\n250 SIZE 1000000');
        else if (verb === 'HELO') say('250 pa-test-smtp');
        else if (verb === 'MAIL') { env.from = /<([^>]*)>/.exec(line)?.[1] ?? null; say('250 2.1.0 ok'); }
        else if (verb === 'RCPT') { env.to.push(/<([^>]*)>/.exec(line)?.[1] ?? null); say('250 2.1.5 ok'); }
        else if (verb === 'DATA') { data = []; say('354 end with <CRLF>.<CRLF>'); }
        else if (verb === 'RSET') { env = { from: null, to: [] }; say('250 ok'); }
        else if (verb === 'NOOP') say('250 ok');
        else if (verb === 'QUIT') { say('221 bye'); sock.end(); }
        else say('502 5.5.2 not implemented');
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** Waits until more than `seen` messages arrived; the newest. */
    async next(seen, bound = 30_000) {
      const deadline = Date.now() + bound;
      while (messages.length <= seen) {
        if (Date.now() > deadline) throw new Error(`no message arrived at the SMTP receiver in ${bound} ms`);
        await new Promise((resolve) => { waiters.push(resolve); setTimeout(resolve, 500); });
      }
      return messages[messages.length - 1];
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Parses a message: { headers: {lowercased name: unfolded value}, body } (base64 bodies decoded). */
export function parseMessage(raw) {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = {};
  for (const line of head.split('\r\n')) {
    const c = line.indexOf(':');
    headers[line.slice(0, c).toLowerCase()] = line.slice(c + 1).trim();
  }
  let body = raw.slice(split + 4);
  if (/base64/i.test(headers['content-transfer-encoding'] ?? '')) body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return { headers, body };
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?…?=) in a header value. */
export function decodeWords(value) {
  return value.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8')).trim();
}
