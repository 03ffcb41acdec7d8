// Where the test layers find what the build made; overridable for CI layouts.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SITE = process.env.PA_SITE ?? path.join(ROOT, 'build/wasm/site');
export const CLI = process.env.PA_CLI ?? path.join(ROOT, 'build/native/core/petamigos');
export const SERVER = process.env.PA_SERVER_BIN ?? path.join(ROOT, 'build/native/web/petamigos-server');
