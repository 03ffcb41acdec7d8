#!/usr/bin/env node
// Compiles CLDR plural rules (cardinal: supplemental/plurals.json, ordinal:
// supplemental/ordinals.json) for the shipped locales into C functions over
// pa_plural_operands. Run by the build; writes one .c file.
//
// usage: node scripts/i18n/gen-plurals.mjs --out FILE [--cldr NODE_MODULES_DIR]
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { LOCALES, cldrDir, readJson, argValue, pluralLocale } from './locales.mjs';

const CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'];

// ---- rule syntax (UTS #35 "Language Plural Rules"), samples stripped:
//   condition = and_condition ('or' and_condition)*
//   and_condition = relation ('and' relation)*
//   relation = operand ('%' value)? ('=' | '!=') range_list
//   range_list = (value | value '..' value) (',' range_list)*
function tokenize(rule) {
  const toks = [];
  const re = /\s*(\.\.|!=|=|%|,|[a-z]+|\d+)/y;
  let m;
  let at = 0;
  while (at < rule.length && (m = re.exec(rule))) {
    toks.push(m[1]);
    at = re.lastIndex;
  }
  if (rule.slice(at).trim()) throw new Error(`cannot read plural rule at "${rule.slice(at)}"`);
  return toks;
}

// C for one operand; the struct keeps i, f, t as uint64_t and v, w, e as int.
const OPERANDS = { n: 'o->i', i: 'o->i', v: 'o->v', w: 'o->w', f: 'o->f', t: 'o->t', e: 'o->e', c: 'o->e' };

function compile(rule) {
  const toks = tokenize(rule);
  let p = 0;
  const next = () => toks[p++];
  const expect = (t) => {
    if (toks[p] !== t) throw new Error(`plural rule "${rule}": expected ${t}, got ${toks[p]}`);
    p++;
  };
  const number = () => {
    const t = next();
    if (!/^\d+$/.test(t)) throw new Error(`plural rule "${rule}": expected a number, got ${t}`);
    return t;
  };
  function relation() {
    const op = next();
    if (!(op in OPERANDS)) throw new Error(`plural rule "${rule}": unknown operand ${op}`);
    // i, f, t are uint64_t and v, w, e are int: literals follow suit.
    const u = ['v', 'w', 'e', 'c'].includes(op) ? '' : 'u';
    let x = OPERANDS[op];
    if (toks[p] === '%') {
      p++;
      x = `(${x} % ${number()}${u})`;
    }
    const eq = next();
    if (eq !== '=' && eq !== '!=') throw new Error(`plural rule "${rule}": expected = or !=, got ${eq}`);
    const alts = [];
    for (;;) {
      const lo = number();
      if (toks[p] === '..') {
        p++;
        const hi = number();
        // An unsigned operand is always >= 0; saying so would trip -Wtype-limits.
        alts.push(lo === '0' && u ? `${x} <= ${hi}${u}` : `(${x} >= ${lo}${u} && ${x} <= ${hi}${u})`);
      } else {
        alts.push(`${x} == ${lo}${u}`);
      }
      if (toks[p] !== ',') break;
      p++;
    }
    let c = alts.length === 1 ? alts[0] : `(${alts.join(' || ')})`;
    // n is the absolute value itself: it only equals an integer when it has
    // no fraction, and for such n the integer digits i are n.
    if (op === 'n') c = `(o->f == 0 && ${c})`;
    return eq === '=' ? c : `!(${c})`;
  }
  function andCondition() {
    const parts = [relation()];
    while (toks[p] === 'and') {
      p++;
      parts.push(relation());
    }
    return parts.length === 1 ? parts[0] : `(${parts.join(' && ')})`;
  }
  const ors = [andCondition()];
  while (toks[p] === 'or') {
    p++;
    ors.push(andCondition());
  }
  if (p !== toks.length) throw new Error(`plural rule "${rule}": trailing ${toks.slice(p).join(' ')}`);
  return ors.length === 1 ? ors[0] : ors.join(' || ');
}

// The body of one rule set as C statements; categories with an empty
// condition ("other") fall through to the final return.
function body(rules) {
  const lines = [];
  for (const cat of CATEGORIES) {
    const text = rules[`pluralRule-count-${cat}`];
    if (text === undefined || cat === 'other') continue;
    const cond = text.split('@')[0].trim();
    if (!cond) throw new Error(`category ${cat} has no condition`);
    lines.push(`  if (${compile(cond)}) return PA_PLURAL_${cat.toUpperCase()};`);
  }
  lines.push('  return PA_PLURAL_OTHER;');
  return lines.join('\n');
}

function mask(rules) {
  let m = 0;
  CATEGORIES.forEach((cat, k) => {
    if (rules[`pluralRule-count-${cat}`] !== undefined) m |= 1 << k;
  });
  return m;
}

const out = argValue('--out');
if (!out) {
  console.error('usage: gen-plurals.mjs --out FILE [--cldr DIR]');
  process.exit(1);
}
const cldr = cldrDir();
const cardinal = readJson(path.join(cldr, 'cldr-core/supplemental/plurals.json')).supplemental['plurals-type-cardinal'];
const ordinal = readJson(path.join(cldr, 'cldr-core/supplemental/ordinals.json')).supplemental['plurals-type-ordinal'];

// Identical rule sets share one function (ja, ko, zh... all say "other").
const fns = new Map(); // body -> { name, users, rules }
function fnFor(kind, key, rules) {
  const b = body(rules);
  if (!fns.has(b)) fns.set(b, { name: `rules_${fns.size}`, users: [], rules });
  const f = fns.get(b);
  if (!f.users.includes(`${kind} ${key}`)) f.users.push(`${kind} ${key}`);
  return f.name;
}

const rows = [];
for (const tag of LOCALES) {
  const ck = pluralLocale(tag, cardinal);
  const ok = pluralLocale(tag, ordinal);
  if (ck === 'root' || ok === 'root') throw new Error(`CLDR has no plural rules for ${tag}`);
  const c = fnFor('cardinal', ck, cardinal[ck]);
  const o = fnFor('ordinal', ok, ordinal[ok]);
  rows.push(`  {"${tag}", "${ck}", ${c}, ${o}, 0x${mask(cardinal[ck]).toString(16)}u, 0x${mask(ordinal[ok]).toString(16)}u},`);
}

const defs = [...fns].map(([b, f]) => {
  const said = Object.entries(f.rules)
    .map(([k, v]) => ` *   ${k.replace('pluralRule-count-', '')}: ${v.split('@')[0].trim() || '(rest)'}`)
    .join('\n');
  return `/* ${f.users.join(', ')}\n${said} */\nstatic pa_plural_category ${f.name}(const pa_plural_operands *o) {\n  (void)o;\n${b}\n}\n`;
});

const text = `/* GENERATED by scripts/i18n/gen-plurals.mjs from CLDR ${readJson(path.join(cldr, 'cldr-core/package.json')).version}
 * (supplemental/plurals.json, ordinals.json). Do not edit. */
#include "i18n_data.h"

${defs.join('\n')}
const pa_i18n_plural_rules pa_i18n_plural_table[] = {
${rows.join('\n')}
};
const int pa_i18n_plural_table_len = ${rows.length};
`;
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, text);
