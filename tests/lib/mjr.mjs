// Janus recordings without Janus: writes MJR files (the format of Janus 1.1's
// src/record.c) from RTP that ffmpeg produces from lavfi sources, so a long
// recording (low resolution, few frames a second) is made in seconds and the
// real janus-pp-rec + ffmpeg pipeline can be tested on it.
//
// MJR: "MJR00002", a big-endian u16 length and the JSON info header
// ({"t": "v"|"a", "c": codec, "s": created µs, "u": first frame µs}), then a
// frame per RTP packet: "MEET", a u32 (ms since the first frame), a u16 length
// and the packet. File names as VideoRoom gives them without a base name:
// videoroom-<room>-user-<feed>-<µs>-<video|audio>-<mindex>.mjr.
//
//   const files = await recordSegment({ dir, room, feed, seconds: 600, startUs });
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const VIDEO_PT = 100;
const AUDIO_PT = 111;

/** The bytes of one MJR file: info {t, c, s, u} and its RTP packets. */
export function mjrBytes(info, packets, clockRate) {
  const json = Buffer.from(JSON.stringify(info));
  const head = Buffer.alloc(10);
  head.write('MJR00002', 0, 'latin1');
  head.writeUInt16BE(json.length, 8);
  const parts = [head, json];
  const ts0 = packets.length ? packets[0].readUInt32BE(4) : 0;
  for (const p of packets) {
    const frame = Buffer.alloc(10);
    frame.write('MEET', 0, 'latin1');
    // When Janus wrote it: the RTP clock's time since the first packet.
    const ms = Math.floor((((p.readUInt32BE(4) - ts0) >>> 0) * 1000) / clockRate);
    frame.writeUInt32BE(ms >>> 0, 4);
    frame.writeUInt16BE(p.length, 8);
    parts.push(frame, p);
  }
  return Buffer.concat(parts);
}

/** A UDP socket collecting the RTP packets of one payload type. */
async function collector(pt) {
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  const packets = [];
  let ended;
  const done = new Promise((resolve) => (ended = resolve));
  sock.on('message', (msg) => {
    if (msg.length === 3 && msg.toString('latin1') === 'END') return ended();
    // RTCP arrives here too (rtcpport is this port): its type is 200-204.
    if (msg.length >= 12 && (msg[1] & 0x7f) === pt) packets.push(msg);
  });
  await new Promise((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return { sock, packets, done, port: sock.address().port };
}

/** Checks the packets came in order without a gap (UDP on loopback may drop). */
function checkSequence(packets, what) {
  if (packets.length < 2) throw new Error(`${what}: ${packets.length} RTP packets`);
  for (let i = 1; i < packets.length; i++) {
    const want = (packets[i - 1].readUInt16BE(2) + 1) & 0xffff;
    if (packets[i].readUInt16BE(2) !== want)
      throw new Error(`${what}: RTP packet ${i} lost or out of order`);
  }
}

/**
 * Makes a segment as VideoRoom records one publishing session: a VP8 video
 * and an Opus audio file of `seconds` in dir, for room and feed, opened at
 * startUs (µs since 1970). color: the lavfi colour of the frames (tells
 * segments apart; null: moving test bars). Made as cheaply as ffmpeg can
 * (these machines are shared): 16 kHz mono Opus in 60 ms frames, which
 * janus-pp-rec writes as the stereo 48 kHz Opus a browser sends. Resolves to the two file paths {video, audio}.
 */
export async function recordSegment({
  dir,
  room,
  feed,
  seconds,
  startUs,
  color = 'green',
  audio = true,
  size = '160x120',
  fps = 2,
}) {
  const v = await collector(VIDEO_PT);
  const a = audio ? await collector(AUDIO_PT) : null;
  const src = color
    ? `color=c=${color}:size=${size}:rate=${fps}:duration=${seconds}`
    : `testsrc=size=${size}:rate=${fps}:duration=${seconds}`;
  // One thread each: libvpx's worker threads spin, which costs far more than
  // the frames on a shared machine.
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-filter_threads', '1', '-readrate', '300'];
  args.push('-f', 'lavfi', '-i', src);
  if (a) args.push('-readrate', '300', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=16000:duration=${seconds}`);
  args.push('-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '16', '-b:v', '40k', '-threads', '1');
  args.push('-g', String(fps * 5), '-payload_type', String(VIDEO_PT), '-ssrc', '1111');
  args.push('-f', 'rtp', `rtp://127.0.0.1:${v.port}?rtcpport=${v.port}&pkt_size=1200`);
  if (a) {
    args.push('-map', '1:a', '-c:a', 'libopus', '-b:a', '12k', '-ac', '1', '-frame_duration', '60', '-compression_level', '0', '-threads', '1');
    args.push('-payload_type', String(AUDIO_PT), '-ssrc', '2222');
    args.push('-f', 'rtp', `rtp://127.0.0.1:${a.port}?rtcpport=${a.port}&pkt_size=1200`);
  }
  const ff = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  ff.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve, reject) => {
    ff.on('error', reject);
    ff.on('close', resolve);
  });
  // An end marker after ffmpeg's last packet: each socket has read everything
  // before it once the marker arrives (one sender, loopback keeps the order).
  const marker = dgram.createSocket('udp4');
  for (const c of [v, a].filter(Boolean)) {
    await new Promise((resolve) => marker.send('END', c.port, '127.0.0.1', resolve));
    await c.done;
    c.sock.close();
  }
  marker.close();
  if (code !== 0) throw new Error(`ffmpeg (RTP) exited ${code}: ${stderr}`);
  checkSequence(v.packets, 'video');
  if (a) checkSequence(a.packets, 'audio');
  const name = (media, mindex, us) =>
    path.join(dir, `videoroom-${room}-user-${feed}-${us}-${media}-${mindex}.mjr`);
  const out = { video: name('video', 0, startUs) };
  const info = (t, c, us) => ({ t, c, s: us, u: us + 1000 });
  await writeFile(out.video, mjrBytes(info('v', 'vp8', startUs), v.packets, 90000));
  if (a) {
    // Janus opens the audio file a moment after the video one.
    out.audio = name('audio', 1, startUs + 120);
    await writeFile(out.audio, mjrBytes(info('a', 'opus', startUs + 120), a.packets, 48000));
  }
  return out;
}
