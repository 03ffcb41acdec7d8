// scripts/site/strip.mjs: the comments go from the site's JavaScript and CSS,
// nothing else changes meaning (strings, templates, regexes, the semicolons
// a line break implies).
import test from 'node:test';
import assert from 'node:assert/strict';
import { stripJs, stripCss } from '../../scripts/site/strip.mjs';

test('comment markers inside strings, templates and regexes are text', () => {
  const src = [
    "const a = '// kept', b = \"/* kept */\"; // gone 1",
    'const c = `x // kept',
    '/* kept */',
    '',
    '  end`;',
    'const r = /\\/\\/[/*]/g; /* gone 2 */',
    'export { a, b, c, r };',
    '',
  ].join('\n');
  const out = stripJs(src);
  assert.doesNotMatch(out, /gone/);
  assert.match(out, /'\/\/ kept'/);
  assert.match(out, /"\/\* kept \*\/"/);
  assert.ok(out.includes('`x // kept\n/* kept */\n\n  end`'), 'the template, its blank line and indent, unchanged');
  assert.ok(out.includes('/\\/\\/[/*]/g'));
});

test('a line break inside a removed comment still ends the statement', () => {
  const run = (src) => new Function(`${src}\nreturn f();`)();
  for (const body of [
    'return /* a\n b */ 5',       // ASI after return: undefined
    'return /* a b */ 5',         // no break: 5
    'let x = 1 /* a\n */\nreturn x',
    'let x = 2 // tail\nreturn x',
  ]) {
    const src = `function f() {\n${body}\n}`;
    const out = stripJs(src, 'case.js');
    assert.doesNotMatch(out, /\/\*|\/\//, src);
    assert.equal(run(out), run(src), src);
  }
});

test('a comment on lines of its own leaves no blank line; one after code leaves the code', () => {
  const out = stripJs('const a = 1;\n  // why\n  /* and\n     more */\nconst b = 2; // note\n');
  assert.equal(out, 'const a = 1;\nconst b = 2;\n');
});

test('a file that does not parse is refused with its name', () => {
  assert.throws(() => stripJs('const = ;', 'shell/broken.js'), /shell\/broken\.js/);
});

test('CSS: comments go, strings holding "/*" stay', () => {
  const out = stripCss('/* the bar\'s look */\n.a { content: "/* kept */"; }\n\n.b { background: url(\'x/*y\'); } /* gone */\n');
  assert.equal(out, '.a { content: "/* kept */"; }\n.b { background: url(\'x/*y\'); }\n');
});
