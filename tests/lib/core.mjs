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

// Copies bytes into the module's heap, calls fn(ptr, len) and frees them.
export function withBytes(core, bytes, fn) {
  const ptr = core._malloc(bytes.length || 1);
  core.HEAPU8.set(bytes, ptr);
  try {
    return fn(ptr, bytes.length);
  } finally {
    core._free(ptr);
  }
}

// Calls a describe export that returns a malloc'd C string, and frees it.
export function describe(core, exportName, bytes) {
  return withBytes(core, bytes, (ptr, len) => {
    const out = core[exportName](ptr, len);
    try {
      return core.UTF8ToString(out);
    } finally {
      core._free(out);
    }
  });
}
