// The help center's catalogs (locales/help/<tag>.json, contract of issue 23
// §1): plain text, not MessageFormat. The server indexes them and the shell
// shows them only as text, so the checks here are about text, not arguments:
// every article has its four keys, no `{ } #` (ICU syntax a later reader
// might take for arguments) nor ASCII apostrophes (ICU quoting), no URLs,
// summaries short enough to open an answer, English bodies of a readable
// length, and a translated body with the same blocks as the English one
// (paragraphs, numbered steps, bullets), so the shell renders it alike.
import { readFileSync } from 'node:fs';
import path from 'node:path';

// One sentence that opens the assistant's retrieval answer (contract §1).
export const HELP_SUMMARY_MAX = 200; // characters (code points)
// English bodies: long enough to answer, short enough to read in the widget.
export const HELP_BODY_WORDS_MIN = 80;
export const HELP_BODY_WORDS_MAX = 220;
// The articles' fields, in the order they are written.
export const HELP_FIELDS = ['title', 'summary', 'body', 'keywords'];
// The file beside the catalogs that says which articles each section holds,
// in order (the same for every locale).
export const HELP_SECTIONS_FILE = 'sections.json';

// A folder of help catalogs: named `help`, or asked for with --plain.
export function isHelpDir(dir, argv = process.argv) {
  return argv.includes('--plain') || path.basename(path.resolve(dir)) === 'help';
}

// [{ section, slugs: [...] }, …] from DIR/sections.json, or null when absent.
export function readSections(dir) {
  try {
    return JSON.parse(readFileSync(path.join(dir, HELP_SECTIONS_FILE), 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

const words = (s) => s.split(/\s+/).filter((w) => /\p{L}|\p{N}/u.test(w));

// The block structure of a body: 'p', 'ol3' (three steps), 'ul2'… in order.
// Returns { blocks } or { error }.
export function bodyBlocks(body) {
  const blocks = [];
  for (const para of body.split('\n\n')) {
    if (para === '' || para !== para.trim()) return { error: 'an empty paragraph or one with blank space at an edge' };
    const lines = para.split('\n');
    const numbered = lines.map((l) => /^(\d+)\. \S/.exec(l));
    if (numbered.every(Boolean)) {
      if (!numbered.every((m, i) => Number(m[1]) === i + 1)) return { error: `steps not numbered 1, 2, 3… in “${lines[0].slice(0, 40)}”` };
      blocks.push(`ol${lines.length}`);
    } else if (lines.every((l) => /^- \S/.test(l))) {
      blocks.push(`ul${lines.length}`);
    } else if (lines.length === 1) {
      if (/^(\d+\. |- )/.test(para)) blocks.push(para.startsWith('- ') ? 'ul1' : 'ol1');
      else blocks.push('p');
    } else {
      return { error: `a paragraph with a line break that is not a list: “${lines[0].slice(0, 40)}”` };
    }
  }
  return { blocks };
}

// Problems of one catalog against the English one (both objects), as lines.
export function helpProblems(tag, messages, source, { isSource = false, isPseudo = false, sections = null } = {}) {
  const problems = [];
  for (const [key, text] of Object.entries(messages)) {
    if (!(key in source)) continue; // reported by the caller
    if (typeof text !== 'string' || !text.trim()) {
      problems.push(`${key}: empty`);
      continue;
    }
    if (/[{}#]/.test(text)) problems.push(`${key}: holds { } or # (plain text only)`);
    if (text.includes("'")) problems.push(`${key}: holds an ASCII apostrophe (write ’)`);
    if (/:\/\/|\bwww\./i.test(text)) problems.push(`${key}: holds a URL`);
    const m = /^help\.(.+)\.(title|summary|body|keywords)$/.exec(key);
    if (!m) continue;
    const field = m[2];
    if (field === 'summary' && !isPseudo && [...text].length > HELP_SUMMARY_MAX) {
      problems.push(`${key}: ${[...text].length} characters, over ${HELP_SUMMARY_MAX}`);
    }
    if ((field === 'title' || field === 'summary') && text.includes('\n')) problems.push(`${key}: a line break`);
    if (field === 'keywords') {
      const items = text.split(',').map((s) => s.trim());
      if (items.some((s) => !s)) problems.push(`${key}: an empty keyword (two commas, or one at an edge)`);
    }
    // en-XA wraps each message in [ … ~~~] to show truncation: its blocks
    // are en's by construction (gen-pseudo --check keeps it fresh).
    if (field === 'body' && !isPseudo) {
      const b = bodyBlocks(text);
      if (b.error) {
        problems.push(`${key}: ${b.error}`);
      } else if (isSource) {
        const n = words(text).length;
        if (n < HELP_BODY_WORDS_MIN || n > HELP_BODY_WORDS_MAX) {
          problems.push(`${key}: ${n} words, outside ${HELP_BODY_WORDS_MIN}–${HELP_BODY_WORDS_MAX}`);
        }
      } else if (typeof source[key] === 'string') {
        const want = bodyBlocks(source[key]).blocks;
        if (want && want.join(' ') !== b.blocks.join(' ')) {
          problems.push(`${key}: blocks ${b.blocks.join(' ')} differ from en’s ${want.join(' ')}`);
        }
      }
    }
  }
  if (isSource) {
    // Every article complete, and sections.json in step with the catalog.
    const slugs = new Set();
    for (const key of Object.keys(messages)) {
      const m = /^help\.(.+)\.(title|summary|body|keywords)$/.exec(key);
      if (m && !key.startsWith('help.section.') && !key.startsWith('help.ui.')) slugs.add(m[1]);
    }
    for (const slug of slugs) {
      for (const f of HELP_FIELDS) if (!(`help.${slug}.${f}` in messages)) problems.push(`help.${slug}.${f}: missing (every article has ${HELP_FIELDS.join(', ')})`);
    }
    if (sections) {
      const listed = new Map();
      for (const { section, slugs: list } of sections) {
        if (!(`help.section.${section}` in messages)) problems.push(`help.section.${section}: missing (${HELP_SECTIONS_FILE} names it)`);
        for (const s of list) {
          if (listed.has(s)) problems.push(`${HELP_SECTIONS_FILE}: ${s} is in ${listed.get(s)} and ${section}`);
          listed.set(s, section);
          if (!slugs.has(s)) problems.push(`${HELP_SECTIONS_FILE}: ${s} has no article`);
        }
      }
      for (const s of slugs) if (!listed.has(s)) problems.push(`help.${s}: in no section of ${HELP_SECTIONS_FILE}`);
    }
  }
  return problems;
}
