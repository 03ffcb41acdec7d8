// Loads the built WASM core in Node. The module gets its bytes from us, since
// Emscripten 3.1.6's loader trips over Node 20's fetch when given a file path.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SITE } from './paths.mjs';

// name: 'core' (the app) or 'chat' (the E2E module the shell loads on demand).
export async function loadCore(name = 'core') {
  const { default: create } = await import(path.join(SITE, `petamigos-${name}.mjs`));
  const wasmBinary = await readFile(path.join(SITE, `petamigos-${name}.wasm`));
  return create({ wasmBinary, paHost: { log() {}, textRaster() { return null; }, requestImage() {} } });
}

// A generated seam module of the site (seam/<name>.js: the core's constants and
// typed wrappers, core/wasm/README.md). Tests call the WASM exports through it.
export const loadSeam = (name) => import(path.join(SITE, 'seam', `${name}.js`));
