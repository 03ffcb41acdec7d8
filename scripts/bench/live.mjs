// Glass-to-glass delay of a live on loopback (issue 24), in one Chromium:
// the broadcaster's camera is a canvas painting its send time as blocks
// (scripts/bench/live-codec.js), the viewer decodes every frame it presents
// and takes the time shown minus the time painted.
//   1. self-check: the codec read straight back from a canvas (no video);
//   2. reference: the same canvas over a direct RTCPeerConnection between two
//      pages (VP8, 1 Mbps cap like the rooms, no SFU, no TURN);
//   3. the product: server + Janus (tests/lib/janus.mjs) + coturn; Ana goes
//      live through shell/live/janus.js + publish.js, Kenji watches through
//      shell/live/watch.js, both with the server's JanusJoin.
// Median and p95 of each, the ratios, met/missed against 500 ms p95, and the
// machine's load average (what else shared the two cores).
// Then, for capacity (VIEWERS, e.g. "10,20"): more viewers join from a third
// page (each its own watch(): one Janus session, one subscriber, one decoder)
// and at each count the Janus process's CPU time (/proc/<pid>/stat) is taken
// over the time every one of them needs to decode CAP_FRAMES more frames.
// env: FRAMES (300 decoded frames per side), WARMUP_MS (2000: frames shown
// in the first seconds, while the encoder ramps up, are not counted),
// ONLY=reference (skip the product path), VIEWERS (none), LIVE_PATH=janus
// (rooms made by this script instead of POST /lives: see directRooms).
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../../tests/lib/browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CODEC = path.join(HERE, 'live-codec.js');
const FRAMES = Number(process.env.FRAMES ?? 300);
const WARMUP_MS = Number(process.env.WARMUP_MS ?? 2000);
const TARGET_P95 = 500;
const FPS = 30;
// Frames must keep coming: at 30 fps, 300 frames take 10 s; far past that the run is broken.
const COLLECT_MS = Math.max(60000, (FRAMES / FPS) * 1000 * 6);
const FLAGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  // Two pages side by side, each measured while the other is "in the background".
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows', '--autoplay-policy=no-user-gesture-required'];

const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
function summary(samples) {
  const d = samples.map((s) => s.delay).sort((a, b) => a - b);
  return { n: d.length, median: quantile(d, 0.5), p95: quantile(d, 0.95), min: d[0], max: d[d.length - 1] };
}
const VIEWERS = (process.env.VIEWERS ?? '').split(',').filter(Boolean).map(Number);
const CAP_FRAMES = 150;
const TICKS = 100; // USER_HZ on Linux

// The Janus process whose command line names `dir` (scripts/janus runs `janus -F DIR/jK`).
function janusPid(dir) {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd = '';
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    const argv = cmd.split('\0');
    if (path.basename(argv[0]) === 'janus' && argv.some((a) => a.startsWith(dir))) return Number(pid);
  }
  throw new Error(`no janus process for ${dir}`);
}
// utime + stime of a process, in seconds.
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

async function newContext(browser, options = {}) {
  // bypassCSP: the pages are driven by page.evaluate; the product's CSP is
  // tested by its own tests, not here.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 700, height: 540 }, ...options });
  await context.addInitScript({ path: CODEC });
  return context;
}

// Waits until `count` codes shown after the warm-up were decoded on `page`
// (its window.paWatch); returns those samples and the frame counts.
async function collect(page, count) {
  await page.waitForFunction(([n, warm]) => {
    const w = window.paWatch;
    if (!w) return false;
    if (w.t0 === undefined && w.samples.length) w.t0 = performance.now();
    return w.t0 !== undefined && performance.now() - w.t0 >= warm &&
      w.samples.filter((s) => s.at - w.t0 >= warm).length >= n;
  }, [count, WARMUP_MS], { timeout: COLLECT_MS, polling: 100 });
  return page.evaluate((warm) => {
    const w = window.paWatch;
    w.stop();
    return { samples: w.samples.filter((s) => s.at - w.t0 >= warm), presented: w.presented, rejected: w.rejected };
  }, WARMUP_MS);
}

