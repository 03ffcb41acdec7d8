// /help/<slug> — one help article in the reader's language (English when it
// has none in theirs): title, summary, the body drawn from the body format as
// text (paragraphs, numbered steps, bullets: support/help-kit.js), related
// articles, the way back to the help center and the assistant. An unknown
// slug says so and links to /help.
import { failureMessage } from '../api.js';
import { el } from '../compose-kit.js';
import { articleList, bodyNodes, getArticle, helpStyles } from '../support/help-kit.js';

export async function mount(root, params, ctx) {
  const { t } = ctx;
  helpStyles();
  const page = el('div', { className: 'help help-article' });
  root.append(page);

  async function render() {
    const back = el('p', { className: 'help-back' }, el('a', { href: '/help', textContent: t('help.ui.backToHelp') }));
    const r = await getArticle(params.slug);
    if (!r.ok) {
      const missing = r.error.status === 404;
      page.replaceChildren(back, el('h1', { textContent: missing ? t('help.ui.notFound') : t('help.ui.title') }),
        el('p', { role: 'status', textContent: missing ? t('help.ui.notFoundText') : t(...failureMessage(r.error)) }));
      return;
    }
    const a = r.data;
    const article = el('article', { 'aria-labelledby': 'help-article-title', lang: a.locale || null },
      el('h1', { id: 'help-article-title', textContent: a.title }),
      el('p', { className: 'help-lead', textContent: a.summary }), ...bodyNodes(a.body));
    article.dataset.slug = a.slug;
    article.dataset.locale = a.locale ?? '';
    page.replaceChildren(back, article);
    if (a.related?.length) {
      page.append(el('section', { 'aria-labelledby': 'help-related-title' },
        el('h2', { id: 'help-related-title', textContent: t('help.ui.related') }), articleList(a.related, { summaries: false })));
    }
    const ask = el('button', { type: 'button', className: 'secondary', textContent: t('help.ui.askAssistant') });
    ask.addEventListener('click', async () => (await import('../support/widget.js')).open(ctx));
    page.append(el('div', { className: 'help-more' }, el('p', { textContent: t('help.ui.stillNeed') }), ask));
  }

  const relocalize = () => { render(); };
  addEventListener('pa:locale', relocalize);
  await render();
  return () => removeEventListener('pa:locale', relocalize);
}
