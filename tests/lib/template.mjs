// A data folder made once and copied by every test server that would
// otherwise make the same one itself: migrating and seeding under the
// sanitizers cost seconds a server, copying milliseconds. Shared by the
// server tests (tests/server/helpers.mjs) and the browser tests
// (tests/lib/server.mjs) across the files of a run.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// A template is used for at most this long after it was made, so the seeded
// world's ages (stories expire, posts rank by age) stay as seeded.
const TEMPLATE_FRESH_MS = 10 * 60_000;
// A lock older than this belonged to a maker that died.
const LOCK_STALE_MS = 180_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The folder of template name (one per key: what the folder depends on, the
 * binaries that make it above all), made by make(dir) when there is none
 * younger than TEMPLATE_FRESH_MS. The first process to take the lock makes
 * it; the others wait for it. Copy it; never write into it.
 */
export async function dataTemplate(name, key, make) {
  const hash = createHash('sha256').update(`${name}\0${key}`).digest('hex').slice(0, 16);
  const base = path.join(os.tmpdir(), `pa-${name}-template-${hash}`);
  const ready = path.join(base, 'ready'), lock = path.join(base, 'lock');
  await mkdir(base, { recursive: true });
  for (let i = 0; i < 1200; i++) {
    const made = Number(await readFile(ready, 'utf8').catch(() => 0));
    if (made && Date.now() - made < TEMPLATE_FRESH_MS) return path.join(base, `data-${made}`);
    try {
      await mkdir(lock);
    } catch {
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > LOCK_STALE_MS) await rmdir(lock).catch(() => {});
      await sleep(100);
      continue;
    }
    try {
      const now = Date.now();
      await make(path.join(base, `data-${now}`));
      await writeFile(ready, String(now));
      // Older copies nobody can still be reading (they were replaced long ago).
      for (const entry of await readdir(base)) {
        const t = Number(entry.replace(/^data-/, ''));
        if (entry.startsWith('data-') && now - t > 3 * TEMPLATE_FRESH_MS) await rm(path.join(base, entry), { recursive: true, force: true });
      }
    } finally {
      await rmdir(lock).catch(() => {});
    }
  }
  throw new Error(`no ${name} template after 2 minutes`);
}

/** A key part naming file by path, size and time: a rebuilt binary makes new templates. */
export async function fileKey(file) {
  const st = await stat(file);
  return `${file}:${st.mtimeMs}:${st.size}`;
}