// In-page: start decoding `video` (samples stamped with the page's now, `at`).
const WATCH = (video) => { window.paWatch = window.paLiveCodec.watchVideo(video); };

// LIVE_PATH=janus: the rooms are made here, as the server makes them
// (pa_janus_room_create's parameters, contract §1), and the JanusJoin objects
// signed here (tests/lib/janus.mjs janusToken): the shell's publish.js and
// watch.js against Janus without the live routes.
const DIRECT = process.env.LIVE_PATH === 'janus';
async function directRooms(janus) {
  const { JanusHttp, janusToken, janusJoinToken } = await import('../../tests/lib/janus.mjs');
  const inst = janus.instances[0];
  const http = await new JanusHttp(inst.http, janusToken(janus.secret)).open();
  const room = 1 + Math.floor(Math.random() * 2 ** 40), feed = 1 + Math.floor(Math.random() * 2 ** 40);
  const secret = 'bench-' + room;
  const made = await http.request({ request: 'create', admin_key: janus.adminKey, room, secret, publishers: 1,
    is_private: true, signed_tokens: true, videocodec: 'vp8', audiocodec: 'opus', bitrate: 1000000, bitrate_cap: true });
  if (made.videoroom !== 'created') throw new Error(`room create: ${JSON.stringify(made)}`);
  // Two tokens, as the server's JanusJoin carries them (web/README.md, "Live:
  // Janus"): the core's on every request, and the room's join_token.
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const join = (role) => ({ role, url: inst.ws, room, feed, token: janusToken(janus.secret, { room }),
    join_token: janusJoinToken(janus.secret, { expiresAt: exp, room }), expires_at: '', ice_servers: [] });
  return {
    publisher: { live: { id: `room ${room}` }, janus: join('publisher') },
    subscriber: join('subscriber'),
    async published() {
      for (const end = Date.now() + 60000; ;) {
        const l = await http.request({ request: 'listparticipants', room });
        if (l.participants?.some((p) => p.id === feed && p.publisher)) return;
        if (Date.now() > end) throw new Error(`feed ${feed} never published: ${JSON.stringify(l)}`);
        await new Promise((ok) => setTimeout(ok, 200));
      }
    },
    async destroy() {
      await http.request({ request: 'destroy', room, secret });
      await http.close();
    },
  };
}

// In-page: subscribe `video` to a JanusJoin through the shell's watch.js.
// Returns {stop(), pc}.
const SUBSCRIBE = async ({ janus, video, onState }) => {
  const { watch } = await import('/live/watch.js');
  return watch({ janus, video, onState });
};

async function selfCheck(browser) {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto('about:blank');
  const r = await page.evaluate(() => window.paLiveCodec.selfCheck(500));
  await context.close();
  const ok = r.wrong.length === 0 && r.refused.flipped === 'parity' && r.refused.grey === 'grey' &&
    r.refused.blank === 'sync' && r.delays.join() === '5,10,32,-4';
  console.log(`self-check (no video): ${r.checked} codes painted and read back, ${r.wrong.length} wrong; ` +
    `refused: flipped bit → ${r.refused.flipped}, grey block → ${r.refused.grey}, blank → ${r.refused.blank}; ` +
    `wrap-around delays ${r.delays.join(', ')} (want 5, 10, 32, -4): ${ok ? 'ok' : 'FAILED'}`);
  if (!ok) throw new Error(`codec self-check failed: ${JSON.stringify(r)}`);
}

