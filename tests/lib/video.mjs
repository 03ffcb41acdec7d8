// Phone-like videos for the metadata tests: tiny clips made by ffmpeg with a
// location (and a title) the way phones write them, and the checks that a
// scrubbed file carries none of it yet still decodes.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

export const LOCATION = '+48.8584+002.2945/';
export const TITLE = 'Secret garden';

// ext: 'mp4' (ISO 6709 in moov/udta plus Apple-style mdta keys), 'mov'
// (QuickTime ©xyz) or 'webm' (Matroska Tags, Info Title).
export function makeLocatedVideo(file, ext = file.split('.').pop(), { size = '96x64', seconds = '0.6' } = {}) {
  const codec = ext === 'webm' ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '200k']
    : ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', ...(ext === 'mp4' ? ['-movflags', '+use_metadata_tags'] : [])];
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=10`, '-t', seconds,
    '-metadata', `location=${LOCATION}`, '-metadata', `title=${TITLE}`, ...codec, file], { stdio: ['ignore', 'ignore', 'inherit'] });
  return file;
}

// Format and stream tags as ffprobe reads them, and the tags exiftool finds.
export function videoTags(file) {
  const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file], { encoding: 'utf8' }));
  const exif = JSON.parse(execFileSync('exiftool', ['-j', '-G', file], { encoding: 'utf8' }))[0];
  return { format: probe.format.tags ?? {}, streams: probe.streams.map((s) => s.tags ?? {}), exif };
}

export function hasLocation(file) {
  const bytes = readFileSync(file);
  const { format, streams, exif } = videoTags(file);
  const text = JSON.stringify([format, streams]);
  return bytes.includes(LOCATION) || bytes.includes(TITLE) || /location|48\.858|secret/i.test(text) ||
    Object.keys(exif).some((k) => /GPS|Location|Title|XMP/i.test(k));
}

// ffmpeg decodes every frame without an error.
export function assertDecodes(file) {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${file} does not decode: ${r.stderr}`);
  assert.equal(r.stderr.trim(), '', `${file} decodes with errors: ${r.stderr}`);
}
