// Real images made by ImageMagick (libjpeg/libpng encoders, not ours).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function makeImages() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pa-images-'));
  const specs = {
    'plasma.jpg': ['-size', '320x240', '-seed', '7', 'plasma:fractal', '-quality', '88'],
    'progressive.jpg': ['-size', '301x203', '-seed', '9', 'plasma:fractal', '-interlace', 'JPEG'],
    'gray.jpg': ['-size', '64x48', 'gradient:black-white', '-colorspace', 'Gray'],
    'alpha.png': ['-size', '120x90', 'radial-gradient:#ff000080-#0000ff00'],
    'palette.png': ['-size', '50x50', 'pattern:checkerboard', '-colors', '4'],
  };
  for (const [name, args] of Object.entries(specs)) {
    execFileSync('convert', [...args, path.join(dir, name)]);
  }
  return { dir, names: Object.keys(specs), read: (n) => readFileSync(path.join(dir, n)) };
}