// The reference: canvas → RTCPeerConnection → RTCPeerConnection → video,
// offer/answer passed by this script (complete ICE, host candidates).
async function reference(browser) {
  const context = await newContext(browser);
  const pub = await context.newPage();
  const sub = await context.newPage();
  await pub.goto('about:blank');
  await sub.goto('about:blank');
  const gathered = `(pc) => new Promise((ok) => {
    if (pc.iceGatheringState === 'complete') return ok();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && ok());
  })`;
  const offer = await pub.evaluate(async ([fps, gatheredSrc]) => {
    const gathered = eval(gatheredSrc);
    const clock = window.paLiveCodec.clockStream(fps);
    const pc = new RTCPeerConnection();
    window.pc = pc;
    const tx = pc.addTransceiver(clock.stream.getVideoTracks()[0], { direction: 'sendonly' });
    const vp8 = RTCRtpSender.getCapabilities('video').codecs.filter((c) => /VP8/i.test(c.mimeType));
    tx.setCodecPreferences(vp8);
    await pc.setLocalDescription(await pc.createOffer());
    const p = tx.sender.getParameters();
    p.encodings[0].maxBitrate = 1000000; // the rooms' bitrate_cap (PA_LIVE_BITRATE)
    await tx.sender.setParameters(p);
    await gathered(pc);
    return pc.localDescription.toJSON();
  }, [FPS, gathered]);
  const answer = await sub.evaluate(async ([o, gatheredSrc, watchSrc]) => {
    const gathered = eval(gatheredSrc);
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    document.body.append(video);
    const pc = new RTCPeerConnection();
    window.pc = pc;
    pc.ontrack = (e) => {
      video.srcObject = new MediaStream([e.track]);
      video.play();
      eval(watchSrc)(video);
    };
    await pc.setRemoteDescription(o);
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    return pc.localDescription.toJSON();
  }, [offer, gathered, WATCH.toString()]);
  await pub.evaluate((a) => window.pc.setRemoteDescription(a), answer);
  const r = await collect(sub, FRAMES);
  const codec = await sub.evaluate(async () => {
    const stats = await window.pc.getStats();
    for (const s of stats.values()) if (s.type === 'codec' && /video/.test(s.mimeType)) return s.mimeType;
    return '?';
  });
  await context.close();
  return { ...r, codec };
}

