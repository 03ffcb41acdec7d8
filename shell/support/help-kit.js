// What the help center's screens (screens/help.js, help-article.js) and the
// support widget (support/widget.js) share: their stylesheet (loaded with
// them, not at start), the help API's paths in the reader's language, an
// article's body drawn from the body format as text, and an answer whose
// `[n]` citations become links to the articles it was given. Nothing here
// parses markup: every piece of text lands in textContent.
import { get } from '../api.js';
import { el } from '../compose-kit.js';
import { currentLocale } from '../i18n.js';

// The help center's own rules, once per page (the start-up size counts app.css).
export function helpStyles() {
  if (document.getElementById('help-css')) return;
  document.head.append(el('link', { id: 'help-css', rel: 'stylesheet', href: '/support/help.css' }));
}

const q = (s) => encodeURIComponent(s);
export const articlesPath = () => `/api/v1/help/articles?locale=${q(currentLocale())}`;
export const articlePath = (slug) => `/api/v1/help/articles/${q(slug)}?locale=${q(currentLocale())}`;
export const searchPath = (query) => `/api/v1/help/search?q=${q(query)}&locale=${q(currentLocale())}`;
export const articleHref = (slug) => `/help/${q(slug)}`;
export const getArticles = () => get(articlesPath());
export const getArticle = (slug) => get(articlePath(slug));
export const searchArticles = (query) => get(searchPath(query));

// The body format (CONTRACT23 §1): paragraphs split by one blank line; a
// paragraph whose lines all start with "1. ", "2. "… is a numbered list, one
// whose lines all start with "- " a bullet list; anything else a paragraph
// (its line breaks kept as spaces). Returns the nodes, text only.
const NUMBERED = /^\d+\.\s+/;
const BULLET = /^-\s+/;
export function bodyNodes(body) {
  const nodes = [];
  for (const para of String(body ?? '').replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const lines = para.split('\n').map((l) => l.trim()).filter(Boolean);
    if (!lines.length) continue;
    const list = lines.every((l) => NUMBERED.test(l)) ? ['ol', NUMBERED] : lines.every((l) => BULLET.test(l)) ? ['ul', BULLET] : null;
    if (list) {
      nodes.push(el(list[0], {}, ...lines.map((l) => el('li', { textContent: l.replace(list[1], '') }))));
    } else {
      nodes.push(el('p', { textContent: lines.join(' ') }));
    }
  }
  return nodes;
}

// An answer's text with each "[n]" naming one of articles (1-based, as the
// assistant numbered them) turned into a link to that article; other
// brackets stay text. The link says the article's title to assistive
// technology beside the visible "[n]".
const CITE = /\[(\d{1,2})\]/g;
export function answerNodes(text, articles) {
  const out = [];
  let at = 0;
  const s = String(text ?? '');
  for (const m of s.matchAll(CITE)) {
    const a = articles?.[Number(m[1]) - 1];
    if (!a?.slug) continue;
    if (m.index > at) out.push(document.createTextNode(s.slice(at, m.index)));
    const link = el('a', { href: articleHref(a.slug), className: 'help-cite' }, m[0]);
    if (a.title) link.append(el('span', { className: 'visually-hidden', textContent: ` ${a.title}` }));
    link.dataset.slug = a.slug;
    out.push(link);
    at = m.index + m[0].length;
  }
  if (at < s.length) out.push(document.createTextNode(s.slice(at)));
  return out;
}

// A list of article links (title, and the summary under it when given).
export function articleList(articles, { summaries = true } = {}) {
  const ul = el('ul', { className: 'help-list' });
  for (const a of articles ?? []) {
    const li = el('li', {}, el('a', { href: articleHref(a.slug), textContent: a.title }));
    li.dataset.slug = a.slug;
    if (summaries && a.summary) li.append(el('p', { className: 'help-summary', textContent: a.summary }));
    ul.append(li);
  }
  return ul;
}

// The search box every help screen shows: GET /help/search?q=… (the router
// turns the submit into a navigation).
export function searchForm(t, navigate, value = '') {
  const input = el('input', { id: 'help-q', type: 'search', name: 'q', value, maxLength: 500, autocomplete: 'off' });
  const form = el('form', { className: 'help-search', role: 'search', action: '/help/search' },
    el('label', { htmlFor: 'help-q', textContent: t('help.ui.searchLabel') }),
    el('div', { className: 'help-search-row' }, input, el('button', { type: 'submit', className: 'primary', textContent: t('help.ui.searchButton') })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = input.value.trim();
    if (v) navigate(`/help/search?q=${q(v)}`);
  });
  return form;
}
