// Glass-to-glass clock codec for scripts/bench-live, loaded into every page of
// the benchmark as an init script (a classic script: it defines
// window.paLiveCodec). The broadcaster paints its send time into a canvas as
// large black/white blocks that survive VP8 at the room's bitrate; the viewer
// decodes each presented frame back to that time.
//
// Layout: 8 x 6 blocks of 80 px on a 640 x 480 canvas.
//   row 0        sync 1 0 1 0 1 0 1 0 (white = 1): a frame that is not ours, or
//                is mid-transition, fails here;
//   rows 1 to 4  the 32 data bits, most significant first: the send time in
//                ms (performance.timeOrigin + performance.now()) modulo 2^32;
//   row 5        cols 0-3 the even parity of each data byte, cols 4-7 0 1 0 1.
// A block is read from its centre half only (the edges are where VP8's
// blocking and scaling smear), and must be clearly black or white: anything
// in between rejects the frame rather than guessing a bit.
(() => {
  const W = 640, H = 480, B = 80, COLS = 8, ROWS = 6;
  const SYNC = [1, 0, 1, 0, 1, 0, 1, 0];
  const TAIL = [0, 1, 0, 1];
  const WRAP = 2 ** 32;
  const DARK = 70, LIGHT = 185; // a block's mean luminance must be under / over these

  // The broadcaster and the viewer are different pages (different renderer
  // processes): each one's timeOrigin + now() may sit a few ms off the
  // others'. Both are put on the system clock: at the moment Date.now()
  // ticks to a new millisecond, the page's own clock minus that millisecond
  // is its offset (the median of five ticks).
  const skew = (() => {
    const offs = [];
    for (let i = 0; i < 5; i++) {
      const start = Date.now();
      let now;
      while ((now = Date.now()) === start);
      offs.push(performance.timeOrigin + performance.now() - now);
    }
    return offs.sort((a, b) => a - b)[2];
  })();
  const nowMs = () => performance.timeOrigin + performance.now() - skew;

  // The 48 block values (0/1) for a 32-bit value.
  function bits(value) {
    const v = value >>> 0, out = [...SYNC];
    const data = [];
    for (let i = 31; i >= 0; i--) data.push((v >>> i) & 1);
    out.push(...data);
    for (let byte = 0; byte < 4; byte++) out.push(data.slice(byte * 8, byte * 8 + 8).reduce((a, b) => a ^ b, 0));
    out.push(...TAIL);
    return out;
  }

  function paint(ctx, value) {
    const b = bits(value);
    for (let i = 0; i < b.length; i++) {
      ctx.fillStyle = b[i] ? '#fff' : '#000';
      ctx.fillRect((i % COLS) * B, Math.floor(i / COLS) * B, B, B);
    }
  }

  // Decodes RGBA pixels of a W x H image: the 32-bit value, or null (why in
  // the second element) when the frame does not carry a clean code.
  function decode(data) {
    const got = [];
    const q = B / 4;
    for (let i = 0; i < COLS * ROWS; i++) {
      const x0 = (i % COLS) * B + q, y0 = Math.floor(i / COLS) * B + q;
      let sum = 0, n = 0;
      for (let y = y0; y < y0 + B / 2; y += 2)
        for (let x = x0; x < x0 + B / 2; x += 2) {
          const p = (y * W + x) * 4;
          sum += (data[p] + data[p + 1] + data[p + 2]) / 3;
          n++;
        }
      const mean = sum / n;
      if (mean > DARK && mean < LIGHT) return [null, 'grey'];
      got.push(mean >= LIGHT ? 1 : 0);
    }
    for (let i = 0; i < 8; i++) if (got[i] !== SYNC[i]) return [null, 'sync'];
    for (let i = 0; i < 4; i++) if (got[44 + i] !== TAIL[i]) return [null, 'sync'];
    let v = 0;
    for (let i = 0; i < 32; i++) v = v * 2 + got[8 + i];
    const want = bits(v);
    for (let i = 40; i < 44; i++) if (got[i] !== want[i]) return [null, 'parity'];
    return [v, null];
  }

  // Milliseconds from the encoded value to a receive time (ms, same clock),
  // signed: a frame shown "before" it was sent says the clocks disagree, and
  // must show up as such rather than as 49 days.
  const delay = (value, receivedMs) => {
    const d = (((Math.floor(receivedMs) % WRAP) - value) % WRAP + WRAP) % WRAP;
    return d >= WRAP / 2 ? d - WRAP : d;
  };

  // The broadcaster's camera: a canvas painting the time at `fps`, captured at
  // the same rate; onPaint(value) sees each value painted. stop() ends the
  // painting and the track.
  function clockStream(fps = 30, onPaint = () => {}) {
    const canvas = document.createElement('canvas');
    canvas.width = W;
    canvas.height = H;
    const ctx = canvas.getContext('2d', { alpha: false });
    const tick = () => {
      const v = Math.floor(nowMs()) % WRAP;
      paint(ctx, v);
      onPaint(v);
    };
    tick();
    const stream = canvas.captureStream(fps);
    const timer = setInterval(tick, 1000 / fps);
    return { stream, canvas, stop() { clearInterval(timer); stream.getTracks().forEach((t) => t.stop()); } };
  }

  // The viewer's side: decodes every frame `video` presents (requestVideoFrameCallback)
  // and keeps the first presentation of each code: {samples: [{value, delay, at}],
  // presented, rejected: {grey, sync, parity}, stop()}.
  function watchVideo(video) {
    const canvas = document.createElement('canvas');
    canvas.width = W;
    canvas.height = H;
    const ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
    const seen = new Set();
    const out = { samples: [], presented: 0, rejected: { grey: 0, sync: 0, parity: 0 }, stopped: false };
    const onFrame = (_now, meta) => {
      if (out.stopped) return;
      out.presented++;
      ctx.drawImage(video, 0, 0, W, H);
      const [value, why] = decode(ctx.getImageData(0, 0, W, H).data);
      // The time the frame is shown, on the same clock as the send time: its
      // expected display time, but never before the pixels were in hand —
      // drawImage takes the element's current frame, which by the time this
      // callback runs may be newer than the one `meta` describes (that had
      // read a few frames as shown before they were painted).
      const shown = Math.max(performance.timeOrigin + (meta.expectedDisplayTime ?? meta.presentationTime),
        performance.timeOrigin + performance.now()) - skew;
      if (value === null) out.rejected[why]++;
      else if (!seen.has(value)) {
        seen.add(value);
        out.samples.push({ value, delay: delay(value, shown), at: performance.now() });
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    out.stop = () => { out.stopped = true; };
    return out;
  }

  // Self-check without video: random values and the edges painted and read
  // back from the canvas itself, plus damaged frames that must be refused.
  function selfCheck(count = 500) {
    const canvas = document.createElement('canvas');
    canvas.width = W;
    canvas.height = H;
    const ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
    const values = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, Math.floor(nowMs()) % WRAP];
    for (let i = 0; i < count; i++) values.push(Math.floor(Math.random() * WRAP));
    const wrong = [];
    for (const v of values) {
      paint(ctx, v);
      const [got] = decode(ctx.getImageData(0, 0, W, H).data);
      if (got !== v) wrong.push([v, got]);
    }
    // One data bit flipped: the parity refuses it. A grey block: refused.
    paint(ctx, 0x12345678);
    ctx.fillStyle = '#fff';
    ctx.fillRect(7 * B, 1 * B, B, B); // the lowest bit of the first byte (0x12): 0 → 1
    const flipped = decode(ctx.getImageData(0, 0, W, H).data);
    paint(ctx, 0x12345678);
    ctx.fillStyle = '#808080';
    ctx.fillRect(3 * B, 2 * B, B, B);
    const grey = decode(ctx.getImageData(0, 0, W, H).data);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    const blank = decode(ctx.getImageData(0, 0, W, H).data);
    return {
      checked: values.length, wrong,
      refused: { flipped: flipped[1], grey: grey[1], blank: blank[1] },
      delays: [delay(10, 15), delay(WRAP - 5, WRAP + 5), delay(0xfffffff0, 2 ** 33 + 0x10), delay(20, 16)],
    };
  }

  window.paLiveCodec = { W, H, B, bits, paint, decode, delay, nowMs, skew, clockStream, watchVideo, selfCheck };
})();