// The product: a live through the server, Janus and the shell's modules.
async function product(browser) {
  let startJanus;
  try {
    ({ startJanus } = await import('../../tests/lib/janus.mjs'));
  } catch (e) {
    throw new Error(`tests/lib/janus.mjs is missing (lane lsfu): ${e.message}`);
  }
  const { startTurn } = await import('../../tests/lib/turn.mjs');
  const { startServer } = await import('../../tests/lib/server.mjs');
  const { DEMO } = await import('../../tests/lib/app.mjs');
  const janus = await startJanus({ instances: 1 });
  const turn = await startTurn();
  const server = await startServer({ env: { ...janus.env, ...turn.env } });
  const contexts = [];
  try {
    // Signs in with fetch (same origin) and keeps the CSRF token for the page's later calls.
    const signIn = async (who) => {
      const context = await newContext(browser);
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(server.url);
      await page.evaluate(async ({ email, password }) => {
        const r = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
        if (!r.ok) throw new Error(`login ${r.status}`);
        const s = await r.json();
        window.paCall = async (method, url, body) => {
          const a = await fetch(`/api/v1${url}`, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token }, body: body === undefined ? undefined : JSON.stringify(body) });
          return { status: a.status, body: a.status === 204 ? null : await a.json() };
        };
      }, who);
      return page;
    };
    const pub = await signIn(DEMO.ana);
    const sub = await signIn(DEMO.kenji);
    const rooms = DIRECT ? await directRooms(janus) : null;
    const live = await pub.evaluate(async ([fps, direct]) => {
      const { publish } = await import('/live/publish.js');
      let made;
      if (direct) made = { status: 201, body: direct.publisher };
      else {
        const pets = await window.paCall('GET', '/me/pets');
        made = await window.paCall('POST', '/lives', { pet_id: pets.body.pets[0].id, title: 'bench-live' });
      }
      if (made.status !== 201) throw new Error(`POST /lives ${made.status} ${JSON.stringify(made.body)}`);
      const clock = window.paLiveCodec.clockStream(fps);
      window.paStates = [];
      window.paPublish = publish({ janus: made.body.janus, stream: clock.stream, onState: (s, e) => window.paStates.push(e ? `${s}: ${e.message ?? e}` : s) });
      if (direct) return made.body.live.id;
      // The broadcaster's screen does the same: on air once Janus has the feed (409 until then).
      for (const end = Date.now() + 90000; ;) {
        const on = await window.paCall('POST', `/lives/${made.body.live.id}/on-air`, { feed: made.body.janus.feed });
        if (on.status === 200) break;
        if (on.status !== 409 || Date.now() > end || window.paStates.some((x) => /^(failed|lost)/.test(x)))
          throw new Error(`on-air ${on.status} ${JSON.stringify(on.body)}; publisher ${JSON.stringify(window.paStates)}`);
        await new Promise((ok) => setTimeout(ok, 250));
      }
      return made.body.live.id;
    }, [FPS, rooms && { publisher: rooms.publisher }]);
    if (DIRECT) {
      await rooms.published().catch(async (e) => {
        throw new Error(`${e.message}; the publisher's states: ${await pub.evaluate(() => JSON.stringify(window.paStates))}`);
      });
    }
    // A viewer's JanusJoin: from the server (POST watch) or, direct, signed here.
    const joinFor = DIRECT ? () => rooms.subscriber : null;
    await sub.evaluate(async ([lv, watchSrc, subSrc, join]) => {
      window.paSubscribe = eval(subSrc);
      const w = join ? { status: 200, body: { janus: join } } : await window.paCall('POST', `/lives/${lv}/watch`);
      if (w.status !== 200) throw new Error(`watch ${w.status} ${JSON.stringify(w.body)}`);
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.playsInline = true;
      document.body.append(video);
      window.paStates = [];
      window.paView = await window.paSubscribe({ janus: w.body.janus, video, onState: (s) => window.paStates.push(s) });
      eval(watchSrc)(video);
    }, [live, WATCH.toString(), SUBSCRIBE.toString(), joinFor?.()]);
    const pid = janusPid(path.join(path.dirname(janus.env.PA_JANUS_REC_DIR), 'j1'));
    const measure = async (frames) => {
      const c0 = cpuSeconds(pid), t0 = performance.now();
      const got = await collect(sub, frames);
      return { ...got, cpu: (cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000) };
    };
    const r = await measure(FRAMES);
    const instance = janus.instances[0].name;
    const capacity = [];
    if (VIEWERS.length) {
      const crowd = await signIn(DEMO.priya);
      for (const n of VIEWERS) try {
        // n viewers in all: the measured one and n - 1 in the crowd, each decoding.
        await crowd.evaluate(async ([lv, want, subSrc, join]) => {
          window.paSubscribe ??= eval(subSrc);
          window.paCrowd ??= [];
          while (window.paCrowd.length < want) {
            const w = join ? { status: 200, body: { janus: join } } : await window.paCall('POST', `/lives/${lv}/watch`);
            if (w.status !== 200) throw new Error(`watch ${w.status}`);
            const video = document.createElement('video');
            video.muted = true;
            window.paCrowd.push(await window.paSubscribe({ janus: w.body.janus, video, onState: () => {} }));
          }
        }, [live, n - 1, SUBSCRIBE.toString(), joinFor?.()]);
        // The window: from now until every crowd viewer decoded CAP_FRAMES more
        // frames (asked from here: getStats is asynchronous); Janus's CPU time
        // over it, and the frame rate the slowest viewer kept.
        const decoded = () => crowd.evaluate(async () => Promise.all(window.paCrowd.map(async (v) => {
          for (const s of (await v.pc.getStats()).values()) if (s.type === 'inbound-rtp' && s.kind === 'video') return s.framesDecoded ?? 0;
          return 0;
        })));
        const c0 = cpuSeconds(pid), t0 = performance.now(), f0 = await decoded();
        for (const end = Date.now() + COLLECT_MS; ;) {
          const f = await decoded();
          if (f.every((x, i) => x - f0[i] >= CAP_FRAMES)) {
            const secs = (performance.now() - t0) / 1000;
            capacity.push({ n, cpu: (cpuSeconds(pid) - c0) / secs, fps: Math.min(...f.map((x, i) => x - f0[i])) / secs });
            break;
          }
          if (Date.now() > end) throw new Error(`${n - 1} crowd viewers did not all decode ${CAP_FRAMES} frames: ${f.map((x, i) => x - f0[i])}`);
          await new Promise((ok) => setTimeout(ok, 250));
        }
      } catch (e) {
        // The machine, not Janus, gives out first here (every viewer decodes in
        // this one Chromium): the counts measured so far stand.
        capacity.push({ n, error: e.message.split('\n')[0] });
        break;
      }
      await crowd.evaluate(() => window.paCrowd.forEach((v) => v.stop()));
    }
    await sub.evaluate(() => window.paView.stop());
    await pub.evaluate(async ([lv, direct]) => {
      window.paPublish.stop();
      if (!direct) await window.paCall('POST', `/lives/${lv}/end`, { keep: false });
    }, [live, DIRECT]);
    if (DIRECT) await rooms.destroy();
    return { ...r, instance, capacity, path: DIRECT ? 'rooms made by this script' : 'POST /lives' };
  } catch (e) {
    const said = server.log().split('\n').filter((l) => /janus|live/i.test(l)).slice(-8).join('\n    ');
    throw new Error(`${e.message}\n  the server's log about Janus and lives:\n    ${said}`);
  } finally {
    for (const c of contexts) await c.close();
    await server.stop();
    await turn.stop();
    await janus.stop();
  }
}

