// Janus 1.1.2 for the tests that need it (scripts/janus start DIR --test:
// see web/README.md, "Live: Janus", for what --test changes). One per test
// file; stopped by stop(), or by scripts/janus's watchdog once this process
// is gone.
//
//   const janus = await startJanus({ instances: 2 });
//   startServer({ env: janus.env }); // PA_JANUS, PA_JANUS_SECRET, PA_JANUS_ADMIN_KEY, PA_JANUS_REC_DIR
//   after(() => janus.stop());
//
// Also: janusToken (signs like the server, for tests that talk to Janus
// directly), JanusHttp (Janus's HTTP API: one session, one VideoRoom handle)
// and remotePublisher (a publisher without a browser: VideoRoom's
// add_remote_publisher fed by ffmpeg over plain RTP).
import { execFile, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './paths.mjs';

const run = promisify(execFile);
const SCRIPT = path.join(ROOT, 'scripts/janus');
const PLUGIN = 'janus.plugin.videoroom';

/** Starts N Janus instances in a fresh folder: {env, instances: [{name, http, ws}], secret, adminKey, dir, log(k), stop()}. */
export async function startJanus({ instances = 1 } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pa-janus-'));
  const { stdout } = await run(SCRIPT, ['start', dir, '--test', '--instances', String(instances), '--owner',
    String(process.pid)]);
  const spec = stdout.trim().split('\n').pop();
  const list = spec.split(';').map((part) => {
    const [name, http, ws] = part.split(' ');
    return { name, http, ws };
  });
  if (list.length !== instances || list.some((i) => !/^http:\/\/127\.0\.0\.1:\d+\/janus$/.test(i.http))) {
    throw new Error(`scripts/janus printed ${stdout}`);
  }
  const secret = (await readFile(path.join(dir, 'janus-secret'), 'utf8')).trim();
  const adminKey = (await readFile(path.join(dir, 'janus-admin-key'), 'utf8')).trim();
  const recDir = path.join(dir, 'rec');
  return {
    dir,
    instances: list,
    secret,
    adminKey,
    recDir,
    env: { PA_JANUS: spec, PA_JANUS_SECRET: secret, PA_JANUS_ADMIN_KEY: adminKey, PA_JANUS_REC_DIR: recDir },
    log: (k = 1) => readFile(path.join(dir, `j${k}`, 'janus.log'), 'utf8'),
    async stop() {
      await run(SCRIPT, ['stop', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A token as the server signs it (web/src/janus/janus.c, Janus's src/auth.c); room 0: plugin-wide. */
export function janusToken(secret, { expiresAt = Math.floor(Date.now() / 1000) + 600, room = 0 } = {}) {
  const data = `${expiresAt},janus,${PLUGIN}${room ? `,room=${room}` : ''}`;
  return `${data}:${createHmac('sha1', secret).update(data).digest('base64')}`;
}

/**
 * A room's join token (the server's pa_janus_join_token): VideoRoom rooms with
 * signed_tokens check it in the join request's body; its realm is the
 * plugin's package, so it is not the token Janus's core checks on every
 * request (janusToken's).
 */
export function janusJoinToken(secret, { expiresAt = Math.floor(Date.now() / 1000) + 600, room }) {
  const data = `${expiresAt},${PLUGIN},room=${room}`;
  return `${data}:${createHmac('sha1', secret).update(data).digest('base64')}`;
}

/** Janus's HTTP API with one session and one VideoRoom handle. */
export class JanusHttp {
  constructor(http, token) {
    this.http = http;
    this.token = token;
  }

  async post(url, body) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, transaction: randomBytes(6).toString('hex'), token: this.token }),
    });
    if (!res.ok) throw new Error(`janus ${url}: HTTP ${res.status}`);
    return res.json();
  }

  /** Creates the session and attaches VideoRoom. */
  async open() {
    const s = await this.post(this.http, { janus: 'create' });
    if (s.janus !== 'success') throw new Error(`janus create: ${JSON.stringify(s)}`);
    this.session = s.data.id;
    const h = await this.post(`${this.http}/${this.session}`, { janus: 'attach', plugin: PLUGIN });
    if (h.janus !== 'success') throw new Error(`janus attach: ${JSON.stringify(h)}`);
    this.handle = h.data.id;
    return this;
  }

  /** A synchronous VideoRoom request: its plugindata.data (errors too: {videoroom: 'event', error_code}). */
  async request(body) {
    const r = await this.post(`${this.http}/${this.session}/${this.handle}`, { janus: 'message', body });
    if (r.janus !== 'success') throw new Error(`janus message: ${JSON.stringify(r)}`);
    return r.plugindata.data;
  }

  async close() {
    if (!this.session) return;
    await this.post(`${this.http}/${this.session}`, { janus: 'destroy' }).catch(() => {});
    this.session = undefined;
  }
}

/** How long remotePublisher waits for Janus to list (or drop) a remote publisher (a bound on a hang, not a timing). */
const LISTED_WAIT_MS = 30_000;

/**
 * Waits until room's listparticipants names feed as a publisher (want true)
 * or no longer names it (want false; a room that is gone counts); throws
 * after LISTED_WAIT_MS.
 */
async function listed(api, room, feed, want) {
  const end = Date.now() + LISTED_WAIT_MS;
  for (;;) {
    const r = await api.request({ request: 'listparticipants', room });
    const there = (r.participants ?? []).some((p) => p.id === feed && p.publisher);
    if (there === want) return;
    if (Date.now() > end) throw new Error(`Janus ${want ? 'never listed' : 'still lists'} remote publisher ${feed}: ${JSON.stringify(r)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A publisher without a browser: VideoRoom's add_remote_publisher with id =
 * feed, one VP8 video stream (mindex 0) and one Opus audio stream (mindex 1),
 * fed by `ffmpeg -re` from lavfi sources over plain RTP to the one port Janus
 * returns (Janus tells the streams apart by SSRC: 1000 + 10 × mindex,
 * REMOTE_PUBLISHER_BASE_SSRC/STEP in janus_videoroom.c). Returns once Janus
 * lists it in listparticipants with publisher: true (and remote: true).
 * instance: {http} (an entry of startJanus's instances); secret: the
 * token_auth_secret; roomSecret: the room's own secret (lives.room_secret).
 * Janus does not record a remote publisher in a room made with record: true
 * (its recorders start on WebRTC media set-up, or when the room's recording
 * state changes); record: true turns the room's recording off and on again
 * (enable_recording, with the room's secret) so that the feed is written to
 * the room's rec_dir as .mjr files like a browser's.
 * Returns {id, port, stop()}: stop ends ffmpeg and removes the publisher,
 * returning once Janus no longer lists it (the room may be gone by then:
 * that is not an error).
 */
export async function remotePublisher({ instance, secret, room, roomSecret, feed, seconds = 0, record = false }) {
  const api = await new JanusHttp(instance.http, janusToken(secret)).open();
  let added;
  try {
    added = await api.request({
      request: 'add_remote_publisher', room, secret: roomSecret, id: feed, display: 'remote',
      streams: [{ type: 'video', mid: '0', mindex: 0, codec: 'vp8' },
        { type: 'audio', mid: '1', mindex: 1, codec: 'opus' }],
    });
    // Janus answers add_remote_publisher before the publisher's own thread
    // has put it in the room's participants (janus_videoroom.c,
    // janus_videoroom_remote_publisher_thread): until then listparticipants
    // does not list it and enable_recording does not see it. On a loaded
    // machine a caller got there first (CI: on-air refused, not_publishing).
    if (added.videoroom === 'success') {
      await listed(api, room, feed, true);
      if (record) {
        for (const on of [false, true]) {
          const r = await api.request({ request: 'enable_recording', room, secret: roomSecret, record: on });
          if (r.videoroom !== 'success') throw new Error(`enable_recording: ${JSON.stringify(r)}`);
        }
      }
    }
  } finally {
    await api.close();
  }
  if (added.videoroom !== 'success') throw new Error(`add_remote_publisher: ${JSON.stringify(added)}`);
  const dest = `rtp://127.0.0.1:${added.port}?rtcpport=${added.rtcp_port}&pkt_size=1200`;
  const args = ['-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    ...(seconds ? ['-t', String(seconds)] : []),
    '-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '15',
    '-ssrc', '1000', '-payload_type', '96', '-f', 'rtp', dest,
    '-map', '1:a', '-c:a', 'libopus', '-b:a', '32k', '-ac', '2',
    '-ssrc', '1010', '-payload_type', '111', '-f', 'rtp', dest];
  const ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  ffmpeg.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => ffmpeg.once('exit', resolve));
  return {
    id: added.id,
    port: added.port,
    ffmpegLog: () => stderr,
    async stop() {
      if (ffmpeg.exitCode === null && ffmpeg.signalCode === null) ffmpeg.kill('SIGTERM');
      await exited;
      const api2 = await new JanusHttp(instance.http, janusToken(secret)).open();
      try {
        const r = await api2.request({ request: 'remove_remote_publisher', room, secret: roomSecret, id: feed });
        // Its thread removes it (as it added it): wait for that, unless Janus no longer had it.
        if (r.videoroom === 'success') await listed(api2, room, feed, false);
      } finally {
        await api2.close();
      }
    },
  };
}
