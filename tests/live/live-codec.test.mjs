// The glass-to-glass benchmark's clock codec (scripts/bench/live-codec.js),
// in the slow suite beside the live it measures: painted and read back from
// a canvas (random values, the 32-bit edges, damaged frames refused), then
// through real VP8 between two RTCPeerConnections in Chromium: every frame
// that decodes carries a code that was sent, and enough of them decode.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser } from '../lib/browser.mjs';
import { ROOT } from '../lib/paths.mjs';

const CODEC = path.join(ROOT, 'scripts/bench/live-codec.js');
const FRAMES = 60; // two seconds at 30 fps

let browser, context;
before(async () => {
  browser = await launchBrowser({ args: ['--disable-background-timer-throttling', '--disable-renderer-backgrounding'] });
  context = await browser.newContext();
  await context.addInitScript({ path: CODEC });
});
after(() => browser?.close());

test('the codec reads back what it painted and refuses damaged frames', async () => {
  const page = await context.newPage();
  await page.goto('about:blank');
  const r = await page.evaluate(() => window.paLiveCodec.selfCheck(500));
  assert.equal(r.checked, 506);
  assert.deepEqual(r.wrong, []);
  assert.deepEqual(r.refused, { flipped: 'parity', grey: 'grey', blank: 'sync' });
  assert.deepEqual(r.delays, [5, 10, 32, -4]); // across the 2^32 wrap, and a negative one signed
});

test('codes survive VP8 over a loopback RTCPeerConnection, each one a code that was sent', async () => {
  const page = await context.newPage();
  await page.goto('about:blank');
  const r = await page.evaluate(async (want) => {
    const codec = window.paLiveCodec;
    const sent = new Set();
    const clock = codec.clockStream(30, (v) => sent.add(v));
    const a = new RTCPeerConnection(), b = new RTCPeerConnection();
    a.onicecandidate = (e) => b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => a.addIceCandidate(e.candidate);
    const tx = a.addTransceiver(clock.stream.getVideoTracks()[0], { direction: 'sendonly' });
    tx.setCodecPreferences(RTCRtpSender.getCapabilities('video').codecs.filter((c) => /VP8/i.test(c.mimeType)));
    const video = document.createElement('video');
    video.muted = true;
    document.body.append(video);
    const got = new Promise((ok) => {
      b.ontrack = (e) => {
        video.srcObject = new MediaStream([e.track]);
        video.play();
        const w = codec.watchVideo(video);
        const timer = setInterval(() => { if (w.samples.length >= want) { clearInterval(timer); w.stop(); ok(w); } }, 50);
      };
    });
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription);
    const w = await got;
    clock.stop();
    return { n: w.samples.length, unsent: w.samples.filter((s) => !sent.has(s.value)).length, presented: w.presented,
      mime: [...(await b.getStats()).values()].find((s) => s.type === 'codec' && /video/.test(s.mimeType))?.mimeType };
  }, FRAMES);
  assert.equal(r.mime, 'video/VP8');
  assert.ok(r.n >= FRAMES);
  assert.equal(r.unsent, 0, 'a decoded code that was never painted');
});
