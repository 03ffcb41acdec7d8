// /help — the help center: a search box and every article by section, in the
// reader's language (the server falls back to English for a language without
// articles). /help/search?q=… — the articles that answer the words, best
// first. Both link to /help/<slug> (help-article.js) and offer the assistant
// (support/widget.js). Text only.
import { failureMessage } from '../api.js';
import { el } from '../compose-kit.js';
import { articleList, getArticles, helpStyles, searchArticles, searchForm } from '../support/help-kit.js';

export async function mount(root, params, ctx) {
  const { t } = ctx;
  helpStyles();
  const query = location.pathname.replace(/\/$/, '') === '/help/search' ? (new URLSearchParams(location.search).get('q') ?? '').trim() : null;
  const page = el('div', { className: 'help' });
  const status = el('p', { role: 'status' });
  const body = el('div', { className: 'help-body' });
  root.append(page);

  async function render() {
    const title = query === null ? t('help.ui.title') : t('help.ui.searchTitle');
    page.replaceChildren(el('h1', { textContent: title }), searchForm(t, ctx.navigate, query ?? ''), status, body);
    const ask = el('button', { type: 'button', className: 'secondary', textContent: t('help.ui.askAssistant') });
    ask.addEventListener('click', async () => (await import('../support/widget.js')).open(ctx));
    const more = el('div', { className: 'help-more' }, el('p', { textContent: t('help.ui.stillNeed') }), ask);
    body.replaceChildren();
    status.textContent = '';
    if (query === '') {
      status.textContent = t('help.ui.typeSomething');
    } else if (query !== null) {
      const r = await searchArticles(query);
      if (!r.ok) {
        status.textContent = t(...failureMessage(r.error));
      } else {
        const results = r.data.results ?? [];
        status.textContent = results.length ? t('help.ui.results', { count: results.length, query }) : t('help.ui.noResults', { query });
        if (results.length) body.append(articleList(results));
        body.append(el('p', {}, el('a', { href: '/help', textContent: t('help.ui.allArticles') })));
      }
    } else {
      const r = await getArticles();
      if (!r.ok) {
        status.textContent = t(...failureMessage(r.error));
      } else {
        for (const s of r.data.sections ?? []) {
          const id = `help-section-${s.id}`;
          const sec = el('section', { 'aria-labelledby': id }, el('h2', { id, textContent: s.title }), articleList(s.articles));
          sec.dataset.section = s.id;
          body.append(sec);
        }
      }
    }
    body.append(more);
  }

  // Another language: the articles in it (the heading keeps focus where it was).
  const relocalize = () => { render(); };
  addEventListener('pa:locale', relocalize);
  await render();
  return () => removeEventListener('pa:locale', relocalize);
}
