// Strips comments from the shell's JavaScript and CSS in the assembled site
// (core/CMakeLists.txt runs it after copying shell/): the shell ships
// unminified, so its comments were downloaded at start (issue 26's 300 KB).
// The sources keep them. JavaScript goes through a real parser (Debian's
// acorn), so a "//" inside a string, template or regex is never touched; a
// block comment that spanned lines leaves a newline (automatic semicolon
// insertion sees what it saw before). Emscripten's output is left alone.
// usage: node scripts/site/strip.mjs <site folder>
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const acorn = require(fs.existsSync('/usr/share/nodejs/acorn') ? '/usr/share/nodejs/acorn' : 'acorn');

// Produced by Emscripten, already minified (and not ours to rewrite).
const SKIP = /^petamigos-.*\.mjs$/;

export function stripJs(source, file = 'input.js') {
  const comments = [];
  try {
    acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module', onComment: comments, allowHashBang: true });
  } catch (err) {
    throw new Error(`${file}: ${err.message}`);
  }
  // Only the comment and the blanks around it go: a template literal's own
  // blank lines and spaces are text, so nothing is tidied file-wide.
  let out = '';
  let at = 0;
  for (const c of comments) {
    let start = c.start;
    let end = c.end;
    while (start > at && (source[start - 1] === ' ' || source[start - 1] === '\t')) start--;
    const lineStart = start === 0 || source[start - 1] === '\n';
    let after = end;
    while (source[after] === ' ' || source[after] === '\t') after++;
    out += source.slice(at, start);
    if (lineStart && (source[after] === '\n' || after === source.length)) end = after + 1; // a line of its own
    else if (c.type === 'Block') out += /[\n\r\u2028\u2029]/.test(source.slice(c.start, c.end)) ? '\n' : ' ';
    at = Math.min(end, source.length);
  }
  return out + source.slice(at);
}

// CSS has no regexes or templates: outside a string, "/*" opens a comment.
export function stripCss(source) {
  let out = '';
  let quote = null;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (quote) {
      out += ch;
      if (ch === '\\') out += source[++i] ?? '';
      else if (ch === quote) quote = null;
    } else if (ch === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 1;
    } else {
      if (ch === '"' || ch === "'") quote = ch;
      out += ch;
    }
  }
  return tidy(out);
}

// CSS strings cannot span lines: blank lines and trailing spaces go.
function tidy(text) {
  return text.split('\n').map((l) => l.replace(/[ \t]+$/, '')).filter((l) => l !== '').join('\n') + '\n';
}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const site = process.argv[2];
  if (!site || !fs.statSync(site).isDirectory()) {
    console.error('usage: node scripts/site/strip.mjs <site folder>');
    process.exit(2);
  }
  for (const file of walk(site)) {
    const name = path.basename(file);
    if (SKIP.test(name)) continue;
    if (/\.m?js$/.test(name)) fs.writeFileSync(file, stripJs(fs.readFileSync(file, 'utf8'), file));
    else if (name.endsWith('.css')) fs.writeFileSync(file, stripCss(fs.readFileSync(file, 'utf8')));
  }
}