function line(what, s, extra = '') {
  console.log(`  ${what.padEnd(44)} median ${String(s.median).padStart(4)} ms, p95 ${String(s.p95).padStart(4)} ms ` +
    `(min ${s.min}, max ${s.max}; ${s.n} frames${extra})`);
}

const browser = await launchBrowser({ args: FLAGS });
let failed = false;
try {
  console.log(`load average at start: ${load()} (${os.cpus().length} cores)`);
  await selfCheck(browser);
  const ref = await reference(browser);
  const refS = summary(ref.samples);
  let prod = null, prodErr = null;
  if (process.env.ONLY !== 'reference') {
    try {
      prod = await product(browser);
    } catch (e) {
      prodErr = e;
    }
  }
  console.log(`glass-to-glass on loopback, ${FPS} fps canvas 640x480, first ${WARMUP_MS} ms not counted:`);
  const rej = (r) => `, ${r.presented} presented, rejected grey ${r.rejected.grey} / sync ${r.rejected.sync} / parity ${r.rejected.parity}`;
  line(`direct RTCPeerConnection (reference, ${ref.codec})`, refS, rej(ref));
  if (prod) {
    const s = summary(prod.samples);
    line(`through the SFU (Janus ${prod.instance}, ${prod.path})`, s, rej(prod));
    console.log(`  SFU / direct: median ${(s.median / refS.median).toFixed(2)}x, p95 ${(s.p95 / refS.p95).toFixed(2)}x`);
    console.log(`  Janus (one instance) ${(prod.cpu * 100).toFixed(1)} % of a core with 1 viewer`);
    for (const c of prod.capacity) {
      if (c.error) {
        console.log(`  ${String(c.n).padStart(3)} viewers: not measured (${c.error}); load ${load()}`);
        continue;
      }
      console.log(`  ${String(c.n).padStart(3)} viewers: Janus ${(c.cpu * 100).toFixed(1)} % of a core ` +
        `(${(c.cpu * 100 / c.n).toFixed(2)} % per viewer), the slowest viewer decoding ${c.fps.toFixed(1)} fps; load ${load()}`);
    }
    console.log(`  target p95 <= ${TARGET_P95} ms: ${s.p95 <= TARGET_P95 ? 'met' : 'MISSED'} (${(s.p95 / TARGET_P95 * 100).toFixed(0)} %)`);
    if (s.n < FRAMES) failed = true;
  } else if (prodErr) {
    console.log(`  through the SFU: not measured: ${prodErr.message}`);
    failed = true;
  }
  console.log(`load average at end: ${load()}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
